import type {
  IpPermission,
  PrefixList as Ec2PrefixList,
  Route as Ec2Route,
  RouteTable as Ec2RouteTable,
  SecurityGroup as Ec2SecurityGroup,
  Subnet as Ec2Subnet,
  Vpc as Ec2Vpc,
  VpcEndpoint as Ec2VpcEndpoint,
} from '@aws-sdk/client-ec2';
import {
  prefixListSchema,
  routeTableSchema,
  securityGroupSchema,
  subnetSchema,
  vpcEndpointSchema,
  vpcSchema,
  type EgressRule,
  type PrefixList,
  type Route,
  type RouteTable,
  type SecurityGroup,
  type Subnet,
  type Vpc,
  type VpcEndpoint,
} from '../../snapshot/schema.js';
import { conform, required, strings, UnexpectedResponseError } from './common.js';

/** EC2 Describe* answers -> snapshot network model (SPEC 2.1 needs routes, associations, endpoints, egress rules). */

const live = (state: string | undefined) =>
  state === undefined || state === 'associated' || state === 'associating';

export function normalizeVpc(vpc: Ec2Vpc): Vpc {
  const v4 = (vpc.CidrBlockAssociationSet ?? [])
    .filter((a) => live(a.CidrBlockState?.State))
    .map((a) => a.CidrBlock);
  const cidrBlocks = strings(v4.length > 0 ? v4 : [vpc.CidrBlock]);
  return conform(
    vpcSchema,
    {
      vpcId: required(vpc.VpcId, 'VpcId'),
      cidrBlocks,
      ipv6CidrBlocks: strings(
        (vpc.Ipv6CidrBlockAssociationSet ?? [])
          .filter((a) => live(a.Ipv6CidrBlockState?.State))
          .map((a) => a.Ipv6CidrBlock),
      ),
    },
    'Vpc',
  );
}

export function normalizeSubnet(subnet: Ec2Subnet): Subnet {
  return conform(
    subnetSchema,
    {
      subnetId: required(subnet.SubnetId, 'SubnetId'),
      vpcId: required(subnet.VpcId, 'VpcId'),
      availabilityZone: required(subnet.AvailabilityZone, 'AvailabilityZone'),
      availabilityZoneId: subnet.AvailabilityZoneId ?? null,
      cidrBlock: subnet.CidrBlock ?? null,
    },
    'Subnet',
  );
}

const ROUTE_TARGETS = [
  ['DestinationCidrBlock', 'destinationCidrBlock'],
  ['DestinationIpv6CidrBlock', 'destinationIpv6CidrBlock'],
  ['DestinationPrefixListId', 'destinationPrefixListId'],
  ['GatewayId', 'gatewayId'],
  ['NatGatewayId', 'natGatewayId'],
  ['EgressOnlyInternetGatewayId', 'egressOnlyInternetGatewayId'],
  ['TransitGatewayId', 'transitGatewayId'],
  ['VpcPeeringConnectionId', 'vpcPeeringConnectionId'],
  ['InstanceId', 'instanceId'],
  ['NetworkInterfaceId', 'networkInterfaceId'],
  ['LocalGatewayId', 'localGatewayId'],
  ['CarrierGatewayId', 'carrierGatewayId'],
  ['CoreNetworkArn', 'coreNetworkArn'],
] as const satisfies ReadonlyArray<readonly [keyof Ec2Route, keyof Route]>;

export function normalizeRoute(route: Ec2Route): Route {
  const out: Partial<Route> = {};
  for (const [from, to] of ROUTE_TARGETS) {
    const value = route[from];
    if (typeof value === 'string' && value !== '') out[to] = value;
  }
  const state = route.State ?? 'active';
  if (state !== 'active' && state !== 'blackhole')
    throw new UnexpectedResponseError(`unknown route State "${String(state)}"`);
  return { ...out, state };
}

export function normalizeRouteTable(table: Ec2RouteTable): RouteTable {
  return conform(
    routeTableSchema,
    {
      routeTableId: required(table.RouteTableId, 'RouteTableId'),
      vpcId: required(table.VpcId, 'VpcId'),
      associations: (table.Associations ?? [])
        .filter((a) => live(a.AssociationState?.State))
        .map((a) => ({
          main: a.Main === true,
          ...(a.SubnetId !== undefined && a.SubnetId !== '' ? { subnetId: a.SubnetId } : {}),
          ...(a.GatewayId !== undefined && a.GatewayId !== '' ? { gatewayId: a.GatewayId } : {}),
        })),
      routes: (table.Routes ?? []).map(normalizeRoute),
    },
    'RouteTable',
  );
}

const ENDPOINT_TYPES = ['Gateway', 'Interface', 'GatewayLoadBalancer', 'Resource', 'ServiceNetwork'] as const;

export function normalizeVpcEndpoint(endpoint: Ec2VpcEndpoint): VpcEndpoint {
  const rawType = required(endpoint.VpcEndpointType, 'VpcEndpointType');
  const type = ENDPOINT_TYPES.find((t) => t.toLowerCase() === String(rawType).toLowerCase());
  if (type === undefined) throw new UnexpectedResponseError(`unknown VpcEndpointType "${String(rawType)}"`);
  return conform(
    vpcEndpointSchema,
    {
      vpcEndpointId: required(endpoint.VpcEndpointId, 'VpcEndpointId'),
      vpcEndpointType: type,
      serviceName: required(endpoint.ServiceName, 'ServiceName'),
      state: String(required(endpoint.State, 'State')),
      vpcId: required(endpoint.VpcId, 'VpcId'),
      routeTableIds: strings(endpoint.RouteTableIds),
      policyDocument:
        endpoint.PolicyDocument !== undefined && endpoint.PolicyDocument !== ''
          ? endpoint.PolicyDocument
          : null,
    },
    'VpcEndpoint',
  );
}

export function normalizePrefixList(list: Ec2PrefixList): PrefixList {
  return conform(
    prefixListSchema,
    {
      prefixListId: required(list.PrefixListId, 'PrefixListId'),
      prefixListName: required(list.PrefixListName, 'PrefixListName'),
      cidrs: strings(list.Cidrs),
    },
    'PrefixList',
  );
}

export function normalizeEgressRule(rule: IpPermission): EgressRule {
  return {
    ipProtocol: required(rule.IpProtocol, 'IpProtocol'),
    fromPort: rule.FromPort ?? null,
    toPort: rule.ToPort ?? null,
    ipv4Ranges: strings((rule.IpRanges ?? []).map((r) => r.CidrIp)),
    ipv6Ranges: strings((rule.Ipv6Ranges ?? []).map((r) => r.CidrIpv6)),
    prefixListIds: strings((rule.PrefixListIds ?? []).map((p) => p.PrefixListId)),
    referencedGroupIds: strings((rule.UserIdGroupPairs ?? []).map((p) => p.GroupId)),
  };
}

export function normalizeSecurityGroup(group: Ec2SecurityGroup): SecurityGroup {
  return conform(
    securityGroupSchema,
    {
      groupId: required(group.GroupId, 'GroupId'),
      groupName: group.GroupName ?? '',
      vpcId: required(group.VpcId, 'VpcId'),
      egress: (group.IpPermissionsEgress ?? []).map(normalizeEgressRule),
    },
    'SecurityGroup',
  );
}
