import type {
  GetBucketEncryptionOutput,
  GetBucketLocationOutput,
  GetBucketPolicyOutput,
  GetPublicAccessBlockOutput as S3GetPublicAccessBlockOutput,
  ListBucketsOutput,
} from '@aws-sdk/client-s3';
import type { GetPublicAccessBlockOutput as S3ControlGetPublicAccessBlockOutput } from '@aws-sdk/client-s3-control';
import type { BucketEncryption, PublicAccessBlock } from '../../snapshot/schema.js';
import { required, strings } from './common.js';

export function normalizeBucketNames(pages: readonly ListBucketsOutput[]): string[] {
  return [...new Set(pages.flatMap((page) => strings((page.Buckets ?? []).map((b) => b.Name))))].sort();
}

/**
 * GetBucketLocation's LocationConstraint -> region: empty/null means us-east-1, and the legacy
 * "EU" means eu-west-1 (S3 API reference, GetBucketLocation).
 */
export function normalizeBucketRegion(output: GetBucketLocationOutput): string {
  const constraint = output.LocationConstraint as string | undefined | null;
  if (constraint === undefined || constraint === null || constraint === '') return 'us-east-1';
  if (constraint === 'EU') return 'eu-west-1';
  return constraint;
}

/** Bucket policies arrive as plain JSON text (not URL-encoded); kept verbatim for the rules to parse. */
export function normalizeBucketPolicy(output: GetBucketPolicyOutput): string {
  return required(output.Policy, 'Policy');
}

export function normalizeBucketEncryption(output: GetBucketEncryptionOutput): BucketEncryption {
  const rules = output.ServerSideEncryptionConfiguration?.Rules ?? [];
  return {
    rules: rules.map((rule) => ({
      sseAlgorithm: required(
        rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
        'ApplyServerSideEncryptionByDefault.SSEAlgorithm',
      ),
      kmsMasterKeyId: rule.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID ?? null,
      bucketKeyEnabled: rule.BucketKeyEnabled === true,
    })),
  };
}

type PublicAccessBlockConfiguration = {
  BlockPublicAcls?: boolean | undefined;
  IgnorePublicAcls?: boolean | undefined;
  BlockPublicPolicy?: boolean | undefined;
  RestrictPublicBuckets?: boolean | undefined;
};

/** A flag AWS leaves out is off. */
function publicAccessBlock(config: PublicAccessBlockConfiguration | undefined): PublicAccessBlock {
  return {
    blockPublicAcls: config?.BlockPublicAcls === true,
    ignorePublicAcls: config?.IgnorePublicAcls === true,
    blockPublicPolicy: config?.BlockPublicPolicy === true,
    restrictPublicBuckets: config?.RestrictPublicBuckets === true,
  };
}

export function normalizeBucketPublicAccessBlock(output: S3GetPublicAccessBlockOutput): PublicAccessBlock {
  return publicAccessBlock(required(output.PublicAccessBlockConfiguration, 'PublicAccessBlockConfiguration'));
}

export function normalizeAccountPublicAccessBlock(
  output: S3ControlGetPublicAccessBlockOutput,
): PublicAccessBlock {
  return publicAccessBlock(required(output.PublicAccessBlockConfiguration, 'PublicAccessBlockConfiguration'));
}
