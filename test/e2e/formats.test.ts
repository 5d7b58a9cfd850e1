import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { jsonReportSchema } from '../../src/report/json-schema.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const sarifSchema: object = JSON.parse(readFileSync(`${REPO_ROOT}fixtures/schemas/sarif-2.1.0.json`, 'utf8'));
const ajv = new Ajv2020({ strict: false, unicodeRegExp: false, allErrors: true });
addFormatsModule.default(ajv);
const validateSarif = ajv.compile(sarifSchema);

describe('the demo account through every format, end to end', () => {
  it('SARIF is valid against the official 2.1.0 schema and carries a physical location per result', async () => {
    const run = await runCli(['audit', '--snapshot', 'fixtures/demo/account.json', '--format', 'sarif']);
    expect(run.code).toBe(1);
    const log = JSON.parse(run.stdout);
    expect(validateSarif(log), JSON.stringify(validateSarif.errors?.slice(0, 3))).toBe(true);
    const results = log.runs[0].results as Array<{ locations: Array<{ physicalLocation?: unknown }> }>;
    expect(results.length).toBeGreaterThan(10);
    for (const r of results) expect(r.locations[0]?.physicalLocation).toBeDefined();
  });

  it('JSON matches its schema, with the summary of SPEC 5', async () => {
    const run = await runCli(['audit', '--snapshot', 'fixtures/demo/account.json', '--format', 'json']);
    const doc = jsonReportSchema.parse(JSON.parse(run.stdout));
    expect(doc.schemaVersion).toBe(1);
    expect(doc.summary.functions).toBe(5);
    expect(doc.summary.fail).toBe(doc.results.filter((r) => r.status === 'fail').length);
  });

  it('writes several formats in one run and still prints the terminal report on stdout', async () => {
    const run = await runCli([
      'audit',
      '--snapshot',
      'fixtures/demo/account.json',
      '--format',
      'sarif',
      '--output',
      'out/lvs.sarif',
      '--output',
      'out/lvs.json',
    ]);
    const written = [...run.files.keys()].map((p) => p.slice(REPO_ROOT.length)).sort();
    expect(written).toEqual(['out/lvs.json', 'out/lvs.sarif']);
    expect(JSON.parse(run.files.get(`${REPO_ROOT}out/lvs.json`) ?? '').schemaVersion).toBe(1);
    expect(run.stdout).toContain('Summary');
    const quiet = await runCli([
      'audit',
      '--snapshot',
      'fixtures/demo/account.json',
      '--output',
      'x.sarif',
      '--quiet',
    ]);
    expect(quiet.stdout).toBe('');
  });

  it('suppressions from lvs.config.json stay visible and do not count toward the exit code', async () => {
    const config = JSON.stringify({
      suppressions: [
        {
          rule: 'LVS011',
          resource: '*:function:public-scoring-api',
          reason: 'Public by design: a demo scoring endpoint.',
        },
      ],
    });
    const run = await runCli(
      [
        'audit',
        '--snapshot',
        'fixtures/demo/account.json',
        '--format',
        'json',
        '--config',
        '/virtual/lvs.config.json',
      ],
      { files: { '/virtual/lvs.config.json': config } },
    );
    const doc = jsonReportSchema.parse(JSON.parse(run.stdout));
    const suppressed = doc.results.filter((r) => r.status === 'suppressed');
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]).toMatchObject({ ruleId: 'LVS011', suppressedStatus: 'fail' });
    expect(suppressed[0]?.suppression?.reason).toContain('Public by design');
  });

  it('colour follows NO_COLOR, FORCE_COLOR and the terminal', async () => {
    const args = ['audit', '--snapshot', 'fixtures/golden/snapshot.json'];
    const esc = '\u001b[';
    expect((await runCli(args, { tty: true })).stdout).toContain(esc);
    expect((await runCli(args, { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain(esc);
    expect((await runCli(args, { tty: false })).stdout).not.toContain(esc);
    expect((await runCli(args, { tty: false, env: { FORCE_COLOR: '1' } })).stdout).toContain(esc);
    expect((await runCli([...args, '--no-color'], { tty: true })).stdout).not.toContain(esc);
  });
});
