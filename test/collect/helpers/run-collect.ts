import { CHECKS } from '../../../src/checks/registry.js';
import { auditSnapshot } from '../../../src/audit.js';
import { createAwsClients } from '../../../src/collect/clients.js';
import {
  collectAccountWithStats,
  type CollectOptions,
  type CollectResult,
} from '../../../src/collect/collect-account.js';
import type { AccountSnapshot } from '../../../src/snapshot/schema.js';
import { iamCatalog } from '../../helpers/golden.js';
import { FixtureServer, type Fixtures } from './api-fixtures.js';

export const FAKE_CREDENTIALS = { accessKeyId: 'AKIAFIXTUREFIXTURE00', secretAccessKey: 'fixture-secret' };

/** collectAccount against aws-sdk-client-mock serving `fixtures`; restores the mocks afterwards. */
export async function collectFromFixtures(
  fixtures: Fixtures,
  options: Partial<CollectOptions> = {},
): Promise<CollectResult & { server: FixtureServer }> {
  const server = new FixtureServer(fixtures);
  const restore = server.install();
  const clients = createAwsClients({ env: {}, credentials: FAKE_CREDENTIALS });
  try {
    const result = await collectAccountWithStats({
      regions: ['eu-west-1'],
      env: {},
      clients,
      iamCatalog: await iamCatalog(),
      now: () => new Date('2026-11-21T09:00:00.000Z'),
      collector: { name: 'lvs', version: '0.1.0' },
      throttleBackoffMs: 5,
      ...options,
    });
    return { ...result, server };
  } finally {
    restore();
    clients.destroy();
  }
}

/** The snapshot without the fields that differ per run. */
export function comparable(snapshot: AccountSnapshot): Omit<AccountSnapshot, 'generatedAt' | 'collector'> {
  const rest: Partial<AccountSnapshot> = { ...snapshot };
  delete rest.generatedAt;
  delete rest.collector;
  return rest as Omit<AccountSnapshot, 'generatedAt' | 'collector'>;
}

/** Audits a snapshot with every registered rule. */
export async function audit(snapshot: AccountSnapshot) {
  return auditSnapshot(snapshot, await iamCatalog(), {
    checks: CHECKS,
    toolVersion: '0.1.0',
    now: new Date('2026-11-21T09:00:00.000Z'),
    failOn: 'low',
    suppressions: [],
    functionFilter: [],
    locations: {},
  });
}
