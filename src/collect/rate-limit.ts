/**
 * Client-side pacing (SPEC 3 "Rate"): one token bucket per (service, region, API family), filled at
 * AWS's documented request quota times a headroom factor, so that a large account is read at the
 * quota's speed without being throttled. The SDK's adaptive retry handles the throttles that still
 * happen (other tools sharing the account's quota); ApiCaller (call.ts) adds a second, slower retry
 * round on top so that a throttle storm never turns into a missing fact.
 */

/** Time source, injectable so that pacing is testable with a fake clock. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

export interface Quota {
  /** Sustained requests per second AWS allows. */
  rate: number;
  /** Requests AWS lets through in a burst (bucket capacity). */
  burst: number;
  /** Where the figure comes from. */
  source: string;
}

const LAMBDA_QUOTAS_DOC =
  'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (API requests)';
const EC2_THROTTLING_DOC =
  'https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html (request token bucket sizes and refill rates)';
const KMS_QUOTAS_DOC = 'https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html';

/**
 * Request quotas per API family. Key: `<service>:<family>`; see `familyOf` for which operation
 * belongs where.
 */
export const QUOTAS: Readonly<Record<string, Quota>> = {
  // Lambda: "GetPolicy API requests: 15 per second" (own quota, cannot be increased).
  'lambda:GetPolicy': {
    rate: 15,
    burst: 15,
    source: `${LAMBDA_QUOTAS_DOC}: GetPolicy 15 req/s per account per Region`,
  },
  // Lambda: "Remainder of the control plane API requests (excludes invocation, GetFunction, and
  // GetPolicy requests): 15 per second across all APIs" - ListFunctions, ListTags, GetFunctionUrlConfig.
  'lambda:control-plane': {
    rate: 15,
    burst: 15,
    source: `${LAMBDA_QUOTAS_DOC}: remainder of the control plane 15 req/s per account per Region, shared`,
  },
  // EC2 request rate limiting: one bucket per API. Non-mutating actions (Describe*): bucket 100,
  // refill 20 per second.
  'ec2:non-mutating': {
    rate: 20,
    burst: 100,
    source: `${EC2_THROTTLING_DOC}: non-mutating actions 100 / 20 per second, per API`,
  },
  // "Unfiltered and unpaginated non-mutating actions": bucket 50, refill 10 per second
  // (DescribePrefixLists and DescribeRegions are called without filters).
  'ec2:unfiltered-non-mutating': {
    rate: 10,
    burst: 50,
    source: `${EC2_THROTTLING_DOC}: unfiltered and unpaginated non-mutating actions 50 / 10 per second, per API`,
  },
  // IAM publishes no per-API request quota (it is a global, eventually consistent service whose
  // read APIs throttle with "Rate exceeded" under load). 20 req/s is a conservative account-wide
  // figure lvs chooses; adaptive retry backs off further if IAM disagrees.
  'iam:all': {
    rate: 20,
    burst: 20,
    source: 'not published by AWS; lvs paces IAM reads at a conservative 20 req/s per account',
  },
  // STS: 600 requests per second per account per Region (IAM and AWS STS quotas, "AWS STS request quotas").
  'sts:all': {
    rate: 600,
    burst: 600,
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: STS 600 req/s',
  },
  // S3 documents 5,500 GET/HEAD per second per prefix for object reads and no quota for bucket
  // configuration reads (GetBucketPolicy, GetBucketEncryption, GetPublicAccessBlock,
  // GetBucketLocation, ListBuckets). lvs paces them at a conservative 100 req/s per Region.
  's3:bucket-config': {
    rate: 100,
    burst: 100,
    source:
      'not published for bucket-configuration reads (object reads: 5,500 GET/s per prefix); lvs paces at 100 req/s',
  },
  // S3 Control publishes no quota either; lvs makes one call per run.
  's3control:all': { rate: 10, burst: 10, source: 'not published; one GetPublicAccessBlock per run' },
  // KMS "Request quotas for each AWS KMS API operation": DescribeKey 2,000 req/s; GetKeyRotationStatus 1,000 req/s.
  'kms:DescribeKey': { rate: 2000, burst: 2000, source: `${KMS_QUOTAS_DOC}: DescribeKey 2,000 req/s` },
  'kms:GetKeyRotationStatus': {
    rate: 1000,
    burst: 1000,
    source: `${KMS_QUOTAS_DOC}: GetKeyRotationStatus 1,000 req/s`,
  },
};

const EC2_UNFILTERED = new Set(['DescribePrefixLists', 'DescribeRegions']);

/** The quota family of an operation: the key into QUOTAS without the per-API suffix. */
export function familyOf(service: string, operation: string): { family: string; quotaKey: string } {
  switch (service) {
    case 'lambda':
      return operation === 'GetPolicy'
        ? { family: 'GetPolicy', quotaKey: 'lambda:GetPolicy' }
        : { family: 'control-plane', quotaKey: 'lambda:control-plane' };
    case 'ec2':
      // EC2 evaluates each API individually: one bucket per operation, sized by its category.
      return {
        family: operation,
        quotaKey: EC2_UNFILTERED.has(operation) ? 'ec2:unfiltered-non-mutating' : 'ec2:non-mutating',
      };
    case 'kms':
      return {
        family: operation,
        quotaKey: `kms:${operation}` in QUOTAS ? `kms:${operation}` : 'kms:DescribeKey',
      };
    case 's3':
      return { family: 'bucket-config', quotaKey: 's3:bucket-config' };
    case 'iam':
    case 'sts':
    case 's3control':
      return { family: 'all', quotaKey: `${service}:all` };
    default:
      return { family: 'all', quotaKey: 'iam:all' };
  }
}

export function quotaFor(service: string, operation: string): Quota {
  const quota = QUOTAS[familyOf(service, operation).quotaKey];
  if (quota === undefined) throw new Error(`no quota for ${service}:${operation}`);
  return quota;
}

/** Float slack: a token that is 0.9999999 full after (1000 / rate) ms is a token. */
const EPSILON = 1e-6;

interface Waiter {
  resolve: () => void;
}

/**
 * A token bucket with a FIFO of waiters, high-priority waiters first (ListFunctions pages go ahead
 * of per-function reads sharing their quota, so that discovery never starves). One timer at a time.
 * When AWS throttles anyway (other callers share the account's quota), the rate backs off
 * multiplicatively and creeps back additively with each request sent (AIMD), so that a contended
 * quota is shared instead of hammered.
 */
export class TokenBucket {
  /** Current refill rate, tokens per second (the configured rate until AWS throttles). */
  private current: number;
  private tokens: number;
  private last: number;
  private blockedUntil = 0;
  private readonly high: Waiter[] = [];
  private readonly normal: Waiter[] = [];
  private timerArmed = false;

  constructor(
    readonly baseRate: number,
    readonly capacity: number,
    private readonly clock: Clock,
  ) {
    if (!(baseRate > 0) || !(capacity >= 1))
      throw new Error(`invalid token bucket (rate ${baseRate}, capacity ${capacity})`);
    this.current = baseRate;
    this.tokens = capacity;
    this.last = clock.now();
  }

  get rate(): number {
    return this.current;
  }

  get waiting(): number {
    return this.high.length + this.normal.length;
  }

  /** Resolves when the caller may send one request. */
  acquire(priority: 'high' | 'normal' = 'normal'): Promise<void> {
    this.refill();
    if (this.waiting === 0 && this.tokens >= 1 - EPSILON && this.clock.now() >= this.blockedUntil) {
      this.take();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      (priority === 'high' ? this.high : this.normal).push({ resolve });
      this.arm();
    });
  }

  /**
   * AWS throttled a request of this family: drain the bucket, send nothing for `ms`, and cut the
   * rate by 30% (not below 5% of the configured rate).
   */
  penalize(ms: number): void {
    this.refill();
    this.tokens = 0;
    this.current = Math.max(this.baseRate * 0.05, this.current * 0.7);
    this.blockedUntil = Math.max(this.blockedUntil, this.clock.now() + ms);
  }

  /** One token out; the rate recovers by 0.5% of the configured rate per request sent. */
  private take(): void {
    this.tokens -= 1;
    if (this.current < this.baseRate)
      this.current = Math.min(this.baseRate, this.current + this.baseRate * 0.005);
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - Math.max(this.last, Math.min(now, this.blockedUntil)));
    if (now >= this.blockedUntil)
      this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.current) / 1000);
    this.last = now;
  }

  private drain(): void {
    this.refill();
    if (this.clock.now() < this.blockedUntil) return;
    while (this.tokens >= 1 - EPSILON) {
      const next = this.high.shift() ?? this.normal.shift();
      if (next === undefined) break;
      this.take();
      next.resolve();
    }
  }

  private arm(): void {
    if (this.timerArmed) return;
    this.drain();
    if (this.waiting === 0) return;
    const now = this.clock.now();
    const untilUnblocked = Math.max(0, this.blockedUntil - now);
    const untilToken = (Math.max(0, 1 - this.tokens) * 1000) / this.current;
    this.timerArmed = true;
    void this.clock.sleep(Math.max(untilUnblocked, untilToken, 1)).then(() => {
      this.timerArmed = false;
      this.arm();
    });
  }
}

export interface RateLimiterOptions {
  clock?: Clock;
  /** Fraction of each quota lvs uses (default 0.9: leave room for the account's other callers). */
  pace?: number;
  /** Override quotas by key (tests, benchmarks, accounts with raised quotas). */
  quotas?: Readonly<Record<string, Quota>>;
}

/** The buckets of one run, created on first use per (service, region, family). */
export class RateLimiter {
  readonly clock: Clock;
  readonly pace: number;
  private readonly quotas: Readonly<Record<string, Quota>>;
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(options: RateLimiterOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.pace = options.pace ?? 0.9;
    if (!(this.pace > 0 && this.pace <= 1)) throw new Error(`pace must be in (0, 1], got ${this.pace}`);
    this.quotas = { ...QUOTAS, ...options.quotas };
  }

  /** IAM, STS (for our purposes), S3 Control and S3 ListBuckets quotas are account-wide: key them without a region. */
  bucketKey(service: string, region: string, operation: string): string {
    const { family } = familyOf(service, operation);
    const scope = service === 'iam' || (service === 's3' && operation === 'ListBuckets') ? 'global' : region;
    return `${service}|${scope}|${family}`;
  }

  bucket(service: string, region: string, operation: string): TokenBucket {
    const key = this.bucketKey(service, region, operation);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      const quota = this.quotas[familyOf(service, operation).quotaKey];
      if (quota === undefined) throw new Error(`no quota for ${service}:${operation}`);
      const rate = quota.rate * this.pace;
      bucket = new TokenBucket(rate, Math.max(1, Math.floor(quota.burst * this.pace)), this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  acquire(
    service: string,
    region: string,
    operation: string,
    priority: 'high' | 'normal' = 'normal',
  ): Promise<void> {
    return this.bucket(service, region, operation).acquire(priority);
  }

  penalize(service: string, region: string, operation: string, ms: number): void {
    this.bucket(service, region, operation).penalize(ms);
  }
}
