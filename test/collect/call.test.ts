import { describe, expect, it } from 'vitest';
import { ApiCaller, errorCode, isThrottlingError, toApiError } from '../../src/collect/call.js';
import { RateLimiter } from '../../src/collect/rate-limit.js';
import type { ApiError } from '../../src/snapshot/fetched.js';
import { FakeClock, flush } from './helpers/fake-clock.js';

const awsError = (name: string, httpStatusCode = 400) =>
  Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode, attempts: 1 } });

function caller(clock = new FakeClock(), options: Partial<ConstructorParameters<typeof ApiCaller>[0]> = {}) {
  return new ApiCaller({ limiter: new RateLimiter({ clock }), clock, random: () => 0.5, ...options });
}

const ctx = {
  service: 'lambda',
  operation: 'GetPolicy',
  region: 'eu-west-1',
  resource: 'arn:aws:lambda:eu-west-1:111122223333:function:f',
};

describe('ApiCaller', () => {
  it('recognises throttling answers', () => {
    for (const name of [
      'ThrottlingException',
      'Throttling',
      'TooManyRequestsException',
      'RequestLimitExceeded',
      'SlowDown',
    ]) {
      expect(isThrottlingError(awsError(name)), name).toBe(true);
    }
    expect(isThrottlingError(awsError('Whatever', 429))).toBe(true);
    expect(isThrottlingError(awsError('AccessDenied', 403))).toBe(false);
    expect(isThrottlingError('nope')).toBe(false);
  });

  it('names errors by AWS error code', () => {
    expect(errorCode(awsError('AccessDeniedException'))).toBe('AccessDeniedException');
    expect(errorCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(errorCode(new Error('x'))).toBe('UnknownError');
    expect(toApiError(ctx, awsError('AccessDeniedException'))).toEqual({
      ...ctx,
      code: 'AccessDeniedException',
      message: 'AccessDeniedException message',
    });
  });

  it('retries throttles with growing back-off, then succeeds', async () => {
    const clock = new FakeClock();
    const c = caller(clock, { throttleBackoffMs: 100 });
    let attempts = 0;
    const sentAt: number[] = [];
    const done = c.send(ctx, () => {
      sentAt.push(clock.now());
      if (++attempts <= 3) return Promise.reject(awsError('ThrottlingException'));
      return Promise.resolve('ok');
    });
    await clock.advance(10_000);
    await expect(done).resolves.toBe('ok');
    // Back-off 100, 200, 400 ms (jitter factor 0.75 with random 0.5), then the drained bucket's
    // next token at its throttled rate (90% of GetPolicy's 15 req/s, cut by 30% per throttle).
    const gaps = sentAt.slice(1).map((t, i) => t - sentAt[i]!);
    [75, 150, 300].forEach((backoff, i) =>
      expect(Math.abs(gaps[i]! - (backoff + 1000 / (13.5 * 0.7 ** (i + 1))))).toBeLessThan(10),
    );
    expect(c.stats).toMatchObject({ calls: 4, throttles: 3, retries: 3 });
  });

  it('gives up after the retry budget and throws the throttle', async () => {
    const clock = new FakeClock();
    const c = caller(clock, { maxThrottleRetries: 2, throttleBackoffMs: 10 });
    const done = c.send(ctx, () => Promise.reject(awsError('ThrottlingException')));
    const settled = done.catch((e: unknown) => e);
    await clock.advance(10_000);
    expect(errorCode(await settled)).toBe('ThrottlingException');
    expect(c.stats.calls).toBe(3);
  });

  it('does not retry other errors', async () => {
    const c = caller();
    let attempts = 0;
    await expect(
      c.send(ctx, () => {
        attempts++;
        return Promise.reject(awsError('AccessDeniedException', 403));
      }),
    ).rejects.toThrow('AccessDeniedException message');
    expect(attempts).toBe(1);
  });

  it('maps answers to Fetched: ok, absent codes, errors (recorded), unreadable answers', async () => {
    const c = caller();
    const errors: ApiError[] = [];
    await expect(
      c.fetch(
        ctx,
        () => Promise.resolve({ Policy: '{}' }),
        (o) => o.Policy,
        { errors },
      ),
    ).resolves.toEqual({ status: 'ok', value: '{}' });
    await expect(
      c.fetch(
        ctx,
        () => Promise.reject(awsError('ResourceNotFoundException', 404)),
        (o: unknown) => o,
        { absentCodes: ['ResourceNotFoundException'], errors },
      ),
    ).resolves.toEqual({ status: 'absent' });
    expect(errors).toEqual([]);
    const denied = await c.fetch(
      ctx,
      () => Promise.reject(awsError('AccessDeniedException', 403)),
      (o: unknown) => o,
      { errors },
    );
    expect(denied).toEqual({
      status: 'error',
      error: { ...ctx, code: 'AccessDeniedException', message: 'AccessDeniedException message' },
    });
    const odd = await c.fetch(
      ctx,
      () => Promise.resolve({}),
      () => {
        throw new Error('the answer has no Policy');
      },
      { errors },
    );
    expect(odd).toMatchObject({
      status: 'error',
      error: { code: 'UnexpectedResponse', message: 'could not read the answer: the answer has no Policy' },
    });
    expect(errors).toHaveLength(2);
    expect(c.stats.errors).toBe(2);
  });

  it('bounds the requests in flight', async () => {
    const clock = new FakeClock();
    const c = new ApiCaller({
      limiter: new RateLimiter({
        clock,
        quotas: { 'lambda:GetPolicy': { rate: 1e6, burst: 1e6, source: 'test' } },
      }),
      clock,
      concurrency: 3,
    });
    let inFlight = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const all = Array.from({ length: 10 }, () =>
      c.send(ctx, () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        return new Promise<void>((resolve) =>
          releases.push(() => {
            inFlight--;
            resolve();
          }),
        );
      }),
    );
    for (let i = 0; i < 10; i++) {
      await flush();
      releases.shift()?.();
    }
    await flush();
    while (releases.length > 0) {
      releases.shift()?.();
      await flush();
    }
    await Promise.all(all);
    expect(peak).toBe(3);
  });

  it("counts the SDK's own retries from $metadata.attempts", async () => {
    const c = caller();
    await c.send(ctx, () => Promise.resolve({ $metadata: { attempts: 3 } }));
    expect(c.stats).toMatchObject({ calls: 1, retries: 2 });
  });
});
