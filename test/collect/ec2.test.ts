import {
  DescribePrefixListsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type Filter,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { chunk, collectNetwork, EC2_FILTER_VALUES_MAX, idsInUse } from '../../src/collect/ec2.js';
import type { ListedFunction } from '../../src/collect/normalize/lambda.js';
import { testContext } from './helpers/context.js';

const ec2 = mockClient(EC2Client);
afterEach(() => ec2.reset());

const hex = (n: number) => n.toString(16).padStart(8, '0');
function fn(i: number, vpc: number, subnets: number[], groups: number[]): ListedFunction {
  return {
    functionName: `f${i}`,
    functionArn: `arn:aws:lambda:eu-west-1:111122223333:function:f${i}`,
    runtime: 'nodejs20.x',
    role: 'arn:aws:iam::111122223333:role/r',
    vpcConfig: {
      vpcId: `vpc-${hex(vpc)}`,
      subnetIds: subnets.map((s) => `subnet-${hex(s)}`),
      securityGroupIds: groups.map((g) => `sg-${hex(g)}`),
    },
    kmsKeyArn: null,
    tracingMode: 'Active',
    environment: [],
    environmentError: null,
  };
}

const values = (filters: Filter[] | undefined) => filters?.[0]?.Values ?? [];

describe('EC2 network reads', () => {
  it('chunks lists', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 200)).toEqual([]);
    expect(EC2_FILTER_VALUES_MAX).toBe(200);
  });

  it('collects the IDs in use once each', () => {
    const ids = idsInUse([
      fn(1, 1, [1, 2], [1]),
      fn(2, 1, [2, 3], [1, 2]),
      { ...fn(3, 2, [], []), vpcConfig: null },
    ]);
    expect(ids).toEqual({
      vpcIds: ['vpc-00000001'],
      subnetIds: ['subnet-00000001', 'subnet-00000002', 'subnet-00000003'],
      groupIds: ['sg-00000001', 'sg-00000002'],
    });
  });

  it('reads 450 subnets in 3 filtered calls of at most 200 IDs, never one per function, and follows NextToken', async () => {
    const functions = Array.from({ length: 900 }, (_, i) => fn(i, i % 3, [i % 450], [i % 250]));
    const subnetCalls: string[][] = [];
    ec2.on(DescribeSubnetsCommand).callsFake((input: { Filters?: Filter[] }) => {
      const ids = values(input.Filters);
      subnetCalls.push([...ids]);
      return {
        Subnets: ids.map((id) => ({ SubnetId: id, VpcId: 'vpc-00000000', AvailabilityZone: 'eu-west-1a' })),
      };
    });
    ec2.on(DescribeVpcsCommand).callsFake((input: { Filters?: Filter[] }) => ({
      Vpcs: values(input.Filters).map((id) => ({ VpcId: id, CidrBlock: '10.0.0.0/16' })),
    }));
    ec2.on(DescribeSecurityGroupsCommand).callsFake((input: { Filters?: Filter[] }) => ({
      SecurityGroups: values(input.Filters).map((id) => ({
        GroupId: id,
        GroupName: id,
        VpcId: 'vpc-00000000',
      })),
    }));
    // Route tables over two pages.
    ec2.on(DescribeRouteTablesCommand).callsFake((input: { NextToken?: string }) =>
      input.NextToken === undefined
        ? {
            RouteTables: [
              { RouteTableId: 'rtb-00000002', VpcId: 'vpc-00000000', Associations: [], Routes: [] },
            ],
            NextToken: 'page-2',
          }
        : {
            RouteTables: [
              {
                RouteTableId: 'rtb-00000001',
                VpcId: 'vpc-00000000',
                Associations: [{ Main: true }],
                Routes: [],
              },
            ],
          },
    );
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
    ec2.on(DescribePrefixListsCommand).resolves({
      PrefixLists: [{ PrefixListId: 'pl-6da54004', PrefixListName: 'com.amazonaws.eu-west-1.s3', Cidrs: [] }],
    });

    const ctx = testContext();
    const network = await collectNetwork(ctx, 'eu-west-1', functions);
    expect(subnetCalls.map((c) => c.length)).toEqual([200, 200, 50]);
    expect(new Set(subnetCalls.flat()).size).toBe(450);
    expect(network.subnets.status === 'ok' && network.subnets.value.length).toBe(450);
    expect(network.securityGroups.status === 'ok' && network.securityGroups.value.length).toBe(250);
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(2);
    expect(ec2.commandCalls(DescribeVpcsCommand)).toHaveLength(1);
    expect(ec2.commandCalls(DescribeRouteTablesCommand)).toHaveLength(2);
    expect(ec2.commandCalls(DescribePrefixListsCommand)).toHaveLength(1);
    // Sorted by ID whatever the page order.
    expect(
      network.routeTables.status === 'ok' && network.routeTables.value.map((t) => t.routeTableId),
    ).toEqual(['rtb-00000001', 'rtb-00000002']);
    expect(ctx.caller.stats.calls).toBe(3 + 2 + 1 + 2 + 1 + 1);
    ctx.clients.destroy();
  });

  it('fails the whole list when one chunk fails (a partial list would mislead the rules)', async () => {
    const functions = Array.from({ length: 300 }, (_, i) => fn(i, 0, [i], [0]));
    let n = 0;
    ec2.onAnyCommand().resolves({});
    ec2.on(DescribeSubnetsCommand).callsFake((input: { Filters?: Filter[] }) => {
      if (++n === 2)
        throw Object.assign(new Error('You are not authorized to perform this operation.'), {
          name: 'UnauthorizedOperation',
        });
      return {
        Subnets: values(input.Filters).map((id) => ({
          SubnetId: id,
          VpcId: 'vpc-00000000',
          AvailabilityZone: 'eu-west-1a',
        })),
      };
    });
    const ctx = testContext();
    const network = await collectNetwork(ctx, 'eu-west-1', functions);
    expect(network.subnets).toMatchObject({
      status: 'error',
      error: { service: 'ec2', operation: 'DescribeSubnets', code: 'UnauthorizedOperation' },
    });
    expect(ctx.errors).toHaveLength(1);
    ctx.clients.destroy();
  });

  it('reads nothing for a region whose functions use no VPC', async () => {
    const ctx = testContext();
    const network = await collectNetwork(ctx, 'eu-west-1', [{ ...fn(1, 1, [], []), vpcConfig: null }]);
    expect(ec2.calls()).toHaveLength(0);
    expect(network.prefixLists).toEqual({ status: 'ok', value: [] });
    ctx.clients.destroy();
  });
});
