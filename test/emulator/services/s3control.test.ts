import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  ListAccessPointsCommand,
  PutPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeAccountPublicAccessBlock } from '../../../src/collect/normalize/s3.js';
import type { AccountSnapshot } from '../../../src/snapshot/schema.js';
import { G, golden } from '../../helpers/golden.js';
import { startEmulator, type RunningEmulator } from '../server.js';
import { stateFromSnapshot } from '../state.js';
import { AwsError } from '../types.js';
import { s3controlService } from './s3control.js';

let emu: RunningEmulator | undefined;

afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function controlOf(mutate: (s: AccountSnapshot) => void = () => {}): Promise<S3ControlClient> {
  emu = await startEmulator(stateFromSnapshot(golden(mutate)));
  const url = emu.url;
  return new S3ControlClient({
    region: G.region,
    endpoint: url,
    // S3 Control's endpoint rules put the account ID in front of the host (111122223333.127.0.0.1), no valid URL.
    endpointProvider: () => ({ url: new URL(url) }),
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode?: number } },
  );
  if (error === undefined) throw new Error('expected the call to fail');
  return { name: error.name, status: error.$metadata.httpStatusCode, message: error.message };
}

const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

describe('S3 Control emulator: account Block Public Access', () => {
  it('answers NoSuchPublicAccessBlockConfiguration when the account has none (the golden account)', async () => {
    const control = await controlOf();
    expect(await failure(control.send(new GetPublicAccessBlockCommand({ AccountId: G.accountId })))).toEqual({
      name: 'NoSuchPublicAccessBlockConfiguration',
      status: 404,
      message: 'The public access block configuration was not found',
    });
  });

  it('answers the recorded configuration, read back as lvs normalizes it', async () => {
    const control = await controlOf((s) => {
      s.s3.accountPublicAccessBlock = {
        status: 'ok',
        value: {
          blockPublicAcls: true,
          ignorePublicAcls: false,
          blockPublicPolicy: true,
          restrictPublicBuckets: false,
        },
      };
    });
    const out = await control.send(new GetPublicAccessBlockCommand({ AccountId: G.accountId }));
    expect(out.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: false,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: false,
    });
    expect(normalizeAccountPublicAccessBlock(out)).toEqual({
      blockPublicAcls: true,
      ignorePublicAcls: false,
      blockPublicPolicy: true,
      restrictPublicBuckets: false,
    });
  });

  it('answers a read that failed in the snapshot with the same error, and another account with AccessDenied', async () => {
    const control = await controlOf((s) => {
      s.s3.accountPublicAccessBlock = {
        status: 'error',
        error: {
          service: 's3control',
          operation: 'GetPublicAccessBlock',
          code: 'AccessDenied',
          message: 'no s3:GetAccountPublicAccessBlock',
        },
      };
    });
    expect(await failure(control.send(new GetPublicAccessBlockCommand({ AccountId: G.accountId })))).toEqual({
      name: 'AccessDenied',
      status: 403,
      message: 'no s3:GetAccountPublicAccessBlock',
    });
    expect(
      await failure(control.send(new GetPublicAccessBlockCommand({ AccountId: '999988887777' }))),
    ).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
  });

  it('puts and deletes the configuration, seen by later reads and in the snapshot', async () => {
    const control = await controlOf();
    await control.send(
      new PutPublicAccessBlockCommand({ AccountId: G.accountId, PublicAccessBlockConfiguration: ALL_ON }),
    );
    expect(
      (await control.send(new GetPublicAccessBlockCommand({ AccountId: G.accountId })))
        .PublicAccessBlockConfiguration,
    ).toEqual(ALL_ON);
    expect(emu!.state.snapshot.s3.accountPublicAccessBlock).toEqual({
      status: 'ok',
      value: {
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      },
    });
    await control.send(new DeletePublicAccessBlockCommand({ AccountId: G.accountId }));
    expect(
      (await failure(control.send(new GetPublicAccessBlockCommand({ AccountId: G.accountId })))).status,
    ).toBe(404);
  });

  it('encodes errors nested in <ErrorResponse>, as S3 Control does', () => {
    const response = s3controlService.errorResponse(new AwsError('AccessDenied', 403, 'Access Denied'), {
      service: 's3control',
      region: G.region,
      method: 'GET',
      rawPath: '/v20180820/configuration/publicAccessBlock',
      query: new URLSearchParams(),
      headers: {},
      body: '',
    });
    expect(response.status).toBe(403);
    expect(response.body).toMatch(
      /<ErrorResponse><Error><Code>AccessDenied<\/Code><Message>Access Denied<\/Message><\/Error><RequestId>/,
    );
  });

  it('answers an operation it does not emulate with 501 InternalFailure, an SDK error, and logs its name', async () => {
    const control = await controlOf();
    expect(
      await failure(control.send(new ListAccessPointsCommand({ AccountId: G.accountId }))),
    ).toMatchObject({
      name: 'InternalFailure',
      status: 501,
    });
    expect(emu!.state.calls.at(-1)).toMatchObject({
      service: 's3control',
      operation: 'ListAccessPoints',
      status: 501,
    });
  });
});
