import { describe, expect, it } from 'vitest';
import check from '../../src/checks/lvs001-lambda-in-vpc.js';
import { expectOutcome } from '../helpers/check-tester.js';
import { golden, goldenFunction } from '../helpers/golden.js';

type VpcConfig = { vpcId: string; subnetIds: string[]; securityGroupIds: string[] };

describe('LVS001 lambda-in-vpc', () => {
  it('passes for the golden function', async () => {
    const result = await expectOutcome(check, golden(), { status: 'pass', reasonId: 'inVpc' });
    expect(result.message).toContain('vpc-0a1b2c3d4e5f60001');
  });

  it('fails with noVpcConfig when the function has no VpcConfig', async () => {
    const snapshot = golden((s) => {
      goldenFunction(s).vpcConfig = null;
    });
    await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'noVpcConfig', severity: 'high' });
  });

  it.each([
    ['SubnetIds', (c: VpcConfig): void => void (c.subnetIds = [])],
    ['SecurityGroupIds', (c: VpcConfig): void => void (c.securityGroupIds = [])],
    ['VpcId', (c: VpcConfig): void => void (c.vpcId = '')],
  ] as const)('fails with incompleteVpcConfig when %s is empty', async (part, clear) => {
    const snapshot = golden((s) => {
      const config = goldenFunction(s).vpcConfig;
      if (config) clear(config);
    });
    const result = await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'incompleteVpcConfig' });
    expect(result.message).toContain(part);
  });
});
