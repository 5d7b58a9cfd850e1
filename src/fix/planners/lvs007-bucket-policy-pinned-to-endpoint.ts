import { bucketArn, securityGroupArn, vpcArn } from '../../snapshot/arn.js';
import type { FunctionEntry } from '../../snapshot/derive.js';
import type { Risk, Step } from '../plan-model.js';
import {
  compactJson,
  mergeStatements,
  prettyJson,
  prettyText,
  readPolicy,
  type JsonObject,
  type PolicyJson,
} from '../policy-merge.js';
import {
  bucketNameOf,
  groupBy,
  listText,
  makeStep,
  stepsOf,
  uniqueSorted,
  type Finding,
  type PlanContext,
  type Planner,
} from '../lib/context.js';
import { servingOf } from '../lib/network.js';
import { functionsReaching, rolesReaching } from '../lib/reach.js';

/**
 * LVS007: one step per bucket. The bucket policy keeps every statement and gains one Deny: any
 * request to the bucket's objects that does not come through an endpoint serving a function that
 * reaches the bucket (SPEC 2.3). The endpoints are those of the account as it will be after this
 * plan's network steps, so the pin follows the routes it depends on.
 *
 * Without a break-glass principal the Deny covers the objects only (arn:…:bucket/*): bucket-level
 * actions, among them reading and writing the bucket policy, stay possible from outside the VPC, so
 * the principal running the fix cannot lock itself out of repairing the policy. With break-glass
 * principals it covers the bucket too and exempts them (ArnNotLike aws:PrincipalArn).
 */

export const PIN_SID = 'LvsDenyUnlessThroughVpce';

export function pinStatement(
  partition: string,
  bucket: string,
  endpointIds: readonly string[],
  breakGlass: readonly string[],
): JsonObject {
  const arn = bucketArn(partition, bucket);
  const one = (values: readonly string[]) => (values.length === 1 ? values[0] : [...values]);
  const condition: JsonObject = { StringNotEquals: { 'aws:SourceVpce': one(endpointIds) } };
  if (breakGlass.length > 0) condition.ArnNotLike = { 'aws:PrincipalArn': one(breakGlass) };
  return {
    Sid: PIN_SID,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: breakGlass.length > 0 ? [arn, `${arn}/*`] : `${arn}/*`,
    Condition: condition,
  };
}

interface Pinning {
  /** Endpoint ID (or placeholder of a planned endpoint) -> its region and the functions it serves. */
  endpoints: Map<string, { region: string; functions: FunctionEntry[] }>;
  /** Functions that name the bucket but whose subnets (some or all) no endpoint serves. */
  unserved: FunctionEntry[];
}

function pinningOf(ctx: PlanContext, bucket: string): Pinning {
  const endpoints = new Map<string, { region: string; functions: FunctionEntry[] }>();
  const unserved: FunctionEntry[] = [];
  const reaching = functionsReaching(ctx.future, bucket);
  const idOf = (id: string) => ctx.planned.get(id) ?? id;
  for (const { entry, reach } of reaching) {
    if (reach !== 'named') continue;
    const serving = servingOf(entry);
    for (const id of serving.endpointIds.map(idOf)) {
      const known = endpoints.get(id) ?? { region: entry.region.region, functions: [] };
      known.functions.push(entry);
      endpoints.set(id, known);
    }
    if (serving.unservedSubnets.length > 0) unserved.push(entry);
  }
  return { endpoints, unserved };
}

/** Roles of the snapshot, other than those of served functions, that the Deny would cut off. */
function roleRisks(ctx: PlanContext, bucket: string, pinning: Pinning): Risk[] {
  const pinned = new Set(pinning.endpoints.keys());
  const idOf = (id: string) => ctx.planned.get(id) ?? id;
  const cut: string[] = [];
  const maybe: string[] = [];
  const details: string[] = [];
  for (const { roleArn, reach } of rolesReaching(ctx.future, bucket)) {
    const users = ctx.future.functions.filter((e) => e.fn.role === roleArn);
    const outside = users.filter((e) => {
      const s = servingOf(e);
      return (
        s.endpointIds.length === 0 ||
        s.unservedSubnets.length > 0 ||
        !s.endpointIds.every((id) => pinned.has(idOf(id)))
      );
    });
    if (users.length > 0 && outside.length === 0) continue;
    (reach === 'named' ? cut : maybe).push(roleArn);
    details.push(
      users.length === 0
        ? `${roleArn} (${reach === 'named' ? 'names the bucket' : 'S3 access to every bucket'}; no audited function uses it, so its callers are unknown)`
        : `${roleArn} (${reach === 'named' ? 'names the bucket' : 'S3 access to every bucket'}; used by ${listText(outside.map((e) => `${e.fn.functionName}${e.fn.vpcConfig === null ? ' (not in a VPC)' : ''}`))}, not behind the pinned endpoints)`,
    );
  }
  const risks: Risk[] = [];
  if (cut.length > 0) {
    risks.push({
      kind: 'lockout',
      detail: `Roles whose policies name ${bucket} lose access to its objects from outside ${listText([...pinned])}: ${details.filter((d) => cut.some((c) => d.startsWith(c))).join('; ')}.`,
      principals: cut,
    });
  }
  if (maybe.length > 0) {
    risks.push({
      kind: 'possible-lockout',
      detail: `Roles allowed S3 data actions on every bucket may use ${bucket} from outside the pinned endpoints and would be refused: ${details.filter((d) => maybe.some((m) => d.startsWith(m))).join('; ')}.`,
      principals: maybe,
    });
  }
  return risks;
}

/**
 * Functions whose environment Lambda could not decrypt (environmentError) may name the bucket there
 * (SPEC 2.2 b) without lvs knowing. Those that do not already reach it through their role and are not
 * behind the pinned endpoints would be refused: a possible lockout.
 */
function unreadableEnvironmentRisks(ctx: PlanContext, bucket: string, pinning: Pinning): Risk[] {
  const pinned = new Set(pinning.endpoints.keys());
  const idOf = (id: string) => ctx.planned.get(id) ?? id;
  const known = new Set(functionsReaching(ctx.future, bucket).map((r) => r.entry.fn.functionArn));
  const outside = ctx.future.functions.filter((e) => {
    if (e.fn.environmentError === null || known.has(e.fn.functionArn)) return false;
    const s = servingOf(e);
    return (
      s.endpointIds.length === 0 ||
      s.unservedSubnets.length > 0 ||
      !s.endpointIds.every((id) => pinned.has(idOf(id)))
    );
  });
  if (outside.length === 0) return [];
  return [
    {
      kind: 'possible-lockout',
      detail: `Lambda could not decrypt the environment of ${listText(outside.map((e) => `${e.fn.functionName} (${e.fn.environmentError?.errorCode ?? ''})`))}, so lvs cannot tell whether it names ${bucket}; ${outside.length === 1 ? 'it is' : 'they are'} not behind ${listText([...pinned])} and would be refused the bucket's objects.`,
      resources: outside.map((e) => e.fn.functionArn),
      principals: uniqueSorted(outside.map((e) => e.fn.role)),
    },
  ];
}

/** Deny statements pinned to aws:SourceVpce values, adapted to also admit `endpointIds` (for manual templates). */
function widenedPins(policy: PolicyJson, endpointIds: readonly string[]): JsonObject[] {
  const out: JsonObject[] = [];
  for (const statement of policy.Statement) {
    if (
      statement.Effect !== 'Deny' ||
      typeof statement.Condition !== 'object' ||
      statement.Condition === null
    )
      continue;
    const condition = statement.Condition as Record<string, Record<string, unknown>>;
    let changed = false;
    const adapted: Record<string, Record<string, unknown>> = {};
    for (const [operator, byKey] of Object.entries(condition)) {
      adapted[operator] = { ...byKey };
      if (!/^StringNotEquals(IfExists)?$/i.test(operator)) continue;
      for (const [key, value] of Object.entries(byKey)) {
        if (key.toLowerCase() !== 'aws:sourcevpce') continue;
        const values = (Array.isArray(value) ? value : [value]).map(String);
        const union = uniqueSorted([...values, ...endpointIds]);
        if (union.length !== values.length) changed = true;
        adapted[operator][key] = union;
      }
    }
    if (changed) out.push({ ...statement, Condition: adapted });
  }
  return out;
}

function planBucket(arn: string, findings: Finding[], ctx: PlanContext): Step[] {
  const name = bucketNameOf(arn);
  const bucket = ctx.future.bucket(name);
  if (bucket === undefined || !bucket.ownedByAccount) return [];
  const pinning = pinningOf(ctx, name);
  const endpointIds = [...pinning.endpoints.keys()].sort();
  if (endpointIds.length === 0) return [];
  const partition = ctx.future.partition;
  const bucketRegion = bucket.region.status === 'ok' ? bucket.region.value : undefined;
  const statement = pinStatement(partition, name, endpointIds, ctx.breakGlassPrincipalArns);
  const base = {
    id: `LVS007:${bucketArn(partition, name)}`,
    service: 's3' as const,
    region: bucketRegion ?? [...pinning.endpoints.values()][0]?.region ?? null,
    resourceArn: bucketArn(partition, name),
    findings,
  };

  // What must come first: the routes to the endpoints, and the security groups' path to S3.
  const reachers = [...pinning.endpoints.values()].flatMap((e) => e.functions);
  const vpcSteps = new Set(
    reachers.flatMap((e) =>
      e.fn.vpcConfig ? [`LVS003:${vpcArn(e.region.scope, e.fn.vpcConfig.vpcId)}`] : [],
    ),
  );
  const groupSteps = new Set(
    reachers.flatMap((e) =>
      (e.fn.vpcConfig?.securityGroupIds ?? []).map((g) => `LVS005:${securityGroupArn(e.region.scope, g)}`),
    ),
  );
  const dependsOn = [
    ...stepsOf(ctx.steps, 'LVS003', (s) => vpcSteps.has(s.id)),
    ...stepsOf(ctx.steps, 'LVS005', (s) => groupSteps.has(s.id)),
  ].map((s) => s.id);

  const crossRegion = [...pinning.endpoints.entries()].filter(
    ([, e]) => bucketRegion !== undefined && e.region !== bucketRegion,
  );
  const reasons = new Set(findings.map((f) => f.reasonId));
  const current = bucket.policy.status === 'ok' ? bucket.policy.value : undefined;
  const read = current === undefined ? undefined : readPolicy(current);
  const manualTemplate = (intro: string[], statements: JsonObject[]) =>
    [
      ...intro.map((l) => `# ${l}`),
      `aws s3api get-bucket-policy --bucket ${name} --query Policy --output text > ${name}-policy.json`,
      `# Merge into ${name}-policy.json (keep every other statement):`,
      ...statements.flatMap((s) => prettyJson(s).split('\n')),
      `aws s3api put-bucket-policy --bucket ${name} --policy file://${name}-policy.json`,
    ].join('\n');

  if (crossRegion.length > 0) {
    const names = crossRegion.map(
      ([id, e]) => `${id} (${e.region}, serving ${listText(e.functions.map((f) => f.fn.functionName))})`,
    );
    return [
      makeStep({
        ...base,
        kind: 'manual',
        title: `Decide how to pin bucket ${name} (${bucketRegion ?? 'unknown region'}): endpoints of other regions cannot serve it`,
        dependsOn,
        risks: [
          {
            kind: 'cross-region',
            detail: `A gateway endpoint only carries requests to buckets of its own region. ${name} is in ${bucketRegion ?? '?'}, so ${listText(names)} cannot serve it: pinning the bucket to ${crossRegion.length === 1 ? 'that endpoint' : 'those endpoints'} would lock those functions out, and their requests to it leave through another path.`,
            resources: crossRegion.flatMap(([, e]) => e.functions.map((f) => f.fn.functionArn)),
          },
        ],
        template: manualTemplate(
          [
            `Bucket ${name} is in ${bucketRegion ?? '?'}; ${listText(names)} cannot serve it.`,
            "Choose one: move or replicate the data to a bucket in the functions' region; or reach it through an",
            `S3 interface endpoint in ${bucketRegion ?? 'its region'} (over peering or Transit Gateway) and pin to that endpoint's ID;`,
            'then merge a Deny like this one with the endpoint IDs that really carry the traffic:',
          ],
          [
            pinStatement(
              partition,
              name,
              endpointIds
                .filter((id) => pinning.endpoints.get(id)?.region === bucketRegion)
                .concat(crossRegion.length === endpointIds.length ? ['vpce-ENDPOINT_IN_BUCKET_REGION'] : []),
              ctx.breakGlassPrincipalArns,
            ),
          ],
        ),
        notes: [
          'The pin is not automated: it would deny the functions served by endpoints of other regions.',
        ],
      }),
    ];
  }

  if (read !== undefined && !read.ok) {
    return [
      makeStep({
        ...base,
        kind: 'manual',
        title: `Repair the policy of bucket ${name} and pin it to ${listText(endpointIds)}`,
        dependsOn,
        template: manualTemplate(
          [
            `The policy of ${name} is ${read.problem}: it cannot be merged automatically.`,
            'Repair it, then add:',
          ],
          [statement],
        ),
        notes: ['A policy lvs cannot parse is never overwritten: its statements would be lost.'],
      }),
    ];
  }
  if (reasons.has('pinnedToOtherEndpoint') && read?.ok === true) {
    const widened = widenedPins(read.policy, endpointIds);
    return [
      makeStep({
        ...base,
        kind: 'manual',
        title: `Decide whether bucket ${name} should admit ${listText(endpointIds)} besides the endpoints it is pinned to`,
        dependsOn,
        template: manualTemplate(
          [
            `The policy of ${name} already denies requests that do not come through other endpoints, so the functions`,
            `served by ${listText(endpointIds)} are locked out. Adding a second Deny would lock everyone out;`,
            'changing the existing statement is a decision about who else uses those endpoints. If both paths are legitimate,',
            'replace the existing statement(s) by:',
          ],
          widened.length > 0 ? widened : [statement],
        ),
        notes: [
          'lvs never alters an existing statement: the change of the pinned endpoint IDs is left to a person.',
        ],
      }),
    ];
  }

  const merged = mergeStatements(read?.ok === true ? read.policy : undefined, [statement]);
  if (!merged.changed) {
    // The pin is there, yet the rule fails: something else in the policy decides; a person must look.
    return [
      makeStep({
        ...base,
        kind: 'manual',
        title: `Review the policy of bucket ${name}: it holds the pin to ${listText(endpointIds)} but still fails`,
        dependsOn,
        template: manualTemplate(
          [`The policy of ${name} already holds this statement; the failing results say what else is wrong.`],
          [statement],
        ),
      }),
    ];
  }
  const risks: Risk[] = [];
  if (pinning.unserved.length > 0) {
    risks.push({
      kind: 'lockout',
      detail: `${listText(pinning.unserved.map((e) => e.fn.functionName))} name${pinning.unserved.length === 1 ? 's' : ''} the bucket but ${pinning.unserved.length === 1 ? 'has' : 'have'} subnets without a route to ${listText(endpointIds)}: their requests from those subnets are denied.`,
      resources: pinning.unserved.map((e) => e.fn.functionArn),
      principals: uniqueSorted(pinning.unserved.map((e) => e.fn.role)),
    });
  }
  risks.push(...roleRisks(ctx, name, pinning));
  risks.push(...unreadableEnvironmentRisks(ctx, name, pinning));
  risks.push({
    kind: 'fixer-lockout',
    detail:
      ctx.breakGlassPrincipalArns.length > 0
        ? `Every principal except ${listText([...ctx.breakGlassPrincipalArns])} is refused the bucket from outside ${listText(endpointIds)}, including the principal running lvs fix and administrators using the console or CLI.`
        : `The principal running lvs fix, administrators, CI pipelines and AWS services acting with their own credentials lose access to the bucket's objects from outside ${listText(endpointIds)}. Bucket-level actions (the bucket policy itself) stay possible; pass --break-glass-arn to exempt a principal and cover the bucket too.`,
    principals: ['the principal running lvs fix --apply'],
  });
  return [
    makeStep({
      ...base,
      kind: 'automated',
      title: `Pin bucket ${name} to ${listText(endpointIds)} (Deny requests from anywhere else)`,
      api: [
        {
          service: 's3',
          operation: 'PutBucketPolicy',
          region: base.region,
          params: { Bucket: name, Policy: compactJson(merged.policy) },
          purpose: `write the policy of ${name} with the Deny ${typeof merged.added[0]?.Sid === 'string' ? merged.added[0].Sid : PIN_SID} merged in`,
        },
      ],
      documents: [
        {
          resourceArn: bucketArn(partition, name),
          label: 'bucket policy',
          before: current === undefined ? null : prettyText(current),
          after: prettyJson(merged.policy),
        },
      ],
      preconditions: [
        `the policy of ${name} is still the one shown as "before" (re-read it right before applying)`,
        `${listText(endpointIds)} ${endpointIds.length === 1 ? 'is' : 'are'} available and on the route tables of every subnet of ${listText(uniqueSorted(reachers.map((e) => e.fn.functionName)))}`,
        ...(bucketRegion === undefined
          ? [`${name} is in the region of ${listText(endpointIds)} (its region could not be read)`]
          : []),
      ],
      risks,
      dependsOn,
      notes: [
        `Endpoints serving a function that reaches ${name}: ${[...pinning.endpoints.entries()].map(([id, e]) => `${id} (${listText(uniqueSorted(e.functions.map((f) => f.fn.functionName)))})`).join('; ')}.`,
        ...(ctx.breakGlassPrincipalArns.length === 0
          ? [
              'The Deny covers the objects only, so the bucket policy remains manageable from outside the VPC.',
            ]
          : []),
      ],
    }),
  ];
}

export const planner: Planner = {
  ruleId: 'LVS007',
  plan(findings, ctx) {
    return groupBy(findings, (f) => f.resourceArn).flatMap(([arn, group]) => planBucket(arn, group, ctx));
  },
};
