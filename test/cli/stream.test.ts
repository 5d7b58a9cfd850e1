import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

// `lvs audit` with the terminal report alone draws it as the audit goes; with another format it
// audits everything first. Both must print the same report, warnings and exit code.
const config = JSON.stringify({
  suppressions: [
    {
      rule: 'LVS011',
      resource: '*:function:public-scoring-api',
      reason: 'Public by design: a demo endpoint.',
    },
    { rule: 'LVS009', resource: '*', reason: 'expired entry for the test', expires: '2001-01-01' },
    { rule: 'LVS001', resource: '*:function:no-such-function', reason: 'matches nothing at all' },
  ],
});
const files = { '/virtual/lvs.config.json': config };
const dir = mkdtempSync(join(tmpdir(), 'lvs-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bothWays(snapshot: string, extra: string[] = []) {
  const base = ['audit', '--snapshot', snapshot, '--config', '/virtual/lvs.config.json', ...extra];
  const streamed = await runCli(base, { files });
  const whole = await runCli(
    [...base, '--format', 'json', '--format', 'terminal', '--output', '/virtual/x.json'],
    {
      files,
    },
  );
  return { streamed, whole };
}

describe('the terminal report, drawn as the audit goes', () => {
  it.each([[[]], [['--verbose', '--fail-on', 'critical']], [['--function', '*scor*']]])(
    'is the report of the whole audit, with the same warnings and exit code (%j)',
    async (extra) => {
      const { streamed, whole } = await bothWays('fixtures/demo/account.json', extra);
      expect(streamed.stdout).toContain('Summary');
      expect(streamed.stdout).toBe(whole.stdout);
      expect(streamed.stderr).toBe(whole.stderr);
      expect(streamed.stderr).toContain('expired on 2001-01-01');
      expect(streamed.stderr).toContain('matched no failing or error result');
      expect(streamed.code).toBe(whole.code);
    },
  );

  it('merges a function listed twice in the snapshot, as the whole report does', async () => {
    const snapshot = JSON.parse(readFileSync(`${REPO_ROOT}fixtures/demo/account.json`, 'utf8'));
    const functions = snapshot.regions[0].functions.value;
    functions.push({ ...functions[0], functionName: `${functions[0].functionName}-copy` });
    const file = join(dir, 'twice.json');
    writeFileSync(file, JSON.stringify(snapshot));
    const { streamed, whole } = await bothWays(file);
    expect(streamed.stdout).toBe(whole.stdout);
    expect(streamed.code).toBe(whole.code);
  });

  it('writes the report to --output as it goes', async () => {
    const run = await runCli(
      [
        'audit',
        '--snapshot',
        'fixtures/demo/account.json',
        '--config',
        '/virtual/lvs.config.json',
        '--output',
        '/virtual/report.txt',
        '--quiet',
      ],
      { files },
    );
    const { whole } = await bothWays('fixtures/demo/account.json');
    expect(run.stdout).toBe('');
    expect(run.files.get('/virtual/report.txt')).toBe(whole.stdout);
    expect(run.stderr).toBe(whole.stderr);
  });
});
