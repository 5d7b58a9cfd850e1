import { createHash } from 'node:crypto';
import type {
  EgressRule,
  PrefixList,
  Route,
  RouteTable,
  SecurityGroup,
  Subnet,
  Vpc,
  VpcEndpoint,
} from '../../../src/snapshot/schema.js';
import type { XmlValue } from '../wire.js';

/**
 * Snapshot resources as EC2 describes them on the wire (lowerCamel members, `…Set` lists). The
 * snapshot keeps what lvs reads; the rest (association IDs, ARNs, DHCP options…) is derived from
 * the resource ID so that the same account always answers the same.
 */

export interface Ec2Scope {
  accountId: string;
  partition: string;
  region: string;
  /** The snapshot holds no creation times: its collection time stands in for them. */
  createdAt: string;
}

type Item = { [key: string]: XmlValue };

/** A stable made-up hex suffix for an ID EC2 shows but the snapshot does not keep. */
export function derivedId(prefix: string, ...parts: string[]): string {
  return `${prefix}-${createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 17)}`;
}

const arn = (s: Ec2Scope, type: string, id: string) =>
  `arn:${s.partition}:ec2:${s.region}:${s.accountId}:${type}/${id}`;

const associated = { state: 'associated' };

export function vpcItem(vpc: Vpc, s: Ec2Scope): Item {
  return {
    vpcId: vpc.vpcId,
    ownerId: s.accountId,
    state: 'available',
    cidrBlock: vpc.cidrBlocks[0],
    dhcpOptionsId: derivedId('dopt', vpc.vpcId),
    instanceTenancy: 'default',
    ipv6CidrBlockAssociationSet:
      vpc.ipv6CidrBlocks.length === 0
        ? undefined
        : vpc.ipv6CidrBlocks.map((block) => ({
            associationId: derivedId('vpc-cidr-assoc', vpc.vpcId, block),
            ipv6CidrBlock: block,
            ipv6CidrBlockState: associated,
            networkBorderGroup: s.region,
          })),
    cidrBlockAssociationSet: vpc.cidrBlocks.map((block) => ({
      associationId: derivedId('vpc-cidr-assoc', vpc.vpcId, block),
      cidrBlock: block,
      cidrBlockState: associated,
    })),
    isDefault: false,
  };
}

/** Addresses a subnet offers: its size less the five AWS reserves. */
function availableAddresses(cidr: string | null): number | undefined {
  const bits = cidr === null ? NaN : Number(cidr.split('/')[1]);
  return Number.isInteger(bits) && bits <= 28 ? 2 ** (32 - bits) - 5 : undefined;
}

export function subnetItem(subnet: Subnet, s: Ec2Scope): Item {
  return {
    subnetId: subnet.subnetId,
    subnetArn: arn(s, 'subnet', subnet.subnetId),
    state: 'available',
    vpcId: subnet.vpcId,
    cidrBlock: subnet.cidrBlock,
    ipv6CidrBlockAssociationSet: [],
    availableIpAddressCount: availableAddresses(subnet.cidrBlock),
    availabilityZone: subnet.availabilityZone,
    availabilityZoneId: subnet.availabilityZoneId,
    defaultForAz: false,
    mapPublicIpOnLaunch: false,
    assignIpv6AddressOnCreation: false,
    ownerId: s.accountId,
  };
}

/** A route's target members as EC2 names them; a snapshot `vpcEndpointId` is a gateway endpoint's `gatewayId` on the wire. */
export function routeItem(route: Route): Item {
  const gatewayId = route.gatewayId ?? route.vpcEndpointId;
  return {
    destinationCidrBlock: route.destinationCidrBlock,
    destinationIpv6CidrBlock: route.destinationIpv6CidrBlock,
    destinationPrefixListId: route.destinationPrefixListId,
    gatewayId,
    natGatewayId: route.natGatewayId,
    egressOnlyInternetGatewayId: route.egressOnlyInternetGatewayId,
    transitGatewayId: route.transitGatewayId,
    vpcPeeringConnectionId: route.vpcPeeringConnectionId,
    instanceId: route.instanceId,
    networkInterfaceId: route.networkInterfaceId,
    localGatewayId: route.localGatewayId,
    carrierGatewayId: route.carrierGatewayId,
    coreNetworkArn: route.coreNetworkArn,
    state: route.state,
    origin: gatewayId === 'local' ? 'CreateRouteTable' : 'CreateRoute',
  };
}

export function routeTableItem(table: RouteTable, s: Ec2Scope): Item {
  return {
    routeTableId: table.routeTableId,
    vpcId: table.vpcId,
    ownerId: s.accountId,
    associationSet: table.associations.map((a) => ({
      main: a.main,
      routeTableAssociationId: derivedId(
        'rtbassoc',
        table.routeTableId,
        a.subnetId ?? a.gatewayId ?? String(a.main),
      ),
      routeTableId: table.routeTableId,
      subnetId: a.subnetId,
      gatewayId: a.gatewayId,
      associationState: associated,
    })),
    propagatingVgwSet: [],
    routeSet: table.routes.map(routeItem),
    tagSet: [],
  };
}

export function vpcEndpointItem(endpoint: VpcEndpoint, s: Ec2Scope): Item {
  return {
    vpcEndpointId: endpoint.vpcEndpointId,
    vpcEndpointType: endpoint.vpcEndpointType,
    vpcId: endpoint.vpcId,
    serviceName: endpoint.serviceName,
    state: endpoint.state,
    policyDocument: endpoint.policyDocument,
    routeTableIdSet: endpoint.routeTableIds,
    subnetIdSet: [],
    groupSet: [],
    privateDnsEnabled: false,
    requesterManaged: false,
    networkInterfaceIdSet: [],
    dnsEntrySet: [],
    creationTimestamp: s.createdAt,
    tagSet: [],
    ownerId: s.accountId,
  };
}

/** One IpPermission: EC2 leaves the ports out for protocol -1, and always sends the four peer lists. */
export function permissionItem(rule: EgressRule, s: Ec2Scope): Item {
  return {
    ipProtocol: rule.ipProtocol,
    fromPort: rule.fromPort,
    toPort: rule.toPort,
    groups: rule.referencedGroupIds.map((groupId) => ({ userId: s.accountId, groupId })),
    ipRanges: rule.ipv4Ranges.map((cidrIp) => ({ cidrIp })),
    ipv6Ranges: rule.ipv6Ranges.map((cidrIpv6) => ({ cidrIpv6 })),
    prefixListIds: rule.prefixListIds.map((prefixListId) => ({ prefixListId })),
  };
}

export function securityGroupItem(group: SecurityGroup, s: Ec2Scope): Item {
  return {
    ownerId: s.accountId,
    groupId: group.groupId,
    groupName: group.groupName,
    // The snapshot keeps neither the description nor the inbound rules (lvs judges egress only).
    groupDescription: group.groupName,
    ipPermissions: [],
    ipPermissionsEgress: group.egress.map((rule) => permissionItem(rule, s)),
    vpcId: group.vpcId,
    securityGroupArn: arn(s, 'security-group', group.groupId),
  };
}

export function prefixListItem(list: PrefixList): Item {
  return { prefixListId: list.prefixListId, prefixListName: list.prefixListName, cidrSet: list.cidrs };
}
