import type { CheckResult } from '../core/result.js';

const key = (r: CheckResult): string[] => [
  r.accountId,
  r.region,
  r.functionName,
  r.functionArn,
  r.ruleId,
  r.resourceArn,
  r.reasonId,
  r.fingerprint,
  r.status,
];

/** Total order of results used by every machine format, so output does not depend on evaluation order. */
export function compareResults(a: CheckResult, b: CheckResult): number {
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < ka.length; i += 1) {
    const x = ka[i] ?? '';
    const y = kb[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function sortResults(results: readonly CheckResult[]): CheckResult[] {
  return [...results].sort(compareResults);
}
