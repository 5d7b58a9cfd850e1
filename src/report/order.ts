import type { CheckResult } from '../core/result.js';

/** The fields results are ordered by, most significant first. */
const KEY_FIELDS = [
  'accountId',
  'region',
  'functionName',
  'functionArn',
  'ruleId',
  'resourceArn',
  'reasonId',
  'fingerprint',
  'status',
] as const satisfies ReadonlyArray<keyof CheckResult>;

/** Total order of results used by every machine format, so output does not depend on evaluation order. */
export function compareResults(a: CheckResult, b: CheckResult): number {
  for (const field of KEY_FIELDS) {
    const x = a[field] ?? '';
    const y = b[field] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function sortResults(results: readonly CheckResult[]): CheckResult[] {
  return [...results].sort(compareResults);
}
