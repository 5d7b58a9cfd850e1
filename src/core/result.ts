import type { EvidenceStep } from './evidence.js';
import type { Severity } from './severity.js';

export const RESULT_STATUSES = ['pass', 'fail', 'error', 'not-applicable', 'suppressed'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

export interface AppliedSuppression {
  reason: string;
  /** The ARN glob that matched. */
  resource: string;
  expires: string | null;
}

/**
 * One result per (rule, function, resource): the row of SPEC section 5. The audit's results make
 * `message` and `fingerprint` when first read (accessors, checks/run.ts): copy a result with
 * copyResult, not a bare spread, which would leave them out.
 */
export interface CheckResult {
  ruleId: string;
  ruleName: string;
  status: ResultStatus;
  /** For `suppressed`, what the result was before it was suppressed. */
  suppressedStatus?: Exclude<ResultStatus, 'suppressed'>;
  severity: Severity;
  reasonId: string;
  message: string;
  accountId: string;
  region: string;
  functionName: string;
  functionArn: string;
  resourceArn: string;
  evidence: EvidenceStep[];
  remediation: string;
  fingerprint: string;
  suppression: AppliedSuppression | null;
}

/** A plain copy of a result with every field, `message` and `fingerprint` read through their accessors. */
export function copyResult(r: CheckResult): CheckResult {
  const copy: CheckResult = {
    ruleId: r.ruleId,
    ruleName: r.ruleName,
    status: r.status,
    severity: r.severity,
    reasonId: r.reasonId,
    message: r.message,
    accountId: r.accountId,
    region: r.region,
    functionName: r.functionName,
    functionArn: r.functionArn,
    resourceArn: r.resourceArn,
    evidence: r.evidence,
    remediation: r.remediation,
    fingerprint: r.fingerprint,
    suppression: r.suppression,
  };
  if (r.suppressedStatus !== undefined) copy.suppressedStatus = r.suppressedStatus;
  return copy;
}
