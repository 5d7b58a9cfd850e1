import { ApiCaller } from '../../../src/collect/call.js';
import { createAwsClients } from '../../../src/collect/clients.js';
import type { CollectContext } from '../../../src/collect/context.js';
import { RateLimiter } from '../../../src/collect/rate-limit.js';
import { FAKE_CREDENTIALS } from './run-collect.js';

/** A collection context over real (mockable) clients, with quotas high enough not to slow tests. */
export function testContext(): CollectContext {
  const fast = { rate: 1e6, burst: 1e6, source: 'test' };
  const quotas = Object.fromEntries(
    [
      'lambda:GetPolicy',
      'lambda:control-plane',
      'ec2:non-mutating',
      'ec2:unfiltered-non-mutating',
      'iam:all',
      'sts:all',
      's3:bucket-config',
      's3control:all',
      'kms:DescribeKey',
      'kms:GetKeyRotationStatus',
    ].map((k) => [k, fast]),
  );
  return {
    clients: createAwsClients({ env: {}, credentials: FAKE_CREDENTIALS }),
    caller: new ApiCaller({ limiter: new RateLimiter({ quotas }), throttleBackoffMs: 1 }),
    errors: [],
    partition: 'aws',
    homeRegion: 'eu-west-1',
    globalRegion: 'us-east-1',
  };
}
