import type { EvidenceStep } from '../core/evidence.js';
import { severityRank, type Severity } from '../core/severity.js';
import type { IamActionInfo } from '../iam/action-catalog.js';
import type { PolicyStatement } from '../policy/document.js';
import type { AuditIndex, FunctionEntry, RolePolicy, RoleView } from '../snapshot/derive.js';
import type { LambdaFunction } from '../snapshot/schema.js';
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

/** What a statement grants per the catalog expansion (wildcards and NotAction included). */
class Granted {
  private names: Set<string> | undefined;
  constructor(readonly infos: IamActionInfo[]) {}
  /** True when `action` is granted (compared case-insensitively); the names are lowercased once, when first asked. */
  has(action: string): boolean {
    this.names ??= new Set(this.infos.map((i) => i.action.toLowerCase()));
    return this.names.has(action.toLowerCase());
  }
}

/** True when the statement grants `action` per the catalog expansion (wildcards and NotAction included). */
function grants(granted: Granted, action: string): boolean {
  return granted.has(action);
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
): { findings: Finding[]; granted: Granted } {
  const { partition, accountId } = ctx;
  const at = {
    resourceArn: policy.arn,
    field: statementWhere(policy.name, statement),
    observed: describeStatement(statement),
  };
  const findings: Finding[] = [];
  const add = (reasonId: FindingReason, detail: string) => findings.push({ reasonId, ...at, detail });
  const granted = new Granted(actionsOf(statement, ctx.index.iam));

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
  // Whether the statement covers every object / every key is the same for each action: asked once.
  let objects: boolean | undefined;
  let keys: boolean | undefined;
  const data = granted.infos.filter(
    (i) =>
      i.supportsResourceLevelPermissions &&
      ((i.service === 's3' &&
        i.resourceTypes.includes('object') &&
        (objects ??= coversResource(statement, anyObject))) ||
        (i.service === 'kms' &&
          i.resourceTypes.includes('key') &&
          (keys ??= coversResource(statement, anyKey)))),
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

/** One Allow statement's findings, and whether it is one half of the code + PassRole escalation. */
function reviewStatement(
  policy: RolePolicy,
  statement: PolicyStatement,
  ctx: Context,
): { findings: Finding[]; codeSite: Finding | undefined; passSite: Finding | undefined } {
  const result = statementFindings(policy, statement, ctx);
  const site = {
    resourceArn: policy.arn,
    field: statementWhere(policy.name, statement),
    observed: describeStatement(statement),
  };
  const code = CODE_ACTIONS.filter((a) => grants(result.granted, a));
  const codeSite: Finding | undefined =
    code.length > 0 && mayCoverUnder(statement, `arn:${ctx.partition}:lambda:`)
      ? { reasonId: 'privilegeEscalation', ...site, detail: `grants ${code.join(', ')}` }
      : undefined;
  const passSite: Finding | undefined =
    grants(result.granted, 'iam:PassRole') && mayCoverUnder(statement, `arn:${ctx.partition}:iam::`)
      ? { reasonId: 'privilegeEscalation', ...site, detail: 'grants iam:PassRole' }
      : undefined;
  return { findings: result.findings, codeSite, passSite };
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
      // A managed policy's ARN names its document: its statements are reviewed once for all the
      // roles it is attached to (per region, as the KMS probe ARN names the region).
      const review =
        policy.kind === 'managed'
          ? ctx.index.memo(
              ['LVS008:statement', policy.arn, policy.name, String(statement.index), ctx.entry.region.region],
              () => reviewStatement(policy, statement, ctx),
            )
          : reviewStatement(policy, statement, ctx);
      findings.push(...review.findings);
      if (review.codeSite !== undefined) codeSites.push(review.codeSite);
      if (review.passSite !== undefined) passSites.push(review.passSite);
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

/** How many of the role's users have each ARN (one each, unless the snapshot lists a function twice). */
function usersByArn(users: readonly LambdaFunction[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of users) counts.set(f.functionArn, (counts.get(f.functionArn) ?? 0) + 1);
  return counts;
}

/** How many of a shared role's other users its finding names. */
const OTHERS_NAMED = 4;

function isAmongFirst(users: readonly LambdaFunction[], n: number, functionArn: string): boolean {
  for (let i = 0; i < n && i < users.length; i++) if (users[i]?.functionArn === functionArn) return true;
  return false;
}

/**
 * summarizeNames of the role's other users (all but `functionArn`). The first `max` others are
 * among the first `max + 1` users unless the function is listed more than once there.
 */
function otherNames(
  users: readonly LambdaFunction[],
  counts: ReadonlyMap<string, number>,
  functionArn: string,
  max = OTHERS_NAMED,
): string {
  const mine = counts.get(functionArn) ?? 0;
  const head = mine <= 1 ? users.slice(0, max + 1) : users;
  const first: string[] = [];
  for (const f of head) {
    if (f.functionArn === functionArn) continue;
    if (first.length < max) first.push(f.functionName);
  }
  const count = users.length - mine;
  return count <= max ? first.join(', ') : `${first.join(', ')} and ${count - max} more`;
}

/**
 * The role's users as the sharedRole finding shows them, once per role (SPEC 2.4): every user in
 * index order, how many users have each ARN, the evidence step that lists them, and the "also …"
 * detail of the users past the first few, which all read the same (made on first use).
 */
interface RoleUsers {
  observed: string;
  counts: Map<string, number>;
  /**
   * The step listing every user, with their number: one object for all of them. Its note leaves
   * out whom "also …" names (the message says it), so that every user's result shows the same step.
   */
  step: EvidenceStep;
  /** The detail of a user not named in "also …"; undefined until one is judged. */
  othersDetail: string | undefined;
}

function roleUsers(roleArn: string, users: readonly LambdaFunction[]): RoleUsers {
  const observed = users.map((f) => f.functionName).join(', ');
  const [step] = evidenceOf([
    {
      reasonId: 'sharedRole',
      resourceArn: roleArn,
      field: 'functions using the role',
      observed,
      detail: `${users.length} functions use it`,
    },
  ]);
  if (step === undefined) throw new Error('LVS008: no evidence for the shared role');
  return { observed, counts: usersByArn(users), step, othersDetail: undefined };
}

interface RoleJudgement {
  /** The role's findings (all but sharedRole), most severe first. */
  sorted: Finding[];
  /** evidenceOf(sorted). */
  steps: EvidenceStep[];
  unreadable: Array<{ name: string; arn: string; problem: string }>;
  unreadableSteps: EvidenceStep[];
  allowStatements: number;
  /** The policies reviewed, for a pass (made on first use). */
  reviewedSteps: () => EvidenceStep[];
}

function judgeRole(view: RoleView, analysed: ReturnType<typeof analyseRole>): RoleJudgement {
  const sorted = [...analysed.findings].sort(bySeverity);
  let reviewed: EvidenceStep[] | undefined;
  return {
    sorted,
    steps: evidenceOf(sorted),
    unreadable: analysed.unreadable,
    unreadableSteps: analysed.unreadable.map((u) => ({
      resourceArn: u.arn,
      field: u.name,
      observed: u.problem,
      expected: 'a valid policy document',
      note: 'not evaluated',
    })),
    allowStatements: analysed.allowStatements,
    reviewedSteps: () =>
      (reviewed ??= view.policies.map((p) => ({
        resourceArn: p.arn,
        field: p.name,
        observed: p.parsed.ok
          ? `${p.parsed.document.statements.length} statement(s): ${p.parsed.document.statements.map(describeStatement).join(' | ')}`
          : p.parsed.problem,
        note: 'reviewed: no finding',
      }))),
  };
}

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
    // The role's own findings, and the evidence made of them, are the same for every function in
    // the region that uses it (the KMS probe ARN names the region); none of it names a function.
    // One memo per role and region holds them and what the role's users share (the users depend on
    // the role alone), so a function asks the index once rather than once per piece.
    const users = index.functionsUsingRole(roleArn);
    const role = index.memo(['LVS008', roleArn, entry.region.region], () => ({
      judgement: judgeRole(view, analyseRole(view, roleArn, ctx)),
      users: users.length > 1 ? roleUsers(roleArn, users) : undefined,
    }));
    const judgement = role.judgement;

    let shared: Finding | undefined;
    let sharedStep: EvidenceStep | undefined;
    if (role.users !== undefined) {
      // Every user of the role, in index order: the same text for each of them.
      const { observed, counts } = role.users;
      // "also …" names the first few other users: the same text for every user past those (listed
      // once), made once for them; a named user's own text is made for it.
      const arn = entry.fn.functionArn;
      const named = (counts.get(arn) ?? 0) !== 1 || isAmongFirst(users, OTHERS_NAMED + 1, arn);
      const detailOf = () => `${users.length} functions use it (also ${otherNames(users, counts, arn)})`;
      const detail = named ? detailOf() : (role.users.othersDetail ??= detailOf());
      shared = {
        reasonId: 'sharedRole',
        resourceArn: roleArn,
        field: 'functions using the role',
        observed,
        detail,
      };
      sharedStep = role.users.step;
    }

    // sharedRole is the only low finding, so it sorts after the role's own (already sorted) ones,
    // and its evidence step (the role, "functions using the role") merges with none of theirs.
    const top = judgement.sorted[0] ?? shared;
    if (top !== undefined) {
      return [
        fail(top.reasonId, {
          resourceArn: roleArn,
          data: {
            role: view.role.roleName,
            detail: top.detail,
            where: top.field,
            count: judgement.sorted.length + (shared === undefined ? 0 : 1),
          },
          evidence:
            sharedStep === undefined
              ? [...judgement.steps, ...judgement.unreadableSteps]
              : [...judgement.steps, sharedStep, ...judgement.unreadableSteps],
        }),
      ];
    }
    const firstUnreadable = judgement.unreadable[0];
    if (firstUnreadable !== undefined) {
      return [
        error('invalidPolicyDocument', {
          resourceArn: roleArn,
          data: { role: view.role.roleName, policy: firstUnreadable.name, problem: firstUnreadable.problem },
          evidence: judgement.unreadableSteps,
        }),
      ];
    }
    return [
      pass('leastPrivilege', {
        resourceArn: roleArn,
        data: {
          role: view.role.roleName,
          policies: view.policies.length,
          statements: judgement.allowStatements,
        },
        evidence: [
          ...judgement.reviewedSteps(),
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
