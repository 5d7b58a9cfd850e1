import {
  DeleteBucketEncryptionCommand,
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  paginateListBuckets,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  normalizeBucketEncryption,
  normalizeBucketNames,
  normalizeBucketPublicAccessBlock,
  normalizeBucketRegion,
} from '../../../src/collect/normalize/s3.js';
import { accountSnapshotSchema, type AccountSnapshot, type Bucket } from '../../../src/snapshot/schema.js';
import { G, golden, okValue } from '../../helpers/golden.js';
import { startEmulator, type RunningEmulator } from '../server.js';
import { stateFromSnapshot } from '../state.js';
import { AwsError } from '../types.js';
import { s3Service } from './s3.js';

let emu: RunningEmulator | undefined;

afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** The golden account's other bucket: listed by ListBuckets, its settings never read. */
const ARTIFACTS = 'lvs-golden-artifacts-111122223333';
const FOREIGN = 'someone-elses-bucket';

async function s3Of(
  mutate: (s: AccountSnapshot) => void = () => {},
  region: string = G.region,
): Promise<S3Client> {
  emu = await startEmulator(stateFromSnapshot(golden(mutate)));
  return new S3Client({
    region,
    endpoint: emu.url,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

const bucketIn = (s: AccountSnapshot, name: string): Bucket => s.s3.buckets[name]!;

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode?: number } },
  );
  if (error === undefined) throw new Error('expected the call to fail');
  return { name: error.name, status: error.$metadata.httpStatusCode, message: error.message };
}

const manyBuckets = (s: AccountSnapshot) => {
  s.s3.bucketNames = {
    status: 'ok',
    value: [...okValue(s.s3.bucketNames, 'names'), ...Array.from({ length: 5 }, (_, i) => `bulk-${i}`)],
  };
};

describe('S3 emulator: ListBuckets', () => {
  it("lists the account's buckets in one answer, as lvs sends it (no max-buckets)", async () => {
    const s3 = await s3Of();
    const out = await s3.send(new ListBucketsCommand({}));
    expect(out.ContinuationToken).toBeUndefined();
    expect(out.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
    expect(out.Buckets?.map((b) => [b.Name, b.BucketRegion])).toEqual([
      [ARTIFACTS, G.region],
      [G.bucket, G.region],
    ]);
    expect(out.Buckets?.[0]?.CreationDate).toBeInstanceOf(Date);
    expect(normalizeBucketNames([out])).toEqual(okValue(golden().s3.bucketNames, 'bucketNames'));
  });

  it('pages with max-buckets and a continuation token, and filters by prefix and region', async () => {
    const s3 = await s3Of(manyBuckets);
    const first = await s3.send(new ListBucketsCommand({ MaxBuckets: 3 }));
    expect(first.Buckets?.map((b) => b.Name)).toEqual(['bulk-0', 'bulk-1', 'bulk-2']);
    expect(first.ContinuationToken).toEqual(expect.any(String));
    const names: string[] = [];
    for await (const page of paginateListBuckets({ client: s3, pageSize: 2 }, {}))
      names.push(...(page.Buckets ?? []).map((b) => b.Name!));
    expect(names).toEqual(['bulk-0', 'bulk-1', 'bulk-2', 'bulk-3', 'bulk-4', ARTIFACTS, G.bucket]);
    const prefixed = await s3.send(new ListBucketsCommand({ Prefix: 'lvs-', MaxBuckets: 10 }));
    expect(prefixed.Buckets?.map((b) => b.Name)).toEqual([ARTIFACTS, G.bucket]);
    expect(prefixed.Prefix).toBe('lvs-');
    expect((await s3.send(new ListBucketsCommand({ BucketRegion: 'us-east-1' }))).Buckets ?? []).toEqual([]);
    expect(await failure(s3.send(new ListBucketsCommand({ ContinuationToken: '!!' })))).toMatchObject({
      name: 'InvalidArgument',
      status: 400,
    });
  });

  it('answers a ListBuckets that failed in the snapshot with the same error', async () => {
    const s3 = await s3Of((s) => {
      s.s3.bucketNames = {
        status: 'error',
        error: { service: 's3', operation: 'ListBuckets', code: 'AccessDenied', message: 'Access Denied' },
      };
    });
    expect(await failure(s3.send(new ListBucketsCommand({})))).toEqual({
      name: 'AccessDenied',
      status: 403,
      message: 'Access Denied',
    });
  });
});

describe('S3 emulator: bucket settings', () => {
  it('answers the location, with the empty constraint of us-east-1', async () => {
    const s3 = await s3Of((s) => {
      bucketIn(s, G.bucket).region = { status: 'ok', value: 'us-east-1' };
    });
    const east = await s3.send(new GetBucketLocationCommand({ Bucket: G.bucket }));
    expect(east.LocationConstraint ?? '').toBe('');
    expect(normalizeBucketRegion(east)).toBe('us-east-1');
    const artifacts = await s3.send(new GetBucketLocationCommand({ Bucket: ARTIFACTS }));
    expect(artifacts.LocationConstraint).toBe(G.region);
    const head = await s3.send(new HeadBucketCommand({ Bucket: G.bucket }));
    expect(head.BucketRegion).toBe('us-east-1');
  });

  it('answers the golden bucket as lvs recorded it: policy verbatim, encryption rules, Block Public Access', async () => {
    const s3 = await s3Of();
    const recorded = bucketIn(golden(), G.bucket);
    expect((await s3.send(new GetBucketLocationCommand({ Bucket: G.bucket }))).LocationConstraint).toBe(
      G.region,
    );
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket: G.bucket }))).Policy).toBe(
      okValue(recorded.policy, 'policy'),
    );
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: G.bucket }));
    expect(normalizeBucketEncryption(encryption)).toEqual(okValue(recorded.encryption, 'encryption'));
    const pab = await s3.send(new GetPublicAccessBlockCommand({ Bucket: G.bucket }));
    expect(normalizeBucketPublicAccessBlock(pab)).toEqual(okValue(recorded.publicAccessBlock, 'pab'));
  });

  it('answers "there is none" for a bucket whose settings are absent or unknown', async () => {
    const s3 = await s3Of();
    for (const Bucket of [ARTIFACTS]) {
      expect(await failure(s3.send(new GetBucketPolicyCommand({ Bucket })))).toEqual({
        name: 'NoSuchBucketPolicy',
        status: 404,
        message: 'The bucket policy does not exist',
      });
      expect(await failure(s3.send(new GetBucketEncryptionCommand({ Bucket })))).toMatchObject({
        name: 'ServerSideEncryptionConfigurationNotFoundError',
        status: 404,
      });
      expect(await failure(s3.send(new GetPublicAccessBlockCommand({ Bucket })))).toMatchObject({
        name: 'NoSuchPublicAccessBlockConfiguration',
        status: 404,
      });
    }
  });

  it("answers NoSuchBucket for an unknown bucket and AccessDenied for another account's", async () => {
    const s3 = await s3Of((s) => {
      s.s3.buckets[FOREIGN] = {
        name: FOREIGN,
        ownedByAccount: false,
        ...Object.fromEntries(
          ['region', 'policy', 'encryption', 'publicAccessBlock'].map((k) => [
            k,
            {
              status: 'error',
              error: { service: 's3', operation: 'ListBuckets', code: 'NotInAuditedAccount', message: 'x' },
            },
          ]),
        ),
      } as Bucket;
    });
    expect(await failure(s3.send(new GetBucketPolicyCommand({ Bucket: 'no-such-bucket-here' })))).toEqual({
      name: 'NoSuchBucket',
      status: 404,
      message: 'The specified bucket does not exist',
    });
    expect(await failure(s3.send(new GetBucketLocationCommand({ Bucket: FOREIGN })))).toEqual({
      name: 'AccessDenied',
      status: 403,
      message: 'Access Denied',
    });
    expect((await failure(s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket-here' })))).status).toBe(
      404,
    );
  });

  it('answers a setting read that failed in the snapshot with the same error', async () => {
    const s3 = await s3Of((s) => {
      bucketIn(s, G.bucket).publicAccessBlock = {
        status: 'error',
        error: {
          service: 's3',
          operation: 'GetPublicAccessBlock',
          code: 'AccessDenied',
          message: 'denied by SCP',
        },
      };
    });
    expect(await failure(s3.send(new GetPublicAccessBlockCommand({ Bucket: G.bucket })))).toEqual({
      name: 'AccessDenied',
      status: 403,
      message: 'denied by SCP',
    });
  });
});

describe('S3 emulator: writes', () => {
  const pinned = (bucket: string, effect = 'Deny', principal: unknown = '*', condition = true) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Pin',
          Effect: effect,
          Principal: principal,
          Action: 's3:*',
          Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
          ...(condition ? { Condition: { StringNotEquals: { 'aws:SourceVpce': G.endpointId } } } : {}),
        },
      ],
    });

  it('stores a bucket policy verbatim and deletes it', async () => {
    const s3 = await s3Of();
    const policy = pinned(G.bucket);
    await s3.send(new PutBucketPolicyCommand({ Bucket: G.bucket, Policy: policy }));
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket: G.bucket }))).Policy).toBe(policy);
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: G.bucket }));
    expect((await failure(s3.send(new GetBucketPolicyCommand({ Bucket: G.bucket })))).name).toBe(
      'NoSuchBucketPolicy',
    );
  });

  it('refuses malformed policies, foreign resources, and public policies under BlockPublicPolicy', async () => {
    const s3 = await s3Of();
    const put = (Policy: string, Bucket: string = G.bucket) =>
      failure(s3.send(new PutBucketPolicyCommand({ Bucket, Policy })));
    expect(await put('not json')).toMatchObject({ name: 'MalformedPolicy', status: 400 });
    expect(await put(pinned('another-bucket'))).toMatchObject({
      name: 'MalformedPolicy',
      message: 'Policy has invalid resource',
    });
    expect(await put(pinned(G.bucket, 'Allow', '*', false))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
    // The artifacts bucket has no Block Public Access of its own, and the account has none.
    const open = pinned(ARTIFACTS, 'Allow', { AWS: '*' }, false);
    await s3.send(new PutBucketPolicyCommand({ Bucket: ARTIFACTS, Policy: open }));
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket: ARTIFACTS }))).Policy).toBe(open);
    expect(okValue(bucketIn(emu!.state.snapshot, G.bucket).policy, 'policy')).toBe(
      okValue(bucketIn(golden(), G.bucket).policy, 'policy'),
    );
  });

  it('sets default encryption from the XML body and Block Public Access, read back as lvs normalizes them', async () => {
    const s3 = await s3Of();
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: ARTIFACTS,
        ServerSideEncryptionConfiguration: {
          Rules: [
            { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true },
          ],
        },
      }),
    );
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: ARTIFACTS }));
    expect(normalizeBucketEncryption(encryption)).toEqual({
      rules: [{ sseAlgorithm: 'aws:kms', kmsMasterKeyId: null, bucketKeyEnabled: true }],
    });
    const config = {
      BlockPublicAcls: true,
      IgnorePublicAcls: false,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    };
    await s3.send(
      new PutPublicAccessBlockCommand({ Bucket: ARTIFACTS, PublicAccessBlockConfiguration: config }),
    );
    expect(
      (await s3.send(new GetPublicAccessBlockCommand({ Bucket: ARTIFACTS }))).PublicAccessBlockConfiguration,
    ).toEqual(config);
    const stored = bucketIn(emu!.state.snapshot, ARTIFACTS);
    expect(stored).toMatchObject({
      ownedByAccount: true,
      region: { status: 'ok', value: G.region },
      policy: { status: 'absent' },
    });
    expect(accountSnapshotSchema.safeParse(emu!.state.snapshot).success).toBe(true);
    // The bucket's own BlockPublicPolicy now refuses a public policy.
    const open = pinned(ARTIFACTS, 'Allow', '*', false);
    expect(
      (await failure(s3.send(new PutBucketPolicyCommand({ Bucket: ARTIFACTS, Policy: open })))).name,
    ).toBe('AccessDenied');
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: ARTIFACTS }));
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: ARTIFACTS }));
    expect((await failure(s3.send(new GetPublicAccessBlockCommand({ Bucket: ARTIFACTS })))).status).toBe(404);
    expect((await failure(s3.send(new GetBucketEncryptionCommand({ Bucket: ARTIFACTS })))).status).toBe(404);
  });

  it('refuses an encryption rule S3 would refuse, and writes to buckets it does not hold', async () => {
    const s3 = await s3Of();
    const put = (rule: object, Bucket: string = G.bucket) =>
      failure(
        s3.send(
          new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: { Rules: [rule] } }),
        ),
      );
    expect(await put({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'ROT13' } })).toMatchObject({
      name: 'MalformedXML',
      status: 400,
    });
    expect(
      await put({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: G.keyArn } }),
    ).toMatchObject({ name: 'InvalidArgument' });
    expect(
      await put({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }, 'no-such-bucket-here'),
    ).toMatchObject({
      name: 'NoSuchBucket',
    });
    expect(
      okValue(bucketIn(emu!.state.snapshot, G.bucket).encryption, 'encryption').rules[0]?.sseAlgorithm,
    ).toBe('aws:kms');
  });

  it('refuses a configuration write whose body does not match its checksum', async () => {
    await s3Of();
    const body =
      '<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration>';
    const send = (headers: Record<string, string>) =>
      fetch(`${emu!.url}/${G.bucket}?publicAccessBlock`, {
        method: 'PUT',
        body,
        headers: {
          authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${G.region}/s3/aws4_request, SignedHeaders=host, Signature=0`,
          ...headers,
        },
      });
    const bad = await send({ 'content-md5': 'AAAAAAAAAAAAAAAAAAAAAA==' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('<Code>BadDigest</Code>');
    const none = await send({});
    expect(await none.text()).toContain('<Code>InvalidRequest</Code>');
    expect(okValue(bucketIn(emu!.state.snapshot, G.bucket).publicAccessBlock, 'pab').ignorePublicAcls).toBe(
      true,
    );
  });
});

describe('S3 emulator: protocol', () => {
  it('encodes errors as S3 does: a flat <Error> with the bucket name, nothing for HEAD', () => {
    const error = new AwsError('NoSuchBucketPolicy', 404, 'The bucket policy does not exist', {
      BucketName: 'b&b',
    });
    const request = {
      service: 's3',
      region: G.region,
      method: 'GET',
      rawPath: '/b',
      query: new URLSearchParams('policy'),
      headers: {},
      body: '',
    } as const;
    const response = s3Service.errorResponse(error, request);
    expect(response.status).toBe(404);
    expect(response.body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>NoSuchBucketPolicy<\/Code><Message>The bucket policy does not exist<\/Message><BucketName>b&amp;b<\/BucketName><RequestId>[0-9A-F]{16}<\/RequestId><HostId>.+<\/HostId><\/Error>$/,
    );
    expect(s3Service.errorResponse(error, { ...request, method: 'HEAD' }).body).toBe('');
  });

  it('answers an operation it does not emulate with 501 InternalFailure, an SDK error, and logs its name', async () => {
    const s3 = await s3Of();
    expect(await failure(s3.send(new GetBucketVersioningCommand({ Bucket: G.bucket })))).toMatchObject({
      name: 'InternalFailure',
      status: 501,
    });
    expect(emu!.state.calls.at(-1)).toMatchObject({
      service: 's3',
      operation: 'GetBucketVersioning',
      status: 501,
    });
  });
});
