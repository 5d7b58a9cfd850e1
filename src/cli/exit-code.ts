import type { CheckResult } from '../core/result.js';
import { isAtLeast, type Severity } from '../core/severity.js';
import type { ApiError } from '../snapshot/fetched.js';

/**
 * SPEC 5. The CLI maps every outcome to one of these; nothing else sets process.exitCode.
 * OutputClosed is outside the audit's outcomes: the reader of stdout went away before the report
 * was written (`lvs audit | head`). 141 (128 + SIGPIPE) is the status a Unix tool stopped by that
 * signal has, so `set -o pipefail` still sees that the pipeline did not run to its end.
 */
export const ExitCode = { Ok: 0, Failed: 1, InputError: 2, Incomplete: 3, OutputClosed: 141 } as const;
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
  return exitCodeOf(
    {
      failing: results.some((r) => r.status === 'fail' && isAtLeast(r.severity, failOn)),
      errored: results.some((r) => r.status === 'error'),
    },
    errors,
  );
}

/** exitCodeFor from what the results showed: a failure at or above the threshold, an `error` result. */
export function exitCodeOf(
  seen: { failing: boolean; errored: boolean },
  errors: readonly ApiError[],
): ExitCodeValue {
  if (seen.failing) return ExitCode.Failed;
  const incomplete =
    seen.errored || errors.some((e) => e.service === 'lambda' && e.operation === 'ListFunctions');
  return incomplete ? ExitCode.Incomplete : ExitCode.Ok;
}
