import { describe, expect, it } from 'vitest';
import { readPolicy } from '../../../src/fix/policy-merge.js';
import {
  DENY_OTHER_ACCOUNTS_SID,
  DENY_UNLISTED_SID,
} from '../../../src/fix/planners/lvs006-endpoint-policy-scoped.js';
import type { AccountSnapshot } from '../../../src/snapshot/schema.js';
import { G, golden, okValue, regionOf } from '../../helpers/golden.js';
import { GOLDEN_STEPS, planOf, stepById } from '../helpers.js';

describe('LVS006 planner', () => {
  const fullAccess = (s: AccountSnapshot) => {
    const endpoint = okValue(regionOf(s).vpcEndpoints, 'endpoints')[0];
    if (endpoint) endpoint.policyDocument = null;
  };

  it('keeps the policy, adds a Deny on other accounts and one on every bucket its functions do not reach', async () => {
    const { plan } = await planOf(golden(fullAccess));
    const step = stepById(plan, GOLDEN_STEPS.endpoint);
    const read = readPolicy(String(step.api[0]?.params.PolicyDocument));
    if (!read.ok) throw new Error(read.problem);
    expect(read.policy.Statement[0]).toEqual({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' });
    expect(read.policy.Statement.slice(1)).toEqual([
      expect.objectContaining({
        Sid: DENY_OTHER_ACCOUNTS_SID,
        Condition: { StringNotEquals: { 'aws:ResourceAccount': G.accountId } },
      }),
      expect.objectContaining({
        Sid: DENY_UNLISTED_SID,
        NotResource: [`arn:aws:s3:::${G.bucket}`, `arn:aws:s3:::${G.bucket}/*`],
      }),
    ]);
    expect(step.documents[0]?.label).toContain('AWS default');
    expect(step.risks.find((r) => r.kind === 'connectivity')?.detail).toContain('AWS-owned buckets');
  });

  it('limits the policy to the account only when a function behind the endpoint may use any bucket', async () => {
    const snapshot = golden((s) => {
      fullAccess(s);
      const role = s.iam.roles[G.roleArn];
      if (role?.status === 'ok')
        role.value.inlinePolicies.push({
          policyName: 'read-anything',
          document: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
          }),
        });
    });
    const { plan } = await planOf(snapshot, { only: ['LVS006'] });
    const step = stepById(plan, GOLDEN_STEPS.endpoint);
    expect(String(step.api[0]?.params.PolicyDocument)).not.toContain(DENY_UNLISTED_SID);
    expect(step.notes.join(' ')).toContain('may use any bucket');
  });
});
