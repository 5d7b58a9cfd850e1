import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redactEnvironment } from '../../src/snapshot/redact.js';
import { runCli } from '../helpers/cli.js';
import { G, golden, goldenFunction } from '../helpers/golden.js';

/** Recognisable secret values: none of them may appear in any snapshot, report, message or log. */
const SECRETS = {
  DB_PASSWORD: 'hunter2-CANARY-value-7f3a9c',
  AWS_ACCESS_KEY_ID: 'AKIAZZZZCANARY7F3A9C',
  SLACK_TOKEN: 'xoxb-000000000000-CANARYCANARY7f3a',
  SIGNING_KEY: '-----BEGIN RSA PRIVATE KEY-----\nMIICANARY7f3a9c\n-----END RSA PRIVATE KEY-----',
  FEATURE_FLAGS: 'canary-plain-config-7f3a9c',
};

describe('environment values never leave the collector', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-secrets-'));
  const snapshotPath = join(dir, 'snapshot.json');
  const snapshot = golden((s) => {
    goldenFunction(s).environment = redactEnvironment(
      { ...SECRETS, RESULTS_BUCKET: G.bucket },
      new Set([G.bucket]),
    );
  });
  writeFileSync(snapshotPath, JSON.stringify(snapshot));

  it('the snapshot keeps names and facts but no value', () => {
    const text = readFileSync(snapshotPath, 'utf8');
    for (const value of Object.values(SECRETS)) expect(text).not.toContain(value);
    expect(text).toContain('DB_PASSWORD');
    expect(text).toContain('aws-access-key-id');
  });

  it('no output format, file or log line carries a value, and the secrets are found', async () => {
    const run = await runCli([
      'audit',
      '--snapshot',
      snapshotPath,
      '--verbose',
      '--format',
      'terminal',
      '--format',
      'json',
      '--output',
      join(dir, 'out.json'),
      '--format',
      'sarif',
      '--output',
      join(dir, 'out.sarif'),
    ]);
    const everything = [run.stdout, run.stderr, ...run.files.values()].join('\n');
    for (const value of Object.values(SECRETS)) expect(everything).not.toContain(value);
    expect(run.stdout).toContain('LVS012');
    expect(run.code).toBe(1);
  });

  it('a snapshot holding a raw value is rejected without echoing it', async () => {
    const raw = JSON.parse(readFileSync(snapshotPath, 'utf8'));
    raw.regions[0].functions.value[0].environment[0].value = SECRETS.DB_PASSWORD;
    const rawPath = join(dir, 'raw.json');
    writeFileSync(rawPath, JSON.stringify(raw));
    const run = await runCli(['audit', '--snapshot', rawPath]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('$.regions[0].functions.value[0].environment[0].value');
    expect(run.stderr).not.toContain(SECRETS.DB_PASSWORD);
  });
});
