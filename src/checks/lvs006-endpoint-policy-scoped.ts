import type { EvidenceStep } from '../core/evidence.js';
import { baseOperator, statementLabel, type PolicyStatement } from '../policy/document.js';
import { matchesWildcard } from '../policy/wildcard.js';
import { vpcEndpointArn } from '../snapshot/arn.js';
import type { AuditIndex, FunctionEntry, Problem } from '../snapshot/derive.js';
import type { VpcEndpoint } from '../snapshot/schema.js';
import { defineCheck, type Outcome } from './define-check.js';
import {
  NOT_IN_VPC_REASON,
  distinctProblems,
  functionVpc,
  listText,
  routeStep,
  subnetPaths,
  subnetTableStep,
  type VpcAttachment,
} from './lib/network.js';
import { fail, notApplicable, pass, unknown, withHead } from './lib/outcome.js';

/** Condition keys that confine S3 requests to buckets of named accounts or organizations (case-insensitive). */
const SCOPING_KEYS = new Set([
  'aws:resourceaccount',
  'aws:resourceorgid',
  'aws:resourceorgpaths',
  's3:resourceaccount',
]);
const POSITIVE_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike']);
const NEGATIVE_OPERATORS = new Set(['stringnotequals', 'stringnotequalsignorecase', 'stringnotlike']);

const AWS_DEFAULT_POLICY = '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}';

interface Serving {
  endpoint: VpcEndpoint;
  evidence: EvidenceStep[];
}

/** The usable S3 gateway endpoints on the function's effective route tables, deduplicated, and what could not be read. */
function servingEndpoints(
  entry: FunctionEntry,
  attachment: VpcAttachment,
): { serving: Serving[]; problems: Problem[] } {
  const { region } = entry;
  const byId = new Map<string, Serving>();
  const problems: Problem[] = [];
  for (const { subnetId, table, target } of subnetPaths(entry, attachment)) {
    if (!table.ok) {
      problems.push(table.problem);
      continue;
    }
    if (!target.ok) {
      problems.push(target.problem);
      continue;
    }
    const { endpoint, route, usable } = target.value;
    if (!usable || endpoint === undefined || route === undefined) continue;
    let serving = byId.get(endpoint.vpcEndpointId);
    if (serving === undefined) {
      serving = { endpoint, evidence: [] };
      byId.set(endpoint.vpcEndpointId, serving);
    }
    serving.evidence.push(
      subnetTableStep(region, subnetId, table.value),
      routeStep(region, table.value.table.routeTableId, route),
    );
  }
  return { serving: [...byId.values()], problems: distinctProblems(problems) };
}

/** True when the statement's actions include at least one S3 action (wildcards expanded with the IAM action catalog). */
function grantsS3(index: AuditIndex, statement: PolicyStatement): boolean {
  if (statement.actions !== undefined) {
    return statement.actions.some((pattern) =>
      index.iam.expand(pattern).some((info) => info.service === 's3'),
    );
  }
  if (statement.notActions !== undefined) {
    const excluded = statement.notActions;
    return index.iam
      .expand('s3:*')
      .some((info) => !excluded.some((p) => matchesWildcard(p, info.action, true)));
  }
  return false;
}

/**
 * A resource that matches buckets of any account: "*", "arn:aws:s3:::*", the objects of every bucket,
 * or any pattern whose bucket part is only wildcards (or that matches every S3 ARN, such as "arn:*").
 */
function isUnscopedResource(resource: string): boolean {
  if (resource === '*') return true;
  const s3 = /^arn:[^:]*:s3:[^:]*:[^:]*:(.*)$/.exec(resource);
  if (s3) {
    const bucket = (s3[1] ?? '').split('/')[0] ?? '';
    return /^[*?]*\*[*?]*$/.test(bucket);
  }
  return matchesWildcard(resource, 'arn:aws:s3:::any-bucket/any-key');
}

const isAnyPrincipal = (s: PolicyStatement) => s.principal === undefined || s.principal.any;

function unscopedResources(statement: PolicyStatement): string[] {
  if (statement.notResources !== undefined) return [`NotResource ${statement.notResources.join(', ')}`];
  return (statement.resources ?? []).filter(isUnscopedResource);
}

/** A positive condition that confines the statement to named accounts or organizations. */
function scopingCondition(statement: PolicyStatement): string | undefined {
  const clause = statement.conditions.find(
    (c) =>
      SCOPING_KEYS.has(c.key.toLowerCase()) &&
      POSITIVE_OPERATORS.has(baseOperator(c.operator)) &&
      c.values.length > 0 &&
      !c.values.some((v) => /^[*?]*$/.test(v)),
  );
  return clause ? `${clause.operator} ${clause.key} ${clause.values.join(', ')}` : undefined;
}

/** The AWS default: Allow, any principal, every S3 action, every resource, no condition. */
function isFullAccess(statement: PolicyStatement): boolean {
  return (
    statement.effect === 'Allow' &&
    isAnyPrincipal(statement) &&
    (statement.actions ?? []).some((a) => a === '*' || a.toLowerCase() === 's3:*') &&
    unscopedResources(statement).length > 0 &&
    statement.conditions.length === 0
  );
}

/**
 * A Deny of every S3 action on every resource for anyone, whose only conditions are negative tests of
 * the scoping keys (StringNotEquals aws:ResourceAccount …): it confines every Allow to those accounts.
 */
function denyScope(
  statements: readonly PolicyStatement[],
): { statement: PolicyStatement; scope: string } | undefined {
  for (const statement of statements) {
    if (statement.effect !== 'Deny' || !isAnyPrincipal(statement)) continue;
    if (!(statement.actions ?? []).some((a) => a === '*' || a.toLowerCase() === 's3:*')) continue;
    if (!(statement.resources ?? []).some(isUnscopedResource)) continue;
    const scoping = statement.conditions.filter(
      (c) =>
        SCOPING_KEYS.has(c.key.toLowerCase()) &&
        NEGATIVE_OPERATORS.has(baseOperator(c.operator)) &&
        c.values.length > 0,
    );
    if (scoping.length === 0 || scoping.length !== statement.conditions.length) continue;
    return { statement, scope: scoping.map((c) => `${c.key} ${c.values.join(', ')}`).join(' and ') };
  }
  return undefined;
}

const compact = (statement: PolicyStatement) => JSON.stringify(statement.raw);

/** The outcome for one serving endpoint, without the function's own first evidence step. */
function evaluateEndpoint(index: AuditIndex, entry: FunctionEntry, serving: Serving): Outcome {
  const { region } = entry;
  const endpoint = serving.endpoint;
  const resourceArn = vpcEndpointArn(region.scope, endpoint.vpcEndpointId);
  const chain = serving.evidence;
  const data = { endpoint: endpoint.vpcEndpointId };
  const expected =
    'S3 actions only on named buckets, or with an aws:ResourceAccount / aws:ResourceOrgID / s3:ResourceAccount condition';

  if (endpoint.policyDocument === null) {
    return fail('defaultFullAccess', {
      resourceArn,
      data: { ...data, statement: 'no policy document, so AWS applies its default' },
      evidence: [
        ...chain,
        {
          resourceArn,
          field: 'PolicyDocument',
          observed: `absent (AWS default: ${AWS_DEFAULT_POLICY})`,
          expected,
        },
      ],
    });
  }
  const parsed = index.policy(endpoint.policyDocument);
  if (!parsed.ok) {
    return fail('invalidPolicy', {
      resourceArn,
      data: { ...data, problem: parsed.problem },
      evidence: [
        ...chain,
        {
          resourceArn,
          field: 'PolicyDocument',
          observed: parsed.problem,
          expected: 'a valid IAM policy document',
        },
      ],
    });
  }

  const statements = parsed.document.statements;
  const full: PolicyStatement[] = [];
  const unscoped: Array<{ statement: PolicyStatement; resources: string[] }> = [];
  for (const statement of statements) {
    if (statement.effect !== 'Allow' || !grantsS3(index, statement)) continue;
    if (isFullAccess(statement)) full.push(statement);
    else {
      const resources = unscopedResources(statement);
      if (resources.length > 0 && scopingCondition(statement) === undefined)
        unscoped.push({ statement, resources });
    }
  }
  const deny = denyScope(statements);
  const step = (statement: PolicyStatement, extra: Partial<EvidenceStep> = {}): EvidenceStep => ({
    resourceArn,
    field: `PolicyDocument ${statementLabel(statement)}`,
    observed: compact(statement),
    ...extra,
  });

  if ((full.length > 0 || unscoped.length > 0) && deny !== undefined) {
    return pass('scopedByDeny', {
      resourceArn,
      data: { ...data, scope: deny.scope, statement: statementLabel(deny.statement) },
      evidence: [
        ...chain,
        step(deny.statement, {
          note: 'confines every Allow of the policy to these accounts or organizations',
        }),
      ],
    });
  }
  if (full.length > 0) {
    return fail('defaultFullAccess', {
      resourceArn,
      data: { ...data, statement: full.map(statementLabel).join(', ') },
      evidence: [...chain, ...full.map((s) => step(s, { expected }))],
    });
  }
  if (unscoped.length > 0) {
    return fail('unscopedResource', {
      resourceArn,
      data: {
        ...data,
        resources: listText([...new Set(unscoped.flatMap((u) => u.resources))]),
        statements: unscoped.map((u) => statementLabel(u.statement)).join(', '),
      },
      evidence: [...chain, ...unscoped.map((u) => step(u.statement, { expected }))],
    });
  }
  const scoped = statements.filter((s) => s.effect === 'Allow' && grantsS3(index, s));
  return pass('scopedToAccount', {
    resourceArn,
    data,
    evidence: [
      ...chain,
      ...scoped.map((s) => {
        const condition = scopingCondition(s);
        return step(s, condition ? { note: `scoped by ${condition}` } : { note: 'names its buckets' });
      }),
    ],
  });
}

export default defineCheck({
  meta: {
    id: 'LVS006',
    name: 'endpoint-policy-scoped',
    severity: 'medium',
    title: "S3 gateway endpoint serving the function only allows access to the account's own buckets",
    description:
      'For each available S3 gateway endpoint on the function\'s effective route tables, the endpoint policy is not the default full-access policy and does not allow S3 actions on every bucket (Resource "*", "arn:aws:s3:::*", "arn:aws:s3:::*/*" or a NotResource) unless the statement has a StringEquals/StringLike condition on aws:ResourceAccount, aws:ResourceOrgID, aws:ResourceOrgPaths or s3:ResourceAccount, or a Deny confines the whole policy that way. Action wildcards are expanded with IAM action data. A policy that does not parse is a finding.',
    rationale:
      "Everything the function sends to S3 goes through the endpoint, including requests with its own credentials to buckets of other accounts. The default endpoint policy (Allow * on *) lets a compromised function copy data to an attacker's bucket while staying on the private path, out of reach of network controls. Scoping the endpoint to the account's (or organization's) buckets closes that exfiltration channel for every workload in the subnets.",
    remediation:
      'Replace the endpoint policy with one that allows S3 only where aws:ResourceAccount is your account (or on named buckets).',
    remediationDetails: [
      'Write a policy that keeps the actions your workloads use and adds an `aws:ResourceAccount` (or `aws:ResourceOrgID`) condition, then apply it. AWS-service buckets your instances rely on (for example Amazon Linux repositories or ECR layers) may need a separate statement naming them.',
      '',
      '```sh',
      "cat > endpoint-policy.json <<'EOF'",
      '{"Version":"2012-10-17","Statement":[{"Sid":"OwnAccountBucketsOnly","Effect":"Allow","Principal":"*",',
      ' "Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],"Resource":"*",',
      ' "Condition":{"StringEquals":{"aws:ResourceAccount":"111122223333"}}}]}',
      'EOF',
      'aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-xxx --policy-document file://endpoint-policy.json',
      '```',
      '',
      'CloudFormation: set `PolicyDocument` on the `AWS::EC2::VPCEndpoint`:',
      '',
      '```yaml',
      'PolicyDocument:',
      '  Version: "2012-10-17"',
      '  Statement:',
      '    - Effect: Allow',
      '      Principal: "*"',
      '      Action: [s3:GetObject, s3:PutObject, s3:ListBucket]',
      '      Resource: "*"',
      '      Condition: { StringEquals: { aws:ResourceAccount: !Ref AWS::AccountId } }',
      '```',
    ].join('\n'),
    resourceType: 'vpc-endpoint',
    references: [
      {
        title: 'Control access to VPC endpoints using endpoint policies',
        url: 'https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html',
      },
      {
        title: 'Gateway endpoints for Amazon S3: endpoint policies',
        url: 'https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html',
      },
      {
        title: 'AWS global condition context keys: aws:ResourceAccount',
        url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html',
      },
    ],
    securityHubControls: [],
    tags: ['network', 'vpc-endpoint', 's3', 'exfiltration', 'policy'],
    reasons: {
      ...NOT_IN_VPC_REASON,
      noServingEndpoint: {
        status: 'not-applicable',
        message:
          'No available S3 gateway endpoint serves {{function}} (LVS003 reports it), so there is no endpoint policy to check.',
      },
      scopedToAccount: {
        status: 'pass',
        message:
          'Gateway endpoint {{endpoint}} serving {{function}} allows S3 actions only on named buckets or under an account or organization condition.',
      },
      scopedByDeny: {
        status: 'pass',
        message:
          'Gateway endpoint {{endpoint}} serving {{function}} denies S3 requests to resources outside {{scope}} ({{statement}}).',
      },
      defaultFullAccess: {
        status: 'fail',
        message:
          'Gateway endpoint {{endpoint}} serving {{function}} has the default full-access policy ({{statement}}): the function can reach any bucket of any account through it.',
      },
      unscopedResource: {
        status: 'fail',
        message:
          'Gateway endpoint {{endpoint}} serving {{function}} allows S3 actions on {{resources}} without an aws:ResourceAccount, aws:ResourceOrgID or s3:ResourceAccount condition ({{statements}}): data can be written to buckets of other accounts.',
      },
      invalidPolicy: {
        status: 'fail',
        message:
          'The policy of gateway endpoint {{endpoint}} serving {{function}} is not a valid policy document ({{problem}}).',
      },
    },
  },
  evaluate(entry, index) {
    const vpc = functionVpc(entry, index);
    if (vpc === undefined) return [notApplicable('notInVpc')];
    // Everything after the function's own step depends on the region and the subnets alone.
    const shared = vpc.bySubnets.get('LVS006', () => {
      const { serving, problems } = servingEndpoints(entry, vpc.attachment);
      // Whatever could not be read may hide another serving endpoint: one error names the first such problem.
      const [problem] = problems;
      const outcomes: Outcome[] = problem === undefined ? [] : [unknown(problem)];
      for (const s of serving) outcomes.push(evaluateEndpoint(index, entry, s));
      if (outcomes.length === 0) outcomes.push(notApplicable('noServingEndpoint'));
      return outcomes;
    });
    return shared.map((outcome) => withHead(vpc.step, outcome));
  },
});
