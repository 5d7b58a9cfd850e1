import { describeStatement } from '../../checks/lib/policy-analysis.js';
import type { PolicyStatement } from '../../policy/document.js';
import { hasWildcard } from '../../policy/wildcard.js';
import { bucketArn } from '../../snapshot/arn.js';
import { s3BucketPattern, type FunctionEntry } from '../../snapshot/derive.js';
import { newPolicy, prettyJson, type JsonObject, type PolicyJson } from '../policy-merge.js';
import {
  entryOf,
  groupBy,
  listText,
  makeStep,
  roleNameOf,
  shellQuote,
  uniqueSorted,
  type Finding,
  type PlanContext,
  type Planner,
} from '../lib/context.js';

/**
 * LVS008 (manual): which permissions a role really needs is known to its owners (and to CloudTrail),
 * not to a snapshot. The step gives them a concrete starting point generated from the role's observed
 * needs: the buckets its functions reach with the S3 actions the role grants on them (a fixed
 * read/write set where it grants a wildcard), the KMS keys of the functions and of those buckets,
 * network interfaces for VPC functions, X-Ray, the functions' own log groups, and the statements of
 * other services that name their resources without wildcards. One step per role.
 */

const DEFAULT_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject'];
const DEFAULT_BUCKET_ACTIONS = ['s3:ListBucket'];
const ENI_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];
const XRAY_ACTIONS = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
];
/** Services the generator writes itself; statements of other services may be kept. */
const GENERATED = new Set(['s3', 'kms', 'ec2', 'xray', 'logs', 'iam', 'sts']);
const LAMBDA_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

const serviceOf = (action: string) => action.slice(0, Math.max(0, action.indexOf(':'))).toLowerCase();
const exactS3 = (action: string) => /^s3:[A-Za-z0-9]+$/.test(action);

interface Generated {
  document: PolicyJson;
  dropped: string[];
  summary: string[];
}

function generate(ctx: PlanContext, roleArn: string, users: readonly FunctionEntry[]): Generated {
  const { index } = ctx;
  const p = index.partition;
  const view = index.roleView(roleArn);
  const statements: PolicyStatement[] = [];
  const customer: PolicyStatement[] = [];
  if (view.ok) {
    for (const policy of view.value.policies) {
      if (!policy.parsed.ok) continue;
      const allows = policy.parsed.document.statements.filter((s) => s.effect === 'Allow');
      statements.push(...allows);
      if (!/^arn:[^:]+:iam::aws:policy\//.test(policy.arn)) customer.push(...allows);
    }
  }
  const out: JsonObject[] = [];
  const summary: string[] = [];

  // S3: what the role grants on each bucket its functions reach, wildcards replaced by a read/write set.
  const buckets = uniqueSorted(users.flatMap((e) => index.bucketsReached(e).buckets.map((b) => b.name)));
  buckets.forEach((name, n) => {
    const naming = statements.filter((s) =>
      (s.resources ?? []).some((r) => {
        const pattern = s3BucketPattern(r);
        return pattern !== undefined && pattern === name;
      }),
    );
    const granted = naming.flatMap((s) => (s.actions ?? []).filter(exactS3));
    const wide = naming.some(
      (s) =>
        s.notActions !== undefined ||
        (s.actions ?? []).some((a) => !exactS3(a) && (a === '*' || serviceOf(a) === 's3')),
    );
    const arn = bucketArn(p, name);
    const objectResources = uniqueSorted(
      naming.flatMap((s) => (s.resources ?? []).filter((r) => r.startsWith(`${arn}/`))),
    );
    const objectActions = uniqueSorted([
      ...granted.filter((a) => !/^s3:ListBucket/i.test(a)),
      ...(wide || granted.length === 0 ? DEFAULT_OBJECT_ACTIONS : []),
    ]);
    const bucketActions = uniqueSorted([
      ...granted.filter((a) => /^s3:ListBucket/i.test(a)),
      ...(wide || granted.length === 0 ? DEFAULT_BUCKET_ACTIONS : []),
    ]);
    if (objectActions.length > 0)
      out.push({
        Sid: `S3Objects${n + 1}`,
        Effect: 'Allow',
        Action: objectActions,
        Resource: objectResources.length > 0 ? objectResources : `${arn}/*`,
      });
    if (bucketActions.length > 0)
      out.push({ Sid: `S3Bucket${n + 1}`, Effect: 'Allow', Action: bucketActions, Resource: arn });
    summary.push(
      `${name}: ${granted.length > 0 && !wide ? `the actions the role grants on it (${listText(uniqueSorted(granted))})` : `a read/write set (${listText([...DEFAULT_OBJECT_ACTIONS, ...DEFAULT_BUCKET_ACTIONS])}) in place of ${granted.length > 0 || wide ? 'a wildcard' : 'a grant naming it'}`}`,
    );
  });

  // KMS: the functions' environment keys, the buckets' default-encryption keys, keys the role names.
  const keys = new Map<string, Set<string>>();
  const addKey = (arn: string, actions: string[]) => {
    if (!arn.startsWith('arn:')) return;
    const set = keys.get(arn) ?? new Set<string>();
    actions.forEach((a) => set.add(a));
    keys.set(arn, set);
  };
  for (const e of users) {
    // Only a customer-managed key needs naming: AWS managed keys are used through their service.
    const key = e.fn.kmsKeyArn ? index.kmsKey(e.fn.kmsKeyArn) : undefined;
    if (e.fn.kmsKeyArn && (key === undefined || !key.ok || key.value.keyManager === 'CUSTOMER'))
      addKey(e.fn.kmsKeyArn, ['kms:Decrypt']);
  }
  for (const name of buckets) {
    const enc = index.bucket(name)?.encryption;
    if (enc?.status === 'ok')
      for (const rule of enc.value.rules)
        if (rule.kmsMasterKeyId) addKey(rule.kmsMasterKeyId, ['kms:GenerateDataKey', 'kms:Decrypt']);
  }
  for (const s of statements) {
    const kms = (s.actions ?? []).filter((a) => serviceOf(a) === 'kms' && !hasWildcard(a));
    for (const r of s.resources ?? []) if (kms.length > 0 && !hasWildcard(r)) addKey(r, kms);
  }
  [...keys.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .forEach(([arn, actions], n) =>
      out.push({ Sid: `Kms${n + 1}`, Effect: 'Allow', Action: uniqueSorted(actions), Resource: arn }),
    );
  if (keys.size > 0) summary.push(`KMS: ${listText([...keys.keys()].sort())}`);

  if (users.some((e) => e.fn.vpcConfig !== null)) {
    out.push({ Sid: 'VpcNetworkInterfaces', Effect: 'Allow', Action: ENI_ACTIONS, Resource: '*' });
    summary.push('network interfaces for the VPC attachment');
  }
  out.push({ Sid: 'XRay', Effect: 'Allow', Action: XRAY_ACTIONS, Resource: '*' });
  const regions = uniqueSorted(users.map((e) => e.region.region));
  out.push({
    Sid: 'Logs',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: users.map(
      (e) =>
        `arn:${p}:logs:${e.region.region}:${index.accountId}:log-group:/aws/lambda/${e.fn.functionName}:*`,
    ),
  });
  out.push({
    Sid: 'LogGroups',
    Effect: 'Allow',
    Action: 'logs:CreateLogGroup',
    Resource: regions.map((r) => `arn:${p}:logs:${r}:${index.accountId}:*`),
  });
  summary.push("X-Ray and the functions' own log groups");

  // Statements of other services that already name their resources, kept as they are.
  const dropped: string[] = [];
  for (const s of customer) {
    const actions = s.actions ?? [];
    const services = new Set(actions.map(serviceOf));
    if ([...services].every((svc) => GENERATED.has(svc)) && s.notActions === undefined) continue;
    const precise =
      s.notActions === undefined &&
      s.notResources === undefined &&
      actions.every((a) => !hasWildcard(a) && !GENERATED.has(serviceOf(a))) &&
      (s.resources ?? []).every((r) => !/^\*+$/.test(r));
    if (precise) out.push(s.raw);
    else dropped.push(describeStatement(s));
  }
  return { document: newPolicy(out), dropped, summary };
}

/** Policies the findings point at: managed ones to detach, inline ones to delete, and whether the trust policy is at fault. */
function culprits(roleArn: string, findings: readonly Finding[]) {
  const managed = new Set<string>();
  const inline = new Set<string>();
  let trust = false;
  for (const f of findings) {
    for (const step of f.evidence) {
      if (step.resourceArn.startsWith(`${roleArn}/inline/`))
        inline.add(step.resourceArn.slice(`${roleArn}/inline/`.length));
      else if (/^arn:[^:]+:iam::[^:]*:policy\//.test(step.resourceArn)) managed.add(step.resourceArn);
      else if (step.resourceArn === roleArn && step.field.startsWith('AssumeRolePolicyDocument'))
        trust = true;
    }
  }
  return { managed: uniqueSorted(managed), inline: uniqueSorted(inline), trust };
}

function planRole(roleArn: string, findings: Finding[], ctx: PlanContext) {
  const users = ctx.index.functions.filter((e) => e.fn.role === roleArn);
  if (users.length === 0) return [];
  const roleName = roleNameOf(roleArn);
  const generated = generate(ctx, roleArn, users);
  const bad = culprits(roleArn, findings);
  const shared = findings.some((f) => f.reasonId === 'sharedRole') || users.length > 1;
  const file = `${roleName}-least-privilege.json`;
  const reasons = uniqueSorted(findings.map((f) => f.reasonId));
  const lines = [
    `# Role ${roleName} (used by ${listText(users.map((e) => e.fn.functionName))}): ${listText(reasons)}.`,
    '# A least-privilege starting point generated from what the snapshot shows the functions use:',
    ...generated.summary.map((s) => `#   - ${s}`),
    '# Check it against real use (IAM Access Analyzer can generate a policy from CloudTrail), then:',
    `cat > ${file} <<'EOF'`,
    prettyJson(generated.document),
    'EOF',
    `aws iam put-role-policy --role-name ${roleName} --policy-name lvs-least-privilege --policy-document file://${file}`,
    ...(generated.dropped.length > 0
      ? [
          '# Not carried over (wildcards or every resource): list the actions and ARNs they need instead:',
          ...generated.dropped.map((d) => `#   ${d}`),
        ]
      : []),
    ...(bad.managed.length + bad.inline.length > 0 ? ['# Then remove the broad grants:'] : []),
    ...bad.managed.map((arn) => `aws iam detach-role-policy --role-name ${roleName} --policy-arn ${arn}`),
    ...bad.inline.map(
      (name) => `aws iam delete-role-policy --role-name ${roleName} --policy-name ${shellQuote(name)}`,
    ),
    ...(bad.trust
      ? [
          '# Trust only the Lambda service:',
          `aws iam update-assume-role-policy --role-name ${roleName} --policy-document ${shellQuote(JSON.stringify(LAMBDA_TRUST))}`,
        ]
      : []),
    ...(shared
      ? [
          '# One role per function: create a role for each other function, put its own least-privilege policy, and switch it:',
          ...users
            .slice(1)
            .flatMap((e) => [
              `aws iam create-role --role-name ${shellQuote(`${e.fn.functionName}-role`)} --assume-role-policy-document ${shellQuote(JSON.stringify(LAMBDA_TRUST))}`,
              `aws lambda update-function-configuration --region ${e.region.region} --function-name ${e.fn.functionArn} --role arn:${ctx.index.partition}:iam::${ctx.index.accountId}:role/${e.fn.functionName}-role`,
            ]),
        ]
      : []),
  ];
  return [
    makeStep({
      id: `LVS008:${roleArn}`,
      kind: 'manual',
      title: `Reduce role ${roleName} to what ${listText(users.map((e) => e.fn.functionName))} need${users.length === 1 ? 's' : ''}`,
      service: 'iam',
      region: null,
      resourceArn: roleArn,
      findings,
      template: lines.join('\n'),
      risks: [
        {
          kind: 'availability',
          detail: `Permissions the functions use but the snapshot does not show (other services, buckets named only in code) disappear with the broad grants: ${listText(users.map((e) => e.fn.functionName))} ${users.length === 1 ? 'fails' : 'fail'} where ${users.length === 1 ? 'it relied' : 'they relied'} on them.`,
          principals: [roleArn],
        },
      ],
      notes: ['Generated from the snapshot: a starting point, not a proof of what the code needs.'],
    }),
  ];
}

export const planner: Planner = {
  ruleId: 'LVS008',
  plan(findings, ctx) {
    return groupBy(findings, (f) => f.resourceArn).flatMap(([roleArn, group]) =>
      planRole(roleArn, group, ctx),
    );
  },
};

/** The generated policy of a role (for tests). */
export function leastPrivilegePolicy(
  ctx: PlanContext,
  roleArn: string,
  functionArns?: readonly string[],
): PolicyJson {
  const users = (
    functionArns ?? ctx.index.functions.filter((e) => e.fn.role === roleArn).map((e) => e.fn.functionArn)
  )
    .map((arn) => entryOf(ctx.index, arn))
    .filter((e): e is FunctionEntry => e !== undefined);
  return generate(ctx, roleArn, users).document;
}
