import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { clientCache, type ClientOptions } from '../../collect/clients.js';

/**
 * The only AWS clients of lvs that may send a mutating request: those of `lvs fix --apply`. They
 * are built like the read-only ones of src/collect/clients.ts (same credential chain, endpoint,
 * path-style S3) but without the read-only guard, and only src/fix/apply.ts uses them, only for
 * the calls of a confirmed plan. Everything the executor reads (backups, verification, waiting)
 * still goes through the guarded read-only clients.
 *
 * Retries: standard mode, 3 attempts. The SDK retries only throttling and transient errors, and
 * the plan's calls are idempotent or fail harmlessly when repeated. CreateKey is the exception: a
 * retried attempt whose first one reached KMS leaves an extra key (CreateAlias then names only
 * one). Re-running a plan does not: the executor finds the key by its alias first (plan-model Reuse).
 */

export interface WriteClients {
  ec2(region: string): EC2Client;
  s3(region: string): S3Client;
  kms(region: string): KMSClient;
  lambda(region: string): LambdaClient;
  /** IAM is global: pass the partition's home region (globalRegion()). */
  iam(region: string): IAMClient;
  /** Closes every client's sockets. */
  destroy(): void;
}

export type WriteClientOptions = Pick<
  ClientOptions,
  'profile' | 'endpointUrl' | 'env' | 'credentials' | 'requestHandler' | 'maxAttempts'
>;

export function createWriteClients(options: WriteClientOptions): WriteClients {
  const c = clientCache(options, {
    maxAttempts: options.maxAttempts ?? 3,
    retryMode: 'standard',
    wrap: (client) => client,
  });
  return {
    ec2: (region) => c.get('ec2', region, () => new EC2Client(c.config(region))),
    s3: (region) => c.get('s3', region, () => new S3Client(c.s3Config(region))),
    kms: (region) => c.get('kms', region, () => new KMSClient(c.config(region))),
    lambda: (region) => c.get('lambda', region, () => new LambdaClient(c.config(region))),
    iam: (region) => c.get('iam', region, () => new IAMClient(c.config(region))),
    destroy: () => c.destroy(),
  };
}
