import { describe, expect, it } from 'vitest';
import { familyOf, QUOTAS, quotaFor, RateLimiter, TokenBucket } from '../../src/collect/rate-limit.js';
import { FakeClock, flush } from './helpers/fake-clock.js';

/** Acquires `n` tokens and records when each was granted. */
function grants(
  bucket: TokenBucket,
  clock: FakeClock,
  n: number,
  priority: 'high' | 'normal' = 'normal',
): number[] {
  const at: number[] = [];
  for (let i = 0; i < n; i++) void bucket.acquire(priority).then(() => at.push(clock.now()));
  return at;
}

describe('token bucket', () => {
  it('lets a burst through at once, then paces at the refill rate', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(10, 5, clock);
    const at = grants(bucket, clock, 15);
    await flush();
    expect(at).toEqual([0, 0, 0, 0, 0]);
    await clock.advance(1000);
    expect(at).toHaveLength(15);
    // After the burst, one token every 100 ms.
    expect(at.slice(5)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  });

  it('sustains exactly its rate over a long run', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(15, 1, clock);
    const at = grants(bucket, clock, 151);
    await clock.advance(10_010);
    expect(at).toHaveLength(151);
    expect(at.at(-1)).toBeCloseTo(10_000, -1);
  });

  it('serves high-priority waiters first', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(1, 1, clock);
    const order: string[] = [];
    await bucket.acquire();
    void bucket.acquire().then(() => order.push('normal-1'));
    void bucket.acquire().then(() => order.push('normal-2'));
    void bucket.acquire('high').then(() => order.push('high'));
    await clock.advance(3000);
    expect(order).toEqual(['high', 'normal-1', 'normal-2']);
  });

  it('sends nothing while penalized after a throttle, then resumes 30% slower', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(10, 10, clock);
    bucket.penalize(2000);
    expect(bucket.rate).toBeCloseTo(7);
    const at = grants(bucket, clock, 2);
    await clock.advance(1999);
    expect(at).toEqual([]);
    // Afterwards the bucket refills from empty, at the reduced rate (which creeps back per grant).
    await clock.advance(400);
    expect(at[0]).toBeCloseTo(2000 + 1000 / 7, 0);
    expect(at).toHaveLength(2);
  });

  it('recovers its configured rate additively, and never drops below 5% of it', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(100, 1, clock);
    for (let i = 0; i < 20; i++) bucket.penalize(0);
    expect(bucket.rate).toBeCloseTo(5);
    grants(bucket, clock, 400);
    await clock.advance(60_000);
    expect(bucket.rate).toBe(100);
  });

  it('refuses nonsense', () => {
    expect(() => new TokenBucket(0, 1, new FakeClock())).toThrow();
  });
});

describe('quotas', () => {
  it('documents where every figure comes from', () => {
    for (const [key, quota] of Object.entries(QUOTAS)) {
      expect(quota.source, key).not.toBe('');
      expect(quota.rate, key).toBeGreaterThan(0);
      expect(quota.burst, key).toBeGreaterThanOrEqual(1);
    }
  });

  it('puts GetPolicy and the rest of the Lambda control plane in separate 15 req/s families', () => {
    expect(quotaFor('lambda', 'GetPolicy').rate).toBe(15);
    expect(familyOf('lambda', 'GetPolicy').family).toBe('GetPolicy');
    for (const op of ['ListFunctions', 'ListTags', 'GetFunctionUrlConfig']) {
      expect(familyOf('lambda', op)).toEqual({ family: 'control-plane', quotaKey: 'lambda:control-plane' });
    }
  });

  it('gives each EC2 API its own bucket, unfiltered ones the smaller size', () => {
    expect(familyOf('ec2', 'DescribeSubnets')).toEqual({
      family: 'DescribeSubnets',
      quotaKey: 'ec2:non-mutating',
    });
    expect(quotaFor('ec2', 'DescribeSubnets')).toMatchObject({ rate: 20, burst: 100 });
    expect(quotaFor('ec2', 'DescribePrefixLists')).toMatchObject({ rate: 10, burst: 50 });
  });

  it('keys buckets per region, except account-global IAM', () => {
    const limiter = new RateLimiter({ clock: new FakeClock() });
    expect(limiter.bucketKey('lambda', 'eu-west-1', 'GetPolicy')).not.toBe(
      limiter.bucketKey('lambda', 'us-east-1', 'GetPolicy'),
    );
    expect(limiter.bucketKey('lambda', 'eu-west-1', 'ListTags')).toBe(
      limiter.bucketKey('lambda', 'eu-west-1', 'ListFunctions'),
    );
    expect(limiter.bucketKey('iam', 'us-east-1', 'GetRole')).toBe(
      limiter.bucketKey('iam', 'eu-west-1', 'GetPolicy'),
    );
    expect(limiter.bucketKey('ec2', 'eu-west-1', 'DescribeVpcs')).not.toBe(
      limiter.bucketKey('ec2', 'eu-west-1', 'DescribeSubnets'),
    );
  });

  it('paces at the headroom fraction of the quota', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, pace: 0.9 });
    const bucket = limiter.bucket('lambda', 'eu-west-1', 'GetPolicy');
    expect(bucket.rate).toBeCloseTo(13.5);
    expect(bucket.capacity).toBe(13);
    let granted = 0;
    for (let i = 0; i < 1000; i++)
      void limiter.acquire('lambda', 'eu-west-1', 'GetPolicy').then(() => granted++);
    await clock.advance(60_000);
    // 13 at once, then 13.5 per second.
    expect(granted).toBe(13 + Math.floor(60 * 13.5));
    expect(() => new RateLimiter({ pace: 1.5 })).toThrow();
  });
});
