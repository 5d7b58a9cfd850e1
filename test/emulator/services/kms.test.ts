import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { afterEach, describe, expect, it } from 'vitest';
import { KmsCollector } from '../../../src/collect/kms.js';
import { createAwsClients } from '../../../src/collect/clients.js';
import { applyPlan, fillParams, valueAt } from '../../../src/fix/apply.js';
import { createWriteClients } from '../../../src/fix/apply/clients.js';
import { sendCall } from '../../../src/fix/apply/commands.js';
import { parseSnapshot } from '../../../src/snapshot/load.js';
import type { AccountSnapshot } from '../../../src/snapshot/schema.js';
import { memoryIo } from '../../fix/apply/live-account.js';
import { planOf } from '../../fix/helpers.js';
import { G, golden, goldenSnapshot } from '../../helpers/golden.js';
import { startEmulator, type RunningEmulator } from '../server.js';
import { stateFromSnapshot } from '../state.js';
import { CREDENTIALS, lvsContext, variantSnapshot } from './iam-test-kit.js';

let emu: RunningEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function kms(
  snapshot: AccountSnapshot = goldenSnapshot(),
  region: string = G.region,
): Promise<KMSClient> {
  emu = await startEmulator(stateFromSnapshot(snapshot));
  return client(region);
}
const client = (region: string) =>
  new KMSClient({ region, endpoint: emu!.url, credentials: CREDENTIALS, maxAttempts: 1 });

const KEY_ID = G.keyArn.slice(G.keyArn.lastIndexOf('/') + 1);
const ROOT = `arn:aws:iam::${G.accountId}:root`;
const policyFor = (principal: string, action = 'kms:*') =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: action, Resource: '*' }],
  });

async function failure(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name: string; message: string; $metadata: { httpStatusCode?: number } } | undefined;
  if (error === undefined) throw new Error('expected the call to fail');
  return { name: error.name, status: error.$metadata.httpStatusCode, message: error.message };
}

const keyState = (arn: string) => {
  const key = emu!.state.snapshot.kms.keys[arn];
  return key?.status === 'ok' ? key.value : undefined;
};

describe('KMS emulator: reads', () => {
  it('DescribeKey answers the key by ARN or ID, CreationDate as a timestamp', async () => {
    const kmsClient = await kms();
    for (const KeyId of [G.keyArn, KEY_ID]) {
      const { KeyMetadata } = await kmsClient.send(new DescribeKeyCommand({ KeyId }));
      expect(KeyMetadata).toMatchObject({
        AWSAccountId: G.accountId,
        KeyId: KEY_ID,
        Arn: G.keyArn,
        Enabled: true,
        KeyState: 'Enabled',
        KeyManager: 'CUSTOMER',
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        Origin: 'AWS_KMS',
        EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
        MultiRegion: false,
      });
      expect(KeyMetadata?.CreationDate).toBeInstanceOf(Date);
    }
  });

  it('answers NotFoundException (400) for a key of another region, an unknown key, an alias, an absent key', async () => {
    const kmsClient = await kms(golden((s) => (s.kms.keys[G.keyArn] = { status: 'absent' })));
    const unknown = '11111111-2222-3333-4444-555555555555';
    for (const [c, KeyId] of [
      [kmsClient, G.keyArn],
      [kmsClient, unknown],
      [kmsClient, 'alias/aws/lambda'],
      [client('us-east-1'), G.keyArn],
    ] as const) {
      expect(await failure(c.send(new DescribeKeyCommand({ KeyId })))).toMatchObject({
        name: 'NotFoundException',
        status: 400,
      });
    }
    expect((await failure(kmsClient.send(new DescribeKeyCommand({ KeyId: G.keyArn })))).message).toBe(
      `Key '${G.keyArn}' does not exist`,
    );
  });

  it("answers a snapshot's failed read as that error, with KMS's status 400", async () => {
    const kmsClient = await kms(
      golden((s) => {
        s.kms.keys[G.keyArn] = {
          status: 'error',
          error: {
            service: 'kms',
            operation: 'DescribeKey',
            code: 'AccessDeniedException',
            message: 'denied',
          },
        };
      }),
    );
    expect(await failure(kmsClient.send(new DescribeKeyCommand({ KeyId: G.keyArn })))).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: 'denied',
    });
  });

  it('GetKeyRotationStatus answers the rotation, or the error the snapshot recorded', async () => {
    let kmsClient = await kms();
    expect(await kmsClient.send(new GetKeyRotationStatusCommand({ KeyId: G.keyArn }))).toMatchObject({
      KeyRotationEnabled: true,
      KeyId: G.keyArn,
      RotationPeriodInDays: 365,
      NextRotationDate: expect.any(Date),
    });
    await emu!.close();
    kmsClient = await kms(variantSnapshot('lvs009-rotation-status-denied'));
    expect(await failure(kmsClient.send(new GetKeyRotationStatusCommand({ KeyId: G.keyArn })))).toMatchObject(
      {
        name: 'AccessDeniedException',
        status: 400,
      },
    );
  });

  it('GetKeyPolicy answers the default policy, and only the policy named "default"', async () => {
    const kmsClient = await kms();
    const got = await kmsClient.send(new GetKeyPolicyCommand({ KeyId: G.keyArn, PolicyName: 'default' }));
    expect(got.PolicyName).toBe('default');
    expect(JSON.parse(got.Policy ?? '{}')).toMatchObject({ Statement: [{ Principal: { AWS: ROOT } }] });
    expect(
      await failure(kmsClient.send(new GetKeyPolicyCommand({ KeyId: G.keyArn, PolicyName: 'other' }))),
    ).toMatchObject({ name: 'NotFoundException' });
  });

  it('an operation it does not emulate is a 501 InternalFailure the SDK raises', async () => {
    const kmsClient = await kms();
    expect(await failure(kmsClient.send(new ListAliasesCommand({})))).toMatchObject({
      name: 'InternalFailure',
      status: 501,
    });
  });
});

describe('KMS emulator: writes', () => {
  it('CreateKey makes an enabled customer key that later reads and the snapshot see', async () => {
    const kmsClient = await kms();
    const { KeyMetadata } = await kmsClient.send(
      new CreateKeyCommand({
        Description: 'lvs test',
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        Tags: [{ TagKey: 'lvs:purpose', TagValue: 'lambda-environment' }],
      }),
    );
    const arn = KeyMetadata?.Arn ?? '';
    expect(arn).toMatch(
      /^arn:aws:kms:eu-west-1:111122223333:key\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(KeyMetadata).toMatchObject({
      KeyManager: 'CUSTOMER',
      KeyState: 'Enabled',
      Enabled: true,
      Description: 'lvs test',
    });
    const described = await kmsClient.send(new DescribeKeyCommand({ KeyId: KeyMetadata?.KeyId }));
    expect(described.KeyMetadata?.Arn).toBe(arn);
    expect((await kmsClient.send(new GetKeyRotationStatusCommand({ KeyId: arn }))).KeyRotationEnabled).toBe(
      false,
    );
    const policy = await kmsClient.send(new GetKeyPolicyCommand({ KeyId: arn }));
    expect(JSON.parse(policy.Policy ?? '{}')).toMatchObject({ Id: 'key-default-1' });
    const snapshot = parseSnapshot(emu!.state.snapshot, 'emulator state');
    expect(snapshot.kms.keys[arn]).toEqual({
      status: 'ok',
      value: {
        keyId: KeyMetadata?.KeyId,
        keyArn: arn,
        keyManager: 'CUSTOMER',
        keyState: 'Enabled',
        rotationEnabled: { status: 'ok', value: false },
      },
    });
  });

  it('PutKeyPolicy replaces the policy, after the checks KMS makes', async () => {
    const kmsClient = await kms();
    const put = (Policy: string, bypass = false) =>
      kmsClient.send(
        new PutKeyPolicyCommand({
          KeyId: G.keyArn,
          PolicyName: 'default',
          Policy,
          BypassPolicyLockoutSafetyCheck: bypass,
        }),
      );
    await put(policyFor(ROOT));
    const other = 'arn:aws:iam::111122223333:role/someone-else';
    expect(await failure(put(policyFor(other)))).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      status: 400,
    });
    await put(policyFor(other), true);
    expect((await kmsClient.send(new GetKeyPolicyCommand({ KeyId: G.keyArn }))).Policy).toBe(
      policyFor(other),
    );
    expect(await failure(put('{not json'))).toMatchObject({ name: 'MalformedPolicyDocumentException' });
  });

  it('PutKeyPolicy rejects a principal that does not exist and AWS managed keys', async () => {
    const absentRole = golden((s) => (s.iam.roles[G.roleArn] = { status: 'absent' }));
    let kmsClient = await kms(absentRole);
    const both = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: [G.roleArn] }, Action: 'kms:Decrypt', Resource: '*' },
      ],
    });
    expect(
      await failure(kmsClient.send(new PutKeyPolicyCommand({ KeyId: G.keyArn, Policy: both }))),
    ).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: 'Policy contains a statement with one or more invalid principals.',
    });
    await emu!.close();
    const variant = variantSnapshot('lvs009-aws-managed-key');
    const awsKey = Object.values(variant.kms.keys).find(
      (k) => k.status === 'ok' && k.value.keyManager === 'AWS',
    );
    kmsClient = await kms(variant);
    const arn = awsKey?.status === 'ok' ? awsKey.value.keyArn : '';
    expect(
      await failure(kmsClient.send(new PutKeyPolicyCommand({ KeyId: arn, Policy: policyFor(ROOT) }))),
    ).toMatchObject({
      name: 'AccessDeniedException',
      status: 400,
    });
  });

  it('a key pending deletion: EnableKey refused, CancelKeyDeletion leaves it Disabled, then EnableKey and rotation', async () => {
    const kmsClient = await kms(variantSnapshot('lvs009-key-pending-deletion'));
    const described = await kmsClient.send(new DescribeKeyCommand({ KeyId: G.keyArn }));
    expect(described.KeyMetadata).toMatchObject({
      KeyState: 'PendingDeletion',
      Enabled: false,
      DeletionDate: expect.any(Date),
    });
    expect(await failure(kmsClient.send(new EnableKeyCommand({ KeyId: G.keyArn })))).toMatchObject({
      name: 'KMSInvalidStateException',
      status: 400,
    });
    expect(await kmsClient.send(new CancelKeyDeletionCommand({ KeyId: G.keyArn }))).toMatchObject({
      KeyId: G.keyArn,
    });
    expect(keyState(G.keyArn)?.keyState).toBe('Disabled');
    expect(await failure(kmsClient.send(new EnableKeyRotationCommand({ KeyId: G.keyArn })))).toMatchObject({
      name: 'DisabledException',
    });
    await kmsClient.send(new EnableKeyCommand({ KeyId: G.keyArn }));
    await kmsClient.send(new EnableKeyRotationCommand({ KeyId: G.keyArn }));
    const after = await kmsClient.send(new DescribeKeyCommand({ KeyId: G.keyArn }));
    expect(after.KeyMetadata).toMatchObject({ KeyState: 'Enabled', Enabled: true });
    expect(after.KeyMetadata?.DeletionDate).toBeUndefined();
    expect(keyState(G.keyArn)?.rotationEnabled).toEqual({ status: 'ok', value: true });
    expect(await failure(kmsClient.send(new CancelKeyDeletionCommand({ KeyId: G.keyArn })))).toMatchObject({
      name: 'KMSInvalidStateException',
    });
  });

  it('CreateAlias names a key of its region; DescribeKey (only) finds the key by alias name or alias ARN', async () => {
    const kmsClient = await kms();
    const alias = 'alias/lvs/lambda-environment';
    const aliasArn = `arn:aws:kms:${G.region}:${G.accountId}:${alias}`;
    expect(await failure(kmsClient.send(new DescribeKeyCommand({ KeyId: alias })))).toEqual({
      name: 'NotFoundException',
      status: 400,
      message: `Alias ${aliasArn} is not found.`,
    });
    expect(
      await kmsClient.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: G.keyArn })),
    ).toMatchObject({});
    for (const KeyId of [alias, aliasArn]) {
      const { KeyMetadata } = await kmsClient.send(new DescribeKeyCommand({ KeyId }));
      expect(KeyMetadata).toMatchObject({ Arn: G.keyArn, KeyManager: 'CUSTOMER', KeyState: 'Enabled' });
    }
    // Aliases are per region, and management operations take a key ID or key ARN, not an alias.
    expect(await failure(client('us-east-1').send(new DescribeKeyCommand({ KeyId: alias })))).toMatchObject({
      name: 'NotFoundException',
    });
    expect(
      await failure(
        kmsClient.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:us-east-1:${G.accountId}:${alias}` })),
      ),
    ).toMatchObject({
      name: 'NotFoundException',
    });
    expect(await failure(kmsClient.send(new EnableKeyRotationCommand({ KeyId: alias })))).toMatchObject({
      name: 'NotFoundException',
    });
    // One alias name per region; another key ID as target is fine once the alias is gone.
    expect(
      await failure(kmsClient.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KEY_ID }))),
    ).toEqual({
      name: 'AlreadyExistsException',
      status: 400,
      message: `An alias with the name ${aliasArn} already exists`,
    });
    await kmsClient.send(new DeleteAliasCommand({ AliasName: alias }));
    expect(await failure(kmsClient.send(new DescribeKeyCommand({ KeyId: alias })))).toMatchObject({
      name: 'NotFoundException',
    });
    expect(await failure(kmsClient.send(new DeleteAliasCommand({ AliasName: alias })))).toMatchObject({
      name: 'NotFoundException',
      status: 400,
    });
    await kmsClient.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KEY_ID }));
    expect((await kmsClient.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata?.Arn).toBe(G.keyArn);
  });

  it('CreateAlias refuses a bad name, a missing key, and a key pending deletion', async () => {
    let kmsClient = await kms();
    expect(
      await failure(kmsClient.send(new CreateAliasCommand({ AliasName: 'lvs', TargetKeyId: G.keyArn }))),
    ).toMatchObject({ name: 'InvalidAliasNameException', status: 400 });
    expect(
      await failure(
        kmsClient.send(new CreateAliasCommand({ AliasName: 'alias/a b', TargetKeyId: G.keyArn })),
      ),
    ).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(
      await failure(
        kmsClient.send(
          new CreateAliasCommand({
            AliasName: 'alias/x',
            TargetKeyId: '11111111-2222-3333-4444-555555555555',
          }),
        ),
      ),
    ).toMatchObject({ name: 'NotFoundException' });
    await emu!.close();
    kmsClient = await kms(variantSnapshot('lvs009-key-pending-deletion'));
    expect(
      await failure(kmsClient.send(new CreateAliasCommand({ AliasName: 'alias/x', TargetKeyId: G.keyArn }))),
    ).toMatchObject({ name: 'KMSInvalidStateException', status: 400 });
  });

  it('a missing KeyId is a ValidationException', async () => {
    const kmsClient = await kms();
    expect(await failure(kmsClient.send(new EnableKeyCommand({} as never)))).toMatchObject({
      name: 'ValidationException',
      status: 400,
    });
  });
});

describe('KMS emulator: lvs reads and fixes', () => {
  it("lvs's collector reads the golden key as the snapshot holds it", async () => {
    await kms();
    const ctx = lvsContext(emu!.url);
    try {
      const collector = new KmsCollector(ctx);
      expect(await collector.key(G.keyArn, G.region)).toEqual(goldenSnapshot().kms.keys[G.keyArn]);
      expect(ctx.errors).toEqual([]);
    } finally {
      ctx.clients.destroy();
    }
  });

  it("LVS009's new-key step runs as lvs fix --apply sends it: the captured ARN reaches the later calls", async () => {
    const snapshot = variantSnapshot('lvs009-no-customer-key');
    const { plan } = await planOf(snapshot);
    const step = plan.steps.find((s) => s.api.some((c) => c.operation === 'CreateKey'));
    if (step === undefined) throw new Error('LVS009 planned no CreateKey');
    await kms(snapshot);
    const write = createWriteClients({
      env: {},
      endpointUrl: emu!.url,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
    const values: Record<string, string> = {};
    try {
      for (const call of step.api) {
        const output = await sendCall(write, call, call.region ?? G.region, fillParams(call.params, values));
        for (const [name, path] of Object.entries(call.captures ?? {}))
          values[name] = String(valueAt(output, path));
      }
    } finally {
      write.destroy();
    }
    const arn = Object.values(values)[0] ?? '';
    expect(arn).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\//);
    // The key is named by the alias a later run looks up before creating one.
    const kmsClient = client(G.region);
    const lookup = step.api.find((c) => c.operation === 'CreateKey')?.reuse?.lookup;
    expect(lookup).toEqual({ operation: 'DescribeKey', params: { KeyId: 'alias/lvs/lambda-environment' } });
    expect(
      (await kmsClient.send(new DescribeKeyCommand({ KeyId: 'alias/lvs/lambda-environment' }))).KeyMetadata,
    ).toMatchObject({ Arn: arn, KeyState: 'Enabled', KeyManager: 'CUSTOMER' });
    expect(keyState(arn)).toMatchObject({
      keyManager: 'CUSTOMER',
      keyState: 'Enabled',
      rotationEnabled: { status: 'ok', value: true },
    });
    const policy = JSON.parse(emu!.state.keyPolicies.get(arn) ?? '{}') as {
      Statement: Array<{ Sid?: string }>;
    };
    expect(policy.Statement.map((s) => s.Sid)).toContain('LvsLambdaEnvironmentDecrypt');
    const ctx = lvsContext(emu!.url);
    try {
      expect(await new KmsCollector(ctx).key(arn, G.region)).toMatchObject({
        status: 'ok',
        value: {
          keyArn: arn,
          keyManager: 'CUSTOMER',
          keyState: 'Enabled',
          rotationEnabled: { status: 'ok', value: true },
        },
      });
    } finally {
      ctx.clients.destroy();
    }
  });

  it('lvs fix --apply stopped after CreateKey and CreateAlias: the re-run finds the key by its alias and reuses it', async () => {
    const snapshot = variantSnapshot('lvs009-no-customer-key');
    const { plan } = await planOf(snapshot);
    await kms(snapshot);
    const state = emu!.state;
    const keysBefore = new Set(Object.keys(state.snapshot.kms.keys));
    const run = async (backupDir: string) => {
      const read = createAwsClients({
        env: {},
        credentials: CREDENTIALS,
        endpointUrl: emu!.url,
        maxAttempts: 1,
      });
      const write = createWriteClients({
        env: {},
        credentials: CREDENTIALS,
        endpointUrl: emu!.url,
        maxAttempts: 1,
      });
      const io = memoryIo([]);
      try {
        const result = await applyPlan(
          plan,
          {
            backupDir,
            yes: true,
            allowLockout: false,
            homeRegion: G.region,
            toolVersion: '0.1.0',
            now: new Date('2026-11-21T10:00:00.000Z'),
          },
          { read, write, sleep: () => Promise.resolve() },
          io,
        );
        return { result, io };
      } finally {
        read.destroy();
        write.destroy();
      }
    };
    // Run 1: KMS rejects the key policy (its role is gone for a moment), after CreateKey and CreateAlias.
    const role = state.snapshot.iam.roles[G.roleArn];
    state.snapshot.iam.roles[G.roleArn] = { status: 'absent' };
    const first = await run('/backup/1');
    expect(first.result).toMatchObject({
      status: 'failed',
      changed: true,
      error: expect.stringMatching(/kms:PutKeyPolicy: MalformedPolicyDocumentException/),
    });
    const created = () => Object.keys(state.snapshot.kms.keys).filter((arn) => !keysBefore.has(arn));
    expect(created()).toHaveLength(1);
    const [key] = created();
    if (role !== undefined) state.snapshot.iam.roles[G.roleArn] = role;

    // Run 2, the same plan: the key is found by its alias, nothing new is created.
    const second = await run('/backup/2');
    expect(second.result, second.io.output()).toMatchObject({ status: 'applied' });
    if (second.result.status !== 'applied') return;
    expect(second.result.sent.map((c) => c.operation)).toEqual([
      'PutKeyPolicy',
      'EnableKeyRotation',
      'UpdateFunctionConfiguration',
    ]);
    expect(created()).toEqual([key]);
    expect(keyState(key ?? '')).toMatchObject({
      keyState: 'Enabled',
      rotationEnabled: { status: 'ok', value: true },
    });
    const fn = state.snapshot.regions[0]?.functions;
    expect(fn?.status === 'ok' && fn.value[0]?.kmsKeyArn).toBe(key);
    expect(second.io.output()).toContain(
      'kms:CreateKey skipped: key from a previous run (alias/lvs/lambda-environment) reused',
    );
  });
});
