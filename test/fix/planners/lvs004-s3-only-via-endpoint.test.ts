import { describe, expect, it } from 'vitest';
import { G, golden, okValue, regionOf } from '../../helpers/golden.js';
import { GOLDEN_STEPS, planOf, stepById } from '../helpers.js';

describe('LVS004 planner', () => {
  it('lists the finding under the steps that remove the bypass', async () => {
    const snapshot = golden((s) => {
      const table = okValue(regionOf(s).routeTables, 'tables').find((t) => t.routeTableId === G.routeTableA);
      table?.routes.push({
        destinationCidrBlock: '0.0.0.0/0',
        gatewayId: 'igw-0a1b2c3d4e5f60052',
        state: 'active',
      });
      okValue(regionOf(s).securityGroups, 'groups')[0]?.egress[0]?.ipv4Ranges.push('0.0.0.0/0');
    });
    const { plan } = await planOf(snapshot);
    expect(stepById(plan, GOLDEN_STEPS.securityGroup).ruleIds).toEqual(['LVS005', 'LVS004']);
    expect(plan.steps.some((s) => s.id.startsWith('LVS004:'))).toBe(false);
  });

  it('is a manual step with a template when no other step removes the bypass', async () => {
    const snapshot = golden((s) => {
      const table = okValue(regionOf(s).routeTables, 'tables').find((t) => t.routeTableId === G.routeTableA);
      table?.routes.push({
        destinationCidrBlock: '0.0.0.0/0',
        gatewayId: 'igw-0a1b2c3d4e5f60052',
        state: 'active',
      });
      okValue(regionOf(s).securityGroups, 'groups')[0]?.egress[0]?.ipv4Ranges.push('0.0.0.0/0');
    });
    const { plan } = await planOf(snapshot, { only: ['LVS004'] });
    expect(plan.steps.map((s) => [s.id, s.kind])).toEqual([[`LVS004:${G.functionArn}`, 'manual']]);
    expect(plan.steps[0]?.template).toContain(
      `revoke-security-group-egress --region ${G.region} --group-id ${G.securityGroupId}`,
    );
  });
});
