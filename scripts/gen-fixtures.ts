/**
 * Regenerates the derived fixtures from fixtures/golden/snapshot.json:
 * fixtures/variants/<slug>/snapshot.json (golden + the variant's patch) and fixtures/demo/account.json.
 * test/e2e/fixtures.test.ts fails when they are stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseSnapshot } from '../src/snapshot/load.js';
import { applyVariant, loadVariants } from '../test/helpers/variants.js';
import { buildDemoAccount } from './lib/demo-account.js';

export const toFixtureJson = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

const golden = parseSnapshot(JSON.parse(readFileSync('fixtures/golden/snapshot.json', 'utf8')), 'golden');
for (const variant of loadVariants()) {
  const snapshot = parseSnapshot(applyVariant(variant), `fixtures/variants/${variant.slug}`);
  writeFileSync(`${variant.dir}/snapshot.json`, toFixtureJson(snapshot));
}
writeFileSync('fixtures/demo/account.json', toFixtureJson(parseSnapshot(buildDemoAccount(golden), 'demo')));
console.log(`wrote ${loadVariants().length} variant snapshots and fixtures/demo/account.json`);
