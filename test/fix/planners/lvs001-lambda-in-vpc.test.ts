import { describe, expect, it } from 'vitest';
import { G, golden, okValue, regionOf } from '../../helpers/golden.js';
import { GOLDEN_STEPS, demoSnapshot, planOf, stepById } from '../helpers.js';

describe('LVS001 planner', () => {
  it('proposes the subnets that already route S3 to the endpoint, one per zone, and a scoped security group', async () => {
    const { plan } = await planOf(
      golden((s) => (okValue(regionOf(s).functions, 'functions')[0]!.vpcConfig = null)),
    );
    const step = stepById(plan, GOLDEN_STEPS.function('LVS001'));
    expect(step.kind).toBe('manual');
    expect(step.template).toContain(`SubnetIds=${G.subnetA},${G.subnetB},SecurityGroupIds=$SG_ID`);
    expect(step.template).toContain(`"PrefixListId":"${G.s3PrefixListId}"`);
    expect(step.template).toContain('AWSLambdaVPCAccessExecutionRole');
  });

  it('uses placeholders where the region has no routed subnet', async () => {
    const { plan } = await planOf(demoSnapshot());
    const step = stepById(
      plan,
      'LVS001:arn:aws:lambda:us-east-1:111122223333:function:legacy-report-exporter',
    );
    expect(step.template).toContain('SubnetIds=SUBNET_A,SUBNET_B');
  });
});
