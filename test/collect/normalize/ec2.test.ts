import { describe, expect, it } from 'vitest';
import {
  normalizeEgressRule,
  normalizePrefixList,
  normalizeRoute,
  normalizeRouteTable,
  normalizeSecurityGroup,
  normalizeSubnet,
  normalizeVpc,
  normalizeVpcEndpoint,
} from '../../../src/collect/normalize/ec2.js';

describe('EC2 normalizers', () => {
  it('keeps only associated CIDR blocks of a VPC', () => {
    expect(
      normalizeVpc({
        VpcId: 'vpc-1',
        CidrBlock: '10.0.0.0/16',
        CidrBlockAssociationSet: [
          { CidrBlock: '10.0.0.0/16', CidrBlockState: { State: 'associated' } },
          { CidrBlock: '10.1.0.0/16', CidrBlockState: { State: 'disassociated' } },
        ],
        Ipv6CidrBlockAssociationSet: [
          { Ipv6CidrBlock: '2600:1f18::/56', Ipv6CidrBlockState: { State: 'associated' } },
        ],
      }),
    ).toEqual({ vpcId: 'vpc-1', cidrBlocks: ['10.0.0.0/16'], ipv6CidrBlocks: ['2600:1f18::/56'] });
    expect(normalizeVpc({ VpcId: 'vpc-2', CidrBlock: '10.2.0.0/16' })).toEqual({
      vpcId: 'vpc-2',
      cidrBlocks: ['10.2.0.0/16'],
      ipv6CidrBlocks: [],
    });
  });

  it('maps a subnet', () => {
    expect(
      normalizeSubnet({
        SubnetId: 'subnet-1',
        VpcId: 'vpc-1',
        AvailabilityZone: 'eu-west-1a',
        AvailabilityZoneId: 'euw1-az1',
        CidrBlock: '10.0.1.0/24',
      }),
    ).toEqual({
      subnetId: 'subnet-1',
      vpcId: 'vpc-1',
      availabilityZone: 'eu-west-1a',
      availabilityZoneId: 'euw1-az1',
      cidrBlock: '10.0.1.0/24',
    });
    expect(() => normalizeSubnet({ SubnetId: 'subnet-1', VpcId: 'vpc-1' })).toThrow(/AvailabilityZone/);
    expect(() => normalizeSubnet({ SubnetId: 'sn_1', VpcId: 'vpc-1', AvailabilityZone: 'a' })).toThrow(
      /subnetId/,
    );
  });

  it('keeps every route target and the state, dropping empty fields', () => {
    expect(
      normalizeRoute({
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: 'nat-1',
        State: 'blackhole',
        Origin: 'CreateRoute',
      }),
    ).toEqual({
      destinationCidrBlock: '0.0.0.0/0',
      natGatewayId: 'nat-1',
      state: 'blackhole',
    });
    expect(normalizeRoute({ DestinationPrefixListId: 'pl-1', GatewayId: 'vpce-1', State: 'active' })).toEqual(
      {
        destinationPrefixListId: 'pl-1',
        gatewayId: 'vpce-1',
        state: 'active',
      },
    );
    expect(
      normalizeRoute({
        DestinationIpv6CidrBlock: '::/0',
        EgressOnlyInternetGatewayId: 'eigw-1',
        TransitGatewayId: '',
      }),
    ).toEqual({
      destinationIpv6CidrBlock: '::/0',
      egressOnlyInternetGatewayId: 'eigw-1',
      state: 'active',
    });
  });

  it('keeps main and explicit associations, drops disassociated ones', () => {
    expect(
      normalizeRouteTable({
        RouteTableId: 'rtb-1',
        VpcId: 'vpc-1',
        Associations: [
          { Main: true, AssociationState: { State: 'associated' } },
          { Main: false, SubnetId: 'subnet-1', AssociationState: { State: 'associated' } },
          { Main: false, SubnetId: 'subnet-2', AssociationState: { State: 'disassociated' } },
          { Main: false, GatewayId: 'igw-1' },
        ],
        Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' }],
      }),
    ).toEqual({
      routeTableId: 'rtb-1',
      vpcId: 'vpc-1',
      associations: [
        { main: true },
        { main: false, subnetId: 'subnet-1' },
        { main: false, gatewayId: 'igw-1' },
      ],
      routes: [{ destinationCidrBlock: '10.0.0.0/16', gatewayId: 'local', state: 'active' }],
    });
  });

  it('maps endpoints, whatever the case of their type', () => {
    const endpoint = normalizeVpcEndpoint({
      VpcEndpointId: 'vpce-1',
      VpcEndpointType: 'gateway' as never,
      ServiceName: 'com.amazonaws.eu-west-1.s3',
      State: 'available' as never,
      VpcId: 'vpc-1',
      RouteTableIds: ['rtb-1'],
      PolicyDocument: '{"Statement":[]}',
    });
    expect(endpoint).toEqual({
      vpcEndpointId: 'vpce-1',
      vpcEndpointType: 'Gateway',
      serviceName: 'com.amazonaws.eu-west-1.s3',
      state: 'available',
      vpcId: 'vpc-1',
      routeTableIds: ['rtb-1'],
      policyDocument: '{"Statement":[]}',
    });
    expect(
      normalizeVpcEndpoint({
        VpcEndpointId: 'vpce-2',
        VpcEndpointType: 'Interface',
        ServiceName: 's',
        State: 'available' as never,
        VpcId: 'vpc-1',
      }).policyDocument,
    ).toBeNull();
    expect(() =>
      normalizeVpcEndpoint({
        VpcEndpointId: 'vpce-3',
        VpcEndpointType: 'Wormhole' as never,
        ServiceName: 's',
        State: 'x' as never,
        VpcId: 'vpc-1',
      }),
    ).toThrow(/VpcEndpointType/);
  });

  it('maps prefix lists and security groups', () => {
    expect(
      normalizePrefixList({
        PrefixListId: 'pl-6da54004',
        PrefixListName: 'com.amazonaws.eu-west-1.s3',
        Cidrs: ['52.218.0.0/17'],
      }),
    ).toEqual({
      prefixListId: 'pl-6da54004',
      prefixListName: 'com.amazonaws.eu-west-1.s3',
      cidrs: ['52.218.0.0/17'],
    });
    expect(
      normalizeEgressRule({
        IpProtocol: '-1',
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [{ CidrIpv6: '::/0' }],
      }),
    ).toEqual({
      ipProtocol: '-1',
      fromPort: null,
      toPort: null,
      ipv4Ranges: ['0.0.0.0/0'],
      ipv6Ranges: ['::/0'],
      prefixListIds: [],
      referencedGroupIds: [],
    });
    expect(
      normalizeSecurityGroup({
        GroupId: 'sg-1',
        GroupName: 'g',
        VpcId: 'vpc-1',
        IpPermissionsEgress: [
          {
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            UserIdGroupPairs: [{ GroupId: 'sg-2' }],
            PrefixListIds: [{ PrefixListId: 'pl-1' }],
          },
        ],
      }),
    ).toEqual({
      groupId: 'sg-1',
      groupName: 'g',
      vpcId: 'vpc-1',
      egress: [
        {
          ipProtocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          ipv4Ranges: [],
          ipv6Ranges: [],
          prefixListIds: ['pl-1'],
          referencedGroupIds: ['sg-2'],
        },
      ],
    });
  });
});
