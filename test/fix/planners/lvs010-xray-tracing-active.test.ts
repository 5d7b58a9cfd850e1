import { describe, expect, it } from 'vitest';
import { readPolicy } from '../../../src/fix/policy-merge.js';
import { XRAY_ACTIONS, XRAY_POLICY_NAME } from '../../../src/fix/planners/lvs010-xray-tracing-active.js';
import type { AccountSnapshot } from '../../../src/snapshot/schema.js';
import { G, golden, okValue, regionOf } from '../../helpers/golden.js';
import { GOLDEN_STEPS, applied, auditResults, failing, planOf, stepById, worsened } from '../helpers.js';

const ROLE_STEP = `LVS010:${G.roleArn}`;
const roleOf = (s: AccountSnapshot) => {
  const role = s.iam.roles[G.roleArn];
  if (role?.status !== 'ok') throw new Error('golden role');
  return role.value;
};
/** Tracing off and no X-Ray permission on the role. */
const untraced = (s: AccountSnapshot) => {
  const fn = okValue(regionOf(s).functions, 'functions')[0];
  if (fn) fn.tracingMode = 'PassThrough';
  roleOf(s).attachedPolicies = roleOf(s).attachedPolicies.filter((p) => p.policyArn !== G.xrayPolicyArn);
};

describe('LVS010 planner', () => {
  it('grants the role X-Ray write access before turning tracing on', async () => {
    const snapshot = golden(untraced);
    const { plan, results } = await planOf(snapshot);
    expect(plan.steps.map((s) => s.id)).toEqual([ROLE_STEP, GOLDEN_STEPS.function('LVS010')]);
    const role = stepById(plan, ROLE_STEP);
    expect(role.api[0]).toMatchObject({ service: 'iam', operation: 'PutRolePolicy', region: null });
    expect(role.api[0]?.params).toMatchObject({
      RoleName: 'lvs-golden-scorer-role',
      PolicyName: XRAY_POLICY_NAME,
    });
    expect(role.documents[0]?.before).toBeNull();
    expect(stepById(plan, GOLDEN_STEPS.function('LVS010')).dependsOn).toEqual([ROLE_STEP]);
    const after = await auditResults(applied(plan, snapshot));
    expect(failing(after, 'LVS010')).toEqual([]);
    // The inline X-Ray policy is acceptable to LVS008 (no resource-level permissions exist for it).
    expect(worsened(results, after)).toEqual([]);
  });

  it('merges into an existing inline policy of the same name instead of replacing it', async () => {
    const existing = {
      Sid: 'Keep',
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: `arn:aws:sqs:${G.region}:${G.accountId}:q`,
    };
    const snapshot = golden((s) => {
      untraced(s);
      roleOf(s).inlinePolicies.push({
        policyName: XRAY_POLICY_NAME,
        document: JSON.stringify({ Version: '2012-10-17', Statement: [existing] }),
      });
    });
    const { plan } = await planOf(snapshot);
    const step = stepById(plan, ROLE_STEP);
    const read = readPolicy(String(step.api[0]?.params.PolicyDocument));
    expect(read.ok && read.policy.Statement).toEqual([
      existing,
      expect.objectContaining({ Action: XRAY_ACTIONS }),
    ]);
    expect(step.documents[0]?.before).toContain('sqs:SendMessage');
  });

  it('needs no role step when the role can already write traces', async () => {
    const { plan } = await planOf(
      golden((s) => (okValue(regionOf(s).functions, 'functions')[0]!.tracingMode = null)),
    );
    expect(plan.steps.map((s) => s.id)).toEqual([GOLDEN_STEPS.function('LVS010')]);
  });
});
