import { describe, expect, it } from 'vitest';
import { buildDataPaths } from '../../src/snapshot/data-path.js';
import { failed, ok } from '../../src/snapshot/fetched.js';
import { G, golden, goldenFunction, indexOf, okValue, regionOf } from '../helpers/golden.js';

describe('buildDataPaths', () => {
  it('draws the golden function: two subnets in two AZs, explicit tables, the endpoint, the bucket', async () => {
    const [path, ...rest] = buildDataPaths(await indexOf(golden()));
    expect(rest).toHaveLength(0);
    expect(path).toEqual({
      functionName: G.functionName,
      functionArn: G.functionArn,
      accountId: G.accountId,
      region: G.region,
      vpcId: G.vpcId,
      subnets: [
        {
          subnetId: G.subnetA,
          availabilityZone: 'eu-west-1a',
          routeTableId: G.routeTableA,
          routeTableAssociation: 'explicit',
          s3EndpointId: G.endpointId,
        },
        {
          subnetId: G.subnetB,
          availabilityZone: 'eu-west-1b',
          routeTableId: G.routeTableB,
          routeTableAssociation: 'explicit',
          s3EndpointId: G.endpointId,
        },
      ],
      securityGroupIds: [G.securityGroupId],
      buckets: [G.bucket],
      roleArn: G.roleArn,
      kmsKeyArn: G.keyArn,
      tracingMode: 'Active',
    });
  });

  it('falls back to the main route table, which has no S3 route', async () => {
    const snapshot = golden((s) => {
      const tables = okValue(regionOf(s).routeTables, 'route tables');
      const a = tables.find((t) => t.routeTableId === G.routeTableA);
      if (a) a.associations = [];
    });
    const [path] = buildDataPaths(await indexOf(snapshot));
    expect(path?.subnets[0]).toMatchObject({
      routeTableId: G.mainRouteTable,
      routeTableAssociation: 'main',
      s3EndpointId: null,
    });
    expect(path?.subnets[1]).toMatchObject({
      routeTableId: G.routeTableB,
      routeTableAssociation: 'explicit',
    });
  });

  it('ignores a blackhole S3 route', async () => {
    const snapshot = golden((s) => {
      for (const t of okValue(regionOf(s).routeTables, 'route tables')) {
        for (const r of t.routes) if (r.destinationPrefixListId !== undefined) r.state = 'blackhole';
      }
    });
    const [path] = buildDataPaths(await indexOf(snapshot));
    expect(path?.subnets.map((s) => s.s3EndpointId)).toEqual([null, null]);
  });

  it('shows no endpoint when the S3 prefix-list route targets something other than an endpoint', async () => {
    const snapshot = golden((s) => {
      for (const t of okValue(regionOf(s).routeTables, 'route tables')) {
        for (const r of t.routes)
          if (r.destinationPrefixListId !== undefined) r.gatewayId = 'igw-0a1b2c3d4e5f60099';
      }
    });
    const [path] = buildDataPaths(await indexOf(snapshot));
    expect(path?.subnets.map((s) => [s.routeTableId, s.s3EndpointId])).toEqual([
      [G.routeTableA, null],
      [G.routeTableB, null],
    ]);
  });

  it('leaves unknown layers null when reads failed, never guessing', async () => {
    const snapshot = golden((s) => {
      const region = regionOf(s);
      region.subnets = failed({
        service: 'ec2',
        operation: 'DescribeSubnets',
        code: 'UnauthorizedOperation',
        message: 'no',
      });
      region.routeTables = failed({
        service: 'ec2',
        operation: 'DescribeRouteTables',
        code: 'UnauthorizedOperation',
        message: 'no',
      });
    });
    const [path] = buildDataPaths(await indexOf(snapshot));
    expect(path?.subnets[0]).toEqual({
      subnetId: G.subnetA,
      availabilityZone: null,
      routeTableId: null,
      routeTableAssociation: null,
      s3EndpointId: null,
    });
  });

  it('has no VPC layer for a function outside a VPC, and AWS-managed key / no tracing as null', async () => {
    const snapshot = golden((s) => {
      const fn = goldenFunction(s);
      fn.vpcConfig = null;
      fn.kmsKeyArn = null;
      fn.tracingMode = null;
    });
    const [path] = buildDataPaths(await indexOf(snapshot));
    expect(path).toMatchObject({
      vpcId: null,
      subnets: [],
      securityGroupIds: [],
      kmsKeyArn: null,
      tracingMode: null,
      buckets: [G.bucket],
    });
  });

  it('lists every function of every region in index order', async () => {
    const snapshot = golden((s) => {
      const region = regionOf(s);
      const fns = okValue(region.functions, 'functions');
      const second = {
        ...structuredClone(goldenFunction(s)),
        functionName: 'second',
        functionArn: G.functionArn.replace(/scorer$/, 'second'),
      };
      region.functions = ok([...fns, second]);
    });
    expect(buildDataPaths(await indexOf(snapshot)).map((p) => p.functionName)).toEqual([
      G.functionName,
      'second',
    ]);
  });
});
