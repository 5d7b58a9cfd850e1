import { describe, expect, it } from 'vitest';
import { readPolicy } from '../../../src/fix/policy-merge.js';
import { PIN_SID } from '../../../src/fix/planners/lvs007-bucket-policy-pinned-to-endpoint.js';
import { parseSnapshot } from '../../../src/snapshot/load.js';
import type { AccountSnapshot } from '../../../src/snapshot/schema.js';
import { G, golden, okValue, regionOf } from '../../helpers/golden.js';
import { applyVariant, loadVariants } from '../../helpers/variants.js';
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

const BUCKET_ARN = `arn:aws:s3:::${G.bucket}`;
const variant = (slug: string): AccountSnapshot => {
  const found = loadVariants().find((v) => v.slug === slug);
  if (!found) throw new Error(slug);
  return parseSnapshot(applyVariant(found), slug);
};
/** The no-deny variant after `mutate`, re-validated. */
const noDeny = (mutate: (s: AccountSnapshot) => void) => {
  const s = structuredClone(variant('lvs007-no-deny'));
  mutate(s);
  return parseSnapshot(s, 'test');
};
const trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
/** A function outside the VPC whose own role reaches the golden bucket (by name, or on every bucket). */
function addOutsider(s: AccountSnapshot, name: string, resource: string) {
  const roleArn = `arn:aws:iam::${G.accountId}:role/${name}-role`;
  okValue(regionOf(s).functions, 'functions').push(
    replicaOf(s, name, { role: roleArn, vpcConfig: null, environment: [] }),
  );
  s.iam.roles[roleArn] = {
    status: 'ok',
    value: {
      roleName: `${name}-role`,
      roleArn,
      assumeRolePolicyDocument: trust,
      inlinePolicies: [
        {
          policyName: 'read',
          document: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resource }],
          }),
        },
      ],
      attachedPolicies: [],
    },
  };
  return roleArn;
}

describe('LVS007 planner', () => {
  it('merges one Deny pinned to the serving endpoint and keeps every other statement', async () => {
    const snapshot = variant('lvs007-no-deny');
    const { plan } = await planOf(snapshot);
    const step = stepById(plan, GOLDEN_STEPS.pin);
    expect(step.api.map((c) => `${c.service}:${c.operation}`)).toEqual(['s3:PutBucketPolicy']);
    const read = readPolicy(String(step.api[0]?.params.Policy));
    if (!read.ok) throw new Error(read.problem);
    expect(read.policy.Statement.map((s) => s.Sid)).toEqual(['DenyInsecureTransport', PIN_SID]);
    expect(read.policy.Statement[1]).toEqual({
      Sid: PIN_SID,
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: `${BUCKET_ARN}/*`,
      Condition: { StringNotEquals: { 'aws:SourceVpce': G.endpointId } },
    });
    expect(step.documents[0]?.before).toContain('DenyInsecureTransport');
    expect(step.risks.map((r) => r.kind)).toEqual(['fixer-lockout']);
  });

  it('names the other roles of the snapshot that the Deny cuts off', async () => {
    let named = '';
    let unbounded = '';
    const snapshot = noDeny((s) => {
      named = addOutsider(s, 'report-reader', `${BUCKET_ARN}/*`);
      unbounded = addOutsider(s, 'any-reader', '*');
    });
    const { plan } = await planOf(snapshot);
    const step = stepById(plan, GOLDEN_STEPS.pin);
    expect(step.kind).toBe('automated');
    const lockout = step.risks.find((r) => r.kind === 'lockout');
    expect(lockout?.principals).toEqual([named]);
    expect(lockout?.detail).toContain('report-reader (not in a VPC)');
    expect(step.risks.find((r) => r.kind === 'possible-lockout')?.principals).toEqual([unbounded]);
    expect(step.risks.find((r) => r.kind === 'fixer-lockout')?.principals).toEqual([
      'the principal running lvs fix --apply',
    ]);
    // The golden role, whose function is behind the endpoint, is not at risk.
    expect(step.risks.flatMap((r) => r.principals ?? [])).not.toContain(G.roleArn);
  });

  it('warns that a function whose environment Lambda cannot decrypt may name the bucket', async () => {
    const unreadable = { errorCode: 'KMSAccessDeniedException', message: 'Lambda was unable to decrypt' };
    let outsiderRole = '';
    const snapshot = noDeny((s) => {
      // Outside the VPC, its role names another bucket only: only its unseen variables could name this one.
      outsiderRole = addOutsider(s, 'env-unknown', 'arn:aws:s3:::some-other-bucket/*');
      const fns = okValue(regionOf(s).functions, 'functions');
      fns[fns.length - 1]!.environmentError = unreadable;
      // Behind the endpoint: pinned or not, its requests come through it.
      fns.push(replicaOf(s, 'lvs-golden-env-unknown', { environment: [], environmentError: unreadable }));
    });
    const { plan } = await planOf(snapshot);
    const step = stepById(plan, GOLDEN_STEPS.pin);
    const risk = step.risks.find((r) => r.kind === 'possible-lockout');
    expect(risk?.resources).toEqual([`arn:aws:lambda:${G.region}:${G.accountId}:function:env-unknown`]);
    expect(risk?.principals).toEqual([outsiderRole]);
    expect(risk?.detail).toContain('env-unknown (KMSAccessDeniedException)');
    expect(risk?.detail).not.toContain('lvs-golden-env-unknown');
  });

  it('pins to every endpoint that serves a function reaching the bucket', async () => {
    const other = 'vpce-0a1b2c3d4e5f60099';
    const snapshot = noDeny((s) => {
      const region = regionOf(s);
      okValue(region.vpcEndpoints, 'endpoints').push({
        ...structuredClone(okValue(region.vpcEndpoints, 'endpoints')[0]!),
        vpcEndpointId: other,
        routeTableIds: [G.routeTableB],
      });
      const b = okValue(region.routeTables, 'tables').find((t) => t.routeTableId === G.routeTableB);
      const route = b?.routes.find((r) => r.destinationPrefixListId === G.s3PrefixListId);
      if (route) route.gatewayId = other;
      const endpoint = okValue(region.vpcEndpoints, 'endpoints')[0];
      if (endpoint) endpoint.routeTableIds = [G.routeTableA];
      okValue(region.functions, 'functions').push(
        replicaOf(s, 'lvs-golden-second', {
          vpcConfig: { vpcId: G.vpcId, subnetIds: [G.subnetB], securityGroupIds: [G.securityGroupId] },
        }),
      );
    });
    const { plan, results } = await planOf(snapshot);
    const step = stepById(plan, GOLDEN_STEPS.pin);
    expect(step.resolves).toHaveLength(2);
    const read = readPolicy(String(step.api[0]?.params.Policy));
    expect(read.ok && read.policy.Statement[1]?.Condition).toEqual({
      StringNotEquals: { 'aws:SourceVpce': [G.endpointId, other] },
    });
    const after = await auditResults(applied(plan, snapshot));
    expect(failing(after, 'LVS007')).toEqual([]);
    expect(worsened(results, after)).toEqual([]);
  });

  it('exempts break-glass principals and then covers the bucket itself too', async () => {
    const breakGlass = `arn:aws:iam::${G.accountId}:role/break-glass`;
    const snapshot = variant('lvs007-no-deny');
    const { plan, results } = await planOf(snapshot, { breakGlassPrincipalArns: [breakGlass] });
    const step = stepById(plan, GOLDEN_STEPS.pin);
    const read = readPolicy(String(step.api[0]?.params.Policy));
    expect(read.ok && read.policy.Statement[1]).toMatchObject({
      Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
      Condition: {
        StringNotEquals: { 'aws:SourceVpce': G.endpointId },
        ArnNotLike: { 'aws:PrincipalArn': breakGlass },
      },
    });
    expect(step.risks.find((r) => r.kind === 'fixer-lockout')?.detail).toContain(breakGlass);
    const after = await auditResults(applied(plan, snapshot));
    expect(after.find((r) => r.ruleId === 'LVS007')).toMatchObject({ status: 'pass', reasonId: 'pinned' });
    expect(worsened(results, after)).toEqual([]);
  });

  it('makes a cross-region bucket a manual step: the endpoint cannot serve it', async () => {
    const snapshot = noDeny((s) => {
      const bucket = s.s3.buckets[G.bucket];
      if (bucket) bucket.region = { status: 'ok', value: 'us-east-1' };
    });
    const { plan } = await planOf(snapshot);
    const step = stepById(plan, GOLDEN_STEPS.pin);
    expect(step.kind).toBe('manual');
    expect(step.api).toEqual([]);
    const risk = step.risks.find((r) => r.kind === 'cross-region');
    expect(risk?.detail).toContain(`${G.bucket} is in us-east-1`);
    expect(risk?.resources).toEqual([G.functionArn]);
    expect(step.template).toContain('interface endpoint');
    expect(step.template).toContain(`put-bucket-policy --bucket ${G.bucket}`);
  });

  it('leaves a bucket pinned to other endpoints to a person, with the widened statement as template', async () => {
    const { plan } = await planOf(variant('lvs007-pinned-to-other-endpoint'));
    const step = stepById(plan, GOLDEN_STEPS.pin);
    expect(step.kind).toBe('manual');
    expect(step.template).toContain('"vpce-0ffffffffffff0099"');
    expect(step.template).toContain(`"${G.endpointId}"`);
    expect(step.template).toContain('ArnNotLike'); // the existing exemption is kept in the template
  });

  it('never overwrites a policy it cannot parse', async () => {
    const { plan } = await planOf(variant('lvs007-invalid-policy'));
    const step = stepById(plan, GOLDEN_STEPS.pin);
    expect(step.kind).toBe('manual');
    expect(step.template).toContain(PIN_SID);
  });

  it('is not planned for a bucket whose reader is not behind any endpoint yet', async () => {
    const snapshot = golden((s) => {
      const fn = okValue(regionOf(s).functions, 'functions')[0];
      if (fn) fn.vpcConfig = null;
    });
    const { plan } = await planOf(snapshot);
    expect(plan.steps.some((s) => s.id === GOLDEN_STEPS.pin)).toBe(false);
  });
});
