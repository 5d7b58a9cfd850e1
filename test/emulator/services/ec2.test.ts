import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeInstancesCommand,
  DescribePrefixListsCommand,
  DescribeRegionsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  ModifyVpcEndpointCommand,
  paginateDescribeRouteTables,
} from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiCaller } from '../../../src/collect/call.js';
import type { AwsClients } from '../../../src/collect/clients.js';
import type { CollectContext } from '../../../src/collect/context.js';
import { collectNetwork } from '../../../src/collect/ec2.js';
import { RateLimiter } from '../../../src/collect/rate-limit.js';
import { enabledRegions } from '../../../src/collect/regions.js';
import type { RouteTable } from '../../../src/snapshot/schema.js';
import { G, goldenSnapshot } from '../../helpers/golden.js';
import { DEFAULT_ENDPOINT_POLICY } from './ec2-endpoints.js';
import { closeEmulator, failure, region, start, value } from './ec2-testing.js';

afterEach(closeEmulator);

function collectContext(client: EC2Client): CollectContext {
  return {
    clients: { ec2: () => client } as unknown as AwsClients,
    caller: new ApiCaller({ limiter: new RateLimiter() }),
    errors: [],
    partition: 'aws',
    homeRegion: G.region,
    globalRegion: 'us-east-1',
  };
}

describe('EC2 reads', () => {
  it('answers lvs network collection with exactly the snapshot it holds', async () => {
    const { client, snapshot } = await start();
    const r = region(snapshot);
    const ctx = collectContext(client);
    const network = await collectNetwork(ctx, G.region, value(r.functions));
    expect(ctx.errors).toEqual([]);
    expect(network).toEqual({
      vpcs: r.vpcs,
      subnets: r.subnets,
      routeTables: r.routeTables,
      vpcEndpoints: r.vpcEndpoints,
      securityGroups: r.securityGroups,
      prefixLists: r.prefixLists,
    });
  });

  it('describes resources in EC2 wire shapes', async () => {
    const { client } = await start();
    const vpcs = await client.send(new DescribeVpcsCommand({ VpcIds: [G.vpcId] }));
    expect(vpcs.Vpcs?.[0]).toMatchObject({
      VpcId: G.vpcId,
      CidrBlock: '10.20.0.0/16',
      State: 'available',
      IsDefault: false,
      OwnerId: G.accountId,
      CidrBlockAssociationSet: [{ CidrBlock: '10.20.0.0/16', CidrBlockState: { State: 'associated' } }],
    });
    const subnets = await client.send(new DescribeSubnetsCommand({ SubnetIds: [G.subnetA] }));
    expect(subnets.Subnets).toEqual([
      expect.objectContaining({
        SubnetId: G.subnetA,
        AvailabilityZone: 'eu-west-1a',
        AvailableIpAddressCount: 251,
      }),
    ]);
    const tables = await client.send(new DescribeRouteTablesCommand({ RouteTableIds: [G.routeTableA] }));
    expect(tables.RouteTables?.[0]?.Associations?.[0]).toMatchObject({ Main: false, SubnetId: G.subnetA });
    expect(tables.RouteTables?.[0]?.Routes).toEqual([
      expect.objectContaining({ DestinationCidrBlock: '10.20.0.0/16', GatewayId: 'local', State: 'active' }),
      expect.objectContaining({ DestinationPrefixListId: G.s3PrefixListId, GatewayId: G.endpointId }),
    ]);
    const endpoints = await client.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [G.endpointId] }));
    expect(endpoints.VpcEndpoints?.[0]).toMatchObject({
      VpcEndpointType: 'Gateway',
      ServiceName: 'com.amazonaws.eu-west-1.s3',
      RouteTableIds: [G.routeTableA, G.routeTableB],
      SubnetIds: [],
    });
    expect(JSON.parse(endpoints.VpcEndpoints?.[0]?.PolicyDocument ?? '')).toMatchObject({
      Version: '2012-10-17',
    });
    const groups = await client.send(new DescribeSecurityGroupsCommand({ GroupIds: [G.securityGroupId] }));
    expect(groups.SecurityGroups?.[0]?.IpPermissionsEgress).toEqual([
      {
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        UserIdGroupPairs: [],
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [{ PrefixListId: G.s3PrefixListId }],
      },
    ]);
    const lists = await client.send(
      new DescribePrefixListsCommand({
        Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.*.s3'] }],
      }),
    );
    expect(lists.PrefixLists).toEqual([expect.objectContaining({ PrefixListId: G.s3PrefixListId })]);
  });

  it('filters as EC2 does: ANDed filters, ORed values, wildcards, unknown names rejected', async () => {
    const { client } = await start();
    const both = await client.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: 'vpc-id', Values: [G.vpcId] },
          { Name: 'association.subnet-id', Values: [G.subnetB, 'subnet-0000000000000000f'] },
        ],
      }),
    );
    expect(both.RouteTables?.map((t) => t.RouteTableId)).toEqual([G.routeTableB]);
    const main = await client.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.main', Values: ['true'] }] }),
    );
    expect(main.RouteTables?.map((t) => t.RouteTableId)).toEqual([G.mainRouteTable]);
    const gateway = await client.send(
      new DescribeVpcEndpointsCommand({
        Filters: [
          { Name: 'vpc-endpoint-type', Values: ['Gateway'] },
          { Name: 'service-name', Values: ['com.amazonaws.eu-west-?.s3'] },
        ],
      }),
    );
    expect(gateway.VpcEndpoints).toHaveLength(1);
    const none = await client.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: ['subnet-0000000000000000f'] }] }),
    );
    expect(none.Subnets).toEqual([]);
    expect(
      await failure(
        client.send(new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-colour', Values: ['red'] }] })),
      ),
    ).toMatchObject({
      code: 'InvalidParameterValue',
      status: 400,
      message: "The filter 'vpc-colour' is invalid",
    });
    const many = Array.from({ length: 201 }, (_, i) => `vpc-${i.toString(16)}`);
    expect(
      await failure(client.send(new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: many }] }))),
    ).toMatchObject({ code: 'FilterLimitExceeded', status: 400 });
  });

  it('fails an ID list naming an unknown or malformed resource', async () => {
    const { client } = await start();
    const missing = 'vpce-0000000000000000f';
    expect(
      await failure(client.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [missing] }))),
    ).toEqual({
      code: 'InvalidVpcEndpointId.NotFound',
      status: 400,
      message: `The VpcEndpoint ID '${missing}' does not exist`,
    });
    expect(
      await failure(
        client.send(new DescribeRouteTablesCommand({ RouteTableIds: ['rtb-0000000000000000f'] })),
      ),
    ).toMatchObject({ code: 'InvalidRouteTableID.NotFound', status: 400 });
    expect(
      await failure(client.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0000000000000000f'] }))),
    ).toMatchObject({ code: 'InvalidGroup.NotFound', status: 400 });
    expect(await failure(client.send(new DescribeVpcsCommand({ VpcIds: ['not-a-vpc'] })))).toMatchObject({
      code: 'InvalidVpcID.Malformed',
    });
  });

  it('answers a read the snapshot recorded as failed with that error again', async () => {
    const { client } = await start((s) => {
      region(s).routeTables = {
        status: 'error',
        error: {
          service: 'ec2',
          operation: 'DescribeRouteTables',
          region: G.region,
          code: 'UnauthorizedOperation',
          message: 'You are not authorized to perform this operation.',
        },
      };
    });
    expect(await failure(client.send(new DescribeRouteTablesCommand({})))).toEqual({
      code: 'UnauthorizedOperation',
      status: 403,
      message: 'You are not authorized to perform this operation.',
    });
    const ctx = collectContext(client);
    const network = await collectNetwork(ctx, G.region, value(region(goldenSnapshot()).functions));
    expect(network.routeTables).toMatchObject({ status: 'error', error: { code: 'UnauthorizedOperation' } });
    expect(network.subnets.status).toBe('ok');
  });

  it('pages with MaxResults and NextToken, and rejects what EC2 rejects', async () => {
    const { client } = await start((s) => {
      const tables: RouteTable[] = value(region(s).routeTables);
      for (let i = 0; i < 247; i += 1) {
        tables.push({
          routeTableId: `rtb-${(0x100 + i).toString(16).padStart(17, '0')}`,
          vpcId: G.vpcId,
          associations: [],
          routes: [],
        });
      }
    });
    const pages: number[] = [];
    const ids: string[] = [];
    for await (const page of paginateDescribeRouteTables(
      { client, pageSize: 100 },
      { Filters: [{ Name: 'vpc-id', Values: [G.vpcId] }] },
    )) {
      pages.push(page.RouteTables?.length ?? 0);
      ids.push(...(page.RouteTables ?? []).map((t) => t.RouteTableId ?? ''));
    }
    expect(pages).toEqual([100, 100, 50]);
    expect(new Set(ids).size).toBe(250);
    expect(await failure(client.send(new DescribeRouteTablesCommand({ MaxResults: 101 })))).toMatchObject({
      code: 'InvalidParameterValue',
      status: 400,
    });
    expect(
      await failure(client.send(new DescribeRouteTablesCommand({ NextToken: 'bm90LWEtdG9rZW4' }))),
    ).toMatchObject({ code: 'InvalidParameterValue', status: 400 });
    const vpcToken = await client.send(new DescribeRouteTablesCommand({ MaxResults: 5 }));
    expect(
      await failure(client.send(new DescribeVpcsCommand({ NextToken: vpcToken.NextToken }))),
    ).toMatchObject({ code: 'InvalidParameterValue' });
  });

  it('lists the enabled regions of the partition, opt-in regions only when opted in', async () => {
    const { client } = await start((s) => {
      s.regions.push({
        ...structuredClone(region(s)),
        region: 'af-south-1',
        functions: { status: 'ok', value: [] },
      });
    });
    const enabled = await enabledRegions({ ec2: () => client } as unknown as AwsClients, G.region);
    expect(enabled).toContain('us-east-1');
    expect(enabled).toContain('eu-west-1');
    expect(enabled).toContain('af-south-1');
    expect(enabled).not.toContain('me-south-1');
    const all = await client.send(new DescribeRegionsCommand({ AllRegions: true }));
    expect(all.Regions).toContainEqual({
      RegionName: 'me-south-1',
      Endpoint: 'ec2.me-south-1.amazonaws.com',
      OptInStatus: 'not-opted-in',
    });
    expect(all.Regions).toContainEqual(
      expect.objectContaining({ RegionName: 'af-south-1', OptInStatus: 'opted-in' }),
    );
  });
});

describe('EC2 protocol edges', () => {
  it('answers an operation it does not emulate with 501 InternalFailure, logged', async () => {
    const { client, emu } = await start();
    expect(await failure(client.send(new DescribeInstancesCommand({})))).toMatchObject({
      code: 'InternalFailure',
      status: 501,
    });
    expect(emu.state.calls.at(-1)).toMatchObject({
      service: 'ec2',
      operation: 'DescribeInstances',
      status: 501,
    });
  });

  it('answers a dry run with DryRunOperation and changes nothing', async () => {
    const { client } = await start();
    expect(
      await failure(
        client.send(
          new ModifyVpcEndpointCommand({ VpcEndpointId: G.endpointId, ResetPolicy: true, DryRun: true }),
        ),
      ),
    ).toMatchObject({ code: 'DryRunOperation', status: 412 });
    const endpoint = await client.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [G.endpointId] }));
    expect(endpoint.VpcEndpoints?.[0]?.PolicyDocument).not.toBe(DEFAULT_ENDPOINT_POLICY);
  });
});
