import { s3ServiceName } from '../../snapshot/arn.js';
import type { FunctionEntry, RegionIndex } from '../../snapshot/derive.js';
import type { EgressRule, RouteTable, VpcEndpoint } from '../../snapshot/schema.js';

/** True for an `available` Gateway endpoint for com.amazonaws.<region>.s3 (SPEC LVS003). */
export function isUsableS3Endpoint(region: RegionIndex, endpoint: VpcEndpoint): boolean {
  return (
    endpoint.vpcEndpointType === 'Gateway' &&
    endpoint.serviceName === s3ServiceName(region.region) &&
    endpoint.state.toLowerCase() === 'available'
  );
}

/** Distinct subnet IDs of the function's VpcConfig (empty when it is not in a VPC). */
export function subnetsOf(entry: FunctionEntry): string[] {
  return [...new Set(entry.fn.vpcConfig?.subnetIds ?? [])];
}

export interface Serving {
  /** Usable S3 gateway endpoints on the function's effective route tables, sorted. */
  endpointIds: string[];
  /** Subnets whose effective route table has no usable S3 endpoint route (or could not be read). */
  unservedSubnets: string[];
}

/** Which S3 gateway endpoints carry the function's S3 traffic (the LVS007 notion of "serving"). */
export function servingOf(entry: FunctionEntry): Serving {
  const ids = new Set<string>();
  const unserved: string[] = [];
  for (const subnetId of subnetsOf(entry)) {
    const { endpoint } = entry.region.s3Path(subnetId);
    if (endpoint !== undefined) ids.add(endpoint.vpcEndpointId);
    else unserved.push(subnetId);
  }
  return { endpointIds: [...ids].sort(), unservedSubnets: unserved };
}

/** Subnets of the VPC whose effective route table is `table` (explicitly, or through the main table). */
export function subnetsUsingTable(region: RegionIndex, table: RouteTable): string[] {
  if (!region.subnets.ok) return [];
  const out: string[] = [];
  for (const subnet of region.subnets.value.values()) {
    if (subnet.vpcId !== table.vpcId) continue;
    const effective = region.s3Path(subnet.subnetId).table;
    if (effective.ok && effective.value.table.routeTableId === table.routeTableId) out.push(subnet.subnetId);
  }
  return out.sort();
}

const PROTOCOLS: Record<string, string> = { '-1': 'all', all: 'all', '6': 'tcp', '17': 'udp' };
export const protocolOf = (rule: EgressRule): string =>
  PROTOCOLS[rule.ipProtocol.toLowerCase()] ?? rule.ipProtocol.toLowerCase();

/** True when the rule lets tcp traffic to `port` out (protocol -1, or tcp with a range holding the port). */
export function allowsTcp(rule: EgressRule, port: number): boolean {
  const protocol = protocolOf(rule);
  if (protocol === 'all') return true;
  if (protocol !== 'tcp') return false;
  const from = rule.fromPort ?? 0;
  const to = rule.toPort ?? 65535;
  if ((from <= 0 || from === -1) && (to >= 65535 || to === -1)) return true;
  return from <= port && port <= to;
}

/** The "IpPermissions" entry of the EC2 API for a rule's protocol and ports (ports only where they mean something). */
export function permissionHead(rule: EgressRule): Record<string, unknown> {
  const head: Record<string, unknown> = { IpProtocol: rule.ipProtocol };
  if (protocolOf(rule) !== 'all') {
    if (rule.fromPort !== null) head.FromPort = rule.fromPort;
    if (rule.toPort !== null) head.ToPort = rule.toPort;
  }
  return head;
}

/** "all traffic", "tcp 443", "tcp 0-65535". */
export function describeRule(rule: EgressRule): string {
  const protocol = protocolOf(rule);
  if (protocol === 'all') return 'all traffic';
  if (rule.fromPort === null) return protocol;
  return rule.fromPort === rule.toPort
    ? `${protocol} ${rule.fromPort}`
    : `${protocol} ${rule.fromPort}-${rule.toPort ?? ''}`;
}

export interface CandidateSubnet {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  routeTableId: string;
  endpointId: string;
}

/**
 * Subnets of the region whose effective route table sends S3 traffic to a usable gateway endpoint,
 * sorted by VPC, zone and ID: where a function can be placed without breaking the data path.
 */
export function s3RoutedSubnets(region: RegionIndex, vpcId?: string): CandidateSubnet[] {
  if (!region.subnets.ok) return [];
  const out: CandidateSubnet[] = [];
  for (const subnet of region.subnets.value.values()) {
    if (vpcId !== undefined && subnet.vpcId !== vpcId) continue;
    const { table: effective, endpoint } = region.s3Path(subnet.subnetId);
    if (!effective.ok || endpoint === undefined) continue;
    out.push({
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      routeTableId: effective.value.table.routeTableId,
      endpointId: endpoint.vpcEndpointId,
    });
  }
  const key = (c: CandidateSubnet) => `${c.vpcId}\u0000${c.availabilityZone}\u0000${c.subnetId}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** One subnet per zone, at most `max` zones, in order. */
export function onePerZone(candidates: readonly CandidateSubnet[], max = 3): CandidateSubnet[] {
  const seen = new Set<string>();
  const out: CandidateSubnet[] = [];
  for (const c of candidates) {
    if (seen.has(c.availabilityZone) || out.length >= max) continue;
    seen.add(c.availabilityZone);
    out.push(c);
  }
  return out;
}
