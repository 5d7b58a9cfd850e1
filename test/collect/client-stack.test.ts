import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/collect/clients.js';
import { collectAccountWithStats } from '../../src/collect/collect-account.js';
import { isReadOnlyOperation } from '../../src/collect/read-only-guard.js';
import { goldenSnapshot, iamCatalog } from '../helpers/golden.js';
import { FixtureServer, goldenFixtures, only, type Fixtures } from './helpers/api-fixtures.js';
import { withFixtureTransport, type TransportLog } from './helpers/fixture-transport.js';
import { comparable, FAKE_CREDENTIALS } from './helpers/run-collect.js';

/**
 * The golden collection through the real SDK client stack (not a stubbed `send`): the read-only
 * guard, serialization, endpoints, SigV4 signing and the SDK's adaptive retry all run; only the
 * HTTP exchange is replaced by the fixtures.
 */
async function collectThroughStack(fixtures: Fixtures) {
  const server = new FixtureServer(fixtures);
  const log: TransportLog = { reachedTransport: [] };
  const clients = withFixtureTransport(
    createAwsClients({ env: {}, credentials: FAKE_CREDENTIALS, maxAttempts: 4 }),
    server,
    log,
  );
  try {
    const result = await collectAccountWithStats({
      regions: ['eu-west-1'],
      env: {},
      clients,
      iamCatalog: await iamCatalog(),
      collector: { name: 'lvs', version: '0.1.0' },
    });
    return { ...result, server, log };
  } finally {
    clients.destroy();
  }
}

describe('collection through the real client stack', () => {
  it('collects the golden snapshot sending only reads', async () => {
    const { snapshot, log, server } = await collectThroughStack(goldenFixtures());
    expect(server.unexpected).toEqual([]);
    expect(comparable(snapshot)).toEqual(comparable(goldenSnapshot()));
    // 20 requests: IAM is read with GetAccountSummary + one GetAccountAuthorizationDetails page.
    expect(log.reachedTransport.length).toBe(20);
    const notReads = log.reachedTransport.filter((c) => !isReadOnlyOperation(c.command));
    expect(notReads).toEqual([]);
  });

  it("lets the SDK's adaptive retry absorb throttles: same snapshot, retries counted from $metadata.attempts", async () => {
    const fixtures = goldenFixtures();
    const throttle = { name: 'ThrottlingException', message: 'Rate exceeded', httpStatusCode: 400 };
    only(fixtures, 'lambda/GetPolicy').before = [throttle, throttle];
    only(fixtures, 'kms/DescribeKey').before = [throttle];
    const { snapshot, stats, server } = await collectThroughStack(fixtures);
    expect(comparable(snapshot)).toEqual(comparable(goldenSnapshot()));
    expect(server.count('lambda', 'GetPolicy')).toBe(3);
    // The SDK retried inside one send: ApiCaller saw one call each and the extra attempts.
    expect(stats.callsByOperation.get('lambda:GetPolicy')).toBe(1);
    expect(stats.retries).toBe(3);
  }, 20_000);
});
