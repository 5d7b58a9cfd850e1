import type { EvidenceStep } from '../../core/evidence.js';
import { routeTableArn, securityGroupArn, subnetArn } from '../../snapshot/arn.js';
import {
  FunctionSlot,
  Memo,
  type AuditIndex,
  type EffectiveRouteTable,
  type FunctionEntry,
  type Problem,
  type RegionIndex,
  type SubnetS3Path,
} from '../../snapshot/derive.js';
import type { EgressRule, LambdaFunction, Route } from '../../snapshot/schema.js';

/** Shared pieces of the network rules (LVS002-LVS006): the VPC attachment, route tables, routes and SG rules. */

/** The not-applicable reason of every rule that needs the function in a VPC (LVS001 reports the rest). */
export const NOT_IN_VPC_REASON = {
  notInVpc: {
    status: 'not-applicable',
    message: '{{function}} is not attached to a VPC (LVS001 reports it), so this rule does not apply.',
  },
} as const;

export interface VpcAttachment {
  vpcId: string;
  subnetIds: string[];
  securityGroupIds: string[];
}

/** The function's VpcConfig when it is complete (a VPC ID, a subnet and a security group), else undefined. */
export function vpcAttachment(fn: LambdaFunction): VpcAttachment | undefined {
  const config = fn.vpcConfig;
  if (
    config === null ||
    config.vpcId === '' ||
    config.subnetIds.length === 0 ||
    config.securityGroupIds.length === 0
  ) {
    return undefined;
  }
  return {
    vpcId: config.vpcId,
    subnetIds: [...new Set(config.subnetIds)],
    securityGroupIds: [...new Set(config.securityGroupIds)],
  };
}

export interface FunctionVpc {
  attachment: VpcAttachment;
  /** functionVpcStep of the attachment: one object, shared by the rules' results for the function. */
  step: EvidenceStep;
  /**
   * What the network rules judge from the region and these subnets alone, one Memo shared by every
   * function of the region with the same subnets (in the same order): its keys name the rule and
   * whatever else the value depends on. Found once per function, where looking each rule's verdict
   * up in the index's memo cost a walk by region and subnets per rule.
   */
  bySubnets: Memo;
}

const FUNCTION_VPC = new FunctionSlot<FunctionVpc | undefined>('vpc');

/** vpcAttachment and functionVpcStep of the function, made once per run for all the network rules. */
export function functionVpc(entry: FunctionEntry, index: AuditIndex): FunctionVpc | undefined {
  return index.forFunction(entry, FUNCTION_VPC, () => {
    const attachment = vpcAttachment(entry.fn);
    if (attachment === undefined) return undefined;
    return {
      attachment,
      step: functionVpcStep(entry.fn, attachment),
      // Keyed by the subnet IDs themselves (shared strings, in order), not by a string made of them.
      bySubnets: index.memo(['subnets', entry.region.region, ...attachment.subnetIds], () => new Memo()),
    };
  });
}

/** The first hop of every network chain: the function and its VpcConfig. */
export function functionVpcStep(fn: LambdaFunction, attachment: VpcAttachment): EvidenceStep {
  return {
    resourceArn: fn.functionArn,
    field: 'VpcConfig',
    observed: `VpcId=${attachment.vpcId}, SubnetIds=[${attachment.subnetIds.join(', ')}], SecurityGroupIds=[${attachment.securityGroupIds.join(', ')}]`,
  };
}

/** Each subnet of the function with its way to S3: effective route table (SPEC 2.1), S3 route, endpoint. */
export function subnetPaths(entry: FunctionEntry, attachment: VpcAttachment): SubnetS3Path[] {
  return attachment.subnetIds.map((subnetId) => entry.region.s3Path(subnetId));
}

/** "rtb-1 (main table of vpc-1)" / "rtb-1 (explicitly associated)". */
export function describeTable(effective: EffectiveRouteTable): string {
  return effective.association === 'main'
    ? `${effective.table.routeTableId} (main route table of ${effective.table.vpcId}, no explicit association)`
    : `${effective.table.routeTableId} (explicitly associated)`;
}

/** The hop subnet -> effective route table. */
export function subnetTableStep(
  region: RegionIndex,
  subnetId: string,
  effective: EffectiveRouteTable,
): EvidenceStep {
  return {
    resourceArn: subnetArn(region.scope, subnetId),
    field: 'effective route table',
    observed: describeTable(effective),
    note:
      effective.association === 'main'
        ? 'the subnet has no explicit route table association, so it uses the main route table of its VPC (SPEC 2.1)'
        : undefined,
  };
}

/** The destination of a route as the console shows it. */
export function routeDestination(route: Route): string {
  return (
    route.destinationCidrBlock ??
    route.destinationIpv6CidrBlock ??
    route.destinationPrefixListId ??
    '(no destination)'
  );
}

export type RouteTargetKind =
  | 'local'
  | 'internet-gateway'
  | 'nat-gateway'
  | 'egress-only-internet-gateway'
  | 'transit-gateway'
  | 'peering-connection'
  | 'instance'
  | 'network-interface'
  | 'virtual-private-gateway'
  | 'gateway-endpoint'
  | 'gateway-load-balancer-endpoint'
  | 'local-gateway'
  | 'carrier-gateway'
  | 'core-network'
  | 'unknown';

export interface RouteTarget {
  kind: RouteTargetKind;
  id: string;
}

/** What a route sends traffic to, from the target field EC2 filled in (or the ID prefix of GatewayId). */
export function routeTarget(route: Route): RouteTarget {
  if (route.natGatewayId) return { kind: 'nat-gateway', id: route.natGatewayId };
  if (route.egressOnlyInternetGatewayId)
    return { kind: 'egress-only-internet-gateway', id: route.egressOnlyInternetGatewayId };
  if (route.transitGatewayId) return { kind: 'transit-gateway', id: route.transitGatewayId };
  if (route.vpcPeeringConnectionId) return { kind: 'peering-connection', id: route.vpcPeeringConnectionId };
  if (route.localGatewayId) return { kind: 'local-gateway', id: route.localGatewayId };
  if (route.carrierGatewayId) return { kind: 'carrier-gateway', id: route.carrierGatewayId };
  if (route.coreNetworkArn) return { kind: 'core-network', id: route.coreNetworkArn };
  if (route.vpcEndpointId) return { kind: 'gateway-load-balancer-endpoint', id: route.vpcEndpointId };
  const gateway = route.gatewayId;
  if (gateway !== undefined && gateway !== '') {
    if (gateway === 'local') return { kind: 'local', id: gateway };
    if (gateway.startsWith('igw-')) return { kind: 'internet-gateway', id: gateway };
    if (gateway.startsWith('nat-')) return { kind: 'nat-gateway', id: gateway };
    if (gateway.startsWith('eigw-')) return { kind: 'egress-only-internet-gateway', id: gateway };
    if (gateway.startsWith('vgw-')) return { kind: 'virtual-private-gateway', id: gateway };
    // Gateway endpoints (S3, DynamoDB) only ever take prefix-list destinations; a CIDR routed to a
    // vpce- is a Gateway Load Balancer endpoint (an inspection appliance that forwards the traffic on).
    if (gateway.startsWith('vpce-')) {
      return route.destinationPrefixListId !== undefined
        ? { kind: 'gateway-endpoint', id: gateway }
        : { kind: 'gateway-load-balancer-endpoint', id: gateway };
    }
    return { kind: 'unknown', id: gateway };
  }
  // An instance route also names the instance's ENI; the instance is the clearer name.
  if (route.instanceId) return { kind: 'instance', id: route.instanceId };
  if (route.networkInterfaceId) return { kind: 'network-interface', id: route.networkInterfaceId };
  return { kind: 'unknown', id: '(no target)' };
}

export const ROUTE_TARGET_LABEL: Record<RouteTargetKind, string> = {
  local: 'the VPC (local)',
  'internet-gateway': 'internet gateway',
  'nat-gateway': 'NAT gateway',
  'egress-only-internet-gateway': 'egress-only internet gateway',
  'transit-gateway': 'transit gateway',
  'peering-connection': 'VPC peering connection',
  instance: 'instance',
  'network-interface': 'network interface',
  'virtual-private-gateway': 'virtual private gateway',
  'gateway-endpoint': 'gateway endpoint',
  'gateway-load-balancer-endpoint': 'Gateway Load Balancer endpoint',
  'local-gateway': 'Outposts local gateway',
  'carrier-gateway': 'carrier gateway',
  'core-network': 'Cloud WAN core network',
  unknown: 'unknown target',
};

/** "0.0.0.0/0 -> nat-123 (NAT gateway, active)". */
export function describeRoute(route: Route): string {
  const target = routeTarget(route);
  return `${routeDestination(route)} -> ${target.id} (${ROUTE_TARGET_LABEL[target.kind]}, ${route.state})`;
}

/** The hop route table -> one route. */
export function routeStep(
  region: RegionIndex,
  routeTableId: string,
  route: Route,
  extra: Partial<EvidenceStep> = {},
): EvidenceStep {
  return {
    resourceArn: routeTableArn(region.scope, routeTableId),
    field: 'Routes',
    observed: describeRoute(route),
    ...extra,
  };
}

const PROTOCOL_NAMES: Record<string, string> = {
  '-1': 'all',
  all: 'all',
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
};

/** "tcp", "udp", "icmp", "all" or the protocol number as written. */
export function protocolName(rule: EgressRule): string {
  const p = rule.ipProtocol.toLowerCase();
  return PROTOCOL_NAMES[p] ?? p;
}

/** True for protocol "-1": every protocol and port. */
export function isAllTraffic(rule: EgressRule): boolean {
  return protocolName(rule) === 'all';
}

/** True when the rule covers every port of tcp or udp (0-65535, or no ports given). */
export function coversAllPorts(rule: EgressRule): boolean {
  const from = rule.fromPort ?? 0;
  const to = rule.toPort ?? 65535;
  return (from <= 0 || from === -1) && (to >= 65535 || to === -1);
}

/** True when the rule allows tcp to `port` (protocol -1, or tcp with a range that includes the port). */
export function allowsTcpPort(rule: EgressRule, port: number): boolean {
  const protocol = protocolName(rule);
  if (protocol === 'all') return true;
  if (protocol !== 'tcp') return false;
  if (coversAllPorts(rule)) return true;
  return (rule.fromPort ?? 0) <= port && port <= (rule.toPort ?? 65535);
}

/** "all traffic", "tcp 443", "tcp 1024-65535", "icmp type 8 code -1". */
export function describePorts(rule: EgressRule): string {
  const protocol = protocolName(rule);
  if (protocol === 'all') return 'all traffic';
  if (protocol === 'icmp' || protocol === 'icmpv6') {
    return rule.fromPort === null || rule.fromPort === -1
      ? `${protocol} (all types)`
      : `${protocol} type ${rule.fromPort} code ${rule.toPort ?? -1}`;
  }
  if (protocol === 'tcp' || protocol === 'udp') {
    if (coversAllPorts(rule)) return `${protocol} all ports (0-65535)`;
    return rule.fromPort === rule.toPort
      ? `${protocol} ${rule.fromPort}`
      : `${protocol} ${rule.fromPort}-${rule.toPort}`;
  }
  return `protocol ${protocol}`;
}

/** The hop security group -> one egress rule destination. */
export function egressStep(
  region: RegionIndex,
  groupId: string,
  index: number,
  rule: EgressRule,
  destination: string,
  extra: Partial<EvidenceStep> = {},
): EvidenceStep {
  return {
    resourceArn: securityGroupArn(region.scope, groupId),
    field: `IpPermissionsEgress[${index}]`,
    observed: `${describePorts(rule)} to ${destination}`,
    ...extra,
  };
}

/** Problems deduplicated by what they name, so one failed read is reported once. */
export function distinctProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Map<string, Problem>();
  for (const p of problems) {
    const key =
      p.kind === 'api-error'
        ? `api:${p.error.service}:${p.error.operation}:${p.error.resource ?? ''}:${p.error.code}`
        : `missing:${p.what}:${p.id}`;
    if (!seen.has(key)) seen.set(key, p);
  }
  return [...seen.values()];
}

/** "a, b and c" for messages. */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** One line naming what could not be read or found, for evidence beside a definite finding. */
export function problemText(problem: Problem): string {
  return problem.kind === 'api-error'
    ? `${problem.error.service}:${problem.error.operation} failed (${problem.error.code})`
    : `${problem.what} ${problem.id} is not in the snapshot`;
}

/** The same hop, as uniqueSteps compares them. */
export function sameStep(a: EvidenceStep, b: EvidenceStep): boolean {
  return (
    a.resourceArn === b.resourceArn &&
    a.field === b.field &&
    a.observed === b.observed &&
    a.expected === b.expected &&
    a.note === b.note
  );
}

/** Evidence without repeated hops (several routes of one table name the same subnet -> table hop). */
export function uniqueSteps(steps: readonly EvidenceStep[]): EvidenceStep[] {
  // A chain is a handful of hops: comparing them pairwise is cheaper than a key per hop.
  if (steps.length <= 32) {
    return steps.filter((step, i) => {
      for (let j = 0; j < i; j++) if (sameStep(steps[j] as EvidenceStep, step)) return false;
      return true;
    });
  }
  const seen = new Set<string>();
  return steps.filter((step) => {
    const key = JSON.stringify([step.resourceArn, step.field, step.observed, step.expected, step.note]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A memo-key part for a list of IDs (order kept, nothing ambiguous). */
export function idsKey(ids: readonly string[]): string {
  return JSON.stringify(ids);
}
