import { describe, expect, it } from 'vitest';
import { G, golden, okValue, regionOf } from '../../helpers/golden.js';
import { GOLDEN_STEPS, planOf, stepById } from '../helpers.js';

describe('LVS002 planner', () => {
  it('keeps the current subnets and adds one of another zone', async () => {
    const snapshot = golden((s) => {
      const fn = okValue(regionOf(s).functions, 'functions')[0]!;
      fn.vpcConfig = { ...fn.vpcConfig!, subnetIds: [G.subnetA] };
    });
    const { plan } = await planOf(snapshot);
    const step = stepById(plan, GOLDEN_STEPS.function('LVS002'));
    expect(step.template).toContain(
      `SubnetIds=${G.subnetA},${G.subnetB},SecurityGroupIds=${G.securityGroupId}`,
    );
  });
});
