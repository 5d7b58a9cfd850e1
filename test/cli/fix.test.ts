import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isReadOnlyOperation } from '../../src/collect/index.js';
import { planSchema, type Plan } from '../../src/fix/plan-model.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { G } from '../helpers/golden.js';
import {
  bucketPolicy,
  LiveAccount,
  NO_DENY_POLICY,
  tracingPassThrough,
  withoutXRayPermission,
} from '../fix/apply/live-account.js';

/**
 * `lvs fix` through the CLI: snapshot dry-runs (no AWS at all), and live dry-runs and applies
 * against the golden account's API answers made stateful (aws-sdk-client-mock sees every request).
 */

const DEMO = 'fixtures/demo/account.json';
const GOLDEN = 'fixtures/golden/snapshot.json';
const BACKUP = `${REPO_ROOT}.lvs-backup/2026-11-21T10-00-00Z`;
const BREAK_GLASS = `arn:aws:iam::${G.accountId}:role/lvs-golden-breakglass`;

describe('lvs fix --snapshot (dry-run)', () => {
  it('prints the plan of the demo account and exits 1 (steps to do)', async () => {
    const run = await runCli(['fix', '--snapshot', DEMO, '--no-color']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^lvs fix plan for account 111122223333 \(generated 2026-11-21T10:00:00.000Z\)\n/,
    );
    expect(run.stdout).toMatch(/\n1\. automated Route S3 traffic of /);
    expect(run.stdout).toMatch(/Nothing has been changed\./);
    expect(run.files.size).toBe(0);
  });

  it('plans nothing for the golden account and exits 0', async () => {
    const run = await runCli(['fix', '--snapshot', GOLDEN, '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Nothing to fix/);
  });

  it('--format json --output writes the plan, valid against its schema', async () => {
    const run = await runCli(['fix', '--snapshot', DEMO, '--format', 'json', '--output', 'plan.json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const plan = planSchema.parse(JSON.parse(run.files.get(`${REPO_ROOT}plan.json`) ?? '{}'));
    expect(plan.steps.length).toBeGreaterThan(5);
    expect(run.stderr).toMatch(/wrote the plan \(\d+ step\(s\)\) to plan\.json/);
  });

  it('--format sh prints the AWS CLI script', async () => {
    const run = await runCli(['fix', '--snapshot', DEMO, '--format', 'sh']);
    expect(run.stdout).toMatch(/^#!\/usr\/bin\/env bash\n/);
    expect(run.stdout).toContain('aws s3api put-bucket-policy');
  });

  it('--only and --function narrow the plan; --only takes comma-separated, validated rule IDs', async () => {
    const run = await runCli(['fix', '--snapshot', DEMO, '--format', 'json', '--only', 'lvs013,LVS007']);
    const plan = JSON.parse(run.stdout) as Plan;
    expect(new Set(plan.steps.map((s) => s.id.slice(0, 6)))).toEqual(new Set(['LVS007', 'LVS013']));
    const one = await runCli(['fix', '--snapshot', DEMO, '--format', 'json', '--function', 'medical-*']);
    const functions = (JSON.parse(one.stdout) as Plan).steps.flatMap((s) =>
      s.resolves.map((r) => r.functionArn),
    );
    expect(functions.length).toBeGreaterThan(0);
    expect(functions.every((f) => f.endsWith(':function:medical-records-sync'))).toBe(true);
  });

  it.each([
    [['--only', 'LVS999'], /--only: unknown rule "LVS999"/],
    [['--apply'], /--snapshot: apply needs a live account/],
    [['--dry-run', '--apply'], /give either --dry-run or --apply/],
    [['--region', 'eu-west-1'], /--snapshot: plans from a file/],
    [['--format', 'yaml'], /format/],
    [['--break-glass-arn', 'admin'], /--break-glass-arn: expected an IAM principal ARN/],
    [['--function', 'nothing-like-this'], /--function: no function matches nothing-like-this/],
  ])('%j is an input error (exit 2)', async (flags, message) => {
    const run = await runCli(['fix', '--snapshot', DEMO, ...flags]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe('lvs fix against a live account', () => {
  let account: LiveAccount;
  let restore: () => void;
  beforeEach(() => {
    account = new LiveAccount();
    restore = account.install();
  });
  afterEach(() => restore());

  const live = ['fix', '--region', G.region];

  it('--dry-run sends only reads and exits 1 when there is something to fix', async () => {
    tracingPassThrough(account);
    const run = await runCli([...live, '--dry-run', '--no-color']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/1\. automated Turn on X-Ray active tracing for lvs-golden-scorer/);
    expect(account.calls.length).toBeGreaterThan(10);
    expect(account.calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
    expect(run.files.size).toBe(0);
  });

  it('--apply without --yes when stdin is not a terminal is an input error, before any AWS call', async () => {
    const run = await runCli([...live, '--apply']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--apply: stdin is not a terminal, .*add --yes/);
    expect(account.calls).toEqual([]);
  });

  it('--apply --yes: backups first, the calls in order, a clean re-audit (exit 0); a second run plans nothing', async () => {
    tracingPassThrough(account);
    withoutXRayPermission(account);
    const events = account.events;
    const run = await runCli([...live, '--apply', '--yes', '--no-color'], { events });
    expect(run.stderr).toMatch(/re-audit: failing results 1 -> 0 \(rules of the applied steps: 1 -> 0\)/);
    expect(run.code).toBe(0);
    expect(account.writes.map(([op]) => op)).toEqual([
      'iam:PutRolePolicy',
      'lambda:UpdateFunctionConfiguration',
    ]);
    const firstWrite = events.indexOf('iam:PutRolePolicy');
    for (const file of [
      'plan.json',
      'manifest.json',
      'restore.sh',
      `step-02/function-configuration-${G.functionName}.json`,
    ])
      expect(events.slice(0, firstWrite), file).toContain(`write ${BACKUP}/${file}`);
    expect(run.prompts).toEqual([]);
    expect(run.stderr).toMatch(
      /applied 2 step\(s\) \(2 call\(s\)\); backup in \.lvs-backup\/2026-11-21T10-00-00Z/,
    );
    expect(run.stdout).toMatch(/lvs fix plan for account/);

    account.calls.length = 0;
    const again = await runCli([...live, '--apply', '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Nothing to fix/);
    expect(account.writes).toEqual([]);
    expect((await runCli([...live, '--dry-run'])).code).toBe(0);
  });

  it('asks for confirmation on a terminal; "no" changes nothing (exit 1)', async () => {
    tracingPassThrough(account);
    const run = await runCli([...live, '--apply'], { stdinTTY: true, confirm: () => false });
    expect(run.prompts).toEqual(['Apply these 1 step(s) to account 111122223333? [y/N] ']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not confirmed: nothing was changed/);
    expect(account.writes).toEqual([]);
  });

  it('"yes" applies', async () => {
    tracingPassThrough(account);
    const run = await runCli([...live, '--apply', '--backup-dir', 'my-backup'], {
      stdinTTY: true,
      confirm: () => true,
    });
    expect(run.code).toBe(0);
    expect(run.files.has(`${REPO_ROOT}my-backup/manifest.json`)).toBe(true);
  });

  it('refuses a bucket pin that would lock out the caller (exit 2); --break-glass-arn makes it safe', async () => {
    bucketPolicy(account, NO_DENY_POLICY);
    const refused = await runCli([...live, '--apply', '--yes']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /refused: step 1 \(LVS007:arn:aws:s3:::lvs-golden-scores-111122223333\) adds a Deny/,
    );
    expect(refused.stderr).toMatch(/nothing was changed/);
    expect(account.writes).toEqual([]);

    const safe = await runCli([...live, '--apply', '--yes', '--break-glass-arn', BREAK_GLASS]);
    expect(safe.code).toBe(0);
    expect(account.writes.map(([op]) => op)).toEqual(['s3:PutBucketPolicy']);
    expect(String((account.writes[0]?.[1] as { Policy: string }).Policy)).toContain(BREAK_GLASS);
  });

  it('stops at the first failure: exit 1, what was done, and the restore command', async () => {
    tracingPassThrough(account);
    withoutXRayPermission(account);
    account.failNext.set('lambda:UpdateFunctionConfiguration', {
      name: 'KMSAccessDeniedException',
      message: 'cannot use the key',
      httpStatusCode: 502,
    });
    const run = await runCli([...live, '--apply', '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /step 2 \(LVS010:.*\) failed: lambda:UpdateFunctionConfiguration: KMSAccessDeniedException/,
    );
    expect(run.stderr).toMatch(
      /done before the failure:\n {2}1\. Allow role lvs-golden-scorer-role to send traces to X-Ray/,
    );
    expect(run.stderr).toMatch(
      /to put back what was changed: bash \.lvs-backup\/2026-11-21T10-00-00Z\/restore\.sh/,
    );
    const script = run.files.get(`${BACKUP}/restore.sh`) ?? '';
    expect(script).toContain(
      'run aws iam delete-role-policy --role-name lvs-golden-scorer-role --policy-name lvs-xray-tracing',
    );
  });

  it('exits 3 when the re-audit still finds what the applied steps should have fixed', async () => {
    tracingPassThrough(account);
    account.ineffective.add('lambda:UpdateFunctionConfiguration');
    const run = await runCli([...live, '--apply', '--yes']);
    expect(run.stderr).toMatch(/re-audit: failing results 1 -> 1/);
    expect(run.stderr).toMatch(
      /still not passing after the fix:\n {2}LVS010 fail tracingNotActive · lvs-golden-scorer/,
    );
    expect(run.code).toBe(3);
  });

  it('suppressed findings are not planned', async () => {
    tracingPassThrough(account);
    const config = JSON.stringify({
      suppressions: [{ rule: 'LVS010', resource: G.functionArn, reason: 'tracing is off on purpose here' }],
    });
    const run = await runCli([...live, '--apply', '--yes', '--config', 'fix.config.json'], {
      files: { [`${REPO_ROOT}fix.config.json`]: config },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Nothing to fix/);
    expect(account.writes).toEqual([]);
  });
});
