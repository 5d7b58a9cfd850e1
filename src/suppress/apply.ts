import { copyResult, type CheckResult } from '../core/result.js';
import type { Suppression } from './config.js';

const globCache = new Map<string, RegExp>();

/** ARN glob: `*` any run of characters (':' and '/' included), `?` exactly one; everything else literal, case-sensitive. */
export function matchesArnGlob(pattern: string, arn: string): boolean {
  let re = globCache.get(pattern);
  if (re === undefined) {
    const body = [...pattern]
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, 's');
    globCache.set(pattern, re);
  }
  return re.test(arn);
}

/** The UTC calendar date of `now`, as YYYY-MM-DD. */
export function utcDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** An entry with an expiry date applies through that whole (UTC) day and lapses the day after. */
export function isExpired(suppression: Pick<Suppression, 'expires'>, now: Date): boolean {
  return suppression.expires !== undefined && suppression.expires < utcDate(now);
}

function matches(s: Suppression, r: CheckResult): boolean {
  return (
    s.rule === r.ruleId &&
    (matchesArnGlob(s.resource, r.functionArn) || matchesArnGlob(s.resource, r.resourceArn))
  );
}

/**
 * Pure. The first unexpired entry (config order) whose rule is the result's rule and whose ARN glob
 * matches the result's function ARN or resource ARN turns a `fail` or `error` result into
 * `suppressed` (keeping the old status in `suppressedStatus`, and its fingerprint). `pass` and
 * `not-applicable` results are left alone. Warnings: one per expired entry (it no longer applies),
 * and one per unexpired entry that matched no fail/error result (stale: the finding is gone, or
 * the pattern is wrong).
 */
export function applySuppressions(
  results: readonly CheckResult[],
  suppressions: readonly Suppression[],
  now: Date,
): { results: CheckResult[]; warnings: string[] } {
  const warnings: string[] = [];
  const active: Array<{ s: Suppression; index: number; used: boolean }> = [];
  suppressions.forEach((s, index) => {
    if (isExpired(s, now)) {
      warnings.push(
        `suppressions[${index}]: the suppression of ${s.rule} for "${s.resource}" expired on ${s.expires} and no longer applies.`,
      );
    } else active.push({ s, index, used: false });
  });

  const out = results.map((r): CheckResult => {
    if (r.status !== 'fail' && r.status !== 'error') return r;
    let applied: Suppression | undefined;
    for (const entry of active) {
      if (!matches(entry.s, r)) continue;
      entry.used = true;
      applied ??= entry.s;
    }
    if (applied === undefined) return r;
    return {
      ...copyResult(r),
      status: 'suppressed',
      suppressedStatus: r.status,
      suppression: { reason: applied.reason, resource: applied.resource, expires: applied.expires ?? null },
    };
  });

  for (const entry of active) {
    if (!entry.used) {
      warnings.push(
        `suppressions[${entry.index}]: the suppression of ${entry.s.rule} for "${entry.s.resource}" matched no failing or error result; remove it if the finding is fixed.`,
      );
    }
  }
  return { results: out, warnings };
}
