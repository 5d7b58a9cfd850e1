import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/core/result.js';
import { applySuppressions, isExpired, matchesArnGlob } from '../../src/suppress/apply.js';
import type { Suppression } from '../../src/suppress/config.js';
import { BUCKET_ARN, result } from '../report/build-report.js';
import { G } from '../helpers/golden.js';

const NOW = new Date('2026-06-15T23:30:00.000Z');
const s = (over: Partial<Suppression> = {}): Suppression => ({
  rule: 'LVS007',
  resource: BUCKET_ARN,
  reason: 'accepted risk: shared analytics bucket',
  ...over,
});
const failing = (over: Partial<CheckResult> = {}) =>
  result({ ruleId: 'LVS007', status: 'fail', reasonId: 'noDeny', resourceArn: BUCKET_ARN, ...over });

describe('matchesArnGlob', () => {
  it('* matches any run including ":" and "/", ? exactly one character', () => {
    expect(
      matchesArnGlob(
        'arn:aws:lambda:*:function:scorer',
        G.functionArn.replace(/lvs-golden-scorer$/, 'scorer'),
      ),
    ).toBe(true);
    expect(matchesArnGlob('arn:aws:s3:::lvs-golden-*', BUCKET_ARN)).toBe(true);
    expect(matchesArnGlob('*', 'arn:aws:iam::1:role/a/b')).toBe(true);
    expect(matchesArnGlob('arn:aws:iam::1:role/*', 'arn:aws:iam::1:role/path/x')).toBe(true);
    expect(matchesArnGlob('arn:aws:s3:::bucket-?', 'arn:aws:s3:::bucket-1')).toBe(true);
    expect(matchesArnGlob('arn:aws:s3:::bucket-?', 'arn:aws:s3:::bucket-12')).toBe(false);
  });

  it('is anchored, literal elsewhere, and case-sensitive', () => {
    expect(matchesArnGlob('arn:aws:s3:::lvs', BUCKET_ARN)).toBe(false);
    expect(matchesArnGlob('arn:aws:s3:::a.b', 'arn:aws:s3:::axb')).toBe(false);
    expect(matchesArnGlob('arn:aws:s3:::(a)+[b]', 'arn:aws:s3:::(a)+[b]')).toBe(true);
    expect(matchesArnGlob('ARN:aws:s3:::*', BUCKET_ARN)).toBe(false);
  });

  it('an exact pattern matches exactly itself', () => {
    fc.assert(
      fc.property(
        fc.string().filter((x) => !x.includes('*') && !x.includes('?')),
        fc.string(),
        (p, other) => {
          expect(matchesArnGlob(p, p)).toBe(true);
          expect(matchesArnGlob(p, other)).toBe(p === other);
        },
      ),
    );
  });
});

describe('applySuppressions', () => {
  it('suppresses a matching fail result, keeping its fingerprint and the old status', () => {
    const r = failing();
    const { results, warnings } = applySuppressions([r], [s({ expires: '2026-12-31' })], NOW);
    expect(results[0]).toEqual({
      ...r,
      status: 'suppressed',
      suppressedStatus: 'fail',
      suppression: {
        reason: 'accepted risk: shared analytics bucket',
        resource: BUCKET_ARN,
        expires: '2026-12-31',
      },
    });
    expect(results[0]?.fingerprint).toBe(r.fingerprint);
    expect(warnings).toEqual([]);
  });

  it('suppresses error results too, and leaves pass and not-applicable alone', () => {
    const error = failing({ status: 'error', reasonId: 'readFailed' });
    const pass = failing({ status: 'pass', reasonId: 'pinned' });
    const na = failing({ status: 'not-applicable', reasonId: 'noBucketReached' });
    const { results } = applySuppressions([error, pass, na], [s()], NOW);
    expect(results.map((r) => [r.status, r.suppressedStatus])).toEqual([
      ['suppressed', 'error'],
      ['pass', undefined],
      ['not-applicable', undefined],
    ]);
    expect(results[1]).toBe(pass);
  });

  it('matches the function ARN or the resource ARN, and only the same rule', () => {
    const byFunction = s({ resource: 'arn:aws:lambda:eu-west-1:111122223333:function:lvs-golden-*' });
    expect(applySuppressions([failing()], [byFunction], NOW).results[0]?.status).toBe('suppressed');
    expect(
      applySuppressions([failing()], [s({ resource: 'arn:aws:s3:::lvs-*-scores-*' })], NOW).results[0]
        ?.status,
    ).toBe('suppressed');
    expect(applySuppressions([failing()], [s({ rule: 'LVS013' })], NOW).results[0]?.status).toBe('fail');
    expect(
      applySuppressions([failing()], [s({ resource: 'arn:aws:s3:::other' })], NOW).results[0]?.status,
    ).toBe('fail');
  });

  it('uses the first matching entry in config order', () => {
    const { results, warnings } = applySuppressions(
      [failing()],
      [s({ reason: 'the first reason wins' }), s({ resource: '*' })],
      NOW,
    );
    expect(results[0]?.suppression?.reason).toBe('the first reason wins');
    expect(results[0]?.suppression?.resource).toBe(BUCKET_ARN);
    expect(warnings).toEqual([]); // the second entry matched too, so it is not stale
  });

  it('applies through the expiry day (UTC) and stops the day after, with one warning naming rule, pattern and date', () => {
    expect(isExpired({ expires: '2026-06-15' }, NOW)).toBe(false);
    expect(isExpired({ expires: '2026-06-14' }, NOW)).toBe(true);
    expect(isExpired({}, NOW)).toBe(false);
    // 23:30 UTC on the 15th is already the 16th in Tokyo; the UTC date decides.
    expect(applySuppressions([failing()], [s({ expires: '2026-06-15' })], NOW).results[0]?.status).toBe(
      'suppressed',
    );

    const { results, warnings } = applySuppressions(
      [failing(), failing({ functionName: 'f2' })],
      [s({ expires: '2026-06-14' })],
      NOW,
    );
    expect(results.map((r) => r.status)).toEqual(['fail', 'fail']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('LVS007');
    expect(warnings[0]).toContain(BUCKET_ARN);
    expect(warnings[0]).toContain('2026-06-14');
    expect(warnings[0]).toMatch(/expired/);
  });

  it('warns about a suppression that matched no fail or error result', () => {
    const pass = failing({ status: 'pass', reasonId: 'pinned' });
    const { warnings } = applySuppressions([pass], [s(), s({ rule: 'LVS001', resource: '*' })], NOW);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^suppressions\[0\]: .*LVS007.*matched no failing or error result/);
    expect(warnings[1]).toMatch(/^suppressions\[1\]: .*LVS001/);
  });

  it('does not mutate its input', () => {
    const input = [failing()];
    const copy = structuredClone(input);
    applySuppressions(input, [s()], NOW);
    expect(input).toEqual(copy);
  });

  it('with no suppressions, returns the results unchanged', () => {
    const input = [failing(), failing({ status: 'pass' })];
    expect(applySuppressions(input, [], NOW)).toEqual({ results: input, warnings: [] });
  });
});
