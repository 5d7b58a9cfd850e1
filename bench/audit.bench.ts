/**
 * Offline audit speed. For each N: generate an N-function snapshot, then
 *
 * 1. the figure of issue 2: the whole `node bin/lvs.js audit --snapshot FILE` process (startup,
 *    parse, audit, terminal report written to /dev/null), pinned to one core with `taskset -c 0`
 *    when taskset exists (the line says whether it was), best and median of 5 runs (--runs N), with its
 *    CPU time and peak RSS. It runs the built CLI: `npm run build` first.
 * 2. where the time goes, stage by stage in this process: JSON parse + validation, IAM data load,
 *    index + all rules + suppressions, and each format rendered and written to /dev/null as the CLI
 *    does. This process is not pinned and does not run with the CLI's V8 settings (bin/lvs.js), so
 *    its stages do not add up to figure 1.
 *
 * Prints figures; asserts nothing.
 *
 *   npm run bench                          # N = 10,000
 *   npx tsx bench/audit.bench.ts 1000 10000 50000
 *   npx tsx bench/audit.bench.ts --runs 5 10000
 */
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditSnapshot } from '../src/audit.js';
import { CHECKS } from '../src/checks/registry.js';
import { loadIamActionCatalog, servicesReferenced } from '../src/iam/load-catalog.js';
import { chunkRenderers } from '../src/report/index.js';
import { parseSnapshot } from '../src/snapshot/load.js';
import { Chalk } from 'chalk';
import { generateSnapshot } from './generate-snapshot.js';
import { median, pinned, runCli } from './lib/run-cli.js';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Math.max(1, Number(args.splice(runsAt, 2)[1])) : 5;
const sizes = args.map(Number).filter((n) => n > 0);
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

const cli = fileURLToPath(new URL('../bin/lvs.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/bundle/main.js', import.meta.url)));

const dir = mkdtempSync(join(tmpdir(), 'lvs-bench-'));
try {
  for (const n of sizes.length > 0 ? sizes : [10_000]) {
    const text = JSON.stringify(generateSnapshot({ functions: n, seed: 42 }));
    const file = join(dir, `snapshot-${n}.json`);
    writeFileSync(file, text);
    const lines = [`functions=${n} snapshot=${(text.length / 1e6).toFixed(1)}MB`];

    if (built) {
      const results = Array.from({ length: runs }, () => runCli(cli, file));
      const walls = results.map((r) => r.wall);
      const cpus = results.flatMap((r) => (r.cpu === undefined ? [] : [r.cpu]));
      const rss = Math.max(...results.map((r) => r.rssMb ?? 0));
      lines.push(
        `  lvs audit, whole process (node bin/lvs.js audit --snapshot FILE > /dev/null), ${
          pinned ? 'pinned to one core (taskset -c 0)' : 'NOT pinned (no taskset)'
        }, ${runs} run(s): best ${(Math.min(...walls) / 1000).toFixed(2)} s, median ${(median(walls) / 1000).toFixed(2)} s` +
          (cpus.length > 0
            ? ` | CPU median ${median(cpus).toFixed(2)} s | peak RSS ${rss.toFixed(0)} MB`
            : '') +
          ` | exit code ${results[0]?.code ?? '?'} (1: failing results, as expected)`,
      );
      lines.push('  (target of issue 2: under 2 s at 10,000 functions, one core)');
    } else lines.push('  lvs audit, whole process: not measured (run `npm run build` first)');

    global.gc?.();
    const t0 = process.hrtime.bigint();
    const snapshot = parseSnapshot(JSON.parse(text), 'bench');
    const tParse = ms(t0);
    const t1 = process.hrtime.bigint();
    const iam = await loadIamActionCatalog(servicesReferenced(snapshot));
    const tIam = ms(t1);
    const t2 = process.hrtime.bigint();
    const report = auditSnapshot(snapshot, iam, {
      checks: CHECKS,
      toolVersion: 'bench',
      now: new Date(),
      failOn: 'low',
      suppressions: [],
      functionFilter: [],
      locations: {},
    });
    const tAudit = ms(t2);
    // Each format as the CLI writes it: chunk by chunk, each encoded as UTF-8 by the write.
    const out = openSync('/dev/null', 'w');
    const written: Record<string, number> = {};
    const tFormat: Record<string, number> = {};
    for (const [name, render] of Object.entries(chunkRenderers)) {
      const t = process.hrtime.bigint();
      let bytes = 0;
      for (const chunk of render(report, { chalk: new Chalk({ level: 0 }), verbose: false }))
        bytes += typeof chunk === 'string' ? writeSync(out, chunk) : writeSync(out, chunk);
      tFormat[name] = ms(t);
      written[name] = bytes;
    }
    closeSync(out);
    const fails = report.results.filter((r) => r.status === 'fail').length;
    lines.push(
      `  stages in this process (not pinned, default V8 settings): parse+validate ${tParse.toFixed(0)} ms | iam data ${tIam.toFixed(0)} ms | index+rules+suppress ${tAudit.toFixed(0)} ms (${report.results.length} results, ${fails} fail)`,
      `  render+write to /dev/null: ${Object.entries(tFormat)
        .map(([k, v]) => `${k} ${v.toFixed(0)} ms (${(written[k]! / 1e6).toFixed(1)} MB)`)
        .join(' | ')}`,
    );
    console.log(lines.join('\n'));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
