import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach } from 'vitest';
import type { AccountSnapshot, LambdaFunction } from '../../../src/snapshot/schema.js';
import { G, golden, goldenFunction } from '../../helpers/golden.js';
import { startEmulator, type RunningEmulator } from '../server.js';
import { stateFromSnapshot } from '../state.js';

/** One emulator per test, holding the golden account after `mutate`, and a real LambdaClient pointed at it. */
export function lambdaEmulator() {
  let emu: RunningEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });
  const running = () => {
    if (emu === undefined) throw new Error('no emulator: call lambdaOf() first');
    return emu;
  };
  return {
    async lambdaOf(mutate: (s: AccountSnapshot) => void = () => {}): Promise<LambdaClient> {
      emu = await startEmulator(stateFromSnapshot(golden(mutate)));
      return new LambdaClient({
        region: G.region,
        endpoint: emu.url,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      });
    },
    state: () => running().state,
    /** The emulator's copy of the golden function, as writes left it. */
    liveFunction: (): LambdaFunction => goldenFunction(running().state.snapshot),
  };
}

/** The SDK error a call ends with: its name (the AWS error code), HTTP status and message. */
export async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode?: number } },
  );
  if (error === undefined) throw new Error('expected the call to fail');
  return { name: error.name, status: error.$metadata.httpStatusCode, message: error.message };
}
