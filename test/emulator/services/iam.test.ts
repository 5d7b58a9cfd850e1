import {
  DeleteRolePolicyCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListUsersCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListRolePolicies,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import { IamCollector, type IamPlanOption } from '../../../src/collect/iam.js';
import { planOf } from '../../fix/helpers.js';
import { sendCall } from '../../../src/fix/apply/commands.js';
import { createWriteClients } from '../../../src/fix/apply/clients.js';
import { parseSnapshot } from '../../../src/snapshot/load.js';
import type { AccountSnapshot, IamRole } from '../../../src/snapshot/schema.js';
import { G, golden, goldenFunction, goldenSnapshot } from '../../helpers/golden.js';
import { startEmulator, type RunningEmulator } from '../server.js';
import { stateFromSnapshot } from '../state.js';
import { CREDENTIALS, lvsContext, variantSnapshot } from './iam-test-kit.js';

let emu: RunningEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function iam(
  snapshot: AccountSnapshot = goldenSnapshot(),
  unsupported: string[] = [],
): Promise<IAMClient> {
  emu = await startEmulator(stateFromSnapshot(snapshot, { unsupported }));
  return new IAMClient({ region: 'us-east-1', endpoint: emu.url, credentials: CREDENTIALS, maxAttempts: 1 });
}

const ROLE = 'lvs-golden-scorer-role';
const roleIn = (s: AccountSnapshot): IamRole => {
  const role = s.iam.roles[G.roleArn];
  if (role?.status !== 'ok') throw new Error('golden role');
  return role.value;
};
const goldenRole = () => roleIn(goldenSnapshot());
const doc = (sid: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: sid, Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
  });

/** A role with many inline and attached policies, to page through. */
const crowded = () =>
  golden((s) => {
    const role = roleIn(s);
    for (let i = 1; i <= 4; i++)
      role.inlinePolicies.push({ policyName: `extra-${i}`, document: doc(`Extra${i}`) });
  });

async function failure(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name: string; message: string; Code?: string; $metadata: { httpStatusCode?: number } } | undefined;
  if (error === undefined) throw new Error('expected the call to fail');
  return {
    name: error.name,
    code: error.Code,
    status: error.$metadata.httpStatusCode,
    message: error.message,
  };
}

describe('IAM emulator: role reads', () => {
  it('GetRole answers the role with its trust policy URL-encoded, whatever the case of the name', async () => {
    const client = await iam();
    const { Role } = await client.send(new GetRoleCommand({ RoleName: ROLE.toUpperCase() }));
    expect(Role).toMatchObject({ RoleName: ROLE, Arn: G.roleArn, Path: '/', MaxSessionDuration: 3600 });
    expect(Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(Role?.CreateDate).toBeInstanceOf(Date);
    expect(Role?.AssumeRolePolicyDocument).toBe(encodeURIComponent(goldenRole().assumeRolePolicyDocument));
    expect(Role?.AssumeRolePolicyDocument?.startsWith('%7B%22Version')).toBe(true);
  });

  it('answers NoSuchEntity (404) for a role that does not exist or that the snapshot found absent', async () => {
    const client = await iam(golden((s) => (s.iam.roles[G.roleArn] = { status: 'absent' })));
    for (const RoleName of [ROLE, 'nobody']) {
      expect(await failure(client.send(new GetRoleCommand({ RoleName })))).toEqual({
        name: 'NoSuchEntityException',
        code: 'NoSuchEntity',
        status: 404,
        message: `The role with name ${RoleName} cannot be found.`,
      });
    }
  });

  it('answers a failed read of the snapshot on the read it names, and lets the other reads through', async () => {
    const client = await iam(variantSnapshot('lvs008-role-read-error'));
    expect(await failure(client.send(new GetRoleCommand({ RoleName: ROLE })))).toEqual({
      name: 'AccessDenied',
      code: 'AccessDenied',
      status: 403,
      message: 'User is not authorized to perform: iam:GetRole',
    });
    const listed = await client.send(new ListRolePoliciesCommand({ RoleName: ROLE }));
    expect(listed.PolicyNames).toEqual([]);
  });

  it('ListRolePolicies and GetRolePolicy answer the inline policies, documents URL-encoded', async () => {
    const client = await iam();
    const listed = await client.send(new ListRolePoliciesCommand({ RoleName: ROLE }));
    expect(listed).toMatchObject({ PolicyNames: ['write-scores'], IsTruncated: false });
    expect(listed.Marker).toBeUndefined();
    const got = await client.send(new GetRolePolicyCommand({ RoleName: ROLE, PolicyName: 'write-scores' }));
    const document = goldenRole().inlinePolicies[0]?.document ?? '';
    expect(got).toMatchObject({ RoleName: ROLE, PolicyName: 'write-scores' });
    expect(got.PolicyDocument).toBe(encodeURIComponent(document));
    expect(decodeURIComponent(got.PolicyDocument ?? '')).toBe(document);
    expect(
      await failure(client.send(new GetRolePolicyCommand({ RoleName: ROLE, PolicyName: 'nope' }))),
    ).toMatchObject({ code: 'NoSuchEntity', status: 404 });
  });

  it('pages ListRolePolicies by MaxItems and Marker, and rejects a bad MaxItems or Marker', async () => {
    const client = await iam(crowded());
    const first = await client.send(new ListRolePoliciesCommand({ RoleName: ROLE, MaxItems: 2 }));
    expect(first).toMatchObject({ PolicyNames: ['extra-1', 'extra-2'], IsTruncated: true });
    expect(first.Marker).toEqual(expect.any(String));
    const names: string[] = [];
    for await (const page of paginateListRolePolicies({ client, pageSize: 2 }, { RoleName: ROLE }))
      names.push(...(page.PolicyNames ?? []));
    expect(names).toEqual(['extra-1', 'extra-2', 'extra-3', 'extra-4', 'write-scores']);
    expect(emu?.state.calls.filter((c) => c.operation === 'ListRolePolicies')).toHaveLength(4);
    expect(
      await failure(client.send(new ListRolePoliciesCommand({ RoleName: ROLE, MaxItems: 0 }))),
    ).toMatchObject({ code: 'ValidationError', status: 400 });
    expect(
      await failure(client.send(new ListRolePoliciesCommand({ RoleName: ROLE, Marker: 'bm90LWEtbWFya2Vy' }))),
    ).toMatchObject({ code: 'ValidationError', status: 400 });
  });

  it('ListAttachedRolePolicies answers the attached policies, filtered by PathPrefix and paged', async () => {
    const client = await iam();
    const all = await client.send(new ListAttachedRolePoliciesCommand({ RoleName: ROLE }));
    expect(all.AttachedPolicies).toEqual(
      goldenRole().attachedPolicies.map((p) => ({ PolicyName: p.policyName, PolicyArn: p.policyArn })),
    );
    const scoped = await client.send(
      new ListAttachedRolePoliciesCommand({ RoleName: ROLE, PathPrefix: '/service-role/' }),
    );
    expect(scoped.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([G.vpcAccessPolicyArn]);
    const first = await client.send(new ListAttachedRolePoliciesCommand({ RoleName: ROLE, MaxItems: 1 }));
    const second = await client.send(
      new ListAttachedRolePoliciesCommand({ RoleName: ROLE, MaxItems: 1, Marker: first.Marker }),
    );
    expect([first.IsTruncated, second.IsTruncated]).toEqual([true, false]);
    expect(second.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([G.xrayPolicyArn]);
  });
});

describe('IAM emulator: managed policies and the account', () => {
  it('GetPolicy and GetPolicyVersion answer the default version, the earlier ones being non-default', async () => {
    const client = await iam();
    const { Policy } = await client.send(new GetPolicyCommand({ PolicyArn: G.vpcAccessPolicyArn }));
    expect(Policy).toMatchObject({
      PolicyName: 'AWSLambdaVPCAccessExecutionRole',
      Arn: G.vpcAccessPolicyArn,
      Path: '/service-role/',
      DefaultVersionId: 'v3',
      AttachmentCount: 1,
      IsAttachable: true,
    });
    const v3 = await client.send(
      new GetPolicyVersionCommand({ PolicyArn: G.vpcAccessPolicyArn, VersionId: 'v3' }),
    );
    const policy = goldenSnapshot().iam.managedPolicies[G.vpcAccessPolicyArn];
    expect(v3.PolicyVersion).toMatchObject({ VersionId: 'v3', IsDefaultVersion: true });
    expect(decodeURIComponent(v3.PolicyVersion?.Document ?? '')).toBe(
      policy?.status === 'ok' ? policy.value.document : 'missing',
    );
    const v2 = await client.send(
      new GetPolicyVersionCommand({ PolicyArn: G.vpcAccessPolicyArn, VersionId: 'v2' }),
    );
    expect(v2.PolicyVersion?.IsDefaultVersion).toBe(false);
    expect(
      await failure(
        client.send(new GetPolicyVersionCommand({ PolicyArn: G.vpcAccessPolicyArn, VersionId: 'v9' })),
      ),
    ).toMatchObject({ code: 'NoSuchEntity', status: 404 });
    const unknown = 'arn:aws:iam::aws:policy/NoSuchPolicy';
    expect(await failure(client.send(new GetPolicyCommand({ PolicyArn: unknown })))).toEqual({
      name: 'NoSuchEntityException',
      code: 'NoSuchEntity',
      status: 404,
      message: `Policy ${unknown} does not exist or is not attachable.`,
    });
  });

  it('GetAccountSummary counts the roles, customer policies and attached policies of the snapshot', async () => {
    const client = await iam();
    const { SummaryMap } = await client.send(new GetAccountSummaryCommand({}));
    expect(SummaryMap).toMatchObject({ Roles: 1, Policies: 0, PolicyVersionsInUse: 2, RolesQuota: 1000 });
  });

  it('GetAccountAuthorizationDetails answers roles and policies by Filter, paged by MaxItems', async () => {
    const client = await iam();
    const all = await client.send(
      new GetAccountAuthorizationDetailsCommand({
        Filter: ['Role', 'LocalManagedPolicy', 'AWSManagedPolicy'],
      }),
    );
    expect(all.IsTruncated).toBe(false);
    expect(all.RoleDetailList?.map((r) => r.RoleName)).toEqual([ROLE]);
    const role = all.RoleDetailList?.[0];
    expect(role?.RolePolicyList?.[0]?.PolicyDocument).toBe(
      encodeURIComponent(goldenRole().inlinePolicies[0]?.document ?? ''),
    );
    expect(role?.AttachedManagedPolicies).toHaveLength(2);
    expect(all.Policies?.map((p) => p.Arn)).toEqual([G.xrayPolicyArn, G.vpcAccessPolicyArn]);
    const vpc = all.Policies?.find((p) => p.Arn === G.vpcAccessPolicyArn);
    expect(vpc?.PolicyVersionList?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v3', true],
      ['v2', false],
      ['v1', false],
    ]);
    const customerOnly = await client.send(
      new GetAccountAuthorizationDetailsCommand({ Filter: ['LocalManagedPolicy'] }),
    );
    expect([customerOnly.RoleDetailList, customerOnly.Policies]).toEqual([[], []]);
    const pages = [];
    for await (const page of paginateGetAccountAuthorizationDetails({ client, pageSize: 1 }, {}))
      pages.push([
        ...(page.RoleDetailList ?? []).map((r) => r.RoleName),
        ...(page.Policies ?? []).map((p) => p.PolicyName),
      ]);
    expect(pages).toEqual([[ROLE], ['AWSXRayDaemonWriteAccess'], ['AWSLambdaVPCAccessExecutionRole']]);
  });

  it('an operation it does not emulate is a 501 InternalFailure the SDK raises', async () => {
    const client = await iam();
    expect(await failure(client.send(new ListUsersCommand({})))).toMatchObject({
      code: 'InternalFailure',
      status: 501,
    });
    expect(emu?.state.calls.at(-1)).toMatchObject({ operation: 'ListUsers', status: 501 });
  });
});

describe('IAM emulator: writes', () => {
  it('PutRolePolicy adds an inline policy that later reads and the snapshot see, then replaces it', async () => {
    const client = await iam();
    await client.send(
      new PutRolePolicyCommand({ RoleName: ROLE, PolicyName: 'lvs-xray', PolicyDocument: doc('One') }),
    );
    const listed = await client.send(new ListRolePoliciesCommand({ RoleName: ROLE }));
    expect(listed.PolicyNames).toEqual(['lvs-xray', 'write-scores']);
    await client.send(
      new PutRolePolicyCommand({ RoleName: ROLE, PolicyName: 'lvs-xray', PolicyDocument: doc('Two') }),
    );
    const got = await client.send(new GetRolePolicyCommand({ RoleName: ROLE, PolicyName: 'lvs-xray' }));
    expect(decodeURIComponent(got.PolicyDocument ?? '')).toBe(doc('Two'));
    const snapshot = parseSnapshot(emu?.state.snapshot, 'emulator state');
    expect(roleIn(snapshot).inlinePolicies.map((p) => p.policyName)).toEqual(['write-scores', 'lvs-xray']);
    await client.send(new DeleteRolePolicyCommand({ RoleName: ROLE, PolicyName: 'lvs-xray' }));
    expect((await client.send(new ListRolePoliciesCommand({ RoleName: ROLE }))).PolicyNames).toEqual([
      'write-scores',
    ]);
  });

  it('PutRolePolicy rejects what IAM rejects', async () => {
    const client = await iam();
    const put = (input: Partial<{ RoleName: string; PolicyName: string; PolicyDocument: string }>) =>
      failure(
        client.send(
          new PutRolePolicyCommand({ RoleName: ROLE, PolicyName: 'p', PolicyDocument: doc('X'), ...input }),
        ),
      );
    expect(await put({ RoleName: 'nobody' })).toMatchObject({ code: 'NoSuchEntity', status: 404 });
    expect(await put({ PolicyDocument: '{not json' })).toMatchObject({
      code: 'MalformedPolicyDocument',
      status: 400,
    });
    const withPrincipal = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }],
    });
    expect(await put({ PolicyDocument: withPrincipal })).toMatchObject({
      code: 'MalformedPolicyDocument',
      message: 'Policy document should not specify a principal.',
    });
    expect(await put({ PolicyName: 'bad name' })).toMatchObject({ code: 'ValidationError', status: 400 });
    const huge = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: Array.from({ length: 400 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`),
        },
      ],
    });
    expect(await put({ PolicyDocument: huge })).toMatchObject({ code: 'LimitExceeded', status: 409 });
    const missing = await failure(
      client.send(new PutRolePolicyCommand({ RoleName: ROLE, PolicyName: 'p' } as never)),
    );
    expect(missing).toMatchObject({ code: 'ValidationError', status: 400 });
    expect(missing.message).toContain("'policyDocument'");
    expect(roleIn(emu!.state.snapshot).inlinePolicies).toHaveLength(1);
  });

  it("applies LVS010's planned PutRolePolicy as lvs fix --apply sends it", async () => {
    const snapshot = golden((s) => {
      goldenFunction(s).tracingMode = 'PassThrough';
      roleIn(s).attachedPolicies = roleIn(s).attachedPolicies.filter((p) => p.policyArn !== G.xrayPolicyArn);
    });
    const { plan } = await planOf(snapshot);
    const call = plan.steps.flatMap((s) => s.api).find((c) => c.operation === 'PutRolePolicy');
    if (call === undefined) throw new Error('LVS010 planned no PutRolePolicy');
    await iam(snapshot);
    const write = createWriteClients({
      env: {},
      endpointUrl: emu!.url,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
    try {
      await sendCall(write, call, 'us-east-1', call.params);
    } finally {
      write.destroy();
    }
    const added = roleIn(emu!.state.snapshot).inlinePolicies.find(
      (p) => p.policyName === call.params.PolicyName,
    );
    expect(added?.document).toBe(call.params.PolicyDocument);
  });
});

describe('IAM emulator: lvs collects the snapshot it holds', () => {
  const collect = async (snapshot: AccountSnapshot, option: IamPlanOption, unsupported: string[] = []) => {
    await iam(snapshot, unsupported);
    const ctx = lvsContext(emu!.url);
    try {
      const collector = new IamCollector(ctx, option);
      collector.role(G.roleArn);
      const settled = await collector.settled();
      return { ...settled, plan: collector.plan?.plan, errors: ctx.errors, calls: emu!.state.calls };
    } finally {
      ctx.clients.destroy();
    }
  };

  it.each(['auto', 'per-role', 'account-details'] as const)(
    '%s plan: the golden roles and policies',
    async (option) => {
      const got = await collect(goldenSnapshot(), option);
      expect(got.roles).toEqual(goldenSnapshot().iam.roles);
      expect(got.managedPolicies).toEqual(goldenSnapshot().iam.managedPolicies);
      expect(got.errors).toEqual([]);
      expect(got.plan).toBe(option === 'per-role' ? 'per-role' : 'account-details');
      const operations = new Set(got.calls.map((c) => c.operation));
      expect(operations.has('GetRole')).toBe(option === 'per-role');
      expect(got.calls.every((c) => c.status === 200)).toBe(true);
    },
  );

  it.each(['per-role', 'account-details'] as const)(
    '%s plan: a role read error is recorded again',
    async (option) => {
      const variant = variantSnapshot('lvs008-role-read-error');
      const got = await collect(variant, option);
      expect(got.roles[G.roleArn]).toMatchObject({
        status: 'error',
        error: { service: 'iam', operation: 'GetRole', resource: G.roleArn, code: 'AccessDenied' },
      });
      expect(got.managedPolicies).toEqual({});
    },
  );

  it('an emulator without the account-wide reads: lvs falls back to reading per role', async () => {
    const got = await collect(goldenSnapshot(), 'auto', [
      'iam:GetAccountSummary',
      'iam:GetAccountAuthorizationDetails',
    ]);
    expect(got.plan).toBe('per-role');
    expect(got.roles).toEqual(goldenSnapshot().iam.roles);
    expect(got.managedPolicies).toEqual(goldenSnapshot().iam.managedPolicies);
    expect(got.calls.filter((c) => c.status === 501).map((c) => c.operation)).toEqual(['GetAccountSummary']);
  });
});
