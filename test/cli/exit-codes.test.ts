import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/cli/exit-code.js';
import type { CheckResult } from '../../src/core/result.js';
import { runCli } from '../helpers/cli.js';

const result = (status: CheckResult['status'], severity: CheckResult['severity']) =>
  ({ status, severity }) as CheckResult;
const listFunctionsDenied = {
  service: 'lambda',
  operation: 'ListFunctions',
  code: 'AccessDeniedException',
  message: 'denied',
};

describe('exitCodeFor (SPEC 5)', () => {
  it('is 0 when nothing fails at or above the threshold', () => {
    expect(exitCodeFor([result('pass', 'high'), result('fail', 'low')], [], 'medium')).toBe(0);
  });
  it('is 1 when a result fails at or above the threshold', () => {
    expect(exitCodeFor([result('fail', 'medium')], [], 'medium')).toBe(1);
    expect(exitCodeFor([result('fail', 'critical'), result('error', 'high')], [], 'high')).toBe(1);
  });
  it('is 3 when the audit is incomplete and nothing failed at or above the threshold', () => {
    expect(exitCodeFor([result('error', 'high'), result('fail', 'low')], [], 'high')).toBe(3);
    expect(exitCodeFor([], [listFunctionsDenied], 'low')).toBe(3);
  });
  it('ignores suppressed results', () => {
    expect(exitCodeFor([result('suppressed', 'critical')], [], 'low')).toBe(0);
  });
});

describe('CLI exit codes and input errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-cli-'));

  it('--fail-on raises the bar: a medium-only variant exits 0 with --fail-on high', async () => {
    const snapshot = 'fixtures/variants/lvs010-tracing-passthrough/snapshot.json';
    expect((await runCli(['audit', '--snapshot', snapshot])).code).toBe(1);
    expect((await runCli(['audit', '--snapshot', snapshot, '--fail-on', 'high'])).code).toBe(0);
  });

  it.each([
    [['audit', '--snapshot', 'nope.json'], /nope\.json: snapshot file not found/],
    [['audit', '--snapshot', 'fixtures/golden/snapshot.json', '--fail-on', 'severe'], /--fail-on|severe/],
    [['audit', '--snapshot', 'fixtures/golden/snapshot.json', '--format', 'xml'], /--format/],
    [['audit', '--snapshot', 'fixtures/golden/snapshot.json', '--bogus'], /unknown option/],
    [
      ['audit', '--snapshot', 'fixtures/golden/snapshot.json', '--format', 'json', '--format', 'sarif'],
      /--format: json and sarif would both go to stdout/,
    ],
    [
      ['audit', '--snapshot', 'fixtures/golden/snapshot.json', '--output', 'report.html'],
      /--output: cannot tell the format/,
    ],
    [
      ['audit', '--snapshot', 'fixtures/golden/snapshot.json', '--config', 'missing.json'],
      /--config: missing\.json: config file not found/,
    ],
    [
      ['audit', '--snapshot', 'fixtures/golden/snapshot.json', '--function', 'no-such-*'],
      /--function: no function matches/,
    ],
    [['audit'], /no AWS region: pass --region/],
  ])('%j exits 2 with one line naming the problem', async (argv, message) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('a malformed snapshot names the file and the JSON path of the first problem', async () => {
    const bad = join(dir, 'bad.json');
    const golden = JSON.parse(
      await import('node:fs').then((fs) => fs.readFileSync('fixtures/golden/snapshot.json', 'utf8')),
    );
    golden.regions[0].functions.value[0].role = 42;
    writeFileSync(bad, JSON.stringify(golden));
    const run = await runCli(['audit', '--snapshot', bad]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('bad.json: $.regions[0].functions.value[0].role:');
  });

  it('a snapshot that is not JSON is an input error', async () => {
    const bad = join(dir, 'garbage.json');
    writeFileSync(bad, '{ not json');
    const run = await runCli(['audit', '--snapshot', bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/garbage\.json: not valid JSON/);
  });

  it('a config with an unknown rule ID is an input error naming the path', async () => {
    const config = join(dir, 'lvs.config.json');
    writeFileSync(
      config,
      JSON.stringify({ suppressions: [{ rule: 'LVS999', resource: '*', reason: 'testing unknown ids' }] }),
    );
    const run = await runCli(['audit', '--snapshot', 'fixtures/golden/snapshot.json', '--config', config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/LVS999/);
    expect(run.stderr).toMatch(/\$\.suppressions\[0\]\.rule/);
  });

  it('an error-only audit exits 3', async () => {
    const run = await runCli([
      'audit',
      '--snapshot',
      'fixtures/variants/lvs007-bucket-policy-read-error/snapshot.json',
    ]);
    expect(run.code).toBe(3);
  });

  it('lvs checks lists the 13 rules; --help and --version exit 0', async () => {
    const checks = await runCli(['checks']);
    expect(checks.code).toBe(0);
    expect(checks.stdout.match(/^LVS\d{3}/gm)).toHaveLength(13);
    expect((await runCli(['--help'])).code).toBe(0);
    expect((await runCli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
