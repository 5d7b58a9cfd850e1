import type { CheckResult } from '../core/result.js';
import { SEVERITIES, type Severity } from '../core/severity.js';

/** The `summary` object of the JSON document (SPEC 5), also the terminal's summary table. */
export interface ReportSummary {
  functions: number;
  pass: number;
  fail: number;
  error: number;
  notApplicable: number;
  suppressed: number;
  /** Counts `fail` results only (suppressed and error results are not failures). */
  failBySeverity: Record<Severity, number>;
}

/**
 * Pure counts. `functions` is the number of distinct functions audited: those with a data path plus
 * any that only appear in results, so a function whose every rule errored still counts.
 */
export function summarize(
  results: readonly CheckResult[],
  functions: readonly { functionArn: string }[] = [],
): ReportSummary {
  const failBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const summary: ReportSummary = {
    functions: 0,
    pass: 0,
    fail: 0,
    error: 0,
    notApplicable: 0,
    suppressed: 0,
    failBySeverity,
  };
  const arns = new Set(functions.map((f) => f.functionArn));
  for (const r of results) {
    arns.add(r.functionArn);
    switch (r.status) {
      case 'pass':
        summary.pass += 1;
        break;
      case 'fail':
        summary.fail += 1;
        failBySeverity[r.severity] += 1;
        break;
      case 'error':
        summary.error += 1;
        break;
      case 'not-applicable':
        summary.notApplicable += 1;
        break;
      case 'suppressed':
        summary.suppressed += 1;
        break;
    }
  }
  summary.functions = arns.size;
  return summary;
}
