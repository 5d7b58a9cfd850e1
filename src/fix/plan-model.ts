import * as z from 'zod';

/**
 * The remediation plan (SPEC 6): what `lvs fix --dry-run` prints and `lvs fix --apply` executes.
 * A plan is data: every step names the findings it resolves, the exact AWS API calls (SDK input
 * shapes, so the executor can send them as they are), the before/after of every document it
 * changes, preconditions, risks and the steps it depends on. Versioned like the audit report.
 */
export const PLAN_SCHEMA_VERSION = 1;

export const STEP_KINDS = ['automated', 'manual'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Services a plan calls. IAM is global (region null); every other call names its region. */
export const PLAN_SERVICES = ['ec2', 's3', 'kms', 'lambda', 'iam'] as const;
export type PlanService = (typeof PLAN_SERVICES)[number];

/**
 * A value the executor only learns while applying (the ID of an endpoint or key a previous call
 * creates). It appears in params and documents as `{{lvs:NAME}}`; the call that produces it lists
 * NAME in `captures` with the path of the value in the API response.
 */
export const VARIABLE_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const PLACEHOLDER_PATTERN = /\{\{lvs:([a-z0-9]+(?:-[a-z0-9]+)*)\}\}/g;
export const placeholder = (name: string): string => `{{lvs:${name}}}`;

/** Every variable a text refers to, in order of first appearance. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER_PATTERN)].map((m) => m[1] ?? ''))];
}

/** `text` with each `{{lvs:NAME}}` replaced by `values[NAME]` (unknown names are left as they are). */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER_PATTERN, (whole, name: string) => values[name] ?? whole);
}

/**
 * Makes a call that creates something safe to repeat after an interrupted `--apply`: before any
 * change, the executor sends `lookup` (a read, same service and region as the call) to find what
 * an earlier run created (KMS: DescribeKey of the alias the plan gives a new key).
 *
 * - The lookup answers one of the `notFound` error codes: the call is sent as planned.
 * - It finds a resource that meets `requires` (each path of the answer holds one of the listed
 *   values): the call is not sent ("skipped", `label` reused) and `captures` fills the call's own
 *   variables from the lookup's answer. Later calls on that resource are sent as planned, except
 *   that they are backed up like calls on any existing resource, and that a policy document they
 *   write is merged into the resource's live one (every live statement kept, the planned ones
 *   added): the plan's "before" assumed a new resource.
 * - It finds a resource that does not meet `requires`: the run stops before any change, with
 *   `otherwise` (what to do about it).
 * - Any other answer (access denied, throttling…): the run stops before any change.
 */
export const reuseSchema = z.strictObject({
  lookup: z.strictObject({
    /** A read operation (Describe…/Get…/List…), e.g. DescribeKey. */
    operation: z.string().regex(/^(Describe|Get|List)[A-Z][A-Za-z0-9]*$/),
    /** The request, without placeholders (it is sent before any change). */
    params: z.record(z.string(), z.unknown()),
  }),
  /** Error codes of the lookup that mean "nothing yet", e.g. NotFoundException. */
  notFound: z.array(z.string().min(1)).min(1),
  /** What a found resource must be to be reused: path in the lookup's answer -> accepted values. */
  requires: z.record(z.string().min(1), z.array(z.string()).min(1)),
  /** The call's variables when it is skipped: name -> path in the lookup's answer (the same names as `captures`). */
  captures: z.record(z.string().regex(VARIABLE_NAME), z.string().min(1)).optional(),
  /** What is reused, for messages: "key from a previous run (alias/lvs/lambda-environment)". */
  label: z.string().min(3),
  /** Why lvs stops, and what to do, when the lookup finds a resource it may not reuse. */
  otherwise: z.string().min(10),
});
export type Reuse = z.infer<typeof reuseSchema>;

export const apiCallSchema = z.strictObject({
  service: z.enum(PLAN_SERVICES),
  /** The API operation as AWS names it (and the SDK command without "Command"), e.g. ModifyVpcEndpoint. */
  operation: z.string().regex(/^[A-Z][A-Za-z0-9]+$/),
  /** Region the call is sent to; null for global services (IAM). */
  region: z.string().nullable(),
  /** The request, in the shape of the AWS API (and SDK v3 command input). Documents are JSON text. */
  params: z.record(z.string(), z.unknown()),
  /** Variables this call defines: name -> path of the value in the response, e.g. "VpcEndpoint.VpcEndpointId". */
  captures: z.record(z.string().regex(VARIABLE_NAME), z.string().min(1)).optional(),
  /** Why the call is made, one line. */
  purpose: z.string().min(5),
  /** A call that creates something: how to find and reuse what an interrupted earlier run created. */
  reuse: reuseSchema.optional(),
});
export type ApiCall = z.infer<typeof apiCallSchema>;

export const documentChangeSchema = z.strictObject({
  /** The resource whose document or setting changes. */
  resourceArn: z.string().min(1),
  /** "bucket policy", "endpoint policy", "security group egress rules", "key policy"… */
  label: z.string().min(3),
  /** Pretty-printed JSON text; null when the document does not exist yet. */
  before: z.string().nullable(),
  /** Pretty-printed JSON text; null when the document is removed. */
  after: z.string().nullable(),
});
export type DocumentChange = z.infer<typeof documentChangeSchema>;

export const RISK_KINDS = [
  /** The security group is attached to other functions of the snapshot. */
  'shared-security-group',
  /** Network interfaces outside the snapshot (instances, databases, other services) may use the resource. */
  'unseen-network-interfaces',
  /** Principals of the snapshot that the change cuts off. */
  'lockout',
  /** Principals that may use the resource (unbounded grants) and that the change would cut off. */
  'possible-lockout',
  /** The principal running the fix, or administrators working from outside the data path. */
  'fixer-lockout',
  /** The bucket is in another region than the endpoint that would serve it. */
  'cross-region',
  /** Traffic paths or access that change for workloads (connections dropped, egress removed). */
  'connectivity',
  /** The change lands on a VPC's main route table, which every subnet without an association uses. */
  'main-route-table',
  /** The current document cannot be merged and is replaced. */
  'replaces-document',
  /** Public grants that stop working. */
  'public-access',
  /** The change can make the function unable to start or to read its data if a precondition fails. */
  'availability',
  /** The role is shared: the change applies to every function that uses it. */
  'shared-role',
  /** Some of what the step depends on could not be read from the account. */
  'unknown-state',
  /** Cost or quota consequences. */
  'cost',
] as const;
export type RiskKind = (typeof RISK_KINDS)[number];

export const riskSchema = z.strictObject({
  kind: z.enum(RISK_KINDS),
  detail: z.string().min(10),
  /** IAM principals concerned (role ARNs, or a description such as "the principal running lvs fix"). */
  principals: z.array(z.string()).optional(),
  /** Resources concerned (function ARNs, ENIs, buckets…). */
  resources: z.array(z.string()).optional(),
});
export type Risk = z.infer<typeof riskSchema>;

export const resolvedFindingSchema = z.strictObject({
  fingerprint: z.string().min(1),
  ruleId: z.string().regex(/^LVS\d{3}$/),
  reasonId: z.string(),
  functionArn: z.string(),
  resourceArn: z.string(),
  /**
   * True for a finding the audit does not report yet but that an earlier step of this plan makes
   * appear (a function whose subnets gain the S3 endpoint route becomes subject to the bucket pin).
   */
  anticipated: z.boolean(),
});
export type ResolvedFinding = z.infer<typeof resolvedFindingSchema>;

export const stepSchema = z
  .strictObject({
    /** Stable across runs: "<ruleId>:<ARN of what the step changes>", e.g. "LVS007:arn:aws:s3:::bucket". */
    id: z.string().regex(/^LVS\d{3}:.+$/),
    kind: z.enum(STEP_KINDS),
    /** The rules whose findings the step resolves (the first is the rule of its planner). */
    ruleIds: z.array(z.string().regex(/^LVS\d{3}$/)).min(1),
    title: z.string().min(10),
    /** The service of the resource the step changes. */
    service: z.enum(PLAN_SERVICES),
    region: z.string().nullable(),
    /** The resource the step changes. */
    resourceArn: z.string().min(1),
    /** Findings the step resolves; empty for a prerequisite (a key, a permission) of other steps. */
    resolves: z.array(resolvedFindingSchema),
    /** Automated steps: the calls, in order. Manual steps: none (see template). */
    api: z.array(apiCallSchema),
    documents: z.array(documentChangeSchema),
    preconditions: z.array(z.string().min(5)),
    risks: z.array(riskSchema),
    /** Steps that must be carried out before this one (IDs of earlier steps of the plan). */
    dependsOn: z.array(z.string()),
    /** Manual steps: the concrete commands and documents a person adapts and runs. */
    template: z.string().min(10).nullable(),
    /** Decisions and explanations for the reader. */
    notes: z.array(z.string()),
  })
  .superRefine((step, ctx) => {
    if (step.kind === 'automated' && step.api.length === 0)
      ctx.addIssue({ code: 'custom', message: 'an automated step makes at least one API call' });
    if (step.kind === 'manual' && step.template === null)
      ctx.addIssue({ code: 'custom', message: 'a manual step has a template' });
    if (step.kind === 'manual' && step.api.length > 0)
      ctx.addIssue({ code: 'custom', message: 'a manual step makes no API call (its template does)' });
  });
export type Step = z.infer<typeof stepSchema>;

export const planSchema = z
  .strictObject({
    schemaVersion: z.literal(PLAN_SCHEMA_VERSION),
    generatedAt: z.iso.datetime({ offset: true }),
    accountId: z.string().regex(/^\d{12}$/),
    /** In execution order: every step comes after the steps it depends on. */
    steps: z.array(stepSchema),
  })
  .superRefine((plan, ctx) => {
    const seen = new Set<string>();
    const defined = new Set<string>();
    plan.steps.forEach((step, i) => {
      if (seen.has(step.id))
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step ${step.id}` });
      for (const dep of step.dependsOn) {
        if (!seen.has(dep))
          ctx.addIssue({
            code: 'custom',
            path: ['steps', i, 'dependsOn'],
            message: `${step.id} depends on ${dep}, which is not an earlier step`,
          });
      }
      for (const call of step.api) {
        const used = placeholdersIn(JSON.stringify(call.params));
        for (const name of used) {
          if (!defined.has(name))
            ctx.addIssue({
              code: 'custom',
              path: ['steps', i, 'api'],
              message: `${step.id} uses {{lvs:${name}}} before a call captures it`,
            });
        }
        if (call.reuse !== undefined) {
          const own = Object.keys(call.captures ?? {}).sort();
          const reused = Object.keys(call.reuse.captures ?? {}).sort();
          if (JSON.stringify(own) !== JSON.stringify(reused))
            ctx.addIssue({
              code: 'custom',
              path: ['steps', i, 'api'],
              message: `${step.id}: ${call.operation} captures ${own.join(', ') || 'nothing'} but its reuse captures ${reused.join(', ') || 'nothing'}`,
            });
          if (placeholdersIn(JSON.stringify(call.reuse.lookup.params)).length > 0)
            ctx.addIssue({
              code: 'custom',
              path: ['steps', i, 'api'],
              message: `${step.id}: the reuse lookup of ${call.operation} runs before any change and cannot use a placeholder`,
            });
        }
        for (const name of Object.keys(call.captures ?? {})) defined.add(name);
      }
      seen.add(step.id);
    });
  });
export type Plan = z.infer<typeof planSchema>;

/** The rule ID of a step ID ("LVS007:arn:aws:s3:::b" -> "LVS007"). */
export const ruleOfStep = (stepId: string): string => stepId.slice(0, 6);
