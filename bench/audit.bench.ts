/**
 * Offline audit speed: generate an N-function snapshot, then time each stage of
 * `lvs audit --snapshot` in one process: JSON parse + zod validation, IAM data load, index + all
 * rules, and rendering of every format. Prints figures; asserts nothing.
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
  const t3 = process.hrtime.bigint();
  const sizesOut: Record<string, number> = {};
  for (const [name, render] of Object.entries(renderers)) {
    sizesOut[name] = render(report, { chalk: new Chalk({ level: 0 }), verbose: false }).length;
  }
  const tRender = ms(t3);
  const total = tParse + tIam + tAudit + tRender;
  const fails = report.results.filter((r) => r.status === 'fail').length;
  console.log(
    [
      `functions=${n} snapshot=${(text.length / 1e6).toFixed(1)}MB results=${report.results.length} fail=${fails}`,
      `  parse+validate ${tParse.toFixed(0)} ms | iam data ${tIam.toFixed(0)} ms | index+rules+suppress ${tAudit.toFixed(0)} ms | render terminal+json+sarif ${tRender.toFixed(0)} ms`,
      `  TOTAL ${total.toFixed(0)} ms (target < 2000 ms at 10,000) | peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
      `  output sizes: ${Object.entries(sizesOut)
        .map(([k, v]) => `${k} ${(v / 1e6).toFixed(1)}MB`)
        .join(', ')}`,
    ].join('\n'),
  );
}
