import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { G, goldenSnapshot } from '../../helpers/golden.js';
import { startEmulator, type RunningEmulator } from '../server.js';
import { stateFromSnapshot, type StateOptions } from '../state.js';

let emu: RunningEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function client(options: StateOptions = {}, region: string = G.region) {
  emu = await startEmulator(stateFromSnapshot(goldenSnapshot(), options));
  return new STSClient({
    region,
    endpoint: emu.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

async function failure(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name: string; message: string; Type?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (error === undefined) throw new Error('expected the call to fail');
  return { code: error.name, status: error.$metadata?.httpStatusCode, message: error.message };
}

describe('STS', () => {
  it('tells an IAM user who it is, in the snapshot account', async () => {
    const sts = await client();
    const out = await sts.send(new GetCallerIdentityCommand({}));
    expect(out).toMatchObject({
      Arn: `arn:aws:iam::${G.accountId}:user/lvs-operator`,
      Account: G.accountId,
    });
    expect(out.UserId).toMatch(/^AIDA[0-9A-F]{17}$/);
    expect(out.$metadata.httpStatusCode).toBe(200);
  });

  it('names an assumed-role session as AROA…:session, and the account of the caller', async () => {
    const arn = 'arn:aws:sts::444455556666:assumed-role/Deployer/ci-run-7';
    const sts = await client({ callerArn: arn }, 'us-east-1');
    const out = await sts.send(new GetCallerIdentityCommand({}));
    expect(out.Arn).toBe(arn);
    expect(out.Account).toBe('444455556666');
    expect(out.UserId).toMatch(/^AROA[0-9A-F]{17}:ci-run-7$/);
  });

  it('gives the root user its account ID as UserId', async () => {
    const sts = await client({ callerArn: `arn:aws:iam::${G.accountId}:root` });
    expect(await sts.send(new GetCallerIdentityCommand({}))).toMatchObject({ UserId: G.accountId });
  });

  it('answers what it does not emulate with 501 InternalFailure in the STS error document', async () => {
    const sts = await client();
    const error = await failure(
      sts.send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${G.accountId}:role/x`, RoleSessionName: 's' }),
      ),
    );
    expect(error).toMatchObject({ code: 'InternalFailure', status: 501 });
    expect(error.message).toContain("API action 'AssumeRole' for service 'sts' not yet implemented");
    expect(emu?.state.calls).toEqual([
      {
        service: 'sts',
        region: G.region,
        operation: 'AssumeRole',
        status: 501,
        errorCode: 'InternalFailure',
      },
    ]);
  });

  it('can be told to fail GetCallerIdentity, as an emulator without STS would', async () => {
    const sts = await client({ unsupported: ['sts:GetCallerIdentity'] });
    expect(await failure(sts.send(new GetCallerIdentityCommand({})))).toMatchObject({
      code: 'InternalFailure',
      status: 501,
    });
  });
});
