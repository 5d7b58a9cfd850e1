/**
 * Which of two (or more) builds of lvs is faster, on a host whose speed drifts by ±10% from minute
 * to minute (more than most changes move it): runs each build's `node bin/lvs.js audit --snapshot
 * FILE > /dev/null` in turn, round after round (the order reversed every other round), pinned to one
 * core, and compares each build with the first pair by pair: the median of the per-round CPU-time
 * ratios and their interquartile range. 16 to 30 rounds tell a 4% change; a single run tells none.
 *
 * Each DIR is a checkout with a built CLI (`bin/lvs.js` and `dist/`), e.g. a git worktree of the
 * commit to compare against after `npm run build` there.
 *
 *   npx tsx bench/compare.ts [--rounds 20] [--functions 10000] DIR_A DIR_B [DIR_C …]
 *
 * Prints figures; asserts nothing. For a measure that does not drift at all, count instructions
 * instead (docs/DECISIONS.md, "Performance").
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { generateSnapshot } from './generate-snapshot.js';
import { median, pinned, quantile, runCli } from './lib/run-cli.js';

const args = process.argv.slice(2);
function usageError(message: string): never {
  console.error(`compare.ts: ${message}`);
  process.exit(2);
}
function option(name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args.splice(at, 2)[1]);
  if (!Number.isInteger(value) || value < 1) usageError(`${name} takes a positive whole number`);
  return value;
}
const rounds = option('--rounds', 20);
const functions = option('--functions', 10_000);
const builds = args.map((dir) => ({ dir, cli: join(resolve(dir), 'bin', 'lvs.js'), cpu: [] as number[] }));
if (builds.length < 2) usageError('usage: compare.ts [--rounds N] [--functions N] DIR_A DIR_B [DIR_C …]');
for (const b of builds) {
  if (!existsSync(b.cli) || !existsSync(join(resolve(b.dir), 'dist', 'bundle', 'main.js')))
    usageError(`${b.dir}: no built CLI (bin/lvs.js and dist/bundle/main.js; run npm run build there)`);
}

const dir = mkdtempSync(join(tmpdir(), 'lvs-compare-'));
try {
  const file = join(dir, 'snapshot.json');
  writeFileSync(file, JSON.stringify(generateSnapshot({ functions, seed: 42 })));
  for (let round = 0; round < rounds; round++) {
    for (const b of round % 2 === 0 ? builds : [...builds].reverse()) {
      const run = runCli(b.cli, file);
      b.cpu.push(run.cpu ?? run.wall / 1000);
    }
  }
  const base = builds[0]!;
  console.log(
    `functions=${functions}, ${rounds} rounds, ${pinned ? 'pinned to one core (taskset -c 0)' : 'NOT pinned (no taskset)'}, CPU seconds per run`,
  );
  for (const b of builds) {
    let line = `  ${basename(resolve(b.dir)).padEnd(16)} min ${Math.min(...b.cpu).toFixed(3)} median ${median(b.cpu).toFixed(3)}`;
    if (b !== base) {
      const ratios = b.cpu.map((cpu, i) => cpu / base.cpu[i]!);
      line += ` | per round / ${basename(resolve(base.dir))}: median ${median(ratios).toFixed(3)} (interquartile ${quantile(ratios, 0.25).toFixed(3)}-${quantile(ratios, 0.75).toFixed(3)})`;
    }
    console.log(line);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
