/**
 * Offline audit speed: generate an N-function snapshot, then time each stage of
 * `lvs audit --snapshot` in one process: JSON parse + zod validation, IAM data load, index + all
 * rules, and rendering (with the UTF-8 encoding the CLI's write does) of every format. The
 * "lvs audit path" line adds up what the default terminal run does. Prints figures; asserts nothing.
 *
 *   npm run bench                 # N = 10,000
 *   npx tsx bench/audit.bench.ts 1000 10000 50000
 */
import { auditSnapshot } from '../src/audit.js';
import { CHECKS } from '../src/checks/registry.js';
import { loadIamActionCatalog, servicesReferenced } from '../src/iam/load-catalog.js';
import { renderers } from '../src/report/index.js';
import { parseSnapshot } from '../src/snapshot/load.js';
import { Chalk } from 'chalk';
import { generateSnapshot } from './generate-snapshot.js';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

for (const n of sizes.length > 0 ? sizes : [10_000]) {
  const text = JSON.stringify(generateSnapshot({ functions: n, seed: 42 }));
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
  // Each format as the CLI produces it: rendered, then encoded as UTF-8 for writing (the CLI writes
  // the string; encoding a large string is a real part of the cost).
  const sizesOut: Record<string, number> = {};
  const tFormat: Record<string, number> = {};
  for (const [name, render] of Object.entries(renderers)) {
    const t = process.hrtime.bigint();
    const out = render(report, { chalk: new Chalk({ level: 0 }), verbose: false });
    sizesOut[name] = Buffer.from(out, 'utf8').length;
    tFormat[name] = ms(t);
  }
  const tRender = Object.values(tFormat).reduce((a, b) => a + b, 0);
  const total = tParse + tIam + tAudit + tRender;
  const cliTerminal = tParse + tIam + tAudit + (tFormat.terminal ?? 0);
  const fails = report.results.filter((r) => r.status === 'fail').length;
  console.log(
    [
      `functions=${n} snapshot=${(text.length / 1e6).toFixed(1)}MB results=${report.results.length} fail=${fails}`,
      `  parse+validate ${tParse.toFixed(0)} ms | iam data ${tIam.toFixed(0)} ms | index+rules+suppress ${tAudit.toFixed(0)} ms | render terminal+json+sarif ${tRender.toFixed(0)} ms`,
      `  render+encode: ${Object.entries(tFormat)
        .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
        .join(' | ')}`,
      `  lvs audit path (parse, iam, audit, terminal): ${cliTerminal.toFixed(0)} ms (target < 2000 ms at 10,000 for the whole process; node startup and module loading come on top)`,
      `  TOTAL ${total.toFixed(0)} ms (all three formats) | peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
      `  output sizes (UTF-8): ${Object.entries(sizesOut)
        .map(([k, v]) => `${k} ${(v / 1e6).toFixed(1)}MB`)
        .join(', ')}`,
    ].join('\n'),
  );
}
