import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { STSClient } from '@aws-sdk/client-sts';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { addReadOnlyGuard } from './read-only-guard.js';

/**
 * The AWS clients of one run: one per (service, region), created on first use, every one of them
 * read-only (read-only-guard.ts). Credentials follow AWS conventions: an explicit profile goes
 * through fromIni (static keys, role_arn + source_profile, SSO, credential_process); without one,
 * the default Node chain (env, AWS_PROFILE, SSO, web identity, container, IMDS). The SDK itself
 * honours AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>; an explicit endpointUrl beats both.
 */

export type Env = Readonly<Record<string, string | undefined>>;
export type CredentialsOption = NonNullable<LambdaClientConfig['credentials']>;
export type RequestHandlerOption = LambdaClientConfig['requestHandler'];
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

export interface ClientOptions {
  /** --profile; when absent the default chain applies (which reads AWS_PROFILE itself). */
  profile?: string;
  /** --endpoint-url: every service at this URL (LocalStack, moto). */
  endpointUrl?: string;
  /** The process environment, passed in (only the CLI touches `process`). */
  env: Env;
  /** SDK attempts per request, first included (default 5). */
  maxAttempts?: number;
  /** SDK retry mode (default adaptive: client-side rate limiting once AWS throttles). */
  retryMode?: 'adaptive' | 'standard';
  /** Overrides the credential chain (tests, embedding). */
  credentials?: CredentialsOption;
  /** Overrides the HTTP handler (tests). */
  requestHandler?: RequestHandlerOption;
}

/** What collectors need; tests and benchmarks inject their own (e.g. clients mocked with aws-sdk-client-mock). */
export interface AwsClients {
  lambda(region: string): LambdaClient;
  ec2(region: string): EC2Client;
  /** IAM is global: pass the partition's home region (globalRegion()). */
  iam(region: string): IAMClient;
  s3(region: string): S3Client;
  s3control(region: string): S3ControlClient;
  kms(region: string): KMSClient;
  sts(region: string): STSClient;
  /** Closes every client's sockets. */
  destroy(): void;
}

export function partitionOf(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The region global services (IAM, S3 ListBuckets) are signed for in a partition. */
export function globalRegion(partition: Partition): string {
  return partition === 'aws-cn' ? 'cn-north-1' : partition === 'aws-us-gov' ? 'us-gov-west-1' : 'us-east-1';
}

const truthy = (value: string | undefined) => value !== undefined && value.trim() !== '';

/** True when S3 requests go to a custom endpoint (explicit, or AWS_ENDPOINT_URL[_S3]): S3 must then use path-style. */
export function s3UsesCustomEndpoint(options: Pick<ClientOptions, 'endpointUrl' | 'env'>): boolean {
  if (truthy(options.endpointUrl)) return true;
  if (options.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return false;
  return truthy(options.env.AWS_ENDPOINT_URL) || truthy(options.env.AWS_ENDPOINT_URL_S3);
}

/**
 * The custom endpoint S3 Control requests go to, if any (explicit, AWS_ENDPOINT_URL_S3_CONTROL, or
 * AWS_ENDPOINT_URL). S3 Control's endpoint rules put the account ID in front of a custom endpoint's
 * host (http://111122223333.127.0.0.1:4566), which is no valid URL for an IP address and does not
 * resolve for `localhost` on most systems; emulators (LocalStack, moto) serve S3 Control at the plain
 * endpoint with the account in the x-amz-account-id header, so lvs sends it there.
 */
export function s3ControlCustomEndpoint(
  options: Pick<ClientOptions, 'endpointUrl' | 'env'>,
): string | undefined {
  if (truthy(options.endpointUrl)) return options.endpointUrl;
  if (options.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  const fromEnv = [options.env.AWS_ENDPOINT_URL_S3_CONTROL, options.env.AWS_ENDPOINT_URL].find(truthy);
  return fromEnv?.trim();
}

/** The credential provider of a run, shared by every client so that SSO / assume-role resolve once. */
export function credentialProvider(
  options: Pick<ClientOptions, 'profile' | 'credentials'>,
  region: string,
): CredentialsOption {
  if (options.credentials !== undefined) return options.credentials;
  if (options.profile !== undefined)
    return memoize(fromIni({ profile: options.profile, clientConfig: { region } }));
  return fromNodeProviderChain({ clientConfig: { region } });
}

type Provider = (...args: never[]) => Promise<{ expiration?: Date }>;

/** Shares one resolution until five minutes before it expires; a failure is not cached. */
function memoize<P extends Provider>(provider: P): P {
  let current: Promise<{ expiration?: Date }> | undefined;
  const memoized = (...args: never[]) => {
    const stale = async () => {
      if (current === undefined) return true;
      try {
        const identity = await current;
        return identity.expiration !== undefined && identity.expiration.getTime() - Date.now() < 5 * 60_000;
      } catch {
        return true;
      }
    };
    return stale().then((refresh) => {
      if (refresh) current = provider(...args);
      return current as Promise<{ expiration?: Date }>;
    });
  };
  return memoized as unknown as P;
}

/**
 * What every lvs client shares, read-only or not: one credential chain, the endpoint override,
 * path-style S3 behind a custom endpoint, the retry policy, and one client per (service, region).
 * `wrap` is applied once to each new client (the read-only guard, for the clients of audit/collect).
 */
export function clientCache(
  options: ClientOptions,
  policy: { maxAttempts: number; retryMode: 'adaptive' | 'standard'; wrap: <C>(client: C) => C },
) {
  const cache = new Map<string, { destroy(): void }>();
  let credentials: CredentialsOption | undefined;
  const config = (region: string) => {
    credentials ??= credentialProvider(options, region);
    return {
      region,
      credentials,
      maxAttempts: policy.maxAttempts,
      retryMode: policy.retryMode,
      ...(truthy(options.endpointUrl) ? { endpoint: options.endpointUrl } : {}),
      ...(options.requestHandler !== undefined ? { requestHandler: options.requestHandler } : {}),
    };
  };
  const pathStyle = s3UsesCustomEndpoint(options);
  const s3ControlEndpoint = s3ControlCustomEndpoint(options);
  return {
    config,
    s3ControlConfig: (region: string) => ({
      ...config(region),
      ...(s3ControlEndpoint !== undefined
        ? { endpointProvider: () => ({ url: new URL(s3ControlEndpoint) }) }
        : {}),
    }),
    s3Config: (region: string) => ({
      ...config(region),
      forcePathStyle: pathStyle,
      followRegionRedirects: true,
    }),
    get<C extends { destroy(): void }>(service: string, region: string, make: () => C): C {
      const key = `${service}|${region}`;
      let client = cache.get(key) as C | undefined;
      if (client === undefined) {
        client = policy.wrap(make());
        cache.set(key, client);
      }
      return client;
    },
    destroy(): void {
      for (const client of cache.values()) client.destroy();
      cache.clear();
    },
  };
}

export function createAwsClients(options: ClientOptions): AwsClients {
  const c = clientCache(options, {
    maxAttempts: options.maxAttempts ?? 5,
    retryMode: options.retryMode ?? 'adaptive',
    wrap: addReadOnlyGuard,
  });
  return {
    lambda: (region) => c.get('lambda', region, () => new LambdaClient(c.config(region))),
    ec2: (region) => c.get('ec2', region, () => new EC2Client(c.config(region))),
    iam: (region) => c.get('iam', region, () => new IAMClient(c.config(region))),
    s3: (region) => c.get('s3', region, () => new S3Client(c.s3Config(region))),
    s3control: (region) => c.get('s3control', region, () => new S3ControlClient(c.s3ControlConfig(region))),
    kms: (region) => c.get('kms', region, () => new KMSClient(c.config(region))),
    sts: (region) => c.get('sts', region, () => new STSClient(c.config(region))),
    destroy: () => c.destroy(),
  };
}
