import { DisableKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/core/result.js';
import type { JsonResult } from '../../src/report/json-schema.js';
import { fixedByApply, worsened } from '../fix/helpers.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { buildGolden, clientsFor, CREDENTIALS, REGION, type Clients, type Golden } from './build-account.js';
import { motoAvailable, startMoto, type MotoServer } from './moto-server.js';
import { SECRET_VALUES, VIOLATIONS, type Violation } from './violations.js';
import { endpointEnv, saveEndpointEnv, useEndpointEnv } from '../helpers/endpoint-env.js';

/**
 * lvs against moto (an independent AWS emulator, `python -m moto.server`) reached through
 * AWS_ENDPOINT_URL: the golden stack and its violations are built with AWS API calls, then `lvs audit`
 * and `lvs fix` run in-process exactly as a user runs them against LocalStack or moto. Skipped when
 * moto is not importable. moto-launcher.py lists where moto 5.2.1 deviates from AWS and is corrected.
 */

interface JsonPlan {
  steps: Array<{ kind: 'automated' | 'manual'; resolves: unknown[] }>;
}

const availability = motoAvailable();

const envFor = (url: string): Record<string, string> => endpointEnv(url, REGION, CREDENTIALS);

const applyArgs = (golden: Golden) => [
  'fix',
  '--region',
  REGION,
  '--apply',
  '--yes',
  '--break-glass-arn',
  golden.callerArn,
  '--backup-dir',
  '/tmp/lvs-moto-backup',
];

const skipReason = availability.ok ? '' : ` — skipped: ${availability.why}`;

const notPassing = (results: readonly JsonResult[]) =>
  results
    .filter((r) => r.status === 'fail' || r.status === 'error')
    .map((r) => `${r.ruleId} ${r.status} ${r.reasonId} ${r.severity}`)
    .sort();

/** lvs audit's exit code (--fail-on low): 1 when something fails, else 3 when something is an error. */
const exitCodeOf = (expected: readonly string[]) => {
  const statuses = expected.map((e) => e.split(' ')[1]);
  return statuses.includes('fail') ? 1 : statuses.includes('error') ? 3 : 0;
};

/** Rules of a violation that lvs fix --apply is expected to make pass. */
const fixTargets = (v: Violation) => [
  ...new Set(
    v.expect
      .map((e) => e.split(' '))
      .filter(([rule, status]) => status === 'fail' && fixedByApply(v.slug, rule ?? ''))
      .map(([rule]) => rule ?? ''),
  ),
];

describe.skipIf(!availability.ok)(`lvs against moto through AWS_ENDPOINT_URL${skipReason}`, () => {
  let moto: MotoServer;
  let clients: Clients;
  let env: Record<string, string> = {};
  let restoreEnv: () => void = () => {};

  beforeAll(async () => {
    moto = await startMoto();
    clients = clientsFor(moto.directUrl);
    env = envFor(moto.url);
  }, 90_000);

  afterAll(async () => {
    clients?.destroy();
    await moto?.stop();
  });

  beforeEach(async () => {
    restoreEnv = saveEndpointEnv();
    useEndpointEnv(env);
    await moto.reset();
  });

  afterEach(() => {
    restoreEnv();
  });

  /** Golden stack, then the violation's calls; the proxy's call log starts empty after. */
  async function build(violation?: Violation): Promise<Golden> {
    const golden = await buildGolden(clients);
    await violation?.apply(golden, clients);
    moto.clearCalls();
    return golden;
  }

  async function audit(): Promise<{ run: CliRun; results: JsonResult[] }> {
    const run = await runCli(['audit', '--region', REGION, '--format', 'json'], { env });
    try {
      return { run, results: (JSON.parse(run.stdout) as { results: JsonResult[] }).results };
    } catch {
      throw new Error(`lvs audit printed no JSON (exit ${run.code}): ${run.stderr}`);
    }
  }

  const writesSent = () =>
    moto.calls.filter((c) => !c.read).map((c) => `${c.method} ${c.operation ?? c.path}`);

  const applyFix = (golden: Golden) => runCli(applyArgs(golden), { env });

  it('audits the golden stack: zero failures or errors, exit 0, only reads sent', async () => {
    await build();
    const { run, results } = await audit();
    expect(run.stderr).toBe('');
    expect(notPassing(results)).toEqual([]);
    expect(
      results
        .filter((r) => r.status === 'pass')
        .map((r) => r.ruleId)
        .sort(),
    ).toEqual(Array.from({ length: 13 }, (_, i) => `LVS${String(i + 1).padStart(3, '0')}`));
    expect(run.code).toBe(0);
    expect(moto.calls.length).toBeGreaterThan(10);
    expect(writesSent()).toEqual([]);
    // moto implements every read lvs sends: none was answered with a server error or 501. (Two
    // answer 404 by design: no account-level Block Public Access, no function policy.)
    expect(
      moto.calls.filter((c) => c.status >= 500).map((c) => `${c.status} ${c.operation ?? c.path}`),
    ).toEqual([]);
  });

  it('collect and fix --dry-run send only reads too', async () => {
    await build(VIOLATIONS.find((v) => v.slug === 'lvs010-tracing-passthrough'));
    const collect = await runCli(['collect', '--region', REGION, '--output', 'snap.json'], { env });
    expect(collect.code, collect.stderr).toBe(0);
    const dryRun = await runCli(['fix', '--region', REGION, '--dry-run', '--format', 'json'], { env });
    expect(dryRun.code, dryRun.stderr).toBe(1);
    expect(writesSent()).toEqual([]);
  });

  it.each(VIOLATIONS.map((v) => [v.slug, v] as const))(
    '%s: lvs audit reports exactly what the rules say',
    async (_slug, violation) => {
      await build(violation);
      const { run, results } = await audit();
      expect(notPassing(results)).toEqual([...violation.expect].sort());
      expect(run.code, run.stderr).toBe(exitCodeOf(violation.expect));
      expect(run.stderr).not.toMatch(/\n\s+at /);
      for (const secret of SECRET_VALUES) expect(run.stdout + run.stderr).not.toContain(secret);
      expect(writesSent()).toEqual([]);
    },
  );

  const fixable = VIOLATIONS.filter((v) => fixTargets(v).length > 0);

  it.each(fixable.map((v) => [v.slug, v] as const))(
    '%s: fix --dry-run plans automated steps; --apply makes the rules pass, worsens nothing; a second --apply plans nothing',
    async (_slug, violation) => {
      const golden = await build(violation);
      const targets = fixTargets(violation);
      const before = await audit();

      const dryRun = await runCli(['fix', '--region', REGION, '--dry-run', '--format', 'json'], { env });
      expect(dryRun.code, dryRun.stderr).toBe(1);
      const plan = JSON.parse(dryRun.stdout) as JsonPlan;
      expect(plan.steps.some((s) => s.kind === 'automated')).toBe(true);
      expect(writesSent()).toEqual([]);

      const first = await applyFix(golden);
      expect(first.stderr).not.toMatch(/\n\s+at /);
      expect(first.code, first.stderr + first.stdout).toBe(0);
      expect(writesSent().length).toBeGreaterThan(0);

      const after = await audit();
      for (const rule of targets) {
        expect(notPassing(after.results.filter((r) => r.ruleId === rule)), `${rule} after --apply`).toEqual(
          [],
        );
      }
      expect(
        worsened(before.results as unknown as CheckResult[], after.results as unknown as CheckResult[]),
      ).toEqual([]);

      moto.clearCalls();
      const second = await applyFix(golden);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr + second.stdout).toMatch(/nothing to apply/);
      expect(writesSent()).toEqual([]);
    },
  );
});

describe.skipIf(!availability.ok)(
  `lvs fix --apply against an endpoint that fails a write${skipReason}`,
  () => {
    let restoreEnv: () => void = () => {};
    beforeEach(() => {
      restoreEnv = saveEndpointEnv();
    });
    afterEach(() => {
      restoreEnv();
    });

    // moto implements every operation lvs audit and collect send (the golden test shows no error
    // answer), so there is no audit-side gap to show here; test/e2e/emulator.test.ts covers
    // unimplemented reads becoming error results. moto's one gap on lvs's path is a write: EnableKey
    // by key ARN (valid for AWS) answers 500 with an HTML page. Left uncorrected in this moto.
    it('moto answers EnableKey by key ARN with a 500 HTML page: lvs stops at that step, exit 1, restore command, no stack trace, nothing else changed', async () => {
      const raw = await startMoto({ keep: ['kms-key-arn'] });
      const rawClients = clientsFor(raw.directUrl);
      try {
        const golden = await buildGolden(rawClients);
        await rawClients.kms.send(new DisableKeyCommand({ KeyId: golden.keyId }));
        const rawEnv = envFor(raw.url);
        useEndpointEnv(rawEnv);
        raw.clearCalls();
        const run = await runCli(applyArgs(golden), { env: rawEnv });
        expect(raw.calls.filter((c) => c.operation === 'EnableKey').map((c) => c.status)).toContain(500);
        expect(run.code, run.stderr).toBe(1);
        expect(run.stderr).toMatch(/failed: kms:EnableKey/);
        expect(run.stderr).toMatch(/restore\.sh/);
        expect(run.stderr).not.toMatch(/\n\s+at /);
        // The SDK retried the 500 (standard retry mode); nothing but EnableKey was sent.
        expect(new Set(raw.calls.filter((c) => !c.read).map((c) => c.operation))).toEqual(
          new Set(['EnableKey']),
        );

        const after = await runCli(['audit', '--region', REGION, '--format', 'json'], { env: rawEnv });
        const results = (JSON.parse(after.stdout) as { results: JsonResult[] }).results;
        expect(notPassing(results)).toEqual(['LVS009 fail keyNotEnabled medium']);
      } finally {
        rawClients.destroy();
        await raw.stop();
      }
    }, 90_000);
  },
);
