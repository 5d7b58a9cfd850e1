import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseSnapshot } from '../../src/snapshot/load.js';
import type { AccountSnapshot } from '../../src/snapshot/schema.js';
import type { JsonResult } from '../../src/report/json-schema.js';
import { startEmulator, type RunningEmulator } from '../emulator/server.js';
import { stateFromSnapshot } from '../emulator/state.js';
import { fixedByApply } from '../fix/helpers.js';
import { runCli } from '../helpers/cli.js';
import { endpointEnv, saveEndpointEnv, useEndpointEnv } from '../helpers/endpoint-env.js';
import { G } from '../helpers/golden.js';
import { applyVariant, loadVariants, type Variant } from '../helpers/variants.js';
import {
  buildGolden,
  clientsFor,
  CREDENTIALS as MOTO_CREDENTIALS,
  REGION as MOTO_REGION,
  type Clients,
} from '../moto/build-account.js';
import { motoAvailable, startMoto, type MotoServer } from '../moto/moto-server.js';
import { VIOLATIONS } from '../moto/violations.js';
import {
  awsCliAvailable,
  awsCliEnv,
  commandsRun,
  comparableState,
  differences,
  policyMeaning,
  runRestore,
  writeCaptured,
} from './restore-helpers.js';

/**
 * restore.sh, executed: for every golden variant lvs fix --apply has automated steps for, against
 * test/emulator (real AWS wire protocols on loopback), the backup that --apply writes is put on disk,
 * `bash restore.sh` runs the real AWS CLI against the same endpoint, and then the account must be
 * what it was before the fix: the same non-passing audit results, and the same state for everything
 * the plan touched. What restore cannot undo by design (a KMS key it created stays) is listed and
 * checked as such.
 */

const aws = awsCliAvailable();
const variants = loadVariants();

const withAutomatedFailure = variants.filter((v) =>
  v.expect.some((e) => e.status === 'fail' && fixedByApply(v.slug, e.ruleId)),
);

const CREDENTIALS = { id: 'AKIAEMULATOREXAMPLE0', secret: 'emulator-secret-key' };

let emulator: RunningEmulator | undefined;
let restoreEnv: () => void = () => {};
let env: Record<string, string> = {};
let tmp: string | undefined;

async function serve(snapshot: AccountSnapshot): Promise<RunningEmulator> {
  emulator = await startEmulator(stateFromSnapshot(snapshot));
  env = endpointEnv(emulator.url, snapshot.regions[0]?.region ?? 'eu-west-1', {
    accessKeyId: CREDENTIALS.id,
    secretAccessKey: CREDENTIALS.secret,
  });
  useEndpointEnv(env);
  return emulator;
}

beforeEach(() => {
  restoreEnv = saveEndpointEnv();
});

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  tmp = undefined;
  restoreEnv();
});

const regionFlags = (snapshot: AccountSnapshot) => snapshot.regions.flatMap((r) => ['--region', r.region]);

async function auditLive(snapshot: AccountSnapshot): Promise<JsonResult[]> {
  const run = await runCli(['audit', ...regionFlags(snapshot), '--format', 'json'], { env });
  if (!run.stdout.startsWith('{'))
    throw new Error(`lvs audit printed no JSON (exit ${run.code}): ${run.stderr}`);
  return (JSON.parse(run.stdout) as { results: JsonResult[] }).results;
}

/** Distinct (rule, status, reason, severity) of the non-passing results, per function. */
const notPassing = (results: readonly JsonResult[]) =>
  [
    ...new Set(
      results
        .filter((r) => r.status === 'fail' || r.status === 'error')
        .map((r) => `${r.functionArn} ${r.ruleId} ${r.status} ${r.reasonId} ${r.severity}`),
    ),
  ].sort();

const variantSnapshot = (variant: Variant) => parseSnapshot(applyVariant(variant), variant.slug);

/** KMS keys in `after` that `before` did not have: created by the fix, which restore leaves (by design). */
const createdKeys = (before: AccountSnapshot, after: AccountSnapshot) =>
  Object.keys(after.kms.keys).filter((arn) => !(arn in before.kms.keys));

/**
 * What restore.sh cannot put back, by design or because AWS refuses the old state. Anything else
 * that differs after restore is a failure.
 */
interface Limit {
  why: string;
  /** restore.sh's exit code and what its stderr says (default: 0, "restore: done"). */
  exit?: { code: number; stderr: RegExp };
  /** Non-passing results ("RULE status reason severity") that change: [before, after or null]. */
  audit: Array<[string, string | null]>;
  /** Paths of the snapshot that stay different (each must differ, nothing else may). */
  state: string[];
  /** A line restore.sh must hold that says so. */
  says?: RegExp;
}

const LIMITS: Record<string, Limit> = {
  'lvs009-key-pending-deletion': {
    why:
      'CancelKeyDeletion is undone by a comment, not by schedule-key-deletion (irreversible once the window ends); ' +
      'restore leaves the key Disabled, not PendingDeletion',
    audit: [['LVS009 fail keyPendingDeletion medium', 'LVS009 fail keyNotEnabled medium']],
    state: [`kms.keys.${G.keyArn}.value.keyState`],
    says: /^# the key was scheduled for deletion; to schedule it again .*schedule-key-deletion/m,
  },
  'lvs006-invalid-policy': {
    why:
      'the endpoint policy backed up is truncated JSON, which ModifyVpcEndpoint refuses (as AWS does): ' +
      'the endpoint keeps the policy lvs wrote, and restore.sh says that command failed',
    exit: { code: 1, stderr: /InvalidPolicyDocument[\s\S]*restore: FAILED: aws ec2 modify-vpc-endpoint/ },
    audit: [['LVS006 fail invalidPolicy medium', null]],
    state: ['regions[0].vpcEndpoints.value[0].policyDocument'],
  },
};

/** The expected non-passing results after restore: `before`, changed as the limit says. */
function expectedAfter(before: readonly string[], limit: Limit | undefined): string[] {
  let rows = [...before];
  for (const [from, to] of limit?.audit ?? []) {
    const hit = rows.filter((r) => r.endsWith(` ${from}`));
    expect(hit.length, `${from} before the fix`).toBeGreaterThan(0);
    rows = rows.filter((r) => !r.endsWith(` ${from}`));
    if (to !== null) rows.push(...hit.map((r) => `${r.slice(0, r.length - from.length)}${to}`));
  }
  return [...new Set(rows)].sort();
}

/** Checks that the states differ exactly where the limit says. */
function expectSameState(
  before: AccountSnapshot,
  after: AccountSnapshot,
  limit: Limit | undefined,
  trace: string,
) {
  const diff = differences(comparableState(before), comparableState(after));
  const allowed = limit?.state ?? [];
  const under = (line: string, path: string) =>
    line.startsWith(`${path}:`) || line.startsWith(`${path}.`) || line.startsWith(`${path}[`);
  expect(
    diff.filter((line) => !allowed.some((p) => under(line, p))),
    trace,
  ).toEqual([]);
  for (const path of allowed)
    expect(
      diff.some((line) => under(line, path)),
      `${path} differs`,
    ).toBe(true);
}

describe.skipIf(!aws.ok)(
  `restore.sh of lvs fix --apply, run with the AWS CLI against test/emulator${aws.ok ? '' : ` — skipped: ${aws.why}`}`,
  () => {
    it('has variants with automated fixes', () => {
      expect(withAutomatedFailure.length).toBeGreaterThanOrEqual(25);
    });

    it.each(withAutomatedFailure.map((v) => [v.slug, v] as const))(
      '%s: restore.sh exits 0 and puts back the audit results and the account state',
      async (slug, variant) => {
        const snapshot = variantSnapshot(variant);
        const emu = await serve(snapshot);
        const region = snapshot.regions[0]?.region ?? 'eu-west-1';
        const original = structuredClone(emu.state.snapshot);
        const originalKeyPolicies = new Map(emu.state.keyPolicies);
        const before = notPassing(await auditLive(snapshot));

        tmp = await mkdtemp(join(tmpdir(), 'lvs-restore-'));
        const dir = join(tmp, 'backup');
        const fix = await runCli(
          [
            'fix',
            ...regionFlags(snapshot),
            '--apply',
            '--yes',
            '--break-glass-arn',
            emu.state.callerArn,
            '--backup-dir',
            dir,
          ],
          { env },
        );
        expect(fix.code, fix.stderr).toBe(0);
        const written = await writeCaptured(fix.files, dir);
        expect(written).toEqual(expect.arrayContaining(['manifest.json', 'plan.json', 'restore.sh']));
        const fixed = structuredClone(emu.state.snapshot);
        expect(differences(comparableState(original), comparableState(fixed)).length).toBeGreaterThan(0);

        const limit = LIMITS[slug];
        const script = await readFile(join(dir, 'restore.sh'), 'utf8');
        const restore = await runRestore(dir, awsCliEnv(emu.url, region, CREDENTIALS));
        const trace = `restore.sh:\n${script}\nstderr:\n${restore.stderr}\nstdout:\n${restore.stdout}`;
        expect(restore.code, trace).toBe(limit?.exit?.code ?? 0);
        expect(restore.stderr, trace).toMatch(limit?.exit?.stderr ?? /restore: done\n$/);
        expect(commandsRun(restore.stderr).length, trace).toBeGreaterThan(0);
        if (limit?.says !== undefined) expect(script, trace).toMatch(limit.says);
        // The emulator answered every command restore.sh sent (no 501: an emulator gap would show here).
        expect(
          emu.state.calls.filter((c) => c.status === 501).map((c) => `${c.service}:${c.operation}`),
        ).toEqual([]);

        // The audit is back to what it was, finding for finding.
        expect(notPassing(await auditLive(snapshot)), trace).toEqual(expectedAfter(before, limit));

        // The account is back too. A KMS key the fix created stays (restore.sh says how to schedule
        // its deletion, by hand: nothing may use it any more first).
        const restored = structuredClone(emu.state.snapshot);
        for (const arn of createdKeys(original, restored)) {
          const says = script
            .split('\n')
            .filter((l) => l.startsWith('# a key was created'))
            .some((l) => l.includes(`schedule-key-deletion --region ${region} --key-id ${arn} `));
          expect(says, `restore.sh says how to delete the created key ${arn}\n${trace}`).toBe(true);
          delete restored.kms.keys[arn];
        }
        expectSameState(original, restored, limit, trace);
        for (const [arn, policy] of originalKeyPolicies)
          expect(policyMeaning(emu.state.keyPolicies.get(arn) ?? ''), `key policy of ${arn}`).toEqual(
            policyMeaning(policy),
          );
      },
      120_000,
    );
  },
);

/**
 * The same against moto (an independent emulator; test/moto), for a few violations, one per kind of
 * restore command: the account is built through the API, and its state is compared through `lvs collect`
 * snapshots taken before the fix and after restore.sh.
 */
const MOTO_CASES = [
  'lvs003-no-s3-route', // modify-vpc-endpoint --remove-route-table-ids
  'lvs005-default-allow-all-egress', // authorize-security-group-egress --ip-permissions file://
  'lvs007-no-deny', // put-bucket-policy --policy file://
  'lvs009-rotation-disabled', // disable-key-rotation
  'lvs010-tracing-passthrough', // update-function-configuration, wait function-updated
  'lvs011-public-policy', // add-permission
  'lvs011-public-url', // add-permission --invoked-via-function-url, update-function-url-config
];

const moto = motoAvailable();
const motoSkip = !aws.ok ? ` — skipped: ${aws.why}` : !moto.ok ? ` — skipped: ${moto.why}` : '';

describe.skipIf(!aws.ok || !moto.ok)(`restore.sh run with the AWS CLI against moto${motoSkip}`, () => {
  let server: MotoServer;
  let clients: Clients;
  let motoEnv: Record<string, string> = {};

  beforeAll(async () => {
    server = await startMoto();
    clients = clientsFor(server.directUrl);
    motoEnv = endpointEnv(server.url, MOTO_REGION, MOTO_CREDENTIALS);
  }, 90_000);

  afterAll(async () => {
    clients?.destroy();
    await server?.stop();
  });

  beforeEach(async () => {
    useEndpointEnv(motoEnv);
    await server.reset();
  });

  async function collect(path: string): Promise<AccountSnapshot> {
    const run = await runCli(['collect', '--region', MOTO_REGION, '--output', path], { env: motoEnv });
    expect(run.code, run.stderr).toBe(0);
    return parseSnapshot(JSON.parse(run.files.get(path) ?? '{}'), path);
  }

  async function audit(): Promise<string[]> {
    const run = await runCli(['audit', '--region', MOTO_REGION, '--format', 'json'], { env: motoEnv });
    if (!run.stdout.startsWith('{'))
      throw new Error(`lvs audit printed no JSON (exit ${run.code}): ${run.stderr}`);
    return notPassing((JSON.parse(run.stdout) as { results: JsonResult[] }).results);
  }

  it('has every case it names', () => {
    expect(MOTO_CASES.filter((slug) => !VIOLATIONS.some((v) => v.slug === slug))).toEqual([]);
  });

  it.each(MOTO_CASES)(
    '%s: restore.sh exits 0 and puts back the audit results and the collected snapshot',
    async (slug) => {
      const violation = VIOLATIONS.find((v) => v.slug === slug);
      if (violation === undefined) throw new Error(`no moto violation ${slug}`);
      const golden = await buildGolden(clients);
      await violation.apply(golden, clients);
      tmp = await mkdtemp(join(tmpdir(), 'lvs-restore-moto-'));
      const dir = join(tmp, 'backup');
      const original = await collect(join(tmp, 'before.json'));
      const before = await audit();
      expect(before.length).toBeGreaterThan(0);

      const fix = await runCli(
        [
          'fix',
          '--region',
          MOTO_REGION,
          '--apply',
          '--yes',
          '--break-glass-arn',
          golden.callerArn,
          '--backup-dir',
          dir,
        ],
        { env: motoEnv },
      );
      expect(fix.code, fix.stderr).toBe(0);
      await writeCaptured(fix.files, dir);
      expect(await audit()).not.toEqual(before);
      const fixed = await collect(join(tmp, 'fixed.json'));
      expect(differences(comparableState(original), comparableState(fixed)).length).toBeGreaterThan(0);

      const script = await readFile(join(dir, 'restore.sh'), 'utf8');
      const restore = await runRestore(
        dir,
        awsCliEnv(server.url, MOTO_REGION, {
          id: MOTO_CREDENTIALS.accessKeyId,
          secret: MOTO_CREDENTIALS.secretAccessKey,
        }),
      );
      const trace = `restore.sh:\n${script}\nstderr:\n${restore.stderr}\nstdout:\n${restore.stdout}\nmoto:\n${server.log().slice(-3000)}`;
      expect(restore.code, trace).toBe(0);
      expect(restore.stderr, trace).toMatch(/restore: done\n$/);

      expect(await audit(), trace).toEqual(before);
      const restored = await collect(join(tmp, 'after.json'));
      expectSameState(original, restored, undefined, trace);
    },
    120_000,
  );
});
