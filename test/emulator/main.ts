/**
 * Serves an account snapshot as an AWS-compatible endpoint, to try lvs's live commands (audit,
 * collect, fix --apply) without an AWS account:
 *
 *   npm run emulator -- fixtures/demo/account.json [--port 4566]
 *   AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
 *     npx lvs fix --region eu-west-1 --dry-run
 *
 * Loopback only; Ctrl-C stops it. The account lives in memory: every run starts from the file.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseSnapshot } from '../../src/snapshot/load.js';
import { startEmulator } from './server.js';
import { stateFromSnapshot } from './state.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { port: { type: 'string', default: '4566' } },
});
const file = positionals[0];
const port = Number(values.port);
if (file === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write('usage: npm run emulator -- SNAPSHOT.json [--port N]\n');
  process.exit(2);
}
let snapshot;
try {
  snapshot = parseSnapshot(JSON.parse(readFileSync(file, 'utf8')), file);
} catch (error) {
  process.stderr.write(`emulator: ${(error as Error).message}\n`);
  process.exit(2);
}
const emulator = await startEmulator(stateFromSnapshot(snapshot), port);
const regions = snapshot.regions.map((r) => `--region ${r.region}`).join(' ');
process.stdout.write(
  `account ${snapshot.accountId} (${snapshot.regions.map((r) => r.region).join(', ')}) served at ${emulator.url}\n` +
    `try: AWS_ENDPOINT_URL=${emulator.url} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test npx lvs audit ${regions}\n`,
);
process.on('SIGINT', () => {
  void emulator.close().then(() => process.exit(0));
});
