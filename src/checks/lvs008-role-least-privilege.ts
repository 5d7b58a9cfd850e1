import type { EvidenceStep } from '../core/evidence.js';
import { severityRank, type Severity } from '../core/severity.js';
import type { IamActionInfo } from '../iam/action-catalog.js';
import type { PolicyStatement } from '../policy/document.js';
import type { AuditIndex, FunctionEntry, RolePolicy, RoleView } from '../snapshot/derive.js';
import { defineCheck } from './define-check.js';
import { error, fail, pass, unknown } from './lib/outcome.js';
import {
  actionsOf,
  coversAction,
  coversAllUnder,
  coversResource,
  describeStatement,
  isEveryActionPattern,
  isServiceWidePattern,
  mayCoverUnder,
  splitActionPattern,
  statementWhere,
  summarizeNames,
} from './lib/policy-analysis.js';
import { matchesWildcard } from '../policy/wildcard.js';

/** Reason -> severity, in reporting order (the first of the most severe findings names the result). */
const FINDING_SEVERITY = {
  fullAdmin: 'high',
  adminManagedPolicy: 'high',
  iamWildcard: 'high',
  privilegeEscalation: 'high',
  untrustedTrustPolicy: 'high',
  serviceWildcard: 'medium',
  dataActionsOnAnyResource: 'medium',
  notActionOrNotResource: 'medium',
  s3FullAccess: 'medium',
  sharedRole: 'low',
} as const satisfies Record<string, Severity>;
type FindingReason = keyof typeof FINDING_SEVERITY;

/** SPEC 2.4: escalation actions that are dangerous on any IAM resource. */
const ESCALATION_ACTIONS = [
  'iam:CreatePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:AttachUserPolicy',
  'iam:AttachGroupPolicy',
  'iam:AttachRolePolicy',
  'iam:PutUserPolicy',
  'iam:PutGroupPolicy',
  'iam:PutRolePolicy',
  'iam:CreateAccessKey',
  'iam:UpdateAssumeRolePolicy',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
  'iam:AddUserToGroup',
];
/** SPEC 2.4: a function can be given any role's permissions when its code can be changed and a role passed. */
const CODE_ACTIONS = ['lambda:UpdateFunctionCode', 'lambda:CreateFunction'];
/** SPEC 2.4: AWS-managed policies that are findings by name. */
const NAMED_POLICIES: Record<string, FindingReason> = {
  AdministratorAccess: 'adminManagedPolicy',
  PowerUserAccess: 'adminManagedPolicy',
  IAMFullAccess: 'adminManagedPolicy',
  AmazonS3FullAccess: 's3FullAccess',
};
/** SPEC 2.4: the only principals a Lambda execution role should trust. */
const TRUSTED_SERVICES = ['lambda.amazonaws.com', 'edgelambda.amazonaws.com'];
const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'];

interface Finding {
  reasonId: FindingReason;
  /** Where it is: one evidence step per location (policy statement, attachment, trust policy, role). */
  resourceArn: string;
  field: string;
  observed: string;
  detail: string;
}

/** The AWS-managed policy name of an ARN, e.g. arn:aws:iam::aws:policy/AdministratorAccess -> AdministratorAccess. */
function awsManagedName(arn: string): string | undefined {
  const match = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(arn);
  return match?.[1];
}

function names(infos: IamActionInfo[]): string[] {
  return infos.map((i) => i.action).sort();
}

/** True when the statement grants `action` per the catalog expansion (wildcards and NotAction included). */
function grants(granted: IamActionInfo[], action: string): boolean {
  const wanted = action.toLowerCase();
  return granted.some((i) => i.action.toLowerCase() === wanted);
}

interface Context {
  index: AuditIndex;
  entry: FunctionEntry;
  partition: string;
  accountId: string;
}

/** Findings of one Allow statement of an identity policy (SPEC 2.4). */
function statementFindings(
  policy: RolePolicy,
  statement: PolicyStatement,
  ctx: Context,
): { findings: Finding[]; granted: IamActionInfo[] } {
  const { partition, accountId } = ctx;
  const at = {
    resourceArn: policy.arn,
    field: statementWhere(policy.name, statement),
    observed: describeStatement(statement),
  };
  const findings: Finding[] = [];
  const add = (reasonId: FindingReason, detail: string) => findings.push({ reasonId, ...at, detail });
  const granted = actionsOf(statement, ctx.index.iam);

  const everyAction = (statement.actions ?? []).filter(isEveryActionPattern);
  const notActionAll =
    statement.notActions !== undefined &&
    !statement.notActions.some(isEveryActionPattern) &&
    (statement.notResources !== undefined || (statement.resources ?? []).some((r) => /^\*+$/.test(r)));
  if (everyAction.length > 0) {
    add('fullAdmin', `Action ${everyAction.join(', ')} allows every action of every service`);
    return { findings, granted };
  }
  if (notActionAll) {
    add(
      'fullAdmin',
      `NotAction ${summarizeNames(statement.notActions ?? [])} on every resource allows every action of every other service`,
    );
    return { findings, granted };
  }

  if (statement.notActions !== undefined || statement.notResources !== undefined) {
    const parts = [
      statement.notActions !== undefined
        ? `NotAction ${summarizeNames(statement.notActions)} grants every other action`
        : undefined,
      statement.notResources !== undefined
        ? `NotResource ${summarizeNames(statement.notResources)} grants every other resource`
        : undefined,
    ].filter((p): p is string => p !== undefined);
    add('notActionOrNotResource', parts.join('; '));
  }

  const wide = (statement.actions ?? []).filter(isServiceWidePattern);
  const iamWide = wide.filter((p) => matchesWildcard(splitActionPattern(p).service, 'iam', true));
  const otherWide = wide.filter((p) => !iamWide.includes(p));
  if (iamWide.length > 0)
    add(
      'iamWildcard',
      `${iamWide.join(', ')} grants every IAM action, including changing its own permissions`,
    );
  if (otherWide.length > 0)
    add('serviceWildcard', `${otherWide.join(', ')} grants every action of the service`);

  // Privilege escalation (SPEC 2.4).
  const escalation: string[] = [];
  if (mayCoverUnder(statement, `arn:${partition}:iam::`)) {
    escalation.push(...ESCALATION_ACTIONS.filter((a) => grants(granted, a)));
  }
  const everyRole = `arn:${partition}:iam::${accountId}:role/`;
  if (grants(granted, 'iam:PassRole') && coversAllUnder(statement, everyRole))
    escalation.push('iam:PassRole on every role');
  if (grants(granted, 'sts:AssumeRole') && coversAllUnder(statement, everyRole))
    escalation.push('sts:AssumeRole on every role');
  if (escalation.length > 0) add('privilegeEscalation', `grants ${summarizeNames(escalation, 6)}`);

  // S3 object and KMS key actions on every resource. Actions without resource-level permissions are
  // never findings here: they can only be granted on "*" (SPEC 2.4).
  const region = ctx.entry.region.region;
  const anyObject = `arn:${partition}:s3:::lvs-probe-bucket-0f3a9c/lvs-probe-key-0f3a9c`;
  const anyKey = `arn:${partition}:kms:${region}:${accountId}:key/lvs-probe-key-0f3a9c`;
  const data = granted.filter(
    (i) =>
      i.supportsResourceLevelPermissions &&
      ((i.service === 's3' && i.resourceTypes.includes('object') && coversResource(statement, anyObject)) ||
        (i.service === 'kms' && i.resourceTypes.includes('key') && coversResource(statement, anyKey))),
  );
  if (data.length > 0) {
    add(
      'dataActionsOnAnyResource',
      `${summarizeNames(names(data), 5)} on every ${[...new Set(data.map((i) => (i.service === 's3' ? 'object of every bucket' : 'KMS key')))].join(' and every ')}`,
    );
  }
  return { findings, granted };
}

function trustFindings(view: RoleView): Finding[] {
  if (!view.trustPolicy.ok) return [];
  const findings: Finding[] = [];
  for (const statement of view.trustPolicy.document.statements) {
    if (statement.effect !== 'Allow' || !ASSUME_ACTIONS.some((a) => coversAction(statement, a))) continue;
    const p = statement.principal;
    const untrusted = [
      ...(statement.notPrincipal !== undefined ? ['everyone except the NotPrincipal list'] : []),
      ...(p?.any ? ['*'] : (p?.aws ?? []).map((a) => `AWS ${a}`)),
      ...(p?.federated ?? []).map((f) => `Federated ${f}`),
      ...(p?.canonicalUser ?? []).map((c) => `CanonicalUser ${c}`),
      ...(p?.service ?? [])
        .filter((s) => !TRUSTED_SERVICES.includes(s.toLowerCase()))
        .map((s) => `Service ${s}`),
    ];
    if (untrusted.length === 0) continue;
    findings.push({
      reasonId: 'untrustedTrustPolicy',
      resourceArn: view.role.roleArn,
      field: `AssumeRolePolicyDocument ${statementWhere('', statement).trim()}`,
      observed: describeStatement(statement),
      detail: `trusts ${summarizeNames(untrusted)}, not only lambda.amazonaws.com`,
    });
  }
  return findings;
}

/** Findings of the role's policies and trust policy: everything but whether the role is shared. */
function analyseRole(
  view: RoleView,
  roleArn: string,
  ctx: Context,
): {
  findings: Finding[];
  unreadable: Array<{ name: string; arn: string; problem: string }>;
  allowStatements: number;
} {
  const findings: Finding[] = [];
  const unreadable: Array<{ name: string; arn: string; problem: string }> = [];
  let allowStatements = 0;

  // Cross-statement escalation: change a function's code and pass it a role.
  const codeSites: Finding[] = [];
  const passSites: Finding[] = [];

  for (const policy of view.policies) {
    const named = policy.kind === 'managed' ? awsManagedName(policy.arn) : undefined;
    const namedReason = named !== undefined ? NAMED_POLICIES[named] : undefined;
    if (namedReason !== undefined) {
      // Reported by name; its statements are not listed one by one.
      findings.push({
        reasonId: namedReason,
        resourceArn: policy.arn,
        field: 'AttachedPolicies',
        observed: `${policy.name} (${policy.arn})`,
        detail: `${policy.name} is attached`,
      });
      continue;
    }
    if (!policy.parsed.ok) {
      unreadable.push({ name: policy.name, arn: policy.arn, problem: policy.parsed.problem });
      continue;
    }
    for (const statement of policy.parsed.document.statements) {
      if (statement.effect !== 'Allow') continue; // Deny statements are not subtracted (conservative).
      allowStatements += 1;
      const result = statementFindings(policy, statement, ctx);
      findings.push(...result.findings);
      const site = {
        resourceArn: policy.arn,
        field: statementWhere(policy.name, statement),
        observed: describeStatement(statement),
      };
      const code = CODE_ACTIONS.filter((a) => grants(result.granted, a));
      if (code.length > 0 && mayCoverUnder(statement, `arn:${ctx.partition}:lambda:`)) {
        codeSites.push({ reasonId: 'privilegeEscalation', ...site, detail: `grants ${code.join(', ')}` });
      }
      if (grants(result.granted, 'iam:PassRole') && mayCoverUnder(statement, `arn:${ctx.partition}:iam::`)) {
        passSites.push({ reasonId: 'privilegeEscalation', ...site, detail: 'grants iam:PassRole' });
      }
    }
  }
  if (codeSites.length > 0 && passSites.length > 0) {
    for (const site of [...codeSites, ...passSites]) {
      findings.push({
        ...site,
        detail: `${site.detail}; with lambda:UpdateFunctionCode/CreateFunction and iam:PassRole together the role can run code under another role`,
      });
    }
  }

  if (!view.trustPolicy.ok)
    unreadable.push({ name: 'trust policy', arn: roleArn, problem: view.trustPolicy.problem });
  findings.push(...trustFindings(view));
  return { findings, unreadable, allowStatements };
}

function bySeverity(a: Finding, b: Finding): number {
  const severity = severityRank(FINDING_SEVERITY[b.reasonId]) - severityRank(FINDING_SEVERITY[a.reasonId]);
  if (severity !== 0) return severity;
  const order = Object.keys(FINDING_SEVERITY);
  return order.indexOf(a.reasonId) - order.indexOf(b.reasonId);
}

/** One step per location, naming every finding made there. */
function evidenceOf(findings: Finding[]): EvidenceStep[] {
  const steps = new Map<string, EvidenceStep>();
  for (const f of findings) {
    const key = `${f.resourceArn}\u0000${f.field}`;
    const note = `${f.reasonId} (${FINDING_SEVERITY[f.reasonId]}): ${f.detail}`;
    const step = steps.get(key);
    if (step === undefined)
      steps.set(key, { resourceArn: f.resourceArn, field: f.field, observed: f.observed, note });
    else step.note = `${step.note ?? ''}; ${note}`;
  }
  return [...steps.values()];
}

const message = (what: string) =>
  `Role {{role}} of {{function}} ${what} ({{where}}); {{count}} least-privilege finding(s) in all, each in the evidence.`;

export default defineCheck({
  meta: {
    id: 'LVS008',
    name: 'role-least-privilege',
    severity: 'high',
    title: 'Execution role grants only what the function needs',
    description:
      'Every policy of the execution role (inline, customer-managed and AWS-managed, default version) is free of "*" and service-wide wildcards, privilege-escalation actions, S3 object and KMS key actions on every resource, NotAction/NotResource grants and broad AWS-managed policies; its trust policy trusts only the Lambda service; and no other function shares it. Actions that support no resource-level permissions (ENI management, X-Ray, CloudWatch Logs as in AWSLambdaVPCAccessExecutionRole) are acceptable on "*".',
    rationale:
      "Code running in the function, or anyone who can change it, holds the role's permissions. Wildcards and escalation actions turn a bug or a stolen session into control of the account; S3 or KMS data actions on every resource let a compromised function exfiltrate any bucket or decrypt any key; a shared role widens what each function can do to what all of them need.",
    remediation:
      'Replace wildcards with the actions and ARNs the function uses; detach broad managed policies; use one role per function.',
    remediationDetails: [
      'Find what the role actually uses (IAM Access Advisor, or an IAM Access Analyzer generated policy from CloudTrail), then replace broad statements with named actions on named ARNs:',
      '',
      '```sh',
      'aws iam generate-service-last-accessed-details --arn ROLE_ARN',
      'aws iam detach-role-policy --role-name ROLE --policy-arn arn:aws:iam::aws:policy/AdministratorAccess',
      'aws iam put-role-policy --role-name ROLE --policy-name write-scores --policy-document file://policy.json',
      '```',
      '',
      '```json',
      '{',
      '  "Version": "2012-10-17",',
      '  "Statement": [',
      '    { "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::BUCKET/scores/*" },',
      '    { "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "KEY_ARN" }',
      '  ]',
      '}',
      '```',
      '',
      'Keep `AWSLambdaVPCAccessExecutionRole` (and `AWSXRayDaemonWriteAccess` for tracing). The trust policy should name only `lambda.amazonaws.com`. CloudFormation: one `AWS::IAM::Role` per function with `AssumeRolePolicyDocument` trusting `lambda.amazonaws.com`, `ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]` and scoped inline `Policies`.',
    ].join('\n'),
    resourceType: 'role',
    references: [
      {
        title: 'Defining Lambda function permissions with an execution role',
        url: 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html',
      },
      {
        title: 'Security best practices in IAM: apply least-privilege permissions',
        url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege',
      },
      {
        title: 'Service Authorization Reference: actions, resources and condition keys',
        url: 'https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html',
      },
      {
        title: 'Security Hub control IAM.1 (policies should not allow full "*" administrative privileges)',
        url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-1',
      },
      {
        title:
          'Security Hub control IAM.21 (customer managed policies should not allow wildcard actions for services)',
        url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-21',
      },
    ],
    securityHubControls: ['IAM.1', 'IAM.21'],
    tags: ['permissions', 'iam', 'least-privilege'],
    reasons: {
      leastPrivilege: {
        status: 'pass',
        message:
          'Role {{role}} of {{function}} grants no more than it needs: {{policies}} polic(ies) and {{statements}} Allow statement(s) reviewed, no wildcard, escalation or data action on every resource, trusted only by Lambda, used by this function alone.',
      },
      fullAdmin: { status: 'fail', severity: 'high', message: message('allows every action: {{detail}}') },
      adminManagedPolicy: {
        status: 'fail',
        severity: 'high',
        message: message('has a broad AWS-managed policy attached: {{detail}}'),
      },
      iamWildcard: {
        status: 'fail',
        severity: 'high',
        message: message('allows every IAM action: {{detail}}'),
      },
      privilegeEscalation: {
        status: 'fail',
        severity: 'high',
        message: message('can escalate its own privileges: {{detail}}'),
      },
      untrustedTrustPolicy: {
        status: 'fail',
        severity: 'high',
        message: message('can be assumed by principals other than Lambda: {{detail}}'),
      },
      serviceWildcard: {
        status: 'fail',
        severity: 'medium',
        message: message('uses a service-wide wildcard: {{detail}}'),
      },
      dataActionsOnAnyResource: {
        status: 'fail',
        severity: 'medium',
        message: message('allows data actions on every resource: {{detail}}'),
      },
      notActionOrNotResource: {
        status: 'fail',
        severity: 'medium',
        message: message('allows by exclusion (NotAction/NotResource): {{detail}}'),
      },
      s3FullAccess: {
        status: 'fail',
        severity: 'medium',
        message: message('has AmazonS3FullAccess attached: {{detail}}'),
      },
      sharedRole: { status: 'fail', severity: 'low', message: message('is shared: {{detail}}') },
      invalidPolicyDocument: {
        status: 'error',
        message:
          'Could not evaluate role {{role}} of {{function}}: {{policy}} is not a policy document lvs can read ({{problem}}).',
      },
    },
  },
  evaluate(entry, index) {
    const roleArn = entry.fn.role;
    const resolved = index.roleView(roleArn);
    if (!resolved.ok) return [unknown(resolved.problem, { resourceArn: roleArn })];
    const view = resolved.value;
    const ctx: Context = { index, entry, partition: index.partition, accountId: index.accountId };
    // The role's own findings are the same for every function in the region that uses it.
    const analysed = index.memo(`LVS008:${roleArn}:${entry.region.region}`, () =>
      analyseRole(view, roleArn, ctx),
    );
    const findings = [...analysed.findings];
    const { unreadable, allowStatements } = analysed;

    const users = index.functionsUsingRole(roleArn);
    if (users.length > 1) {
      const others = users.filter((f) => f.functionArn !== entry.fn.functionArn).map((f) => f.functionName);
      findings.push({
        reasonId: 'sharedRole',
        resourceArn: roleArn,
        field: 'functions using the role',
        observed: users.map((f) => f.functionName).join(', '),
        detail: `${users.length} functions use it (also ${summarizeNames(others)})`,
      });
    }

    const sorted = [...findings].sort(bySeverity);
    const top = sorted[0];
    const unreadableSteps: EvidenceStep[] = unreadable.map((u) => ({
      resourceArn: u.arn,
      field: u.name,
      observed: u.problem,
      expected: 'a valid policy document',
      note: 'not evaluated',
    }));
    if (top !== undefined) {
      return [
        fail(top.reasonId, {
          resourceArn: roleArn,
          data: { role: view.role.roleName, detail: top.detail, where: top.field, count: sorted.length },
          evidence: [...evidenceOf(sorted), ...unreadableSteps],
        }),
      ];
    }
    const firstUnreadable = unreadable[0];
    if (firstUnreadable !== undefined) {
      return [
        error('invalidPolicyDocument', {
          resourceArn: roleArn,
          data: { role: view.role.roleName, policy: firstUnreadable.name, problem: firstUnreadable.problem },
          evidence: unreadableSteps,
        }),
      ];
    }
    return [
      pass('leastPrivilege', {
        resourceArn: roleArn,
        data: { role: view.role.roleName, policies: view.policies.length, statements: allowStatements },
        evidence: [
          ...view.policies.map((p) => ({
            resourceArn: p.arn,
            field: p.name,
            observed: p.parsed.ok
              ? `${p.parsed.document.statements.length} statement(s): ${p.parsed.document.statements.map(describeStatement).join(' | ')}`
              : p.parsed.problem,
            note: 'reviewed: no finding',
          })),
          {
            resourceArn: roleArn,
            field: 'functions using the role',
            observed: entry.fn.functionName,
            note: 'this function only',
          },
        ],
      }),
    ];
  },
});
