import { describe, expect, it } from 'vitest';
import check from '../../src/checks/lvs013-bucket-encryption-and-public-access-block.js';
import type { ApiError } from '../../src/snapshot/fetched.js';
import type { AccountSnapshot, Bucket, PublicAccessBlock } from '../../src/snapshot/schema.js';
import { expectOutcome, runCheck, summarize } from '../helpers/check-tester.js';
import { G, golden, goldenFunction, okValue } from '../helpers/golden.js';

const BUCKET_ARN = `arn:aws:s3:::${G.bucket}`;
const ALL_ON: PublicAccessBlock = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};

const goldenBucket = (s: AccountSnapshot): Bucket => {
  const bucket = s.s3.buckets[G.bucket];
  if (!bucket) throw new Error('golden bucket missing');
  return bucket;
};
const denied = (operation: string): ApiError => ({
  service: 's3',
  operation,
  resource: BUCKET_ARN,
  code: 'AccessDenied',
  message: 'denied',
});
const sse = (sseAlgorithm: string) => ({
  status: 'ok' as const,
  value: { rules: [{ sseAlgorithm, kmsMasterKeyId: null, bucketKeyEnabled: false }] },
});

describe('LVS013 bucket-encryption-and-public-access-block', () => {
  it('passes for the golden bucket, naming the bucket and the reach path', async () => {
    const result = await expectOutcome(check, golden(), { status: 'pass', reasonId: 'encryptedAndBlocked' });
    expect(result.resourceArn).toBe(BUCKET_ARN);
    expect(result.message).toContain(G.bucket);
    expect(result.evidence.some((e) => e.field === 'Environment.Variables.RESULTS_BUCKET')).toBe(true);
    expect(result.evidence.some((e) => e.field === 'write-scores WriteScores Resource')).toBe(true);
  });

  it('passes with aws:kms:dsse (dual-layer) encryption', async () => {
    const snapshot = golden((s) => {
      goldenBucket(s).encryption = sse('aws:kms:dsse');
    });
    await expectOutcome(check, snapshot, { status: 'pass', reasonId: 'encryptedAndBlocked' });
  });

  describe('noKmsEncryption', () => {
    it('fails for SSE-S3 (AES256)', async () => {
      const snapshot = golden((s) => {
        goldenBucket(s).encryption = sse('AES256');
      });
      const result = await expectOutcome(check, snapshot, {
        status: 'fail',
        reasonId: 'noKmsEncryption',
        severity: 'medium',
      });
      expect(result.message).toContain('AES256');
      expect(result.resourceArn).toBe(BUCKET_ARN);
    });

    it('fails when the bucket has no default encryption configuration', async () => {
      const snapshot = golden((s) => {
        goldenBucket(s).encryption = { status: 'absent' };
      });
      await expectOutcome(check, snapshot, {
        status: 'fail',
        reasonId: 'noKmsEncryption',
        severity: 'medium',
      });
    });

    it('fails when the configuration has no rule', async () => {
      const snapshot = golden((s) => {
        goldenBucket(s).encryption = { status: 'ok', value: { rules: [] } };
      });
      await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'noKmsEncryption' });
    });

    it('reports both failures in one result under noKmsEncryption', async () => {
      const snapshot = golden((s) => {
        goldenBucket(s).encryption = sse('AES256');
        goldenBucket(s).publicAccessBlock = { status: 'absent' };
      });
      const results = await runCheck(check, snapshot);
      expect(summarize(results)).toEqual([
        { status: 'fail', reasonId: 'noKmsEncryption', severity: 'medium' },
      ]);
      expect(results[0]?.message).toContain('Block Public Access is also incomplete');
      expect(results[0]?.evidence.some((e) => e.field === 'PublicAccessBlockConfiguration (bucket)')).toBe(
        true,
      );
    });
  });

  describe('publicAccessBlockIncomplete', () => {
    it('fails naming the flags that are off', async () => {
      const snapshot = golden((s) => {
        goldenBucket(s).publicAccessBlock = {
          status: 'ok',
          value: { ...ALL_ON, blockPublicPolicy: false, restrictPublicBuckets: false },
        };
      });
      const result = await expectOutcome(check, snapshot, {
        status: 'fail',
        reasonId: 'publicAccessBlockIncomplete',
        severity: 'medium',
      });
      expect(result.message).toContain('BlockPublicPolicy, RestrictPublicBuckets off');
      expect(result.message).not.toContain('BlockPublicAcls');
    });

    it('fails with all four off when neither level has a configuration', async () => {
      const snapshot = golden((s) => {
        goldenBucket(s).publicAccessBlock = { status: 'absent' };
      });
      const result = await expectOutcome(check, snapshot, {
        status: 'fail',
        reasonId: 'publicAccessBlockIncomplete',
      });
      expect(result.message).toContain(
        'BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets',
      );
    });

    it('passes when the account-level block compensates for the bucket level', async () => {
      const snapshot = golden((s) => {
        goldenBucket(s).publicAccessBlock = { status: 'absent' };
        s.s3.accountPublicAccessBlock = { status: 'ok', value: ALL_ON };
      });
      const result = await expectOutcome(check, snapshot, {
        status: 'pass',
        reasonId: 'encryptedAndBlocked',
      });
      expect(result.evidence.find((e) => e.field.includes('(account'))?.resourceArn).toBe(
        'arn:aws:iam::111122223333:root',
      );
    });

    it('combines the levels flag by flag', async () => {
      const snapshot = golden((s) => {
        goldenBucket(s).publicAccessBlock = {
          status: 'ok',
          value: { ...ALL_ON, blockPublicPolicy: false, ignorePublicAcls: false },
        };
        s.s3.accountPublicAccessBlock = {
          status: 'ok',
          value: { ...ALL_ON, blockPublicAcls: false, ignorePublicAcls: false },
        };
      });
      const result = await expectOutcome(check, snapshot, {
        status: 'fail',
        reasonId: 'publicAccessBlockIncomplete',
      });
      expect(result.message).toContain(': IgnorePublicAcls off');
    });
  });

  describe('errors, never a pass', () => {
    it('errors when the encryption read failed', async () => {
      const snapshot = golden((s) => {
        goldenBucket(s).encryption = { status: 'error', error: denied('GetBucketEncryption') };
      });
      const result = await expectOutcome(check, snapshot, { status: 'error', reasonId: 'readFailed' });
      expect(result.message).toContain('GetBucketEncryption');
      expect(result.resourceArn).toBe(BUCKET_ARN);
    });

    it('errors when the bucket-level block could not be read and the account level does not cover it', async () => {
      const snapshot = golden((s) => {
        goldenBucket(s).publicAccessBlock = { status: 'error', error: denied('GetPublicAccessBlock') };
      });
      const result = await expectOutcome(check, snapshot, { status: 'error', reasonId: 'readFailed' });
      expect(result.message).toContain('GetPublicAccessBlock');
    });

    it('ignores an unreadable bucket-level block when the account level turns all four on', async () => {
      const snapshot = golden((s) => {
        goldenBucket(s).publicAccessBlock = { status: 'error', error: denied('GetPublicAccessBlock') };
        s.s3.accountPublicAccessBlock = { status: 'ok', value: ALL_ON };
      });
      await expectOutcome(check, snapshot, { status: 'pass', reasonId: 'encryptedAndBlocked' });
    });

    it('ignores an unreadable account-level block when the bucket level turns all four on', async () => {
      const snapshot = golden((s) => {
        s.s3.accountPublicAccessBlock = {
          status: 'error',
          error: { ...denied('GetPublicAccessBlock'), service: 's3control', resource: undefined },
        };
      });
      await expectOutcome(check, snapshot, { status: 'pass', reasonId: 'encryptedAndBlocked' });
    });

    it('errors when the account level is unreadable and the bucket level leaves a flag off', async () => {
      const snapshot = golden((s) => {
        goldenBucket(s).publicAccessBlock = {
          status: 'ok',
          value: { ...ALL_ON, restrictPublicBuckets: false },
        };
        s.s3.accountPublicAccessBlock = {
          status: 'error',
          error: { ...denied('GetPublicAccessBlock'), service: 's3control', resource: undefined },
        };
      });
      const result = await expectOutcome(check, snapshot, { status: 'error', reasonId: 'readFailed' });
      expect(result.message).toContain('s3control');
    });

    it('still fails on a known failure when the other part is unreadable', async () => {
      const snapshot = golden((s) => {
        goldenBucket(s).encryption = { status: 'error', error: denied('GetBucketEncryption') };
        goldenBucket(s).publicAccessBlock = { status: 'absent' };
      });
      const results = await runCheck(check, snapshot);
      expect(summarize(results)).toEqual([
        { status: 'fail', reasonId: 'publicAccessBlockIncomplete', severity: 'medium' },
      ]);
    });

    it('errors with notInSnapshot when a reached bucket is missing from the snapshot', async () => {
      const snapshot = golden((s) => {
        delete s.s3.buckets[G.bucket];
      });
      await expectOutcome(check, snapshot, { status: 'error', reasonId: 'notInSnapshot' });
    });

    it('errors with notInAuditedAccount for a bucket of another account', async () => {
      const snapshot = golden((s) => {
        goldenBucket(s).ownedByAccount = false;
      });
      await expectOutcome(check, snapshot, { status: 'error', reasonId: 'notInAuditedAccount' });
    });
  });

  describe('bucket scope', () => {
    it('is not applicable when the function reaches no bucket', async () => {
      const snapshot = golden((s) => {
        const role = okValue(s.iam.roles[G.roleArn] ?? { status: 'absent' }, 'role');
        role.inlinePolicies = [];
        goldenFunction(s).environment = goldenFunction(s).environment.filter((v) => v.bucketName === null);
      });
      const results = await runCheck(check, snapshot);
      expect(summarize(results)).toEqual([
        { status: 'not-applicable', reasonId: 'noBucketReached', severity: 'medium' },
      ]);
    });

    it('errors with bucketSetUnbounded when the role allows S3 data actions on every bucket, and still judges the named ones', async () => {
      const snapshot = golden((s) => {
        const role = okValue(s.iam.roles[G.roleArn] ?? { status: 'absent' }, 'role');
        role.inlinePolicies.push({
          policyName: 'read-anything',
          document: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Sid: 'ReadAll', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
          }),
        });
      });
      const results = await runCheck(check, snapshot);
      expect(summarize(results)).toEqual([
        { status: 'error', reasonId: 'bucketSetUnbounded', severity: 'medium' },
        { status: 'pass', reasonId: 'encryptedAndBlocked', severity: 'medium' },
      ]);
    });

    it('returns one result per reached bucket', async () => {
      const other = 'lvs-golden-artifacts-111122223333';
      const snapshot = golden((s) => {
        const base = goldenBucket(s);
        s.s3.buckets[other] = { ...structuredClone(base), name: other, encryption: sse('AES256') };
        goldenFunction(s).environment.push({
          name: 'ARTIFACTS_BUCKET',
          value: '<redacted>',
          isEmpty: false,
          isReference: false,
          credentialPatterns: [],
          bucketName: other,
        });
      });
      const results = await runCheck(check, snapshot);
      expect(results.map((r) => [r.resourceArn, r.status, r.reasonId])).toEqual([
        [`arn:aws:s3:::${other}`, 'fail', 'noKmsEncryption'],
        [BUCKET_ARN, 'pass', 'encryptedAndBlocked'],
      ]);
    });
  });
});
