import { describe, expect, it } from 'vitest';
import type { IamPlanOption } from '../../src/collect/iam.js';
import { goldenSnapshot, G } from '../helpers/golden.js';
import { goldenFixtures, only } from './helpers/api-fixtures.js';
import { audit, collectFromFixtures, comparable } from './helpers/run-collect.js';

describe('golden stack: mocked AWS answers -> collectAccount -> fixtures/golden/snapshot.json', () => {
  it.each<IamPlanOption>(['auto', 'per-role', 'account-details'])(
    'collects exactly the golden snapshot (IAM plan %s)',
    async (iamPlan) => {
      const { snapshot, server } = await collectFromFixtures(goldenFixtures(), { iamPlan });
      expect(server.unexpected).toEqual([]);
      expect(comparable(snapshot)).toEqual(comparable(goldenSnapshot()));
    },
  );

  it('redacts the raw environment of ListFunctions.json, keeping only the bucket name', async () => {
    const fixtures = goldenFixtures();
    const listed = only(fixtures, 'lambda/ListFunctions').output as {
      Functions: Array<{ Environment: { Variables: Record<string, string> } }>;
    };
    const raw = listed.Functions[0]!.Environment.Variables;
    expect(Object.keys(raw).sort()).toEqual(['MODEL_VERSION', 'RESULTS_BUCKET', 'RESULTS_PREFIX']);
    expect(raw.RESULTS_BUCKET).toBe(G.bucket);
    const { snapshot } = await collectFromFixtures(fixtures);
    const text = JSON.stringify(snapshot);
    expect(text).not.toContain(raw.MODEL_VERSION);
    expect(text).not.toContain(`"${raw.RESULTS_PREFIX}"`);
  });

  it('follows the API plan: each resource read once, no per-function EC2 call, no URL read without a URL grant', async () => {
    const { server, stats } = await collectFromFixtures(goldenFixtures(), { iamPlan: 'per-role' });
    const byOp = Object.fromEntries(stats.callsByOperation);
    expect(byOp).toEqual({
      'sts:GetCallerIdentity': 1,
      'lambda:ListFunctions': 1,
      'lambda:GetPolicy': 1,
      'lambda:ListTags': 1,
      'ec2:DescribeVpcs': 1,
      'ec2:DescribeSubnets': 1,
      'ec2:DescribeRouteTables': 1,
      'ec2:DescribeVpcEndpoints': 1,
      'ec2:DescribeSecurityGroups': 1,
      'ec2:DescribePrefixLists': 1,
      'iam:GetRole': 1,
      'iam:ListRolePolicies': 1,
      'iam:GetRolePolicy': 1,
      'iam:ListAttachedRolePolicies': 1,
      'iam:GetPolicy': 2,
      'iam:GetPolicyVersion': 2,
      's3:ListBuckets': 1,
      's3:GetBucketLocation': 1,
      's3:GetBucketPolicy': 1,
      's3:GetBucketEncryption': 1,
      's3:GetPublicAccessBlock': 1,
      's3control:GetPublicAccessBlock': 1,
      'kms:DescribeKey': 1,
      'kms:GetKeyRotationStatus': 1,
    });
    expect(server.calls.length).toBe(stats.calls);
    // The artifacts bucket is the account's but no function reaches it: not read.
    expect(server.calls.filter((c) => JSON.stringify(c.input).includes('lvs-golden-artifacts'))).toEqual([]);
  });

  it('reads IAM with one GetAccountAuthorizationDetails page when that is cheaper (the default plan here)', async () => {
    const { server, stats, iamPlan } = await collectFromFixtures(goldenFixtures());
    const iam = Object.fromEntries([...stats.callsByOperation].filter(([op]) => op.startsWith('iam:')));
    expect(iam).toEqual({ 'iam:GetAccountSummary': 1, 'iam:GetAccountAuthorizationDetails': 1 });
    expect(stats.calls).toBe(20);
    expect(server.calls.length).toBe(stats.calls);
    // Summary: 4 roles + 1 customer policy + 5 attached = 10 items -> 1 page, against 3 x 1 role + 2.
    expect(iamPlan).toEqual({
      plan: 'account-details',
      why: 'estimate',
      rolesAtDecision: 1,
      summary: { roles: 4, policies: 1, attachedPolicies: 5 },
      estimate: { perRoleCalls: 5, accountDetailsCalls: 1 },
    });
  });

  it('audits with zero failures and zero errors', async () => {
    const { snapshot } = await collectFromFixtures(goldenFixtures());
    const report = await audit(snapshot);
    expect(report.results.length).toBeGreaterThan(0);
    expect(report.results.filter((r) => r.status === 'fail' || r.status === 'error')).toEqual([]);
  });
});
