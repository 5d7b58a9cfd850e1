import { describe, expect, it } from 'vitest';
import { placeholder } from '../../../src/fix/plan-model.js';
import { readPolicy } from '../../../src/fix/policy-merge.js';
import { G, golden, okValue, regionOf } from '../../helpers/golden.js';
import {
  GOLDEN_STEPS,
  applied,
  auditResults,
  failing,
  planOf,
  replicaOf,
  stepById,
  worsened,
} from '../helpers.js';

describe('LVS003 planner', () => {
  it('creates the S3 gateway endpoint of a VPC that has none, scoped, and pins the bucket to its future ID', async () => {
    const snapshot = golden((s) => {
      const region = regionOf(s);
      region.vpcEndpoints = { status: 'ok', value: [] };
      for (const table of okValue(region.routeTables, 'tables'))
        table.routes = table.routes.filter((r) => r.gatewayId !== G.endpointId);
      const bucket = s.s3.buckets[G.bucket];
      if (bucket) bucket.policy = { status: 'absent' };
    });
    const { plan, results } = await planOf(snapshot);
    const create = stepById(plan, GOLDEN_STEPS.vpc);
    expect(create.kind).toBe('automated');
    const call = create.api.find((c) => c.operation === 'CreateVpcEndpoint');
    expect(call?.params).toMatchObject({
      VpcEndpointType: 'Gateway',
      VpcId: G.vpcId,
      ServiceName: `com.amazonaws.${G.region}.s3`,
      RouteTableIds: [G.routeTableA, G.routeTableB],
    });
    expect(call?.captures).toEqual({ [`new-vpce-${G.vpcId}`]: 'VpcEndpoint.VpcEndpointId' });
    const policy = readPolicy(String(call?.params.PolicyDocument));
    expect(policy.ok && JSON.stringify(policy.policy)).toContain('aws:ResourceAccount');

    const pin = stepById(plan, GOLDEN_STEPS.pin);
    expect(pin.dependsOn).toContain(GOLDEN_STEPS.vpc);
    expect(pin.resolves[0]?.anticipated).toBe(true);
    expect(String(pin.api[0]?.params.Policy)).toContain(placeholder(`new-vpce-${G.vpcId}`));

    const after = await auditResults(applied(plan, snapshot));
    for (const rule of ['LVS003', 'LVS006', 'LVS007']) expect(failing(after, rule)).toEqual([]);
    expect(worsened(results, after)).toEqual([]);
  });

  it('warns when the route lands on the main route table, and clears a blackhole route first', async () => {
    const snapshot = golden((s) => {
      const tables = okValue(regionOf(s).routeTables, 'tables');
      const b = tables.find((t) => t.routeTableId === G.routeTableB);
      if (!b) throw new Error('table B');
      b.associations = [];
      const main = tables.find((t) => t.routeTableId === G.mainRouteTable);
      main?.routes.push({
        destinationPrefixListId: G.s3PrefixListId,
        gatewayId: 'vpce-0dead0000000000',
        state: 'blackhole',
      });
    });
    const { plan, results } = await planOf(snapshot);
    const step = stepById(plan, GOLDEN_STEPS.vpc);
    expect(step.api.map((c) => c.operation)).toEqual(['DeleteRoute', 'ModifyVpcEndpoint']);
    expect(step.api[0]?.params).toEqual({
      RouteTableId: G.mainRouteTable,
      DestinationPrefixListId: G.s3PrefixListId,
    });
    expect(step.api[1]?.params).toEqual({
      VpcEndpointId: G.endpointId,
      AddRouteTableIds: [G.mainRouteTable],
    });
    const main = step.risks.find((r) => r.kind === 'main-route-table');
    expect(main?.resources).toEqual([G.subnetB]);
    const after = await auditResults(applied(plan, snapshot));
    expect(failing(after, 'LVS003')).toEqual([]);
    expect(worsened(results, after)).toEqual([]);
  });

  it('groups every failing table of every function of a VPC into one step', async () => {
    const snapshot = golden((s) => {
      const region = regionOf(s);
      okValue(region.functions, 'functions').push(replicaOf(s, 'lvs-golden-second'));
      for (const table of okValue(region.routeTables, 'tables'))
        table.routes = table.routes.filter((r) => r.gatewayId !== G.endpointId);
      const endpoint = okValue(region.vpcEndpoints, 'endpoints')[0];
      if (endpoint) endpoint.routeTableIds = [];
    });
    const { plan } = await planOf(snapshot);
    const steps = plan.steps.filter((s) => s.id.startsWith('LVS003:'));
    expect(steps.map((s) => s.id)).toEqual([GOLDEN_STEPS.vpc]);
    expect(steps[0]?.resolves).toHaveLength(2);
    expect(steps[0]?.api).toEqual([
      expect.objectContaining({
        operation: 'ModifyVpcEndpoint',
        params: { VpcEndpointId: G.endpointId, AddRouteTableIds: [G.routeTableA, G.routeTableB] },
      }),
    ]);
  });
});

describe('network risks of the golden data path', () => {
  it('states the connectivity change of a route step', async () => {
    const snapshot = golden((s) => {
      const tables = okValue(regionOf(s).routeTables, 'tables');
      const b = tables.find((t) => t.routeTableId === G.routeTableB);
      if (b) b.routes = b.routes.filter((r) => r.gatewayId !== G.endpointId);
      const endpoint = okValue(regionOf(s).vpcEndpoints, 'endpoints')[0];
      if (endpoint) endpoint.routeTableIds = [G.routeTableA];
    });
    const { plan } = await planOf(snapshot);
    expect(stepById(plan, GOLDEN_STEPS.vpc).risks.map((r) => r.kind)).toEqual(['connectivity']);
  });
});
