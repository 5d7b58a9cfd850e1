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

/** One result per (rule, function, resource): the row of SPEC section 5. */
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
