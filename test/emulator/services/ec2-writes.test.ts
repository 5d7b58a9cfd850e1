import {
  AuthorizeSecurityGroupEgressCommand,
  CreateVpcEndpointCommand,
  DeleteRouteCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointsCommand,
  ModifyVpcEndpointCommand,
  RevokeSecurityGroupEgressCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { accountSnapshotSchema } from '../../../src/snapshot/schema.js';
import { G } from '../../helpers/golden.js';
import { DEFAULT_ENDPOINT_POLICY } from './ec2-endpoints.js';
import { closeEmulator, failure, start } from './ec2-testing.js';

afterEach(closeEmulator);

describe('EC2 writes', () => {
  it('creates a gateway endpoint that routes its tables to the S3 prefix list', async () => {
    const { client, emu } = await start();
    const policy =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}';
    const created = await client.send(
      new CreateVpcEndpointCommand({
        VpcEndpointType: 'Gateway',
        VpcId: G.vpcId,
        ServiceName: 'com.amazonaws.eu-west-1.s3',
        RouteTableIds: [G.mainRouteTable],
        PolicyDocument: policy,
      }),
    );
    const id = created.VpcEndpoint?.VpcEndpointId ?? '';
    expect(id).toMatch(/^vpce-[0-9a-f]{17}$/);
    expect(created.VpcEndpoint).toMatchObject({ State: 'available', RouteTableIds: [G.mainRouteTable] });
    const main = await client.send(new DescribeRouteTablesCommand({ RouteTableIds: [G.mainRouteTable] }));
    expect(main.RouteTables?.[0]?.Routes).toContainEqual(
      expect.objectContaining({ DestinationPrefixListId: G.s3PrefixListId, GatewayId: id, State: 'active' }),
    );
    const read = await client.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }));
    expect(read.VpcEndpoints?.[0]?.PolicyDocument).toBe(policy);
    expect(() => accountSnapshotSchema.parse(emu.state.snapshot)).not.toThrow();
  });

  it('refuses a second route to the prefix list, an unknown service or table, a malformed policy', async () => {
    const { client } = await start();
    const base = { VpcId: G.vpcId, ServiceName: 'com.amazonaws.eu-west-1.s3' };
    expect(
      await failure(client.send(new CreateVpcEndpointCommand({ ...base, RouteTableIds: [G.routeTableA] }))),
    ).toMatchObject({ code: 'RouteAlreadyExists', status: 400 });
    expect(
      await failure(
        client.send(new CreateVpcEndpointCommand({ ...base, ServiceName: 'com.amazonaws.eu-west-1.sqs3' })),
      ),
    ).toMatchObject({ code: 'InvalidServiceName' });
    expect(
      await failure(
        client.send(new CreateVpcEndpointCommand({ ...base, RouteTableIds: ['rtb-0000000000000000f'] })),
      ),
    ).toMatchObject({ code: 'InvalidRouteTableID.NotFound' });
    expect(
      await failure(client.send(new CreateVpcEndpointCommand({ ...base, PolicyDocument: '{"Version":' }))),
    ).toMatchObject({ code: 'InvalidPolicyDocument' });
    expect(await failure(client.send(new CreateVpcEndpointCommand({ VpcId: G.vpcId })))).toMatchObject({
      code: 'MissingParameter',
      message: 'The request must contain the parameter ServiceName',
    });
    // None of the refused requests left anything behind.
    const endpoints = await client.send(new DescribeVpcEndpointsCommand({}));
    expect(endpoints.VpcEndpoints).toHaveLength(1);
  });

  it('moves route tables between endpoints and replaces or resets the policy', async () => {
    const { client } = await start();
    await client.send(
      new ModifyVpcEndpointCommand({
        VpcEndpointId: G.endpointId,
        RemoveRouteTableIds: [G.routeTableA],
        AddRouteTableIds: [G.mainRouteTable],
        PolicyDocument: '{"Statement":[]}',
      }),
    );
    let endpoint = (await client.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [G.endpointId] })))
      .VpcEndpoints?.[0];
    expect(endpoint?.RouteTableIds).toEqual([G.routeTableB, G.mainRouteTable]);
    expect(endpoint?.PolicyDocument).toBe('{"Statement":[]}');
    const tables = await client.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: 'route.destination-prefix-list-id', Values: [G.s3PrefixListId] }],
      }),
    );
    expect(tables.RouteTables?.map((t) => t.RouteTableId).sort()).toEqual(
      [G.mainRouteTable, G.routeTableB].sort(),
    );
    const result = await client.send(
      new ModifyVpcEndpointCommand({ VpcEndpointId: G.endpointId, ResetPolicy: true }),
    );
    expect(result.Return).toBe(true);
    endpoint = (await client.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [G.endpointId] })))
      .VpcEndpoints?.[0];
    expect(endpoint?.PolicyDocument).toBe(DEFAULT_ENDPOINT_POLICY);
    expect(
      await failure(
        client.send(
          new ModifyVpcEndpointCommand({ VpcEndpointId: 'vpce-0000000000000000f', ResetPolicy: true }),
        ),
      ),
    ).toMatchObject({ code: 'InvalidVpcEndpointId.NotFound', status: 400 });
  });

  it('deletes a route, and the endpoint it pointed to no longer serves that table', async () => {
    const { client } = await start();
    await client.send(
      new DeleteRouteCommand({ RouteTableId: G.routeTableA, DestinationPrefixListId: G.s3PrefixListId }),
    );
    const table = await client.send(new DescribeRouteTablesCommand({ RouteTableIds: [G.routeTableA] }));
    expect(table.RouteTables?.[0]?.Routes).toHaveLength(1);
    const endpoint = await client.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [G.endpointId] }));
    expect(endpoint.VpcEndpoints?.[0]?.RouteTableIds).toEqual([G.routeTableB]);
    expect(
      await failure(
        client.send(
          new DeleteRouteCommand({ RouteTableId: G.routeTableA, DestinationPrefixListId: G.s3PrefixListId }),
        ),
      ),
    ).toMatchObject({ code: 'InvalidRoute.NotFound', status: 400 });
    expect(
      await failure(
        client.send(
          new DeleteRouteCommand({ RouteTableId: G.routeTableA, DestinationCidrBlock: '10.20.0.0/16' }),
        ),
      ),
    ).toMatchObject({ code: 'InvalidParameterValue' });
  });

  it('authorizes and revokes egress rules one by one, refusing duplicates and unknown rules', async () => {
    const { client, emu } = await start();
    const open = {
      IpProtocol: '-1',
      IpRanges: [{ CidrIp: '0.0.0.0/0' }],
      Ipv6Ranges: [{ CidrIpv6: '::/0' }],
    };
    const added = await client.send(
      new AuthorizeSecurityGroupEgressCommand({ GroupId: G.securityGroupId, IpPermissions: [open] }),
    );
    expect(added.Return).toBe(true);
    expect(added.SecurityGroupRules).toEqual([
      expect.objectContaining({ IsEgress: true, IpProtocol: '-1', CidrIpv4: '0.0.0.0/0' }),
      expect.objectContaining({ IsEgress: true, IpProtocol: '-1', CidrIpv6: '::/0' }),
    ]);
    let egress = (await client.send(new DescribeSecurityGroupsCommand({ GroupIds: [G.securityGroupId] })))
      .SecurityGroups?.[0]?.IpPermissionsEgress;
    expect(egress).toContainEqual(
      expect.objectContaining({
        IpProtocol: '-1',
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [{ CidrIpv6: '::/0' }],
      }),
    );
    expect(egress?.find((p) => p.IpProtocol === '-1')?.FromPort).toBeUndefined();
    const https = {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      PrefixListIds: [{ PrefixListId: G.s3PrefixListId, Description: 'lvs: HTTPS to Amazon S3' }],
    };
    expect(
      await failure(
        client.send(
          new AuthorizeSecurityGroupEgressCommand({ GroupId: G.securityGroupId, IpPermissions: [https] }),
        ),
      ),
    ).toMatchObject({ code: 'InvalidPermission.Duplicate', status: 400 });

    await client.send(
      new RevokeSecurityGroupEgressCommand({
        GroupId: G.securityGroupId,
        IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    egress = (await client.send(new DescribeSecurityGroupsCommand({ GroupIds: [G.securityGroupId] })))
      .SecurityGroups?.[0]?.IpPermissionsEgress;
    expect(egress?.find((p) => p.IpProtocol === '-1')).toMatchObject({
      IpRanges: [],
      Ipv6Ranges: [{ CidrIpv6: '::/0' }],
    });
    expect(
      await failure(
        client.send(
          new RevokeSecurityGroupEgressCommand({
            GroupId: G.securityGroupId,
            IpPermissions: [
              { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
            ],
          }),
        ),
      ),
    ).toMatchObject({ code: 'InvalidPermission.NotFound', status: 400 });
    expect(
      await failure(
        client.send(
          new AuthorizeSecurityGroupEgressCommand({ GroupId: 'sg-0000000000000000f', IpPermissions: [open] }),
        ),
      ),
    ).toMatchObject({ code: 'InvalidGroup.NotFound' });
    expect(() => accountSnapshotSchema.parse(emu.state.snapshot)).not.toThrow();
  });

  it('revokes by security group rule ID what it authorized', async () => {
    const { client } = await start();
    const added = await client.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId: G.securityGroupId,
        IpPermissions: [
          { IpProtocol: 'udp', FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: '10.20.0.2/32' }] },
        ],
      }),
    );
    const ruleId = added.SecurityGroupRules?.[0]?.SecurityGroupRuleId ?? '';
    const revoked = await client.send(
      new RevokeSecurityGroupEgressCommand({ GroupId: G.securityGroupId, SecurityGroupRuleIds: [ruleId] }),
    );
    expect(revoked.RevokedSecurityGroupRules).toEqual([
      expect.objectContaining({ SecurityGroupRuleId: ruleId }),
    ]);
    const group = await client.send(new DescribeSecurityGroupsCommand({ GroupIds: [G.securityGroupId] }));
    expect(group.SecurityGroups?.[0]?.IpPermissionsEgress).toHaveLength(1);
  });
});
