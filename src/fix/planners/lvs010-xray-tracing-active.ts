import { coversAction } from '../../checks/lib/policy-analysis.js';
import type { AuditIndex } from '../../snapshot/derive.js';
import type { Step } from '../plan-model.js';
import { compactJson, mergeStatements, prettyJson, prettyText, readPolicy } from '../policy-merge.js';
import {
  entryOf,
  groupBy,
  listText,
  makeStep,
  roleNameOf,
  type Finding,
  type PlanContext,
  type Planner,
} from '../lib/context.js';

/**
 * LVS010: the role's X-Ray write permission first (one step per role that lacks it: an inline
 * policy, merged into an existing one of the same name rather than overwriting it), then
 * TracingConfig Mode=Active per function. X-Ray actions support no resource-level permissions, so
 * they are granted on "*", which LVS008 accepts.
 */

export const XRAY_POLICY_NAME = 'lvs-xray-tracing';
export const XRAY_ACTIONS = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
];

/** True when an unconditional Allow of the role grants the two write actions on "*". */
export function roleCanWriteTraces(index: AuditIndex, roleArn: string): boolean | undefined {
  const view = index.roleView(roleArn);
  if (!view.ok) return undefined;
  return view.value.policies.some(
    (p) =>
      p.parsed.ok &&
      p.parsed.document.statements.some(
        (s) =>
          s.effect === 'Allow' &&
          s.conditions.length === 0 &&
          (s.resources ?? []).includes('*') &&
          coversAction(s, 'xray:PutTraceSegments') &&
          coversAction(s, 'xray:PutTelemetryRecords'),
      ),
  );
}

function planRole(roleArn: string, findings: Finding[], ctx: PlanContext): Step | undefined {
  const view = ctx.index.roleView(roleArn);
  if (!view.ok) return undefined;
  const existing = view.value.role.inlinePolicies.find((p) => p.policyName === XRAY_POLICY_NAME);
  const read = existing === undefined ? undefined : readPolicy(existing.document);
  if (read !== undefined && !read.ok) return undefined;
  const merged = mergeStatements(read?.policy, [
    { Sid: 'LvsXRayWrite', Effect: 'Allow', Action: XRAY_ACTIONS, Resource: '*' },
  ]);
  if (!merged.changed) return undefined;
  const users = ctx.index.functionsUsingRole(roleArn);
  const roleName = roleNameOf(roleArn);
  return makeStep({
    id: `LVS010:${roleArn}`,
    kind: 'automated',
    title: `Allow role ${roleName} to send traces to X-Ray`,
    service: 'iam',
    region: null,
    resourceArn: roleArn,
    api: [
      {
        service: 'iam',
        operation: 'PutRolePolicy',
        region: null,
        params: {
          RoleName: roleName,
          PolicyName: XRAY_POLICY_NAME,
          PolicyDocument: compactJson(merged.policy),
        },
        purpose: `grant ${listText(XRAY_ACTIONS)} on "*" (inline policy ${XRAY_POLICY_NAME})`,
      },
    ],
    documents: [
      {
        resourceArn: `${roleArn}/inline/${XRAY_POLICY_NAME}`,
        label: `inline policy ${XRAY_POLICY_NAME}`,
        before: existing === undefined ? null : prettyText(existing.document),
        after: prettyJson(merged.policy),
      },
    ],
    preconditions: [
      existing === undefined
        ? `role ${roleName} has no inline policy named ${XRAY_POLICY_NAME} (PutRolePolicy would replace it)`
        : `the inline policy ${XRAY_POLICY_NAME} of ${roleName} is still the one shown as "before"`,
    ],
    risks:
      users.length > 1
        ? [
            {
              kind: 'shared-role',
              detail: `${roleName} is used by ${listText(users.map((f) => f.functionName))}: all of them may write traces.`,
              principals: [roleArn],
            },
          ]
        : [],
    notes: [
      `Same permissions as the AWS managed policy AWSXRayDaemonWriteAccess; ${findings.length} function(s) need it.`,
    ],
  });
}

export const planner: Planner = {
  ruleId: 'LVS010',
  plan(findings, ctx) {
    const steps: Step[] = [];
    const roleSteps = new Map<string, Step>();
    const unreadable = new Set<string>();
    for (const [roleArn, group] of groupBy(
      findings,
      (f) => entryOf(ctx.index, f.functionArn)?.fn.role ?? '',
    )) {
      if (roleArn === '') continue;
      const can = roleCanWriteTraces(ctx.index, roleArn);
      if (can === undefined) unreadable.add(roleArn);
      if (can !== false) continue;
      const step = planRole(roleArn, group, ctx);
      if (step) {
        roleSteps.set(roleArn, step);
        steps.push(step);
      }
    }
    for (const finding of findings) {
      const fn = entryOf(ctx.index, finding.functionArn)?.fn;
      if (fn === undefined) continue;
      const roleStep = roleSteps.get(fn.role);
      steps.push(
        makeStep({
          id: `LVS010:${fn.functionArn}`,
          kind: 'automated',
          title: `Turn on X-Ray active tracing for ${fn.functionName}`,
          service: 'lambda',
          region: finding.region,
          resourceArn: fn.functionArn,
          findings: [finding],
          api: [
            {
              service: 'lambda',
              operation: 'UpdateFunctionConfiguration',
              region: finding.region,
              params: { FunctionName: fn.functionArn, TracingConfig: { Mode: 'Active' } },
              purpose: `set TracingConfig Mode=Active on ${fn.functionName}`,
            },
          ],
          preconditions: [
            unreadable.has(fn.role)
              ? `${fn.role} allows xray:PutTraceSegments and xray:PutTelemetryRecords (the role could not be read)`
              : `${fn.role} allows xray:PutTraceSegments and xray:PutTelemetryRecords${roleStep ? ` (step ${roleStep.id})` : ''}`,
            `${fn.functionName} has no update in progress (wait for LastUpdateStatus Successful between configuration updates)`,
          ],
          risks: [
            {
              kind: 'cost',
              detail: 'Traces beyond the X-Ray free tier are billed per recorded and retrieved trace.',
            },
          ],
          dependsOn: roleStep ? [roleStep.id] : [],
        }),
      );
    }
    return steps;
  },
};
