import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { familyOf, QUOTAS } from '../../src/collect/rate-limit.js';
import { AwsAnswerError, SyntheticAws } from './synthetic-account.js';

/**
 * Serves a SyntheticAws through aws-sdk-client-mock like AWS would: each request takes a random
 * latency, and a server-side token bucket per (service, region, API family) at AWS's documented
 * quota (the same figures lvs paces at, but at 100%) throttles whatever exceeds it, with each
 * service's real throttling error. Every IAM read (GetAccountSummary and
 * GetAccountAuthorizationDetails included) draws from one account-wide IAM bucket.
 */

const THROTTLE: Record<string, { name: string; status: number }> = {
  lambda: { name: 'TooManyRequestsException', status: 429 },
  ec2: { name: 'RequestLimitExceeded', status: 503 },
  iam: { name: 'Throttling', status: 400 },
  sts: { name: 'Throttling', status: 400 },
  s3: { name: 'SlowDown', status: 503 },
  s3control: { name: 'SlowDown', status: 503 },
  kms: { name: 'ThrottlingException', status: 400 },
};

export interface EmulatorOptions {
  /** Mean one-way request latency, ms (before time scaling). */
  latencyMs: number;
  /** Uniform jitter around the mean, ms. */
  jitterMs: number;
  /** Time compression: quotas x scale, latency / scale. */
  scale: number;
  /** Share of each quota left to lvs (default 1; e.g. 0.5 = other tools use half the account's quota). */
  available?: number;
  /**
   * Transfer time of large answers, bytes per ms (default 1,000: 1 MB/s): only
   * iam:GetAccountAuthorizationDetails pages are big enough for it to matter (hundreds of KB).
   */
  bytesPerMs?: number;
}

/** Answers whose size adds transfer time (every other answer is a few KB at most). */
const LARGE_ANSWERS = new Set(['iam:GetAccountAuthorizationDetails']);

class ServerBucket {
  private tokens: number;
  private last = performance.now();
  constructor(
    private readonly rate: number,
    private readonly capacity: number,
  ) {
    this.tokens = capacity;
  }
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class AwsEmulator {
  readonly answered = new Map<string, number>();
  readonly attemptsByOperation = new Map<string, number>();
  throttled = 0;
  private readonly reads = new Map<string, number>();
  private readonly buckets = new Map<string, ServerBucket>();

  constructor(
    readonly aws: SyntheticAws,
    readonly options: EmulatorOptions,
  ) {}

  /** Resources read more than once (a throttled attempt is not a read). */
  get duplicateReads(): number {
    let n = 0;
    for (const count of this.reads.values()) if (count > 1) n += 1;
    return n;
  }

  private bucket(service: string, region: string, operation: string): ServerBucket {
    const { family, quotaKey } = familyOf(service, operation);
    const scope = service === 'iam' || (service === 's3' && operation === 'ListBuckets') ? 'global' : region;
    const key = `${service}|${scope}|${family}`;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      const quota = QUOTAS[quotaKey];
      if (quota === undefined) throw new Error(`no quota ${quotaKey}`);
      bucket = new ServerBucket(quota.rate * this.options.scale * (this.options.available ?? 1), quota.burst);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private latency(): number {
    const { latencyMs, jitterMs, scale } = this.options;
    return Math.max(0, latencyMs + (Math.random() * 2 - 1) * jitterMs) / scale;
  }

  async handle(
    service: string,
    region: string,
    operation: string,
    input: Record<string, unknown>,
  ): Promise<unknown> {
    const opKey = `${service}:${operation}`;
    this.attemptsByOperation.set(opKey, (this.attemptsByOperation.get(opKey) ?? 0) + 1);
    const half = this.latency() / 2;
    await sleep(half);
    if (!this.bucket(service, region, operation).take()) {
      this.throttled += 1;
      await sleep(half);
      const t = THROTTLE[service] ?? { name: 'ThrottlingException', status: 400 };
      throw Object.assign(new Error('Rate exceeded'), {
        name: t.name,
        $metadata: { httpStatusCode: t.status, attempts: 1 },
      });
    }
    const readKey = SyntheticAws.resourceKey(service, operation, input);
    this.reads.set(readKey, (this.reads.get(readKey) ?? 0) + 1);
    this.answered.set(opKey, (this.answered.get(opKey) ?? 0) + 1);
    let output: unknown;
    let failure: Error | undefined;
    try {
      output = this.aws.answer(service, operation, input);
    } catch (error) {
      failure =
        error instanceof AwsAnswerError
          ? Object.assign(new Error(error.message), {
              name: error.name,
              $metadata: { httpStatusCode: error.httpStatusCode, attempts: 1 },
            })
          : (error as Error);
    }
    const transfer =
      output !== undefined && LARGE_ANSWERS.has(opKey)
        ? JSON.stringify(output).length / (this.options.bytesPerMs ?? 1000) / this.options.scale
        : 0;
    await sleep(half + transfer);
    if (failure !== undefined) throw failure;
    return { ...(output as object), $metadata: { httpStatusCode: 200, attempts: 1 } };
  }

  /** Mocks every SDK client class; returns restore(). */
  install(): () => void {
    const classes = {
      lambda: LambdaClient,
      ec2: EC2Client,
      iam: IAMClient,
      s3: S3Client,
      s3control: S3ControlClient,
      kms: KMSClient,
      sts: STSClient,
    };
    const mocks = Object.entries(classes).map(([service, Client]) => {
      const mock = mockClient(Client as never);
      const handle = (...args: Parameters<AwsEmulator['handle']>) => this.handle(...args);
      // sinon records every call (inputs and outputs): forget them regularly, or the benchmark
      // would measure the mock's memory instead of lvs's.
      const stub = mock.send as unknown as { resetHistory(): void };
      let sinceReset = 0;
      const forget = () => {
        if (++sinceReset >= 200) {
          sinceReset = 0;
          setImmediate(() => stub.resetHistory());
        }
      };
      (mock.send as unknown as { callsFake(fn: unknown): void }).callsFake(async function (
        this: { config: { region: () => Promise<string> } },
        command: { input: Record<string, unknown>; constructor: { name: string } },
      ) {
        forget();
        const region = await this.config.region();
        return handle(service, region, command.constructor.name.replace(/Command$/, ''), command.input);
      });
      return mock;
    });
    return () => {
      for (const mock of mocks) mock.restore();
    };
  }
}
