import { routeTableArn, s3ServiceName, vpcArn, vpcEndpointArn } from '../../snapshot/arn.js';
import type { RegionIndex } from '../../snapshot/derive.js';
import type { RouteTable, VpcEndpoint } from '../../snapshot/schema.js';
import { placeholder, type ApiCall, type Risk, type Step } from '../plan-model.js';
import { compactJson, prettyJson } from '../policy-merge.js';
import {
  compare,
  entryOf,
  groupBy,
  listText,
  makeStep,
  uniqueSorted,
  type Finding,
  type PlanContext,
  type Planner,
} from '../lib/context.js';
import { isUsableS3Endpoint, subnetsOf, subnetsUsingTable } from '../lib/network.js';
import { newEndpointPolicy } from './lvs006-endpoint-policy-scoped.js';

/**
 * LVS003: one step per VPC. Every effective route table of the failing functions' subnets that has
 * no usable S3 gateway route is associated with the VPC's available S3 gateway endpoint (the one that
 * already serves most of these functions), or with a new one created with a scoped policy when the
 * VPC has none. A table whose S3 prefix-list route points elsewhere (a pending or deleted endpoint, a
 * blackhole) is first detached from that target, since a table holds one route per destination.
 */

/** The variable that holds the ID of the endpoint a step creates in `vpcId`. */
export const newEndpointVariable = (vpcId: string) => `new-vpce-${vpcId}`;

interface Repair {
  table: RouteTable;
  /** Calls that clear the table's current S3 prefix-list route, if any. */
  clear: ApiCall[];
  why: string;
}

function repairOf(region: RegionIndex, table: RouteTable, prefixListId: string): Repair | undefined {
  const target = region.s3RouteTarget(table);
  if (!target.ok || target.value.usable) return undefined;
  const clear: ApiCall[] = [];
  const reasons: string[] = [];
  const { route, endpoint, blackholeRoutes } = target.value;
  if (route === undefined) {
    // A table holds one route per destination: a blackhole route to the prefix list blocks the new one.
    if (blackholeRoutes.length > 0) {
      clear.push({
        service: 'ec2',
        operation: 'DeleteRoute',
        region: region.region,
        params: { RouteTableId: table.routeTableId, DestinationPrefixListId: prefixListId },
        purpose: `remove the blackhole route to ${prefixListId} (its endpoint no longer exists) from ${table.routeTableId}`,
      });
      reasons.push(`a blackhole route to ${prefixListId}`);
    } else reasons.push(`no route to ${prefixListId}`);
  } else if (endpoint !== undefined && endpoint.vpcEndpointType === 'Gateway') {
    clear.push({
      service: 'ec2',
      operation: 'ModifyVpcEndpoint',
      region: region.region,
      params: { VpcEndpointId: endpoint.vpcEndpointId, RemoveRouteTableIds: [table.routeTableId] },
      purpose: `detach ${table.routeTableId} from ${endpoint.vpcEndpointId} (${endpoint.serviceName}, ${endpoint.state}), which cannot serve it`,
    });
    reasons.push(`its route to ${prefixListId} targets ${endpoint.vpcEndpointId} (${endpoint.state})`);
  } else {
    const to =
      route.gatewayId ??
      route.vpcEndpointId ??
      route.natGatewayId ??
      route.transitGatewayId ??
      'another target';
    clear.push({
      service: 'ec2',
      operation: 'DeleteRoute',
      region: region.region,
      params: { RouteTableId: table.routeTableId, DestinationPrefixListId: prefixListId },
      purpose: `remove the route ${prefixListId} -> ${to}, which is not a usable S3 gateway endpoint`,
    });
    reasons.push(`its route to ${prefixListId} targets ${to}`);
  }
  return { table, clear, why: reasons.join('; ') };
}

/** The endpoint to associate: the usable one already on most of these functions' tables, then the lowest ID. */
function chooseEndpoint(
  region: RegionIndex,
  vpcId: string,
  tablesInUse: RouteTable[],
): VpcEndpoint | undefined {
  if (!region.vpcEndpoints.ok) return undefined;
  const usable = [...region.vpcEndpoints.value.values()].filter(
    (e) => e.vpcId === vpcId && isUsableS3Endpoint(region, e),
  );
  const score = (e: VpcEndpoint) =>
    tablesInUse.filter((t) => e.routeTableIds.includes(t.routeTableId)).length;
  return usable.sort((a, b) => score(b) - score(a) || compare(a.vpcEndpointId, b.vpcEndpointId))[0];
}

function planVpc(findings: Finding[], ctx: PlanContext): Step | undefined {
  const first = findings[0];
  if (first === undefined) return undefined;
  const entry = entryOf(ctx.index, first.functionArn);
  const vpcId = entry?.fn.vpcConfig?.vpcId;
  if (entry === undefined || vpcId === undefined) return undefined;
  const region = entry.region;
  const id = `LVS003:${vpcArn(region.scope, vpcId)}`;
  const base = {
    id,
    service: 'ec2' as const,
    region: region.region,
    resourceArn: vpcArn(region.scope, vpcId),
    findings,
  };
  const prefixList = region.s3PrefixList;
  if (!prefixList.ok) {
    return makeStep({
      ...base,
      kind: 'manual',
      title: `Route S3 traffic of ${vpcId} through a gateway endpoint (S3 prefix list unknown)`,
      template: [
        `# The S3 prefix list of ${region.region} could not be read, so the routes cannot be planned.`,
        `aws ec2 describe-prefix-lists --region ${region.region} --filters Name=prefix-list-name,Values=${s3ServiceName(region.region)}`,
        `aws ec2 describe-vpc-endpoints --region ${region.region} --filters Name=vpc-id,Values=${vpcId} Name=service-name,Values=${s3ServiceName(region.region)}`,
        `aws ec2 modify-vpc-endpoint --region ${region.region} --vpc-endpoint-id VPCE_ID --add-route-table-ids RTB_ID`,
      ].join('\n'),
      notes: [`The S3 prefix list of ${region.region} could not be read.`],
    });
  }
  const prefixListId = prefixList.value.prefixListId;

  // The effective tables of every subnet of the failing functions, once each.
  const tables = new Map<string, RouteTable>();
  const unknownSubnets: string[] = [];
  for (const finding of findings) {
    const e = entryOf(ctx.index, finding.functionArn);
    if (e === undefined) continue;
    for (const subnetId of subnetsOf(e)) {
      const effective = region.s3Path(subnetId).table;
      if (effective.ok) tables.set(effective.value.table.routeTableId, effective.value.table);
      else unknownSubnets.push(subnetId);
    }
  }
  const repairs = [...tables.values()]
    .sort((a, b) => compare(a.routeTableId, b.routeTableId))
    .map((t) => repairOf(region, t, prefixListId))
    .filter((r): r is Repair => r !== undefined);
  if (repairs.length === 0) return undefined;
  const tableIds = repairs.map((r) => r.table.routeTableId);

  const endpoint = chooseEndpoint(region, vpcId, [...tables.values()]);
  const api: ApiCall[] = repairs.flatMap((r) => r.clear);
  const documents: Step['documents'] = [];
  const notes: string[] = repairs.map((r) => `${r.table.routeTableId}: ${r.why}.`);
  let endpointLabel: string;
  if (endpoint !== undefined) {
    endpointLabel = endpoint.vpcEndpointId;
    api.push({
      service: 'ec2',
      operation: 'ModifyVpcEndpoint',
      region: region.region,
      params: { VpcEndpointId: endpoint.vpcEndpointId, AddRouteTableIds: tableIds },
      purpose: `associate ${listText(tableIds)} with ${endpoint.vpcEndpointId}: EC2 adds the route ${prefixListId} -> ${endpoint.vpcEndpointId}`,
    });
    notes.push(
      `${endpoint.vpcEndpointId} is the available S3 gateway endpoint of ${vpcId}${endpoint.routeTableIds.length > 0 ? ` already associated with ${listText(endpoint.routeTableIds)}` : ''}.`,
    );
  } else {
    const variable = newEndpointVariable(vpcId);
    endpointLabel = placeholder(variable);
    const policy = newEndpointPolicy(ctx.future, region.region, vpcId);
    api.push({
      service: 'ec2',
      operation: 'CreateVpcEndpoint',
      region: region.region,
      params: {
        VpcEndpointType: 'Gateway',
        VpcId: vpcId,
        ServiceName: s3ServiceName(region.region),
        RouteTableIds: tableIds,
        PolicyDocument: compactJson(policy.document),
      },
      captures: { [variable]: 'VpcEndpoint.VpcEndpointId' },
      purpose: `create the S3 gateway endpoint of ${vpcId} with a scoped policy, associated with ${listText(tableIds)}`,
    });
    documents.push({
      resourceArn: vpcEndpointArn(region.scope, endpointLabel),
      label: 'endpoint policy (new endpoint)',
      before: null,
      after: prettyJson(policy.document),
    });
    notes.push(`${vpcId} has no available S3 gateway endpoint: the step creates one.`, ...policy.notes);
  }

  const risks: Risk[] = [
    {
      kind: 'connectivity',
      detail: `S3 traffic from the subnets of ${listText(tableIds)} switches to ${endpointLabel}: connections to S3 that are open when the route changes are dropped, and from then on the endpoint's policy applies to every workload in those subnets, not only Lambda.`,
      resources: tableIds.map((t) => routeTableArn(region.scope, t)),
    },
  ];
  for (const repair of repairs) {
    if (!repair.table.associations.some((a) => a.main)) continue;
    const users = subnetsUsingTable(region, repair.table);
    risks.push({
      kind: 'main-route-table',
      detail: `${repair.table.routeTableId} is the main route table of ${vpcId}: every subnet without an explicit association (${users.length > 0 ? listText(users) : 'none known now'}, and any created later) gets the S3 endpoint route. Consider giving the function's subnets their own route table instead.`,
      resources: users,
    });
  }
  const detached = api.filter(
    (c) => c.operation === 'ModifyVpcEndpoint' && c.params.RemoveRouteTableIds !== undefined,
  );
  for (const call of detached) {
    const tablesOf = (call.params.RemoveRouteTableIds as string[]).join(', ');
    risks.push({
      kind: 'connectivity',
      detail: `${tablesOf} ${tablesOf.includes(',') ? 'are' : 'is'} detached from ${String(call.params.VpcEndpointId)}, which cannot serve ${tablesOf.includes(',') ? 'them' : 'it'} now; if that endpoint is being set up on purpose, associate the table with it again once it is available (and pin buckets to it).`,
      resources: [vpcEndpointArn(region.scope, String(call.params.VpcEndpointId))],
    });
  }
  if (unknownSubnets.length > 0) {
    risks.push({
      kind: 'unknown-state',
      detail: `The effective route table of ${listText(uniqueSorted(unknownSubnets))} could not be determined; those subnets are not covered by this step.`,
    });
  }
  return makeStep({
    ...base,
    kind: 'automated',
    title: `Route S3 traffic of ${listText(tableIds)} (${vpcId}) through S3 gateway endpoint ${endpoint?.vpcEndpointId ?? '(new)'}`,
    api,
    documents,
    preconditions: [
      `the route tables ${listText(tableIds)} still have the S3 routes shown in the snapshot (re-read them before applying)`,
      ...(endpoint !== undefined ? [`${endpoint.vpcEndpointId} is still available`] : []),
    ],
    risks,
    notes,
  });
}

export const planner: Planner = {
  ruleId: 'LVS003',
  plan(findings, ctx) {
    const groups = groupBy(findings, (f) => {
      const entry = entryOf(ctx.index, f.functionArn);
      return `${f.region}:${entry?.fn.vpcConfig?.vpcId ?? ''}`;
    });
    return groups.flatMap(([, group]) => planVpc(group, ctx) ?? []);
  },
};
