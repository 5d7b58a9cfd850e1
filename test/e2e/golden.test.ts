import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDemoAccount } from '../../scripts/lib/demo-account.js';
import { parseSnapshot } from '../../src/snapshot/load.js';
import { runCli, REPO_ROOT } from '../helpers/cli.js';
import { goldenSnapshot } from '../helpers/golden.js';
import { applyVariant, loadVariants } from '../helpers/variants.js';

interface JsonResult {
  ruleId: string;
  status: string;
  reasonId: string;
  severity: string;
}

async function auditJson(snapshotPath: string, extra: string[] = []) {
  const run = await runCli(['audit', '--snapshot', snapshotPath, '--format', 'json', ...extra]);
  expect(run.stderr).toBe('');
  return {
    ...run,
    report: JSON.parse(run.stdout) as { results: JsonResult[]; summary: Record<string, unknown> },
  };
}

const key = (r: Omit<JsonResult, never>) => `${r.ruleId} ${r.status} ${r.reasonId} ${r.severity}`;
const variants = loadVariants();

describe('golden fixture, end to end through the CLI', () => {
  it('audits the golden snapshot with zero failures and exit 0', async () => {
    const { code, report } = await auditJson('fixtures/golden/snapshot.json');
    const notPassing = report.results.filter((r) => r.status !== 'pass' && r.status !== 'not-applicable');
    expect(notPassing).toEqual([]);
    expect(new Set(report.results.map((r) => r.ruleId)).size).toBe(13);
    expect(code).toBe(0);
  });

  it('has variants', () => {
    expect(variants.length).toBeGreaterThanOrEqual(30);
  });

  it.each(variants.map((v) => [v.slug, v] as const))(
    'variant %s fails exactly its expected rules',
    async (_slug, variant) => {
      const { code, report } = await auditJson(`fixtures/variants/${variant.slug}/snapshot.json`);
      const observed = [
        ...new Set(report.results.filter((r) => r.status === 'fail' || r.status === 'error').map(key)),
      ].sort();
      expect(observed).toEqual([...new Set(variant.expect.map(key))].sort());
      const failed = variant.expect.some((e) => e.status === 'fail');
      expect(code).toBe(failed ? 1 : 3);
    },
  );

  it.each(variants.map((v) => [v.slug, v] as const))(
    'variant %s snapshot.json is current (npm run fixtures:gen)',
    (_slug, variant) => {
      const onDisk: unknown = JSON.parse(readFileSync(`${variant.dir}/snapshot.json`, 'utf8'));
      expect(onDisk).toEqual(parseSnapshot(applyVariant(variant), variant.slug));
    },
  );

  it('the demo account is current (npm run fixtures:gen)', () => {
    const onDisk: unknown = JSON.parse(readFileSync(`${REPO_ROOT}fixtures/demo/account.json`, 'utf8'));
    expect(onDisk).toEqual(parseSnapshot(buildDemoAccount(goldenSnapshot()), 'demo'));
  });

  it('the demo keeps the golden function clean and fails the misconfigured ones', async () => {
    const { code, report } = await auditJson('fixtures/demo/account.json');
    expect(code).toBe(1);
    const failing = (name: string) =>
      new Set(
        report.results
          .filter(
            (r) => (r as unknown as { functionName: string }).functionName === name && r.status === 'fail',
          )
          .map((r) => r.ruleId),
      );
    expect(failing('lvs-golden-scorer').size).toBe(0);
    expect([...failing('iot-telemetry-ingest')]).toEqual(
      expect.arrayContaining(['LVS002', 'LVS003', 'LVS004', 'LVS005', 'LVS010']),
    );
    expect([...failing('medical-records-sync')]).toEqual(
      expect.arrayContaining(['LVS008', 'LVS009', 'LVS012']),
    );
    expect([...failing('public-scoring-api')]).toEqual(expect.arrayContaining(['LVS001', 'LVS011']));
    expect([...failing('legacy-report-exporter')]).toEqual(
      expect.arrayContaining(['LVS001', 'LVS008', 'LVS012']),
    );
  });
});
