import type { Fetched } from '../../../src/snapshot/fetched.js';
import type {
  PrefixList,
  RouteTable,
  SecurityGroup,
  Subnet,
  Vpc,
  VpcEndpoint,
} from '../../../src/snapshot/schema.js';
import { regionOf } from '../state.js';
import { AwsError, type EmulatorResponse, type EmulatorState } from '../types.js';
import type { XmlValue } from '../wire.js';
import {
  applyFilters,
  listOf,
  notFoundError,
  paginate,
  selectByIds,
  type FilterFields,
  type PageLimits,
} from './ec2-query.js';
import {
  derivedId,
  prefixListItem,
  routeItem,
  routeTableItem,
  securityGroupItem,
  subnetItem,
  vpcEndpointItem,
  vpcItem,
  type Ec2Scope,
} from './ec2-shapes.js';
import { checkIds, ec2Response, type Ec2Params } from './ec2-wire.js';

/** The Describe* reads lvs sends (src/collect/ec2.ts, src/fix/apply/live-state.ts), with their IDs, filters and pages. */

export function scopeOf(state: EmulatorState, region: string): Ec2Scope {
  const { accountId, partition, generatedAt } = state.snapshot;
  return { accountId, partition, region, createdAt: generatedAt };
}

interface Describe<T> {
  action: string;
  list: (state: EmulatorState, region: string) => Fetched<T[]>;
  /** The flattened ID list parameter (`VpcId` for `VpcId.N`), its ID prefix and EC2's errors for it. */
  ids?: { param: string; prefix: string; malformed: string; notFound: (missing: string[]) => AwsError };
  idOf: (item: T) => string;
  filters: (s: Ec2Scope) => FilterFields<T>;
  limits: PageLimits;
  /** The result's list element (`vpcSet`, `securityGroupInfo`…). */
  setName: string;
  item: (item: T, s: Ec2Scope) => XmlValue;
}

function describe<T>(
  d: Describe<T>,
  params: Ec2Params,
  state: EmulatorState,
  region: string,
): EmulatorResponse {
  const s = scopeOf(state, region);
  // Authorization comes first at AWS: a read the snapshot recorded as denied stays denied.
  const all = listOf(d.list(state, region));
  let chosen: readonly T[] = all;
  if (d.ids !== undefined) {
    const ids = params.strings(d.ids.param);
    checkIds(ids, d.ids.prefix, d.ids.malformed);
    chosen = selectByIds(all, ids, d.idOf, d.ids.notFound);
  }
  const matched = applyFilters(chosen, params, d.filters(s));
  const { page, nextToken } = paginate(matched, params, d.action, d.limits);
  return ec2Response(d.action, { [d.setName]: page.map((item) => d.item(item, s)), nextToken });
}

const owner = (s: Ec2Scope) => () => [s.accountId];
const constant = (value: string) => () => [value];
const none = () => [];

const VPCS: Describe<Vpc> = {
  action: 'DescribeVpcs',
  list: (state, region) => regionOf(state, region).vpcs,
  ids: {
    param: 'VpcId',
    prefix: 'vpc',
    malformed: 'InvalidVpcID.Malformed',
    notFound: notFoundError('InvalidVpcID.NotFound', 'vpc'),
  },
  idOf: (v) => v.vpcId,
  filters: (s) => ({
    'vpc-id': (v) => [v.vpcId],
    cidr: (v) => [v.cidrBlocks[0]],
    'cidr-block-association.cidr-block': (v) => v.cidrBlocks,
    'cidr-block-association.state': constant('associated'),
    'ipv6-cidr-block-association.ipv6-cidr-block': (v) => v.ipv6CidrBlocks,
    'dhcp-options-id': (v) => [derivedId('dopt', v.vpcId)],
    'is-default': constant('false'),
    'owner-id': owner(s),
    state: constant('available'),
  }),
  limits: { min: 5, max: 1000 },
  setName: 'vpcSet',
  item: vpcItem,
};

const SUBNETS: Describe<Subnet> = {
  action: 'DescribeSubnets',
  list: (state, region) => regionOf(state, region).subnets,
  ids: {
    param: 'SubnetId',
    prefix: 'subnet',
    malformed: 'InvalidSubnetID.Malformed',
    notFound: notFoundError('InvalidSubnetID.NotFound', 'subnet'),
  },
  idOf: (x) => x.subnetId,
  filters: (s) => ({
    'subnet-id': (x) => [x.subnetId],
    'vpc-id': (x) => [x.vpcId],
    'availability-zone': (x) => [x.availabilityZone],
    availabilityZone: (x) => [x.availabilityZone],
    'availability-zone-id': (x) => [x.availabilityZoneId ?? undefined],
    availabilityZoneId: (x) => [x.availabilityZoneId ?? undefined],
    'cidr-block': (x) => [x.cidrBlock ?? undefined],
    cidrBlock: (x) => [x.cidrBlock ?? undefined],
    cidr: (x) => [x.cidrBlock ?? undefined],
    'default-for-az': constant('false'),
    'owner-id': owner(s),
    state: constant('available'),
    'subnet-arn': (x) => [`arn:${s.partition}:ec2:${s.region}:${s.accountId}:subnet/${x.subnetId}`],
  }),
  limits: { min: 5, max: 1000 },
  setName: 'subnetSet',
  item: subnetItem,
};

const ROUTE_TABLES: Describe<RouteTable> = {
  action: 'DescribeRouteTables',
  list: (state, region) => regionOf(state, region).routeTables,
  ids: {
    param: 'RouteTableId',
    prefix: 'rtb',
    malformed: 'InvalidRouteTableId.Malformed',
    notFound: notFoundError('InvalidRouteTableID.NotFound', 'routeTable'),
  },
  idOf: (t) => t.routeTableId,
  filters: (s) => {
    const routes = (pick: (r: ReturnType<typeof routeItem>) => XmlValue) => (t: RouteTable) =>
      t.routes.map((r) => {
        const value = pick(routeItem(r));
        return typeof value === 'string' ? value : undefined;
      });
    return {
      'route-table-id': (t) => [t.routeTableId],
      'vpc-id': (t) => [t.vpcId],
      'owner-id': owner(s),
      'association.main': (t) => t.associations.map((a) => String(a.main)),
      'association.subnet-id': (t) => t.associations.map((a) => a.subnetId),
      'association.gateway-id': (t) => t.associations.map((a) => a.gatewayId),
      'association.route-table-id': (t) => (t.associations.length > 0 ? [t.routeTableId] : []),
      'route.destination-cidr-block': routes((r) => r.destinationCidrBlock),
      'route.destination-ipv6-cidr-block': routes((r) => r.destinationIpv6CidrBlock),
      'route.destination-prefix-list-id': routes((r) => r.destinationPrefixListId),
      'route.gateway-id': routes((r) => r.gatewayId),
      'route.nat-gateway-id': routes((r) => r.natGatewayId),
      'route.transit-gateway-id': routes((r) => r.transitGatewayId),
      'route.egress-only-internet-gateway-id': routes((r) => r.egressOnlyInternetGatewayId),
      'route.vpc-peering-connection-id': routes((r) => r.vpcPeeringConnectionId),
      'route.instance-id': routes((r) => r.instanceId),
      'route.origin': routes((r) => r.origin),
      'route.state': routes((r) => r.state),
    };
  },
  limits: { min: 5, max: 100 },
  setName: 'routeTableSet',
  item: routeTableItem,
};

const VPC_ENDPOINTS: Describe<VpcEndpoint> = {
  action: 'DescribeVpcEndpoints',
  list: (state, region) => regionOf(state, region).vpcEndpoints,
  ids: {
    param: 'VpcEndpointId',
    prefix: 'vpce',
    malformed: 'InvalidVpcEndpointId.Malformed',
    notFound: notFoundError('InvalidVpcEndpointId.NotFound', 'VpcEndpoint'),
  },
  idOf: (e) => e.vpcEndpointId,
  filters: () => ({
    'vpc-endpoint-id': (e) => [e.vpcEndpointId],
    'vpc-id': (e) => [e.vpcId],
    'service-name': (e) => [e.serviceName],
    'vpc-endpoint-type': (e) => [e.vpcEndpointType],
    'vpc-endpoint-state': (e) => [e.state],
    'service-region': (e) => [/^com\.amazonaws\.([a-z0-9-]+)\./.exec(e.serviceName)?.[1]],
  }),
  // "If the value is greater than 1,000, we return only 1,000 items" (API reference).
  limits: { min: 1, max: 1000, clamp: true, defaultSize: 1000 },
  setName: 'vpcEndpointSet',
  item: vpcEndpointItem,
};

const SECURITY_GROUPS: Describe<SecurityGroup> = {
  action: 'DescribeSecurityGroups',
  list: (state, region) => regionOf(state, region).securityGroups,
  ids: {
    param: 'GroupId',
    prefix: 'sg',
    malformed: 'InvalidGroupId.Malformed',
    notFound: (missing) =>
      new AwsError('InvalidGroup.NotFound', 400, `The security group '${missing.join(', ')}' does not exist`),
  },
  idOf: (g) => g.groupId,
  filters: (s) => {
    const egress =
      (pick: (r: SecurityGroup['egress'][number]) => ReadonlyArray<string | undefined>) =>
      (g: SecurityGroup) =>
        g.egress.flatMap(pick);
    const port = (p: number | null) => (p === null ? undefined : String(p));
    return {
      'group-id': (g) => [g.groupId],
      'group-name': (g) => [g.groupName],
      description: (g) => [g.groupName],
      'vpc-id': (g) => [g.vpcId],
      'owner-id': owner(s),
      'egress.ip-permission.cidr': egress((r) => r.ipv4Ranges),
      'egress.ip-permission.ipv6-cidr': egress((r) => r.ipv6Ranges),
      'egress.ip-permission.prefix-list-id': egress((r) => r.prefixListIds),
      'egress.ip-permission.group-id': egress((r) => r.referencedGroupIds),
      'egress.ip-permission.protocol': egress((r) => [r.ipProtocol]),
      'egress.ip-permission.from-port': egress((r) => [port(r.fromPort)]),
      'egress.ip-permission.to-port': egress((r) => [port(r.toPort)]),
      // Inbound rules are not in the snapshot: these filters are known and match nothing.
      'ip-permission.cidr': none,
      'ip-permission.ipv6-cidr': none,
      'ip-permission.prefix-list-id': none,
      'ip-permission.group-id': none,
      'ip-permission.protocol': none,
      'ip-permission.from-port': none,
      'ip-permission.to-port': none,
    };
  },
  limits: { min: 5, max: 1000 },
  setName: 'securityGroupInfo',
  item: securityGroupItem,
};

const PREFIX_LISTS: Describe<PrefixList> = {
  action: 'DescribePrefixLists',
  list: (state, region) => regionOf(state, region).prefixLists,
  ids: {
    param: 'PrefixListId',
    prefix: 'pl',
    malformed: 'InvalidPrefixListId.Malformed',
    notFound: notFoundError('InvalidPrefixListID.NotFound', 'prefix list'),
  },
  idOf: (p) => p.prefixListId,
  filters: () => ({
    'prefix-list-id': (p) => [p.prefixListId],
    'prefix-list-name': (p) => [p.prefixListName],
  }),
  limits: { min: 5, max: 1000 },
  setName: 'prefixListSet',
  item: (p) => prefixListItem(p),
};

export function describeSecurityGroups(params: Ec2Params, state: EmulatorState, region: string) {
  // GroupName.N names default-VPC groups only; the snapshot's groups are all in non-default VPCs.
  const names = params.strings('GroupName');
  if (names.length > 0) {
    throw new AwsError(
      'InvalidGroup.NotFound',
      400,
      `The security group '${names.join(', ')}' does not exist in default VPC`,
    );
  }
  return describe(SECURITY_GROUPS, params, state, region);
}

export const DESCRIBES: Readonly<
  Record<string, (params: Ec2Params, state: EmulatorState, region: string) => EmulatorResponse>
> = {
  DescribeVpcs: (p, st, r) => describe(VPCS, p, st, r),
  DescribeSubnets: (p, st, r) => describe(SUBNETS, p, st, r),
  DescribeRouteTables: (p, st, r) => describe(ROUTE_TABLES, p, st, r),
  DescribeVpcEndpoints: (p, st, r) => describe(VPC_ENDPOINTS, p, st, r),
  DescribeSecurityGroups: describeSecurityGroups,
  DescribePrefixLists: (p, st, r) => describe(PREFIX_LISTS, p, st, r),
};
