import { describe, expect, it } from 'vitest';
import type { Step } from '../../src/fix/plan-model.js';
import { SimulationError, applyPlanToSnapshot, simulateSteps } from '../../src/fix/simulate.js';
import { G, golden, okValue, regionOf } from '../helpers/golden.js';
import { NOW, demoSnapshot, planOf } from './helpers.js';

const stepWith = (api: Step['api'], kind: Step['kind'] = 'automated'): Step => ({
  id: 'LVS005:test',
  kind,
  ruleIds: ['LVS005'],
  title: 'a test step',
  service: 'ec2',
  region: G.region,
  resourceArn: 'arn:test',
  resolves: [],
  api: kind === 'automated' ? api : [],
  documents: [],
  preconditions: [],
  risks: [],
  dependsOn: [],
  template: kind === 'manual' ? 'by hand, really' : null,
  notes: [],
});

describe('simulateSteps', () => {
  it('never modifies the snapshot it is given', async () => {
    const snapshot = demoSnapshot();
    const copy = structuredClone(snapshot);
    const { plan } = await planOf(snapshot);
    const after = applyPlanToSnapshot(plan, snapshot);
    expect(snapshot).toEqual(copy);
    expect(after).not.toEqual(snapshot);
  });

  it('ignores manual steps and applies nothing for an empty plan', () => {
    const snapshot = golden();
    expect(
      applyPlanToSnapshot(
        { schemaVersion: 1, generatedAt: NOW.toISOString(), accountId: G.accountId, steps: [] },
        snapshot,
      ),
    ).toEqual(snapshot);
    expect(simulateSteps([stepWith([], 'manual')], snapshot).snapshot).toEqual(snapshot);
  });

  it('stands in deterministically for generated IDs and fills the placeholders that use them', () => {
    const snapshot = golden();
    const { snapshot: after, bindings } = simulateSteps(
      [
        stepWith([
          {
            service: 'kms',
            operation: 'CreateKey',
            region: G.region,
            params: {},
            captures: { 'new-key-x': 'KeyMetadata.Arn' },
            purpose: 'create',
          },
          {
            service: 'kms',
            operation: 'EnableKeyRotation',
            region: G.region,
            params: { KeyId: '{{lvs:new-key-x}}' },
            purpose: 'rotate',
          },
          {
            service: 'lambda',
            operation: 'UpdateFunctionConfiguration',
            region: G.region,
            params: { FunctionName: G.functionArn, KMSKeyArn: '{{lvs:new-key-x}}' },
            purpose: 'use',
          },
        ]),
      ],
      snapshot,
    );
    const arn = `arn:aws:kms:${G.region}:${G.accountId}:key/lvs-new-${G.region}`;
    expect(bindings).toEqual({ 'new-key-x': arn });
    expect(after.kms.keys[arn]).toMatchObject({
      status: 'ok',
      value: { keyManager: 'CUSTOMER', rotationEnabled: { status: 'ok', value: true } },
    });
    expect(okValue(regionOf(after).functions, 'functions')[0]?.kmsKeyArn).toBe(arn);
  });

  it('fails like AWS would: revoking a rule that does not exist, adding a second route to the prefix list', () => {
    const snapshot = golden();
    expect(() =>
      simulateSteps(
        [
          stepWith([
            {
              service: 'ec2',
              operation: 'RevokeSecurityGroupEgress',
              region: G.region,
              params: {
                GroupId: G.securityGroupId,
                IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
              },
              purpose: 'revoke',
            },
          ]),
        ],
        snapshot,
      ),
    ).toThrow(SimulationError);
    expect(() =>
      simulateSteps(
        [
          stepWith([
            {
              service: 'ec2',
              operation: 'ModifyVpcEndpoint',
              region: G.region,
              params: { VpcEndpointId: G.endpointId, AddRouteTableIds: [G.routeTableA] },
              purpose: 'add',
            },
          ]),
        ],
        snapshot,
      ),
    ).toThrow(/RouteAlreadyExists/);
  });

  it('refuses an operation it does not know', () => {
    expect(() =>
      simulateSteps(
        [
          stepWith([
            { service: 'ec2', operation: 'DeleteVpc', region: G.region, params: {}, purpose: 'nope' },
          ]),
        ],
        golden(),
      ),
    ).toThrow(/unsupported operation/);
  });
});
