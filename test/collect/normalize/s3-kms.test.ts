import { describe, expect, it } from 'vitest';
import { normalizeKey } from '../../../src/collect/normalize/kms.js';
import {
  normalizeAccountPublicAccessBlock,
  normalizeBucketEncryption,
  normalizeBucketNames,
  normalizeBucketPolicy,
  normalizeBucketPublicAccessBlock,
  normalizeBucketRegion,
} from '../../../src/collect/normalize/s3.js';

describe('S3 normalizers', () => {
  it('merges and sorts bucket names across pages', () => {
    expect(
      normalizeBucketNames([
        { Buckets: [{ Name: 'b' }, { Name: 'a' }] },
        { Buckets: [{ Name: 'c' }, { Name: 'a' }] },
        {},
      ]),
    ).toEqual(['a', 'b', 'c']);
  });

  it('reads GetBucketLocation the way S3 documents it', () => {
    expect(normalizeBucketRegion({ LocationConstraint: 'eu-central-1' })).toBe('eu-central-1');
    expect(normalizeBucketRegion({})).toBe('us-east-1');
    expect(normalizeBucketRegion({ LocationConstraint: '' as never })).toBe('us-east-1');
    expect(normalizeBucketRegion({ LocationConstraint: null as never })).toBe('us-east-1');
    expect(normalizeBucketRegion({ LocationConstraint: 'EU' })).toBe('eu-west-1');
  });

  it('keeps the bucket policy text verbatim', () => {
    expect(normalizeBucketPolicy({ Policy: '{ "Statement": [] }' })).toBe('{ "Statement": [] }');
    expect(() => normalizeBucketPolicy({})).toThrow(/Policy/);
  });

  it('maps default encryption rules', () => {
    expect(
      normalizeBucketEncryption({
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: 'arn:aws:kms:eu-west-1:111122223333:key/k',
              },
              BucketKeyEnabled: true,
            },
            { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
          ],
        },
      }),
    ).toEqual({
      rules: [
        {
          sseAlgorithm: 'aws:kms',
          kmsMasterKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k',
          bucketKeyEnabled: true,
        },
        { sseAlgorithm: 'AES256', kmsMasterKeyId: null, bucketKeyEnabled: false },
      ],
    });
  });

  it('treats a Block Public Access flag AWS leaves out as off', () => {
    expect(
      normalizeBucketPublicAccessBlock({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      }),
    ).toEqual({
      blockPublicAcls: true,
      ignorePublicAcls: false,
      blockPublicPolicy: false,
      restrictPublicBuckets: true,
    });
    expect(
      normalizeAccountPublicAccessBlock({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    ).toEqual({
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    });
    expect(() => normalizeBucketPublicAccessBlock({})).toThrow(/PublicAccessBlockConfiguration/);
  });
});

describe('KMS normalizer', () => {
  it('maps key metadata with its rotation read', () => {
    expect(
      normalizeKey(
        {
          KeyMetadata: {
            KeyId: 'k',
            Arn: 'arn:aws:kms:eu-west-1:111122223333:key/k',
            KeyManager: 'AWS',
            KeyState: 'PendingDeletion',
          },
        },
        { status: 'ok', value: false },
      ),
    ).toEqual({
      keyId: 'k',
      keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/k',
      keyManager: 'AWS',
      keyState: 'PendingDeletion',
      rotationEnabled: { status: 'ok', value: false },
    });
    expect(() => normalizeKey({}, { status: 'absent' })).toThrow(/KeyMetadata/);
  });
});
