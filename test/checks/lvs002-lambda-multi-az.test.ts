import { describe, expect, it } from 'vitest';
import check from '../../src/checks/lvs002-lambda-multi-az.js';
import type { AccountSnapshot } from '../../src/snapshot/schema.js';
import { expectOutcome, runCheck, summarize } from '../helpers/check-tester.js';
import { G, golden, goldenFunction, okValue, regionOf } from '../helpers/golden.js';

const subnet = (s: AccountSnapshot, id: string) => {
  const found = okValue(regionOf(s).subnets, 'subnets').find((x) => x.subnetId === id);
  if (!found) throw new Error(`no subnet ${id}`);
  return found;
};
const vpcConfig = (s: AccountSnapshot) => {
  const config = goldenFunction(s).vpcConfig;
  if (!config) throw new Error('golden function has no VpcConfig');
  return config;
};

describe('LVS002 lambda-multi-az', () => {
  it('passes for the golden function (eu-west-1a and eu-west-1b)', async () => {
    const result = await expectOutcome(check, golden(), { status: 'pass', reasonId: 'multiAz' });
    expect(result.message).toContain('eu-west-1a and eu-west-1b');
    expect(result.resourceArn).toBe(G.functionArn);
  });

  it('fails with singleAz when both subnets are in the same zone', async () => {
    const snapshot = golden((s) => {
      subnet(s, G.subnetB).availabilityZone = 'eu-west-1a';
      subnet(s, G.subnetB).availabilityZoneId = 'euw1-az1';
    });
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'singleAz',
      severity: 'medium',
    });
    expect(result.message).toContain('eu-west-1a');
    expect(result.message).toContain(G.subnetB);
    expect(result.evidence.filter((e) => e.expected !== undefined)).toHaveLength(2);
  });

  it('fails with singleAz when the function has a single subnet', async () => {
    const snapshot = golden((s) => {
      vpcConfig(s).subnetIds = [G.subnetA];
    });
    await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'singleAz', severity: 'medium' });
  });

  it.each([
    ['no VpcConfig', (s: AccountSnapshot) => (goldenFunction(s).vpcConfig = null)],
    ['no subnets', (s: AccountSnapshot) => (vpcConfig(s).subnetIds = [])],
    ['no security groups', (s: AccountSnapshot) => (vpcConfig(s).securityGroupIds = [])],
  ])('is not-applicable with %s (LVS001 reports it)', async (_, mutate) => {
    await expectOutcome(check, golden(mutate), { status: 'not-applicable', reasonId: 'notInVpc' });
  });

  it('reports error (readFailed) when DescribeSubnets failed', async () => {
    const snapshot = golden((s) => {
      regionOf(s).subnets = {
        status: 'error',
        error: {
          service: 'ec2',
          operation: 'DescribeSubnets',
          code: 'UnauthorizedOperation',
          message: 'not authorized',
          region: G.region,
        },
      };
    });
    const result = await expectOutcome(check, snapshot, { status: 'error', reasonId: 'readFailed' });
    expect(result.message).toContain('DescribeSubnets');
  });

  it('reports error (notInSnapshot) when a subnet is missing and the known ones share one zone', async () => {
    const snapshot = golden((s) => {
      regionOf(s).subnets = { status: 'ok', value: [subnet(s, G.subnetA)] };
    });
    const result = await expectOutcome(check, snapshot, { status: 'error', reasonId: 'notInSnapshot' });
    expect(result.message).toContain(G.subnetB);
  });

  it('passes when two known zones already settle it, even with an unknown third subnet', async () => {
    const snapshot = golden((s) => {
      vpcConfig(s).subnetIds.push('subnet-0a1b2c3d4e5f60099');
    });
    const results = await runCheck(check, snapshot);
    expect(summarize(results)).toEqual([{ status: 'pass', reasonId: 'multiAz', severity: 'medium' }]);
  });
});
