import * as z from 'zod';
import { RESULT_STATUSES } from '../core/result.js';
import { severitySchema } from '../core/severity.js';

/**
 * The `--format json` document (SPEC 5), schemaVersion 1. Additive changes (new optional fields)
 * keep the version; removing or changing a field bumps it. Tests validate renderer output with it,
 * and consumers may use it (or `z.toJSONSchema(jsonReportSchema)`) to read reports.
 */
export const JSON_REPORT_SCHEMA_VERSION = 1;

const count = z.number().int().nonnegative();

export const jsonEvidenceSchema = z.strictObject({
  resourceArn: z.string(),
  field: z.string(),
  observed: z.string(),
  expected: z.string().nullable(),
  note: z.string().nullable(),
});

export const jsonSuppressionSchema = z.strictObject({
  reason: z.string(),
  /** The ARN glob of the config entry that matched. */
  resource: z.string(),
  expires: z.iso.date().nullable(),
});

export const jsonResultSchema = z
  .strictObject({
    ruleId: z.string().regex(/^LVS\d{3}$/),
    ruleName: z.string(),
    status: z.enum(RESULT_STATUSES),
    /** For `suppressed` results: what the result was before suppression; null otherwise. */
    suppressedStatus: z.enum(['fail', 'error']).nullable(),
    severity: severitySchema,
    reasonId: z.string(),
    message: z.string(),
    accountId: z.string(),
    region: z.string(),
    functionName: z.string(),
    functionArn: z.string(),
    resourceArn: z.string(),
    evidence: z.array(jsonEvidenceSchema),
    remediation: z.string(),
    fingerprint: z.string().min(1),
    suppression: jsonSuppressionSchema.nullable(),
  })
  .refine((r) => (r.status === 'suppressed') === (r.suppression !== null), {
    error: 'suppression is set exactly when status is "suppressed"',
    path: ['suppression'],
  })
  .refine((r) => (r.status === 'suppressed') === (r.suppressedStatus !== null), {
    error: 'suppressedStatus is set exactly when status is "suppressed"',
    path: ['suppressedStatus'],
  });

export const jsonApiErrorSchema = z.strictObject({
  service: z.string(),
  operation: z.string(),
  region: z.string().nullable(),
  resource: z.string().nullable(),
  code: z.string(),
  message: z.string(),
});

export const jsonSummarySchema = z.strictObject({
  functions: count,
  pass: count,
  fail: count,
  error: count,
  notApplicable: count,
  suppressed: count,
  failBySeverity: z.strictObject({ critical: count, high: count, medium: count, low: count, info: count }),
});

export const jsonReportSchema = z.strictObject({
  tool: z.strictObject({ name: z.literal('lvs'), version: z.string().min(1) }),
  schemaVersion: z.literal(JSON_REPORT_SCHEMA_VERSION),
  generatedAt: z.iso.datetime({ offset: true }),
  accounts: z.array(z.strictObject({ accountId: z.string(), regions: z.array(z.string()) })),
  summary: jsonSummarySchema,
  results: z.array(jsonResultSchema),
  errors: z.array(jsonApiErrorSchema),
  /** Said once on stderr as well: expired or stale suppressions and the like. */
  warnings: z.array(z.string()),
});

export type JsonReport = z.infer<typeof jsonReportSchema>;
export type JsonResult = z.infer<typeof jsonResultSchema>;
export type JsonEvidence = z.infer<typeof jsonEvidenceSchema>;
