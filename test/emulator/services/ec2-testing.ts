import { EC2Client } from '@aws-sdk/client-ec2';
import type { Fetched } from '../../../src/snapshot/fetched.js';
import type { AccountSnapshot, RegionSnapshot } from '../../../src/snapshot/schema.js';
import { G, goldenSnapshot } from '../../helpers/golden.js';
import { startEmulator, type RunningEmulator } from '../server.js';
import { stateFromSnapshot } from '../state.js';

/** Shared by the EC2 tests: the golden account on a fresh emulator, reached by the real SDK client. */

let running: RunningEmulator | undefined;

/** For afterEach: closes the emulator the last start() opened. */
export async function closeEmulator(): Promise<void> {
  await running?.close();
  running = undefined;
}

export async function start(mutate: (s: AccountSnapshot) => void = () => {}) {
  const snapshot = goldenSnapshot();
  mutate(snapshot);
  const emu = await startEmulator(stateFromSnapshot(snapshot));
  running = emu;
  const client = new EC2Client({
    region: G.region,
    endpoint: emu.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return { emu, client, snapshot };
}

export const region = (s: AccountSnapshot): RegionSnapshot => s.regions[0] as RegionSnapshot;
export function value<T>(f: Fetched<T>): T {
  if (f.status !== 'ok') throw new Error(`expected a read that succeeded, got ${f.status}`);
  return f.value;
}

/** The AWS error an SDK call failed with: code, HTTP status, message. */
export async function failure(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name: string; message: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (error === undefined) throw new Error('expected the call to fail');
  return { code: error.name, status: error.$metadata?.httpStatusCode, message: error.message };
}
