import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_DETAILS_FILTER,
  accountDetailsCalls,
  choosePlan,
  IamCollector,
  perRoleCalls,
} from '../../src/collect/iam.js';
import { golden, goldenSnapshot, G } from '../helpers/golden.js';
import {
  FixtureServer,
  goldenFixtures,
  only,
  type FixtureCall,
  type Fixtures,
} from './helpers/api-fixtures.js';
import { testContext } from './helpers/context.js';
import { flush } from './helpers/fake-clock.js';
import { collectFromFixtures, comparable } from './helpers/run-collect.js';

/**
 * The two IAM plans of SPEC 3 (iam.ts): per role and managed policy, or one account-wide
 * GetAccountAuthorizationDetails (GAAD); the choice by expected cost, and the per-role fallback for
 * whatever GAAD does not give. Whatever the plan, the snapshot is the golden one.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are AWS JSON, edited freely here
type Json = Record<string, any>;
const out = (call: FixtureCall): Json => call.output as Json;
const GAAD = 'iam/GetAccountAuthorizationDetails';
const GAAD_INPUT = { Filter: [...ACCOUNT_DETAILS_FILTER], MaxItems: 1000 };
const PER_ROLE_READS = {
  'iam:GetRole': 1,
  'iam:ListRolePolicies': 1,
  'iam:GetRolePolicy': 1,
  'iam:ListAttachedRolePolicies': 1,
  'iam:GetPolicy': 2,
  'iam:GetPolicyVersion': 2,
};

function iamCalls(stats: { callsByOperation: Map<string, number> }): Record<string, number> {
  return Object.fromEntries([...stats.callsByOperation].filter(([op]) => op.startsWith('iam:')));
}

/** The golden GAAD answer's roles and policies. */
function details(fixtures: Fixtures): { roles: Json[]; policies: Json[] } {
  const page = out(only(fixtures, GAAD));
  return { roles: page.RoleDetailList as Json[], policies: page.Policies as Json[] };
}

/** Spreads items over GAAD pages chained by Marker; the last page may be an error. */
function pages(
  fixtures: Fixtures,
  contents: Array<{ roles: Json[]; policies: Json[] } | FixtureCall['error']>,
) {
  fixtures.set(
    GAAD,
    contents.map((content, i) => {
      const input = { ...GAAD_INPUT, ...(i > 0 ? { Marker: `gaad-page-${i + 1}` } : {}) };
      if (content === undefined || !('roles' in content))
        return { input, ...(content ? { error: content } : {}) };
      const last = i === contents.length - 1;
      return {
        input,
        output: {
          UserDetailList: [],
          GroupDetailList: [],
          RoleDetailList: content.roles,
          Policies: content.policies,
          IsTruncated: !last,
          ...(last ? {} : { Marker: `gaad-page-${i + 2}` }),
        },
      };
    }),
  );
}

const byArn = (items: Json[], arn: string) => items.filter((i) => i.Arn === arn);
const without = (items: Json[], ...arns: string[]) => items.filter((i) => !arns.includes(i.Arn as string));

describe('IAM plan choice (expected calls)', () => {
  it('estimates GAAD pages from the account summary and per-role calls from the roles', () => {
    expect(accountDetailsCalls({ roles: 4, policies: 1, attachedPolicies: 5 })).toBe(1);
    expect(accountDetailsCalls({ roles: 0, policies: 0, attachedPolicies: 0 })).toBe(1);
    expect(accountDetailsCalls({ roles: 2000, policies: 300, attachedPolicies: 400 })).toBe(27);
    expect(perRoleCalls(0)).toBe(0);
    expect(perRoleCalls(1)).toBe(5);
    expect(perRoleCalls(100)).toBe(302);
  });

  it('reads the account when its pages cost fewer calls than the roles, per role otherwise', () => {
    // The golden account; the benchmark at N = 1,000 (100 of 140 roles), from its first roles.
    expect(choosePlan(1, { roles: 4, policies: 1, attachedPolicies: 5 })).toBe('account-details');
    expect(choosePlan(100, { roles: 140, policies: 17, attachedPolicies: 27 })).toBe('account-details');
    expect(choosePlan(1, { roles: 140, policies: 17, attachedPolicies: 27 })).toBe('account-details');
    // One function in a large IAM account: 27 pages against 5 calls.
    expect(choosePlan(1, { roles: 2000, policies: 300, attachedPolicies: 400 })).toBe('per-role');
    // A tie keeps the per-role plan (its estimate is a lower bound).
    expect(choosePlan(1, { roles: 300, policies: 100, attachedPolicies: 100 })).toBe('per-role');
  });
});

describe('IAM through GetAccountAuthorizationDetails', () => {
  it('follows GAAD across 3 pages: no per-role read, the golden snapshot', async () => {
    const fixtures = goldenFixtures();
    const { roles, policies } = details(fixtures);
    // The execution role on the last page; its two managed policies on the first and second.
    pages(fixtures, [
      { roles: without(roles, G.roleArn).slice(0, 2), policies: byArn(policies, G.vpcAccessPolicyArn) },
      {
        roles: without(roles, G.roleArn).slice(2),
        policies: without(policies, G.vpcAccessPolicyArn).slice(0, 2),
      },
      { roles: byArn(roles, G.roleArn), policies: without(policies, G.vpcAccessPolicyArn).slice(2) },
    ]);
    const { snapshot, server, stats, iamPlan } = await collectFromFixtures(fixtures);
    expect(server.unexpected).toEqual([]);
    expect(iamCalls(stats)).toEqual({ 'iam:GetAccountSummary': 1, 'iam:GetAccountAuthorizationDetails': 3 });
    expect(
      server.calls.filter((c) => c.operation === 'GetAccountAuthorizationDetails').map((c) => c.input),
    ).toEqual([
      GAAD_INPUT,
      { ...GAAD_INPUT, Marker: 'gaad-page-2' },
      { ...GAAD_INPUT, Marker: 'gaad-page-3' },
    ]);
    expect(iamPlan?.plan).toBe('account-details');
    expect(iamPlan?.fallback).toBeUndefined();
    // Only the execution role and what it attaches: not the other roles, nor their policies.
    expect(comparable(snapshot)).toEqual(comparable(goldenSnapshot()));
  });

  it('reads a role with 12 attached policies from GAAD, and the one GAAD lacks with GetPolicy + GetPolicyVersion', async () => {
    const fixtures = goldenFixtures();
    const { roles, policies } = details(fixtures);
    const role = byArn(roles, G.roleArn)[0]!;
    const extra = Array.from({ length: 10 }, (_, i) => {
      const name = `lvs-golden-read-config-${String(i + 1).padStart(2, '0')}`;
      return { PolicyName: name, PolicyArn: `arn:aws:iam::${G.accountId}:policy/${name}` };
    });
    const documentOf = (name: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'ssm:GetParameter',
            Resource: `arn:aws:ssm:eu-west-1:${G.accountId}:parameter/${name}`,
          },
        ],
      });
    const all = [...(role.AttachedManagedPolicies as Json[]), ...extra];
    role.AttachedManagedPolicies = all;
    // The X-Ray policy is missing from the answer (e.g. attached after the pages were read).
    details(fixtures).policies.splice(0, policies.length, ...without(policies, G.xrayPolicyArn));
    for (const p of extra) {
      details(fixtures).policies.push({
        PolicyName: p.PolicyName,
        PolicyId: `ANPA${p.PolicyName.toUpperCase().replace(/-/g, '').slice(0, 17)}`,
        Arn: p.PolicyArn,
        Path: '/',
        DefaultVersionId: 'v2',
        AttachmentCount: 1,
        IsAttachable: true,
        PolicyVersionList: [
          { Document: encodeURIComponent(documentOf(p.PolicyName)), VersionId: 'v2', IsDefaultVersion: true },
          { Document: encodeURIComponent('{"Statement":[]}'), VersionId: 'v1', IsDefaultVersion: false },
        ],
      });
    }
    const { snapshot, server, stats } = await collectFromFixtures(fixtures);
    expect(server.unexpected).toEqual([]);
    expect(iamCalls(stats)).toEqual({
      'iam:GetAccountSummary': 1,
      'iam:GetAccountAuthorizationDetails': 1,
      'iam:GetPolicy': 1,
      'iam:GetPolicyVersion': 1,
    });
    expect(
      server.calls.filter((c) => c.service === 'iam' && c.operation === 'GetPolicy').map((c) => c.input),
    ).toEqual([{ PolicyArn: G.xrayPolicyArn }]);
    const expected = golden((s) => {
      const r = s.iam.roles[G.roleArn]!;
      if (r.status !== 'ok') throw new Error('role');
      r.value.attachedPolicies = all.map((p) => ({
        policyName: p.PolicyName as string,
        policyArn: p.PolicyArn as string,
      }));
      for (const p of extra) {
        s.iam.managedPolicies[p.PolicyArn] = {
          status: 'ok',
          value: {
            policyName: p.PolicyName,
            policyArn: p.PolicyArn,
            defaultVersionId: 'v2',
            document: documentOf(p.PolicyName),
          },
        };
      }
    });
    expect(comparable(snapshot)).toEqual(comparable(expected));
  });

  it('falls back to per-role reads when GAAD is denied: same snapshot, no error recorded', async () => {
    const fixtures = goldenFixtures();
    const call = only(fixtures, GAAD);
    delete call.output;
    call.error = {
      name: 'AccessDenied',
      message: `User: arn:aws:sts::${G.accountId}:assumed-role/lvs-golden-breakglass/lvs-audit is not authorized to perform: iam:GetAccountAuthorizationDetails`,
      httpStatusCode: 403,
    };
    const { snapshot, server, stats, iamPlan } = await collectFromFixtures(fixtures);
    expect(server.unexpected).toEqual([]);
    expect(iamCalls(stats)).toEqual({
      'iam:GetAccountSummary': 1,
      'iam:GetAccountAuthorizationDetails': 1,
      ...PER_ROLE_READS,
    });
    expect(iamPlan).toMatchObject({ plan: 'account-details', fallback: { code: 'AccessDenied', pages: 0 } });
    expect(snapshot.errors).toEqual([]);
    expect(stats.errors).toBe(0);
    expect(comparable(snapshot)).toEqual(comparable(goldenSnapshot()));
  });

  it('keeps what GAAD gave before failing mid-way and reads only the rest per role', async () => {
    const fixtures = goldenFixtures();
    const { roles, policies } = details(fixtures);
    pages(fixtures, [
      { roles: without(roles, G.roleArn), policies: byArn(policies, G.vpcAccessPolicyArn) },
      { name: 'ServiceFailure', message: 'An internal error occurred.', httpStatusCode: 500 },
    ]);
    const { snapshot, server, stats, iamPlan } = await collectFromFixtures(fixtures);
    expect(server.unexpected).toEqual([]);
    expect(iamCalls(stats)).toEqual({
      'iam:GetAccountSummary': 1,
      'iam:GetAccountAuthorizationDetails': 2,
      ...PER_ROLE_READS,
      // The VPC access policy came with the first page.
      'iam:GetPolicy': 1,
      'iam:GetPolicyVersion': 1,
    });
    expect(
      server.calls.filter((c) => c.service === 'iam' && c.operation === 'GetPolicy').map((c) => c.input),
    ).toEqual([{ PolicyArn: G.xrayPolicyArn }]);
    expect(iamPlan?.fallback).toEqual({ code: 'ServiceFailure', pages: 1 });
    expect(snapshot.errors).toEqual([]);
    expect(comparable(snapshot)).toEqual(comparable(goldenSnapshot()));
  });

  it('reads per role a role GAAD gives in a shape lvs cannot read', async () => {
    const fixtures = goldenFixtures();
    delete byArn(details(fixtures).roles, G.roleArn)[0]!.AssumeRolePolicyDocument;
    const { snapshot, stats } = await collectFromFixtures(fixtures);
    expect(stats.callsByOperation.get('iam:GetRole')).toBe(1);
    expect(stats.callsByOperation.get('iam:GetPolicy')).toBeUndefined();
    expect(snapshot.errors).toEqual([]);
    expect(comparable(snapshot)).toEqual(comparable(goldenSnapshot()));
  });

  it('reads per role when GetAccountSummary is denied, without recording it', async () => {
    const fixtures = goldenFixtures();
    const call = only(fixtures, 'iam/GetAccountSummary');
    delete call.output;
    call.error = { name: 'AccessDenied', message: 'not authorized', httpStatusCode: 403 };
    const { snapshot, stats, iamPlan } = await collectFromFixtures(fixtures);
    expect(iamCalls(stats)).toEqual({ 'iam:GetAccountSummary': 1, ...PER_ROLE_READS });
    expect(iamPlan).toEqual({ plan: 'per-role', why: 'no-summary', rolesAtDecision: 1 });
    expect(snapshot.errors).toEqual([]);
    expect(comparable(snapshot)).toEqual(comparable(goldenSnapshot()));
  });

  it('reads per role when the account holds far more IAM than the functions use', async () => {
    const fixtures = goldenFixtures();
    Object.assign(out(only(fixtures, 'iam/GetAccountSummary')).SummaryMap as Json, {
      Roles: 2000,
      Policies: 300,
      PolicyVersionsInUse: 400,
    });
    const { snapshot, stats, iamPlan } = await collectFromFixtures(fixtures);
    expect(iamCalls(stats)).toEqual({ 'iam:GetAccountSummary': 1, ...PER_ROLE_READS });
    expect(iamPlan).toMatchObject({
      plan: 'per-role',
      why: 'estimate',
      estimate: { perRoleCalls: 5, accountDetailsCalls: 27 },
    });
    expect(comparable(snapshot)).toEqual(comparable(goldenSnapshot()));
  });

  it('sends no IAM read at all when no function is collected', async () => {
    const { server } = await collectFromFixtures(goldenFixtures(), { functionFilter: () => false });
    expect(server.count('iam')).toBe(0);
  });
});

describe('IamCollector timing', () => {
  async function withCollector<T>(
    fixtures: Fixtures,
    run: (iam: IamCollector, server: FixtureServer) => Promise<T>,
  ): Promise<T> {
    const server = new FixtureServer(fixtures);
    const restore = server.install();
    const ctx = testContext();
    try {
      return await run(new IamCollector(ctx), server);
    } finally {
      restore();
      ctx.clients.destroy();
    }
  }

  it('starts GAAD as soon as it wins, while functions are still being listed', async () => {
    await withCollector(goldenFixtures(), async (iam, server) => {
      iam.role(G.roleArn);
      for (let i = 0; i < 10 && server.count('iam', 'GetAccountAuthorizationDetails') === 0; i++)
        await flush();
      expect(server.calls.map((c) => c.operation)).toEqual([
        'GetAccountSummary',
        'GetAccountAuthorizationDetails',
      ]);
      const { roles } = await iam.settled();
      expect(roles).toEqual(goldenSnapshot().iam.roles);
    });
  });

  it('waits for the listing to end before reading per role (more roles may still tip the choice)', async () => {
    const fixtures = goldenFixtures();
    Object.assign(out(only(fixtures, 'iam/GetAccountSummary')).SummaryMap as Json, { Roles: 2000 });
    await withCollector(fixtures, async (iam, server) => {
      iam.role(G.roleArn);
      for (let i = 0; i < 10; i++) await flush();
      expect(server.calls.map((c) => c.operation)).toEqual(['GetAccountSummary']);
      const settled = await iam.settled();
      expect(settled).toEqual({
        roles: goldenSnapshot().iam.roles,
        managedPolicies: goldenSnapshot().iam.managedPolicies,
      });
      expect(server.count('iam', 'GetRole')).toBe(1);
      expect(iam.plan?.plan).toBe('per-role');
    });
  });
});
