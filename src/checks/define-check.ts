import * as z from 'zod';
import type { EvidenceStep } from '../core/evidence.js';
import type { MessageData } from '../core/message.js';
import { severitySchema, type Severity } from '../core/severity.js';
import type { AuditIndex, FunctionEntry } from '../snapshot/derive.js';

/** Statuses a check itself can return; `suppressed` is applied later from the config. */
export const outcomeStatusSchema = z.enum(['pass', 'fail', 'error', 'not-applicable']);
export type OutcomeStatus = z.infer<typeof outcomeStatusSchema>;

export const reasonMetaSchema = z.strictObject({
  status: outcomeStatusSchema,
  /** Message template; `{{name}}` is filled from the outcome's data. */
  message: z.string().min(10),
  /** Overrides the rule's severity for this reason (SPEC: LVS005, LVS008, LVS009, LVS011 vary it). */
  severity: severitySchema.optional(),
});
export type ReasonMeta = z.infer<typeof reasonMetaSchema>;

export const checkMetaSchema = z.strictObject({
  id: z.string().regex(/^LVS\d{3}$/),
  name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  severity: severitySchema,
  /** What a passing function looks like, as a statement ("Lambda function runs in a VPC"). */
  title: z
    .string()
    .min(10)
    .max(120)
    .refine((t) => !/^ensure\b/i.test(t), {
      error: 'titles state the property, they do not start with "Ensure"',
    }),
  description: z.string().min(20),
  rationale: z.string().min(20),
  /** The one-line fix printed under a failure. */
  remediation: z.string().min(10).max(200),
  /** The fix in detail (markdown): console / CLI / CloudFormation. */
  remediationDetails: z.string().min(20),
  /** What the rule is evaluated for; results name that resource beside the function. */
  resourceType: z.enum(['function', 'bucket', 'security-group', 'vpc-endpoint', 'role', 'kms-key']),
  references: z.array(z.strictObject({ title: z.string(), url: z.url() })).min(1),
  securityHubControls: z.array(z.string()),
  tags: z.array(z.string()).min(1),
  reasons: z.record(z.string().regex(/^[a-z][A-Za-z0-9]*$/), reasonMetaSchema),
});
export type CheckMeta = z.infer<typeof checkMetaSchema>;

/** What a check says about one (function, resource). Text is made from `reasonId` + `data` at render time. */
export interface Outcome {
  status: OutcomeStatus;
  reasonId: string;
  data?: MessageData;
  /** The resource the outcome is about; defaults to the function. */
  resourceArn?: string;
  /** Only where the severity varies by case beyond the reason (LVS009 without environment variables). */
  severity?: Severity;
  evidence: EvidenceStep[];
}

export interface Check {
  meta: CheckMeta;
  /** Pure: no I/O, no try/catch. A throw becomes an `error` result naming the check (checks/run.ts). */
  evaluate(entry: FunctionEntry, index: AuditIndex): Outcome[];
}

/**
 * Reasons every check can return without declaring them: the data it needs could not be read,
 * is not in the snapshot, or the check itself failed.
 */
export const COMMON_REASONS = {
  readFailed: {
    status: 'error',
    message: 'Could not evaluate: {{service}}:{{operation}} failed for {{resource}} ({{code}}).',
  },
  notInSnapshot: {
    status: 'error',
    message: 'Could not evaluate: {{what}} {{id}} is not in the snapshot.',
  },
  checkThrew: {
    status: 'error',
    message: 'Could not evaluate: the check {{ruleId}} failed internally ({{detail}}).',
  },
  noResult: {
    status: 'error',
    message: 'Could not evaluate: the check {{ruleId}} returned no result.',
  },
} as const satisfies Record<string, ReasonMeta>;

export function reasonOf(meta: CheckMeta, reasonId: string): ReasonMeta | undefined {
  return meta.reasons[reasonId] ?? (COMMON_REASONS as Record<string, ReasonMeta>)[reasonId];
}

/** Declares a check; its metadata is validated when the module loads, so a malformed rule cannot ship. */
export function defineCheck(check: Check): Check {
  // The metadata is source code, not input: test/checks/catalogue.test.ts checks every rule's
  // against checkMetaSchema. Parsing it again at every start cost ~14 ms of each run.
  for (const id of Object.keys(check.meta.reasons)) {
    if (Object.hasOwn(COMMON_REASONS, id)) throw new Error(`${check.meta.id}: reason ${id} is reserved`);
  }
  return check;
}
