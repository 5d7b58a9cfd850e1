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
  const suppressor = new Suppressor(suppressions, now);
  return { results: suppressor.apply(results), warnings: suppressor.warnings() };
}

/**
 * applySuppressions for results that come a function at a time (a report written as it is made):
 * `apply` to each batch, then `warnings` once every result has been through.
 */
export class Suppressor {
  /** One per expired entry, in config order: known before any result. */
  readonly expiredWarnings: string[] = [];
  private readonly active: Array<{ s: Suppression; index: number; used: boolean }> = [];

  constructor(suppressions: readonly Suppression[], now: Date) {
    suppressions.forEach((s, index) => {
      if (isExpired(s, now)) {
        this.expiredWarnings.push(
          `suppressions[${index}]: the suppression of ${s.rule} for "${s.resource}" expired on ${s.expires} and no longer applies.`,
        );
      } else this.active.push({ s, index, used: false });
    });
  }

  /** The results with the suppressions applied: `results` itself when no suppression is active. */
  apply(results: readonly CheckResult[]): CheckResult[] {
    const active = this.active;
    // Without suppressions (the usual run) every result stays as it is: no copy of the list.
    if (active.length === 0) return results as CheckResult[];
    return results.map((r): CheckResult => {
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
  }

  /** One per unexpired entry that matched no fail/error result so far, in config order. */
  unusedWarnings(): string[] {
    return this.active
      .filter((entry) => !entry.used)
      .map(
        (entry) =>
          `suppressions[${entry.index}]: the suppression of ${entry.s.rule} for "${entry.s.resource}" matched no failing or error result; remove it if the finding is fixed.`,
      );
  }

  /** Expired entries, then unused ones: every warning, once all results have been applied. */
  warnings(): string[] {
    return [...this.expiredWarnings, ...this.unusedWarnings()];
  }
}
