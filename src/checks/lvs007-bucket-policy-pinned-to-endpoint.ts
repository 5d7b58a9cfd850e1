import type { EvidenceStep } from '../core/evidence.js';
import { baseOperator, conditionsOn, statementLabel, type PolicyStatement } from '../policy/document.js';
import { bucketArn, routeTableArn, vpcEndpointArn } from '../snapshot/arn.js';
import type { AuditIndex, FunctionEntry, Problem } from '../snapshot/derive.js';
import type { Bucket } from '../snapshot/schema.js';
import { defineCheck, type Outcome } from './define-check.js';
import { fail, notApplicable, pass, unknown, withEvidence } from './lib/outcome.js';
import {
  coversAction,
  coversAllUnder,
  describeClause,
  describeStatement,
  isAnyonePrincipal,
  isPrincipalExemption,
} from './lib/policy-analysis.js';
import { functionVpc, idsKey } from './lib/network.js';
import { BUCKET_SCOPE_REASONS, forEachReachedBucket } from './lib/reached-buckets.js';

/** The S3 gateway endpoints the function's traffic to S3 uses, with the hops that show it. */
interface Serving {
  endpointIds: string[];
  vpcId: string;
  evidence: EvidenceStep[];
  /**
   * The verdict on each bucket (by name) for these endpoints and VPC, which is all it depends on:
   * one map for every Serving with the same endpoints and VPC (functions of other subnets too).
   */
  verdicts: Map<string, Outcome>;
}

function servingEndpoints(
  entry: FunctionEntry,
  index: AuditIndex,
): { ok: true; value: Serving } | { ok: false; problem: Problem } {
  const { fn, region } = entry;
  const vpc = fn.vpcConfig;
  const ids = new Set<string>();
  const evidence: EvidenceStep[] = [];
  for (const subnetId of vpc?.subnetIds ?? []) {
    const { table: effective, target, endpoint } = region.s3Path(subnetId);
    if (!effective.ok) return effective;
    if (!target.ok) return target;
    const table = effective.value.table;
    const { route } = target.value;
    if (endpoint !== undefined) {
      const isNew = !ids.has(endpoint.vpcEndpointId);
      ids.add(endpoint.vpcEndpointId);
      evidence.push({
        resourceArn: routeTableArn(region.scope, table.routeTableId),
        field: `Routes[${route?.destinationPrefixListId ?? 'S3 prefix list'}]`,
        observed: `-> ${endpoint.vpcEndpointId} (${effective.value.association === 'main' ? 'main table' : 'explicitly associated'} with ${subnetId})`,
        note: `traffic from ${subnetId} reaches S3 through gateway endpoint ${endpoint.vpcEndpointId}`,
      });
      if (isNew) {
        evidence.push({
          resourceArn: vpcEndpointArn(region.scope, endpoint.vpcEndpointId),
          field: 'VpcEndpointId',
          observed: `${endpoint.vpcEndpointId} (${endpoint.vpcEndpointType} ${endpoint.serviceName}, ${endpoint.state})`,
          note: 'the endpoint ID the bucket policy must pin with aws:SourceVpce',
        });
      }
    } else {
      evidence.push({
        resourceArn: routeTableArn(region.scope, table.routeTableId),
        field: 'Routes[S3 prefix list]',
        observed:
          route === undefined
            ? 'no route to the S3 prefix list'
            : 'a route to the S3 prefix list that targets no usable S3 gateway endpoint',
        note: `traffic from ${subnetId} does not use an S3 gateway endpoint (reported by LVS003)`,
      });
    }
  }
  const endpointIds = [...ids].sort();
  const vpcId = vpc?.vpcId ?? '';
  const verdicts = index.memo(
    ['LVS007:verdicts', idsKey([...endpointIds, vpcId])],
    () => new Map<string, Outcome>(),
  );
  return { ok: true, value: { endpointIds, vpcId, evidence, verdicts } };
}

/** SPEC 2.3: Deny, anyone, S3 data actions, every object of the bucket. Conditions are judged separately. */
function isDenyShape(statement: PolicyStatement, partition: string, bucket: string): boolean {
  return (
    statement.effect === 'Deny' &&
    isAnyonePrincipal(statement) &&
    coversAction(statement, 's3:GetObject') &&
    coversAction(statement, 's3:PutObject') &&
    coversAllUnder(statement, `${bucketArn(partition, bucket)}/`)
  );
}

/** The allowed values of `StringNotEquals[IfExists] <key>` clauses (AND-ed clauses: any listed value escapes the Deny). */
function pinnedValues(statement: PolicyStatement, key: string): string[] | undefined {
  const clauses = conditionsOn(statement, key).filter((c) => baseOperator(c.operator) === 'stringnotequals');
  return clauses.length === 0 ? undefined : [...new Set(clauses.flatMap((c) => c.values))];
}

interface PinCandidate {
  statement: PolicyStatement;
  key: 'aws:SourceVpce' | 'aws:SourceVpc';
  values: string[];
  exemptions: string[];
  /** Other AND-ed conditions: the Deny applies only when they also hold, so it is not a pin. */
  limiting: string[];
}

/** A Deny-shaped statement with a StringNotEquals on aws:SourceVpce or aws:SourceVpc, its conditions sorted out. */
function pinCandidate(statement: PolicyStatement, key: PinCandidate['key']): PinCandidate | undefined {
  const values = pinnedValues(statement, key);
  if (values === undefined) return undefined;
  const exemptions: string[] = [];
  const limiting: string[] = [];
  for (const clause of statement.conditions) {
    const isPin =
      clause.key.toLowerCase() === key.toLowerCase() && baseOperator(clause.operator) === 'stringnotequals';
    if (isPin) continue;
    if (isPrincipalExemption(clause)) exemptions.push(describeClause(clause));
    else limiting.push(describeClause(clause));
  }
  return { statement, key, values, exemptions, limiting };
}

const policyField = (statement: PolicyStatement) => `Policy ${statementLabel(statement)}`;

/**
 * The verdict on one bucket's policy for the endpoints that serve a function; it names no function.
 * Its evidence is what follows the chain (reach, endpoints) in a function's result.
 */
function judgeBucket(index: AuditIndex, bucket: Bucket, serving: Serving): Outcome {
  const endpoints = serving.endpointIds.join(', ');
  const arn = bucketArn(index.partition, bucket.name);
  const expected = `Deny Principal * s3:* on ${arn}/* when StringNotEquals aws:SourceVpce ${endpoints}`;
  const base = { bucket: bucket.name, endpoints };

  if (bucket.policy.status === 'error') {
    return unknown({ kind: 'api-error', error: bucket.policy.error });
  }
  if (bucket.policy.status === 'absent') {
    return fail('noBucketPolicy', {
      data: base,
      evidence: [{ resourceArn: arn, field: 'Policy', observed: 'none (NoSuchBucketPolicy)', expected }],
    });
  }
  const parsed = index.policy(bucket.policy.value);
  if (!parsed.ok) {
    return fail('invalidPolicy', {
      data: { ...base, problem: parsed.problem },
      evidence: [{ resourceArn: arn, field: 'Policy', observed: parsed.problem, expected }],
    });
  }

  const statements = parsed.document.statements;
  // The policy's candidate pins depend on the bucket alone: judge them once per bucket.
  const { vpceCandidates, vpcCandidates } = index.memo(['LVS007:candidates', bucket.name], () => {
    const denies = statements.filter((s) => isDenyShape(s, index.partition, bucket.name));
    return {
      vpceCandidates: denies.flatMap((s) => pinCandidate(s, 'aws:SourceVpce') ?? []),
      vpcCandidates: denies.flatMap((s) => pinCandidate(s, 'aws:SourceVpc') ?? []),
    };
  });
  const effective = (c: PinCandidate) => c.limiting.length === 0;
  const step = (c: PinCandidate, note: string): EvidenceStep => ({
    resourceArn: arn,
    field: policyField(c.statement),
    observed: describeStatement(c.statement),
    note,
  });
  const exemptionSteps = (c: PinCandidate): EvidenceStep[] =>
    c.exemptions.map((e) => ({
      resourceArn: arn,
      field: `${policyField(c.statement)} Condition`,
      observed: e,
      note: 'info: exempts these principals from the Deny (allowed by SPEC 2.3); make sure they are break-glass principals',
    }));

  // A Deny pinned elsewhere refuses the function's own requests, whatever else the policy says.
  const lockouts = [
    ...vpceCandidates
      .filter(effective)
      .map((c) => ({ c, missing: serving.endpointIds.filter((id) => !c.values.includes(id)) })),
    ...vpcCandidates
      .filter(effective)
      .map((c) => ({ c, missing: c.values.includes(serving.vpcId) ? [] : serving.endpointIds })),
  ].filter((l) => l.missing.length > 0);
  const lockout = lockouts[0];
  if (lockout !== undefined) {
    const { c, missing } = lockout;
    const pinnedTo = `${c.key === 'aws:SourceVpc' ? 'VPC' : 'endpoint'} ${c.values.join(', ')}`;
    return fail('pinnedToOtherEndpoint', {
      data: {
        ...base,
        pinnedTo,
        serving: endpoints,
        missing: missing.join(', '),
        statement: statementLabel(c.statement),
      },
      // The notes say "the function" rather than its name: the verdict, and so these steps, are
      // shared by every function these endpoints serve (the message names the function).
      evidence: lockouts.map((l) => ({
        resourceArn: arn,
        field: policyField(l.c.statement),
        observed: describeStatement(l.c.statement),
        expected: `${l.c.key === 'aws:SourceVpc' ? 'aws:SourceVpc' : 'aws:SourceVpce'} values including ${l.c.key === 'aws:SourceVpc' ? serving.vpcId : endpoints}`,
        note: `denies requests through ${l.missing.join(', ')}, the endpoint(s) the function uses: it is locked out`,
      })),
    });
  }

  const pin = vpceCandidates.find(effective);
  if (pin !== undefined) {
    return pass('pinned', {
      data: {
        ...base,
        statement: statementLabel(pin.statement),
        exemptions: pin.exemptions.length > 0 ? `; exempted: ${pin.exemptions.join('; ')}` : '',
      },
      evidence: [step(pin, `pinned to ${pin.values.join(', ')}`), ...exemptionSteps(pin)],
    });
  }

  // Deny statements that look like a pin but apply only when some other condition also holds.
  const conditional = [...vpceCandidates, ...vpcCandidates].filter((c) => !effective(c));
  const conditionalSteps = conditional.map((c) =>
    step(
      c,
      `not a pin: the Deny applies only when ${c.limiting.join(' and ')} also holds, so other requests from outside the endpoint are not denied`,
    ),
  );

  const vpcPin = vpcCandidates.find(effective);
  if (vpcPin !== undefined) {
    return fail('pinnedToVpc', {
      data: { ...base, vpc: serving.vpcId, statement: statementLabel(vpcPin.statement) },
      evidence: [
        { ...step(vpcPin, 'aws:SourceVpc admits every endpoint and every path of the VPC'), expected },
        ...exemptionSteps(vpcPin),
        ...conditionalSteps,
      ],
    });
  }

  const allows = statements.filter(
    (s) => s.effect === 'Allow' && conditionsOn(s, 'aws:SourceVpce').length > 0,
  );
  const firstAllow = allows[0];
  if (firstAllow !== undefined) {
    return fail('allowOnly', {
      data: { ...base, statement: statementLabel(firstAllow) },
      evidence: [
        ...allows.map((s) => ({
          resourceArn: arn,
          field: policyField(s),
          observed: describeStatement(s),
          expected,
          note: 'an Allow with aws:SourceVpce adds access; it does not take away the access identity policies grant from anywhere',
        })),
        ...conditionalSteps,
      ],
    });
  }

  const why =
    conditional.length > 0
      ? ` (${conditional.map((c) => statementLabel(c.statement)).join(', ')} also requires ${[...new Set(conditional.flatMap((c) => c.limiting))].join(' and ')})`
      : '';
  return fail('noDeny', {
    data: { ...base, why },
    evidence: [
      ...(conditionalSteps.length > 0
        ? conditionalSteps
        : [
            {
              resourceArn: arn,
              field: 'Policy',
              observed: `${statements.length} statement(s), none a Deny on aws:SourceVpce for this bucket's objects`,
              expected,
            },
          ]),
    ],
  });
}

export default defineCheck({
  meta: {
    id: 'LVS007',
    name: 'bucket-policy-pinned-to-endpoint',
    severity: 'high',
    title: "Bucket policy denies every request that does not come through the function's VPC endpoint",
    description:
      'For every S3 bucket the function reaches, the bucket policy has a Deny for Principal "*" on the bucket\'s objects with a StringNotEquals (or StringNotEqualsIfExists) condition on aws:SourceVpce that lists the gateway endpoint on the function\'s route tables. Extra conditions may only exempt principals (for example a break-glass role).',
    rationale:
      'Identity policies grant S3 access from anywhere: a leaked key or a misused role can read or write the bucket over the internet. Only a Deny in the bucket policy keyed on the endpoint ID makes the private path the only path. An Allow with aws:SourceVpce restricts nothing, and aws:SourceVpc admits every endpoint of the VPC.',
    remediation:
      'Add a Deny on s3:* for Principal "*" to the bucket policy with StringNotEquals aws:SourceVpce = the endpoint ID.',
    remediationDetails: [
      'Add this statement to the bucket policy (merge it with the existing statements; keep a break-glass exemption so that administrators are not locked out):',
      '',
      '```json',
      '{',
      '  "Sid": "DenyUnlessThroughEndpoint",',
      '  "Effect": "Deny",',
      '  "Principal": "*",',
      '  "Action": "s3:*",',
      '  "Resource": ["arn:aws:s3:::BUCKET", "arn:aws:s3:::BUCKET/*"],',
      '  "Condition": {',
      '    "StringNotEquals": { "aws:SourceVpce": "vpce-0123456789abcdef0" },',
      '    "ArnNotLike": { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/break-glass" }',
      '  }',
      '}',
      '```',
      '',
      '```sh',
      'aws s3api get-bucket-policy --bucket BUCKET --query Policy --output text > policy.json',
      '# add the statement above to policy.json, then:',
      'aws s3api put-bucket-policy --bucket BUCKET --policy file://policy.json',
      '```',
      '',
      'CloudFormation: add the statement to the `PolicyDocument` of the `AWS::S3::BucketPolicy`, with `aws:SourceVpce: !Ref S3GatewayEndpoint`.',
      '',
      '`lvs fix` plans this change after the endpoint and its routes, and warns about principals the Deny would cut off.',
    ].join('\n'),
    resourceType: 'bucket',
    references: [
      {
        title: 'Controlling access from VPC endpoints with bucket policies',
        url: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies-vpc-endpoint.html',
      },
      {
        title: 'Gateway endpoints for Amazon S3',
        url: 'https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html',
      },
      {
        title: 'AWS global condition context keys (aws:SourceVpce)',
        url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourcevpce',
      },
    ],
    securityHubControls: [],
    tags: ['data-protection', 's3', 'vpc-endpoint', 'permissions'],
    reasons: {
      ...BUCKET_SCOPE_REASONS,
      notInVpc: {
        status: 'not-applicable',
        message: '{{function}} is not attached to a VPC, so no endpoint can serve it (see LVS001).',
      },
      noServingEndpoint: {
        status: 'not-applicable',
        message:
          'No S3 gateway endpoint serves the subnets of {{function}}, so there is no endpoint ID to pin to (see LVS003).',
      },
      pinned: {
        status: 'pass',
        message:
          'The policy of bucket {{bucket}} denies every request that does not come through {{endpoints}} ({{statement}}){{exemptions}}.',
      },
      noBucketPolicy: {
        status: 'fail',
        message:
          'Bucket {{bucket}} has no bucket policy (NoSuchBucketPolicy): any principal with an identity policy can reach it from anywhere, not only through {{endpoints}}.',
      },
      noDeny: {
        status: 'fail',
        message:
          'The policy of bucket {{bucket}} has no unconditional Deny pinned to {{endpoints}}: requests from outside the endpoint are not refused{{why}}.',
      },
      pinnedToOtherEndpoint: {
        status: 'fail',
        message:
          'The policy of bucket {{bucket}} only admits requests through {{pinnedTo}} ({{statement}}), but {{function}} reaches S3 through {{serving}}: its requests through {{missing}} are denied, so it is locked out of the bucket.',
      },
      allowOnly: {
        status: 'fail',
        message:
          'The policy of bucket {{bucket}} only Allows requests with aws:SourceVpce ({{statement}}): an Allow does not restrict anything, identity policies still grant access from anywhere. Use a Deny with StringNotEquals on {{endpoints}}.',
      },
      pinnedToVpc: {
        status: 'fail',
        severity: 'low',
        message:
          'The policy of bucket {{bucket}} is pinned with aws:SourceVpc = {{vpc}} ({{statement}}) rather than the endpoint ID: any endpoint or path in that VPC is admitted. Pin aws:SourceVpce to {{endpoints}}.',
      },
      invalidPolicy: {
        status: 'fail',
        message:
          'The policy of bucket {{bucket}} is not a valid policy document ({{problem}}): it cannot be shown to pin access to {{endpoints}}.',
      },
    },
  },
  evaluate(entry, index) {
    const { fn } = entry;
    if (fn.vpcConfig === null || fn.vpcConfig.subnetIds.length === 0) {
      return [
        notApplicable('notInVpc', {
          evidence: [
            {
              resourceArn: fn.functionArn,
              field: 'VpcConfig.SubnetIds',
              observed: fn.vpcConfig === null ? 'absent' : 'empty',
            },
          ],
        }),
      ];
    }
    // The endpoints depend on the region, the VPC and the subnets: a function with a complete
    // VpcConfig finds them in the memo of its subnets (found once per function for all the network rules).
    const { vpcId, subnetIds } = fn.vpcConfig;
    const vpc = functionVpc(entry, index);
    const served =
      vpc !== undefined && vpc.attachment.subnetIds.length === subnetIds.length
        ? vpc.bySubnets.get(['LVS007:serving', vpcId], () => servingEndpoints(entry, index))
        : index.memo(['LVS007:serving', entry.region.region, vpcId, ...subnetIds], () =>
            servingEndpoints(entry, index),
          );
    if (!served.ok) return [unknown(served.problem)];
    const serving = served.value;
    if (serving.endpointIds.length === 0)
      return [notApplicable('noServingEndpoint', { evidence: serving.evidence })];
    const endpointEvidence = serving.evidence;

    return forEachReachedBucket(entry, index, (bucket: Bucket, reached, reachEvidence): Outcome => {
      // The verdict depends on the bucket and the serving endpoints (and VPC), not on the function.
      let verdict = serving.verdicts.get(bucket.name);
      if (verdict === undefined) {
        verdict = judgeBucket(index, bucket, serving);
        serving.verdicts.set(bucket.name, verdict);
      }
      return withEvidence(verdict, reachEvidence.concat(endpointEvidence, verdict.evidence));
    });
  },
});
