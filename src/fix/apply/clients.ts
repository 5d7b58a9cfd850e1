import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import {
  credentialProvider,
  s3UsesCustomEndpoint,
  type ClientOptions,
  type CredentialsOption,
} from '../../collect/clients.js';
import type { PlanService } from '../plan-model.js';

/**
 * The only AWS clients of lvs that may send a mutating request: those of `lvs fix --apply`. They
 * are built like the read-only ones of src/collect/clients.ts (same credential chain, endpoint,
 * path-style S3) but without the read-only guard, and only src/fix/apply.ts uses them, only for
 * the calls of a confirmed plan. Everything the executor reads (backups, verification, waiting)
 * still goes through the guarded read-only clients.
 *
 * Retries: standard mode, 3 attempts. The SDK retries only throttling and transient errors, and
 * the plan's calls are idempotent or fail harmlessly when repeated (CreateKey is the exception:
 * its risk is listed in the plan).
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

const truthy = (value: string | undefined) => value !== undefined && value.trim() !== '';

export function createWriteClients(options: WriteClientOptions): WriteClients {
  const cache = new Map<string, { destroy(): void }>();
  let credentials: CredentialsOption | undefined;
  const common = (region: string) => {
    credentials ??= credentialProvider(options, region);
    return {
      region,
      credentials,
      maxAttempts: options.maxAttempts ?? 3,
      retryMode: 'standard',
      ...(truthy(options.endpointUrl) ? { endpoint: options.endpointUrl } : {}),
      ...(options.requestHandler !== undefined ? { requestHandler: options.requestHandler } : {}),
    };
  };
  const get = <C extends { destroy(): void }>(service: PlanService, region: string, make: () => C): C => {
    const key = `${service}|${region}`;
    let client = cache.get(key) as C | undefined;
    if (client === undefined) {
      client = make();
      cache.set(key, client);
    }
    return client;
  };
  const pathStyle = s3UsesCustomEndpoint(options);
  return {
    ec2: (region) => get('ec2', region, () => new EC2Client(common(region))),
    s3: (region) =>
      get(
        's3',
        region,
        () => new S3Client({ ...common(region), forcePathStyle: pathStyle, followRegionRedirects: true }),
      ),
    kms: (region) => get('kms', region, () => new KMSClient(common(region))),
    lambda: (region) => get('lambda', region, () => new LambdaClient(common(region))),
    iam: (region) => get('iam', region, () => new IAMClient(common(region))),
    destroy: () => {
      for (const client of cache.values()) client.destroy();
      cache.clear();
    },
  };
}
