import { describe, expect, it } from 'vitest';
import {
  createAwsClients,
  globalRegion,
  partitionOf,
  s3ControlCustomEndpoint,
  s3UsesCustomEndpoint,
} from '../../src/collect/clients.js';
import { FAKE_CREDENTIALS } from './helpers/run-collect.js';

describe('AWS clients', () => {
  it('makes one client per (service, region)', () => {
    const clients = createAwsClients({ env: {}, credentials: FAKE_CREDENTIALS });
    expect(clients.lambda('eu-west-1')).toBe(clients.lambda('eu-west-1'));
    expect(clients.lambda('eu-west-1')).not.toBe(clients.lambda('us-east-1'));
    expect(clients.s3('eu-west-1')).not.toBe(clients.s3('us-east-1'));
    clients.destroy();
  });

  it('uses adaptive retry with a configurable number of attempts', async () => {
    const clients = createAwsClients({ env: {}, credentials: FAKE_CREDENTIALS, maxAttempts: 7 });
    const config = clients.kms('eu-west-1').config;
    expect(await config.region()).toBe('eu-west-1');
    expect(await config.maxAttempts()).toBe(7);
    expect(
      config.retryMode === 'adaptive' ||
        (await (config.retryMode as unknown as () => Promise<string>)()) === 'adaptive',
    ).toBe(true);
    clients.destroy();
  });

  it('sends every service to --endpoint-url, S3 path-style', async () => {
    const clients = createAwsClients({
      env: {},
      credentials: FAKE_CREDENTIALS,
      endpointUrl: 'http://127.0.0.1:4566',
    });
    const endpoint = await clients.lambda('eu-west-1').config.endpoint?.();
    expect(endpoint).toMatchObject({ hostname: '127.0.0.1', port: 4566, protocol: 'http:' });
    expect(clients.s3('eu-west-1').config.forcePathStyle).toBe(true);
    clients.destroy();
  });

  it('uses S3 path-style when AWS_ENDPOINT_URL[_S3] points elsewhere, virtual-hosted otherwise', () => {
    expect(s3UsesCustomEndpoint({ env: { AWS_ENDPOINT_URL: 'http://localhost:4566' } })).toBe(true);
    expect(s3UsesCustomEndpoint({ env: { AWS_ENDPOINT_URL_S3: 'http://localhost:9000' } })).toBe(true);
    expect(
      s3UsesCustomEndpoint({
        env: { AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' },
      }),
    ).toBe(false);
    expect(s3UsesCustomEndpoint({ env: { AWS_ENDPOINT_URL: '' } })).toBe(false);
    expect(s3UsesCustomEndpoint({ env: {}, endpointUrl: 'http://localhost:5000' })).toBe(true);
    const viaEnv = createAwsClients({
      env: { AWS_ENDPOINT_URL: 'http://localhost:4566' },
      credentials: FAKE_CREDENTIALS,
    });
    expect(viaEnv.s3('eu-west-1').config.forcePathStyle).toBe(true);
    const plain = createAwsClients({ env: {}, credentials: FAKE_CREDENTIALS });
    expect(plain.s3('eu-west-1').config.forcePathStyle).toBe(false);
    viaEnv.destroy();
    plain.destroy();
  });

  it('sends S3 Control to the plain custom endpoint, without the account-ID host prefix', () => {
    const params = {
      Region: 'eu-west-1',
      AccountId: '111122223333',
      RequiresAccountId: true,
      UseFIPS: false,
      UseDualStack: false,
    };
    const resolve = (clients: ReturnType<typeof createAwsClients>) =>
      clients.s3control('eu-west-1').config.endpointProvider(params).url.href;
    const explicit = createAwsClients({
      env: {},
      credentials: FAKE_CREDENTIALS,
      endpointUrl: 'http://127.0.0.1:4566',
    });
    expect(resolve(explicit)).toBe('http://127.0.0.1:4566/');
    const viaEnv = createAwsClients({
      env: { AWS_ENDPOINT_URL: 'http://localhost:4566' },
      credentials: FAKE_CREDENTIALS,
    });
    expect(resolve(viaEnv)).toBe('http://localhost:4566/');
    const aws = createAwsClients({ env: {}, credentials: FAKE_CREDENTIALS });
    expect(resolve(aws)).toBe('https://111122223333.s3-control.eu-west-1.amazonaws.com/');
    expect(
      s3ControlCustomEndpoint({
        env: { AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3_CONTROL: 'http://b:2' },
      }),
    ).toBe('http://b:2');
    expect(
      s3ControlCustomEndpoint({
        env: { AWS_ENDPOINT_URL: 'http://a:1', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' },
      }),
    ).toBeUndefined();
    for (const clients of [explicit, viaEnv, aws]) clients.destroy();
  });

  it('knows partitions and their global regions', () => {
    expect(partitionOf('eu-west-1')).toBe('aws');
    expect(partitionOf('cn-northwest-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-east-1')).toBe('aws-us-gov');
    expect(globalRegion('aws')).toBe('us-east-1');
    expect(globalRegion('aws-cn')).toBe('cn-north-1');
    expect(globalRegion('aws-us-gov')).toBe('us-gov-west-1');
  });
});
