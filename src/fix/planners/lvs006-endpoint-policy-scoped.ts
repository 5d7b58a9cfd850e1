import { bucketArn, vpcEndpointArn } from '../../snapshot/arn.js';
import type { AuditIndex, FunctionEntry } from '../../snapshot/derive.js';
import type { Risk, Step } from '../plan-model.js';
import {
  compactJson,
  mergeStatements,
  newPolicy,
  prettyJson,
  prettyText,
  readPolicy,
  type JsonObject,
  type PolicyJson,
} from '../policy-merge.js';
import {
  entryOf,
  groupBy,
  idOfArn,
  listText,
  makeStep,
  stepsOf,
  uniqueSorted,
  type Finding,
  type PlanContext,
  type Planner,
} from '../lib/context.js';
import { servingOf } from '../lib/network.js';

/**
 * LVS006: one step per endpoint. The endpoint policy keeps every statement it has (SPEC 6: never
 * drop a statement) and gains two Deny statements: S3 requests to buckets of other accounts
 * (aws:ResourceAccount, which the rule accepts as scoping the whole policy) and requests to any bucket
 * but those the functions behind the endpoint reach. A new endpoint (LVS003) gets an Allow scoped the
 * same way instead. A document that cannot be parsed is replaced, with a risk saying so.
 */

/** The policy AWS applies to an endpoint created without one. */
export const AWS_DEFAULT_ENDPOINT_POLICY =
  '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}';

interface BucketScope {
  /** Buckets of the audited account that the functions reach by name. */
  own: string[];
  /** Buckets of other accounts that they reach by name. */
  foreign: string[];
  /** Some function's bucket set is unbounded or unreadable: buckets cannot be listed. */
  unbounded: string[];
}

function scopeOf(index: AuditIndex, entries: readonly FunctionEntry[]): BucketScope {
  const own = new Set<string>();
  const foreign = new Set<string>();
  const unbounded = new Set<string>();
  for (const entry of entries) {
    const reach = index.bucketsReached(entry);
    if (reach.unbounded !== undefined || reach.problems.length > 0) unbounded.add(entry.fn.functionName);
    for (const bucket of reach.buckets) {
      const known = index.bucket(bucket.name);
      if (known !== undefined && !known.ownedByAccount) foreign.add(bucket.name);
      else own.add(bucket.name);
    }
  }
  return { own: uniqueSorted(own), foreign: uniqueSorted(foreign), unbounded: uniqueSorted(unbounded) };
}

const bucketResources = (partition: string, names: readonly string[]) =>
  names.flatMap((n) => [bucketArn(partition, n), `${bucketArn(partition, n)}/*`]);

export const DENY_OTHER_ACCOUNTS_SID = 'LvsDenyOtherAccountsBuckets';
export const DENY_UNLISTED_SID = 'LvsDenyUnlistedBuckets';

function scopingStatements(
  index: AuditIndex,
  scope: BucketScope,
): { statements: JsonObject[]; notes: string[] } {
  const statements: JsonObject[] = [
    {
      Sid: DENY_OTHER_ACCOUNTS_SID,
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:ResourceAccount': index.accountId } },
    },
  ];
  const notes: string[] = [];
  if (scope.unbounded.length > 0) {
    notes.push(
      `The buckets cannot be listed (${listText(scope.unbounded)} may use any bucket), so the policy is limited to the account's own buckets only.`,
    );
  } else if (scope.own.length + scope.foreign.length === 0) {
    notes.push(
      'No function behind the endpoint names a bucket, so the policy is limited to the account only.',
    );
  } else {
    statements.push({
      Sid: DENY_UNLISTED_SID,
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      NotResource: bucketResources(index.partition, [...scope.own, ...scope.foreign]),
    });
    notes.push(
      `Buckets the functions behind the endpoint reach: ${listText([...scope.own, ...scope.foreign])}.`,
    );
  }
  return { statements, notes };
}

/** The policy of a new S3 gateway endpoint in `vpcId`: Allow S3 on the buckets its VPC's functions reach, in this account. */
export function newEndpointPolicy(
  index: AuditIndex,
  region: string,
  vpcId: string,
): { document: PolicyJson; notes: string[] } {
  const entries = index.functions.filter(
    (e) => e.region.region === region && e.fn.vpcConfig?.vpcId === vpcId,
  );
  const scope = scopeOf(index, entries);
  const bounded = scope.unbounded.length === 0 && scope.own.length > 0;
  const statements: JsonObject[] = [
    {
      Sid: 'LvsAllowOwnAccountBuckets',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:*',
      Resource: bounded ? bucketResources(index.partition, scope.own) : '*',
      Condition: { StringEquals: { 'aws:ResourceAccount': index.accountId } },
    },
  ];
  if (scope.foreign.length > 0) {
    statements.push({
      Sid: 'LvsAllowNamedOtherAccountBuckets',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:*',
      Resource: bucketResources(index.partition, scope.foreign),
    });
  }
  const notes = bounded
    ? [`The new endpoint allows S3 only on ${listText(scope.own)}, in account ${index.accountId}.`]
    : [`The new endpoint allows S3 on the buckets of account ${index.accountId} only.`];
  return { document: newPolicy(statements), notes };
}

function planEndpoint(resourceArn: string, findings: readonly Finding[], ctx: PlanContext): Step[] {
  const first = findings[0];
  const entry = first && entryOf(ctx.future, first.functionArn);
  if (first === undefined || entry === undefined) return [];
  const region = entry.region;
  const endpointId = idOfArn(resourceArn);
  const found = region.vpcEndpoint(endpointId);
  if (!found.ok) return [];
  const endpoint = found.value;
  const served = ctx.future.functions.filter(
    (e) => e.region.region === region.region && servingOf(e).endpointIds.includes(endpointId),
  );
  const scope = scopeOf(ctx.future, served);
  const { statements, notes } = scopingStatements(ctx.future, scope);
  const current = endpoint.policyDocument ?? AWS_DEFAULT_ENDPOINT_POLICY;
  const read = readPolicy(current);
  const risks: Risk[] = [
    {
      kind: 'connectivity',
      detail: `The endpoint serves every workload in the subnets of ${listText(endpoint.routeTableIds)}, not only the functions of this account's snapshot: requests through it to other buckets are refused from now on, including AWS-owned buckets that instances and services fetch from (Amazon Linux and other package repositories, ECR image layers, SSM and CloudFormation artifacts). Add those buckets to the policy if such workloads share the subnets.`,
      resources: served.map((e) => e.fn.functionArn),
    },
  ];
  if (scope.foreign.length > 0) {
    risks.push({
      kind: 'lockout',
      detail: `Functions reach buckets of other accounts (${listText(scope.foreign)}): the aws:ResourceAccount Deny refuses those requests. Allow them explicitly (aws:ResourceAccount values) if they are needed.`,
      resources: scope.foreign.map((n) => bucketArn(ctx.future.partition, n)),
    });
  }
  let after: PolicyJson;
  if (read.ok) {
    const merged = mergeStatements(read.policy, statements);
    if (!merged.changed) return [];
    after = merged.policy;
    notes.push('Every existing statement of the policy is kept; the Deny statements confine them.');
  } else {
    after = newPolicy([
      {
        Sid: 'LvsAllowOwnAccountBuckets',
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceAccount': ctx.future.accountId } },
      },
      ...statements.slice(1),
    ]);
    risks.push({
      kind: 'replaces-document',
      detail: `The current policy is ${read.problem}, so it cannot be merged: it is replaced as a whole (lvs fix --apply backs it up first).`,
    });
  }
  const dependsOn = stepsOf(ctx.steps, 'LVS003', (s) =>
    s.api.some((c) => c.operation === 'ModifyVpcEndpoint' && c.params.VpcEndpointId === endpointId),
  ).map((s) => s.id);
  return [
    makeStep({
      id: `LVS006:${vpcEndpointArn(region.scope, endpointId)}`,
      kind: 'automated',
      title: `Scope the policy of S3 gateway endpoint ${endpointId} to ${scope.unbounded.length === 0 && scope.own.length > 0 ? 'the buckets its functions use' : `account ${ctx.future.accountId}`}`,
      service: 'ec2',
      region: region.region,
      resourceArn: vpcEndpointArn(region.scope, endpointId),
      findings,
      api: [
        {
          service: 'ec2',
          operation: 'ModifyVpcEndpoint',
          region: region.region,
          params: { VpcEndpointId: endpointId, PolicyDocument: compactJson(after) },
          purpose: `set the policy of ${endpointId} to the merged document`,
        },
      ],
      documents: [
        {
          resourceArn: vpcEndpointArn(region.scope, endpointId),
          label:
            endpoint.policyDocument === null
              ? 'endpoint policy (AWS default, no document)'
              : 'endpoint policy',
          before: prettyText(current),
          after: prettyJson(after),
        },
      ],
      preconditions: [
        `the policy of ${endpointId} is still the one shown as "before" (re-read it right before applying)`,
      ],
      risks,
      dependsOn,
      notes,
    }),
  ];
}

export const planner: Planner = {
  ruleId: 'LVS006',
  plan(findings, ctx) {
    return groupBy(findings, (f) => f.resourceArn).flatMap(([arn, group]) => planEndpoint(arn, group, ctx));
  },
};
