import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApiCaller } from '../../../src/collect/call.js';
import { createAwsClients } from '../../../src/collect/clients.js';
import type { CollectContext } from '../../../src/collect/context.js';
import { RateLimiter } from '../../../src/collect/rate-limit.js';
import { parseSnapshot } from '../../../src/snapshot/load.js';
import type { AccountSnapshot } from '../../../src/snapshot/schema.js';

/** Shared by the IAM and KMS emulator tests (hence kept with IAM): lvs collectors pointed at the emulator. */

export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A collection context whose clients reach the emulator as `--endpoint-url` makes them. */
export function lvsContext(url: string): CollectContext {
  const fast = { rate: 1e6, burst: 1e6, source: 'test' };
  const quotas = Object.fromEntries(
    ['iam:all', 'kms:DescribeKey', 'kms:GetKeyRotationStatus'].map((k) => [k, fast]),
  );
  return {
    clients: createAwsClients({ env: {}, credentials: CREDENTIALS, endpointUrl: url, maxAttempts: 1 }),
    caller: new ApiCaller({ limiter: new RateLimiter({ quotas }), throttleBackoffMs: 1 }),
    errors: [],
    partition: 'aws',
    homeRegion: 'eu-west-1',
    globalRegion: 'us-east-1',
  };
}

/** A variant's snapshot as committed in fixtures/variants/<slug>/snapshot.json. */
export function variantSnapshot(slug: string): AccountSnapshot {
  const path = fileURLToPath(new URL(`../../../fixtures/variants/${slug}/snapshot.json`, import.meta.url));
  return parseSnapshot(JSON.parse(readFileSync(path, 'utf8')), path);
}
