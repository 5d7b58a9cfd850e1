import type { CheckResult } from '../core/result.js';
import { isAtLeast, type Severity } from '../core/severity.js';
import type { ApiError } from '../snapshot/fetched.js';

/** SPEC 5. The CLI maps every outcome to one of these; nothing else sets process.exitCode. */
export const ExitCode = { Ok: 0, Failed: 1, InputError: 2, Incomplete: 3 } as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * 1 when a result fails at or above the threshold; else 3 when the audit is incomplete (an `error`
 * result, or a region whose function list could not be read); else 0. Suppressed results never count.
 */
export function exitCodeFor(
  results: readonly CheckResult[],
  errors: readonly ApiError[],
  failOn: Severity,
): ExitCodeValue {
  if (results.some((r) => r.status === 'fail' && isAtLeast(r.severity, failOn))) return ExitCode.Failed;
  const incomplete =
    results.some((r) => r.status === 'error') ||
    errors.some((e) => e.service === 'lambda' && e.operation === 'ListFunctions');
  return incomplete ? ExitCode.Incomplete : ExitCode.Ok;
}
