import { describe, expect, it } from 'vitest';
import check from '../../src/checks/lvs003-s3-gateway-endpoint-route.js';
import type { AccountSnapshot } from '../../src/snapshot/schema.js';
import { expectOutcome, runCheck } from '../helpers/check-tester.js';
import { G, golden, goldenFunction, okValue, regionOf } from '../helpers/golden.js';

const table = (s: AccountSnapshot, id: string) => {
  const found = okValue(regionOf(s).routeTables, 'routeTables').find((t) => t.routeTableId === id);
  if (!found) throw new Error(`no route table ${id}`);
  return found;
};
const endpoint = (s: AccountSnapshot) => {
  const found = okValue(regionOf(s).vpcEndpoints, 'vpcEndpoints')[0];
  if (!found) throw new Error('no endpoint');
  return found;
};
const s3Route = (s: AccountSnapshot, tableId: string) => {
  const route = table(s, tableId).routes.find((r) => r.destinationPrefixListId === G.s3PrefixListId);
  if (!route) throw new Error(`no S3 route in ${tableId}`);
  return route;
};
const dropS3Route = (s: AccountSnapshot, tableId: string) => {
  const t = table(s, tableId);
  t.routes = t.routes.filter((r) => r.destinationPrefixListId !== G.s3PrefixListId);
};
const ec2Error = (operation: string) => ({
  status: 'error' as const,
  error: {
    service: 'ec2',
    operation,
    code: 'UnauthorizedOperation',
    message: 'You are not authorized to perform this operation.',
    region: G.region,
  },
});

describe('LVS003 s3-gateway-endpoint-route', () => {
  it('passes for the golden function: both tables route the S3 prefix list to the endpoint', async () => {
    const result = await expectOutcome(check, golden(), { status: 'pass', reasonId: 'allSubnetsRouted' });
    expect(result.message).toContain(G.endpointId);
    expect(result.resourceArn).toBe(G.functionArn);
  });

  it('fails with noS3Route when one explicit table lacks the route, naming the subnet and table', async () => {
    const snapshot = golden((s) => dropS3Route(s, G.routeTableB));
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'noS3Route',
      severity: 'high',
    });
    expect(result.message).toContain(G.subnetB);
    expect(result.message).toContain(G.routeTableB);
    expect(result.message).toContain('explicitly associated');
    expect(result.message).not.toContain(G.subnetA);
    expect(result.resourceArn).toBe(G.functionArn);
  });

  it('uses the main route table when the subnet has no explicit association (SPEC 2.1)', async () => {
    const snapshot = golden((s) => {
      table(s, G.routeTableB).associations = [];
    });
    const result = await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'noS3Route' });
    expect(result.message).toContain(G.mainRouteTable);
    expect(result.message).toContain('main route table');
    expect(result.evidence.some((e) => e.note?.includes('main route table'))).toBe(true);
  });

  it('passes when the main route table used by a subnet has the endpoint route', async () => {
    const snapshot = golden((s) => {
      table(s, G.routeTableB).associations = [];
      table(s, G.mainRouteTable).routes.push({
        destinationPrefixListId: G.s3PrefixListId,
        gatewayId: G.endpointId,
        state: 'active',
      });
    });
    await expectOutcome(check, snapshot, { status: 'pass', reasonId: 'allSubnetsRouted' });
  });

  it('ignores a blackhole route to the prefix list, and says so', async () => {
    const snapshot = golden((s) => {
      s3Route(s, G.routeTableA).state = 'blackhole';
    });
    const result = await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'noS3Route' });
    expect(result.message).toContain('blackhole');
    expect(result.evidence.some((e) => e.note?.includes('blackhole'))).toBe(true);
  });

  it.each([
    ['the endpoint is pending', (s: AccountSnapshot) => (endpoint(s).state = 'pending'), 'pending'],
    [
      'the endpoint is an Interface endpoint',
      (s: AccountSnapshot) => (endpoint(s).vpcEndpointType = 'Interface'),
      'Interface',
    ],
    [
      'the endpoint is for another service',
      (s: AccountSnapshot) => (endpoint(s).serviceName = 'com.amazonaws.eu-west-1.dynamodb'),
      'dynamodb',
    ],
    [
      'the endpoint is for another region',
      (s: AccountSnapshot) => (endpoint(s).serviceName = 'com.amazonaws.us-east-1.s3'),
      'us-east-1',
    ],
    [
      'the route targets an endpoint missing from the snapshot',
      (s: AccountSnapshot) => (s3Route(s, G.routeTableB).gatewayId = 'vpce-0a1b2c3d4e5f60099'),
      'vpce-0a1b2c3d4e5f60099',
    ],
    [
      'the route targets a NAT gateway',
      (s: AccountSnapshot) => {
        const route = s3Route(s, G.routeTableB);
        delete route.gatewayId;
        route.natGatewayId = 'nat-0a1b2c3d4e5f60051';
      },
      'not a VPC endpoint',
    ],
  ])('fails with endpointNotUsable when %s', async (_, mutate, mention) => {
    const result = await expectOutcome(check, golden(mutate), {
      status: 'fail',
      reasonId: 'endpointNotUsable',
      severity: 'high',
    });
    expect(result.message).toContain(mention);
  });

  it('reports noS3Route when one subnet lacks the route and another has an unusable one, naming both', async () => {
    const snapshot = golden((s) => {
      dropS3Route(s, G.routeTableA);
      s3Route(s, G.routeTableB).gatewayId = 'vpce-0a1b2c3d4e5f60099';
    });
    const result = await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'noS3Route' });
    expect(result.message).toContain(G.subnetA);
    expect(result.message).toContain(G.subnetB);
    expect(result.message).toContain('vpce-0a1b2c3d4e5f60099');
  });

  it('names every subnet sharing a failing table once', async () => {
    const snapshot = golden((s) => {
      table(s, G.routeTableA).associations.push({ main: false, subnetId: G.subnetB });
      table(s, G.routeTableB).associations = [];
      dropS3Route(s, G.routeTableA);
    });
    const result = await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'noS3Route' });
    expect(result.message).toContain(`${G.subnetA} and ${G.subnetB} use route table ${G.routeTableA}`);
  });

  it.each([
    [
      'DescribePrefixLists',
      (s: AccountSnapshot) => (regionOf(s).prefixLists = ec2Error('DescribePrefixLists')),
    ],
    [
      'DescribeRouteTables',
      (s: AccountSnapshot) => (regionOf(s).routeTables = ec2Error('DescribeRouteTables')),
    ],
    [
      'DescribeVpcEndpoints',
      (s: AccountSnapshot) => (regionOf(s).vpcEndpoints = ec2Error('DescribeVpcEndpoints')),
    ],
  ])('reports error (readFailed) when %s failed', async (operation, mutate) => {
    const result = await expectOutcome(check, golden(mutate), { status: 'error', reasonId: 'readFailed' });
    expect(result.message).toContain(operation);
  });

  it('reports error (notInSnapshot) when the region has no S3 prefix list', async () => {
    const snapshot = golden((s) => {
      const lists = okValue(regionOf(s).prefixLists, 'prefixLists');
      regionOf(s).prefixLists = {
        status: 'ok',
        value: lists.filter((p) => p.prefixListId !== G.s3PrefixListId),
      };
    });
    await expectOutcome(check, snapshot, { status: 'error', reasonId: 'notInSnapshot' });
  });

  it('still fails when another subnet cannot be judged', async () => {
    const snapshot = golden((s) => {
      dropS3Route(s, G.routeTableA);
      table(s, G.routeTableB).associations = [];
      regionOf(s).subnets = {
        status: 'ok',
        value: okValue(regionOf(s).subnets, 'subnets').filter((x) => x.subnetId !== G.subnetB),
      };
    });
    const results = await runCheck(check, snapshot);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'fail', reasonId: 'noS3Route' });
  });

  it('is not-applicable when the function is not in a VPC', async () => {
    const snapshot = golden((s) => {
      goldenFunction(s).vpcConfig = null;
    });
    await expectOutcome(check, snapshot, { status: 'not-applicable', reasonId: 'notInVpc' });
  });
});
