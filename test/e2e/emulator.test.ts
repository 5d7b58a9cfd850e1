import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isReadOnlyOperation } from '../../src/collect/index.js';
import type { CheckResult } from '../../src/core/result.js';
import { parseSnapshot } from '../../src/snapshot/load.js';
import type { AccountSnapshot } from '../../src/snapshot/schema.js';
import type { JsonResult } from '../../src/report/json-schema.js';
import { comparable } from '../collect/helpers/run-collect.js';
import { startEmulator, type RunningEmulator } from '../emulator/server.js';
import { stateFromSnapshot, type StateOptions } from '../emulator/state.js';
import { fixedByApply, worsened } from '../fix/helpers.js';
import { REPO_ROOT, runCli, type CliRun } from '../helpers/cli.js';
import { endpointEnv, saveEndpointEnv, useEndpointEnv } from '../helpers/endpoint-env.js';
import { goldenSnapshot } from '../helpers/golden.js';
import { applyVariant, loadVariants, type Variant } from '../helpers/variants.js';

/**
 * lvs against an AWS-compatible endpoint, the way users run it against LocalStack or moto:
 * AWS_ENDPOINT_URL points every SDK client at test/emulator (real AWS wire protocols on loopback),
 * credentials come from the environment, and the account is built to the golden model or to one of
 * its violations (a variant). Nothing here is mocked inside lvs: the SDK serializes, signs, sends
 * over HTTP and parses the emulator's answers.
 */

const variants = loadVariants();
const EMULATOR_CREDENTIALS = { accessKeyId: 'AKIAEMULATOREXAMPLE0', secretAccessKey: 'emulator-secret-key' };

let emulator: RunningEmulator | undefined;
let restoreEnv: () => void = () => {};
let env: Record<string, string> = {};

/** Starts the emulator holding `snapshot` and points the process environment at it (the SDK reads process.env). */
async function serve(snapshot: AccountSnapshot, options: StateOptions = {}): Promise<RunningEmulator> {
  emulator = await startEmulator(stateFromSnapshot(snapshot, options));
  env = endpointEnv(emulator.url, snapshot.regions[0]?.region ?? 'eu-west-1', EMULATOR_CREDENTIALS);
  useEndpointEnv(env);
  return emulator;
}

beforeEach(() => {
  restoreEnv = saveEndpointEnv();
});

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  restoreEnv();
});

const regionFlags = (snapshot: AccountSnapshot) => snapshot.regions.flatMap((r) => ['--region', r.region]);

async function auditLive(snapshot: AccountSnapshot, extra: string[] = []) {
  const run = await runCli(['audit', ...regionFlags(snapshot), '--format', 'json', ...extra], { env });
  if (!run.stdout.startsWith('{'))
    throw new Error(`lvs audit printed no JSON (exit ${run.code}): ${run.stderr}`);
  return { run, results: (JSON.parse(run.stdout) as { results: JsonResult[] }).results };
}

/** Distinct (rule, status, reason, severity) of the failing and errored results, as variants list them. */
const notPassing = (results: readonly JsonResult[]) =>
  [
    ...new Set(
      results
        .filter((r) => r.status === 'fail' || r.status === 'error')
        .map((r) => `${r.ruleId} ${r.status} ${r.reasonId} ${r.severity}`),
    ),
  ].sort();

const expected = (variant: Variant) =>
  [...new Set(variant.expect.map((e) => `${e.ruleId} ${e.status} ${e.reasonId} ${e.severity}`))].sort();

const writes = (emu: RunningEmulator) =>
  emu.state.calls.filter((c) => !isReadOnlyOperation(c.operation)).map((c) => `${c.service}:${c.operation}`);

const variantSnapshot = (variant: Variant) => parseSnapshot(applyVariant(variant), variant.slug);

describe('lvs against an AWS-compatible endpoint (AWS_ENDPOINT_URL)', () => {
  it('audits the golden account: zero failures, exit 0, only reads sent', async () => {
    const emu = await serve(goldenSnapshot());
    const { run, results } = await auditLive(goldenSnapshot());
    expect(run.stderr).toBe('');
    expect(notPassing(results)).toEqual([]);
    expect(run.code).toBe(0);
    expect(writes(emu)).toEqual([]);
    expect(emu.state.calls.length).toBeGreaterThan(10);
  });

  it('collects the golden account into the golden snapshot', async () => {
    await serve(goldenSnapshot());
    const run = await runCli(['collect', ...regionFlags(goldenSnapshot()), '--output', 'snap.json'], { env });
    expect(run.code).toBe(0);
    const written = JSON.parse(run.files.get(`${REPO_ROOT}snap.json`) ?? '{}') as AccountSnapshot;
    expect(comparable(written)).toEqual(comparable(goldenSnapshot()));
  });

  it.each(variants.map((v) => [v.slug, v] as const))(
    '%s: lvs audit reports exactly what the rules say',
    async (_slug, variant) => {
      const snapshot = variantSnapshot(variant);
      const emu = await serve(snapshot);
      const { run, results } = await auditLive(snapshot);
      expect(notPassing(results)).toEqual(expected(variant));
      // SPEC exit codes: 1 when something fails, 3 when nothing fails but some result is an error.
      expect(run.code).toBe(variant.expect.some((e) => e.status === 'fail') ? 1 : 3);
      expect(writes(emu)).toEqual([]);
    },
  );

  it('answers an emulator gap (501 not implemented) with error results and exit 3, not a crash', async () => {
    await serve(goldenSnapshot(), { unsupported: ['lambda:GetPolicy', 's3:GetBucketEncryption'] });
    const { run, results } = await auditLive(goldenSnapshot());
    const errors = results.filter((r) => r.status === 'error');
    expect(errors.map((r) => r.ruleId).sort()).toEqual(['LVS011', 'LVS013']);
    expect(results.some((r) => r.status === 'pass')).toBe(true);
    expect(run.code).toBe(3);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('fix --dry-run against the endpoint sends no mutating request', async () => {
    const variant = variants.find((v) => v.slug === 'lvs010-tracing-unset');
    if (variant === undefined) throw new Error('variant lvs010-tracing-unset is missing');
    const snapshot = variantSnapshot(variant);
    const emu = await serve(snapshot);
    const run = await runCli(['fix', ...regionFlags(snapshot), '--dry-run', '--format', 'json'], { env });
    // Exit 1: the plan has steps (SPEC 6), like a failing audit.
    expect(run.code, run.stderr).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ steps: expect.arrayContaining([expect.anything()]) });
    expect(writes(emu)).toEqual([]);
  });
});

const withAutomatedFailure = variants.filter((v) =>
  v.expect.some((e) => e.status === 'fail' && fixedByApply(v.slug, e.ruleId)),
);

async function applyFix(snapshot: AccountSnapshot, emu: RunningEmulator): Promise<CliRun> {
  return runCli(
    [
      'fix',
      ...regionFlags(snapshot),
      '--apply',
      '--yes',
      '--break-glass-arn',
      emu.state.callerArn,
      '--backup-dir',
      '/tmp/lvs-emulator-backup',
    ],
    { env },
  );
}

describe('lvs fix --apply against an AWS-compatible endpoint', () => {
  it('has variants with automated fixes', () => {
    expect(withAutomatedFailure.length).toBeGreaterThanOrEqual(25);
  });

  it.each(withAutomatedFailure.map((v) => [v.slug, v] as const))(
    '%s: the applied plan makes its rules pass on re-audit, worsens nothing, and a second --apply plans nothing',
    async (slug, variant) => {
      const snapshot = variantSnapshot(variant);
      const emu = await serve(snapshot);
      const before = await auditLive(snapshot);
      const targets = [
        ...new Set(
          variant.expect
            .filter((e) => e.status === 'fail' && fixedByApply(slug, e.ruleId))
            .map((e) => e.ruleId),
        ),
      ];

      const first = await applyFix(snapshot, emu);
      expect(first.stderr).not.toMatch(/\n\s+at /);
      expect(first.code, first.stderr).toBe(0);
      expect(writes(emu).length, first.stderr).toBeGreaterThan(0);

      const after = await auditLive(snapshot);
      for (const rule of targets) {
        expect(notPassing(after.results.filter((r) => r.ruleId === rule)), `${rule} after --apply`).toEqual(
          [],
        );
      }
      expect(
        worsened(before.results as unknown as CheckResult[], after.results as unknown as CheckResult[]),
      ).toEqual([]);

      const writesBefore = writes(emu).length;
      const second = await applyFix(snapshot, emu);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toMatch(/nothing to apply/);
      expect(writes(emu).length - writesBefore).toBe(0);
    },
  );
});
