import pLimit, { type LimitFunction } from 'p-limit';
import { absent, failed, ok, type ApiError, type Fetched } from '../snapshot/fetched.js';
import type { Clock, RateLimiter } from './rate-limit.js';

/**
 * Every AWS read of a collection goes through one ApiCaller: it waits for a token of the
 * operation's quota family (rate-limit.ts), runs under a bounded concurrency (p-limit), retries
 * throttles that outlived the SDK's own retries (so a throttle storm slows the run down instead of
 * turning facts into errors), counts what it did, and turns failures into ApiError records.
 */

/** Error names AWS services use for throttling (the SDK's list, plus S3's 503 SlowDown). */
const THROTTLING_NAMES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
]);

export function isThrottlingError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as {
    name?: unknown;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
  };
  return (
    (typeof e.name === 'string' && THROTTLING_NAMES.has(e.name)) ||
    e.$metadata?.httpStatusCode === 429 ||
    e.$retryable?.throttling === true
  );
}

/** The error code AWS sent (its error name), or the Node/SDK error name for failures before an answer. */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const e = error as { name?: unknown; Code?: unknown; code?: unknown };
    for (const candidate of [e.Code, e.name, e.code]) {
      if (typeof candidate === 'string' && candidate !== '' && candidate !== 'Error') return candidate;
    }
  }
  return 'UnknownError';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  ) {
    return (error as { message: string }).message;
  }
  return String(error);
}

export interface CallContext {
  service: string;
  operation: string;
  region: string;
  /** ARN or name of what was read, for error records. */
  resource?: string;
}

export function toApiError(ctx: CallContext, error: unknown): ApiError {
  return {
    service: ctx.service,
    operation: ctx.operation,
    region: ctx.region,
    ...(ctx.resource !== undefined ? { resource: ctx.resource } : {}),
    code: errorCode(error),
    message: errorMessage(error).slice(0, 1000),
  };
}

/** What the run did, for progress lines and the benchmark. */
export interface CallStats {
  /** Completed requests by `service:Operation` (each SDK send counts once, whatever its attempts). */
  callsByOperation: Map<string, number>;
  calls: number;
  /** Throttling answers seen (by this layer, and the SDK's retried attempts when it reports them). */
  throttles: number;
  /** Requests re-sent: this layer's throttle retries plus the SDK's extra attempts. */
  retries: number;
  /** Reads recorded as `error`. */
  errors: number;
}

export interface ApiCallerOptions {
  limiter: RateLimiter;
  /** Requests in flight at once (default 32). */
  concurrency?: number;
  /** Extra rounds after the SDK gave up on a throttled request (default 8). */
  maxThrottleRetries?: number;
  /** First back-off after a throttle (default 500 ms), doubled each round, with jitter. */
  throttleBackoffMs?: number;
  clock?: Clock;
  /** Jitter source in [0, 1) (default Math.random); injectable for deterministic tests. */
  random?: () => number;
  onCall?: (ctx: CallContext, stats: CallStats) => void;
}

export class ApiCaller {
  readonly stats: CallStats = { callsByOperation: new Map(), calls: 0, throttles: 0, retries: 0, errors: 0 };
  readonly limiter: RateLimiter;
  private readonly limit: LimitFunction;
  private readonly clock: Clock;
  private readonly maxThrottleRetries: number;
  private readonly backoffMs: number;
  private readonly random: () => number;
  private readonly onCall: ((ctx: CallContext, stats: CallStats) => void) | undefined;

  constructor(options: ApiCallerOptions) {
    this.limiter = options.limiter;
    this.limit = pLimit(options.concurrency ?? 32);
    this.clock = options.clock ?? options.limiter.clock;
    this.maxThrottleRetries = options.maxThrottleRetries ?? 8;
    this.backoffMs = options.throttleBackoffMs ?? 500;
    this.random = options.random ?? Math.random;
    this.onCall = options.onCall;
  }

  /** Sends one request, paced and bounded; throws what AWS answered once retries are exhausted. */
  async send<T>(
    ctx: CallContext,
    request: () => Promise<T>,
    priority: 'high' | 'normal' = 'normal',
  ): Promise<T> {
    for (let round = 0; ; round++) {
      await this.limiter.acquire(ctx.service, ctx.region, ctx.operation, priority);
      try {
        const result = await this.limit(request);
        this.count(ctx, result);
        return result;
      } catch (error) {
        this.count(ctx, error);
        if (!isThrottlingError(error) || round >= this.maxThrottleRetries) throw error;
        this.stats.throttles += 1;
        this.stats.retries += 1;
        const wait = this.backoffMs * 2 ** Math.min(round, 6) * (0.5 + this.random() / 2);
        this.limiter.penalize(ctx.service, ctx.region, ctx.operation, wait);
        await this.clock.sleep(wait);
      }
    }
  }

  /**
   * One read as a Fetched value: `absent` when AWS answers with one of `absentCodes` (its way of
   * saying "there is none"), `error` (also appended to `errors`) for every other failure, including
   * an answer `map` cannot make sense of (an emulator's unsupported reply is an error, not a crash).
   */
  async fetch<O, T>(
    ctx: CallContext,
    request: () => Promise<O>,
    map: (output: O) => T,
    options: { absentCodes?: readonly string[]; errors: ApiError[]; priority?: 'high' | 'normal' },
  ): Promise<Fetched<T>> {
    let output: O;
    try {
      output = await this.send(ctx, request, options.priority);
    } catch (error) {
      if (options.absentCodes?.includes(errorCode(error))) return absent();
      return this.failure(ctx, error, options.errors);
    }
    try {
      return ok(map(output));
    } catch (error) {
      return this.failure(
        ctx,
        { name: 'UnexpectedResponse', message: `could not read the answer: ${errorMessage(error)}` },
        options.errors,
      );
    }
  }

  /** Records a failed read. */
  failure<T>(ctx: CallContext, error: unknown, errors: ApiError[]): Fetched<T> {
    const apiError = toApiError(ctx, error);
    errors.push(apiError);
    this.stats.errors += 1;
    return failed(apiError);
  }

  private count(ctx: CallContext, outcome: unknown): void {
    const key = `${ctx.service}:${ctx.operation}`;
    this.stats.callsByOperation.set(key, (this.stats.callsByOperation.get(key) ?? 0) + 1);
    this.stats.calls += 1;
    const attempts = (outcome as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts;
    // The SDK's own retries (adaptive mode) show as extra attempts on the final answer.
    if (typeof attempts === 'number' && attempts > 1) this.stats.retries += attempts - 1;
    this.onCall?.(ctx, this.stats);
  }
}
