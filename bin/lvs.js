#!/usr/bin/env node
// An audit runs for a few seconds, often on one core (CI). At V8's default tiering, made for pages
// and servers that run for long, about a third of its CPU time went into the optimizing compiler,
// for code that the run never paid back (much of it compiled, thrown away, compiled again). A
// larger interrupt budget leaves code in the baseline tiers until it has run much longer, so only
// what stays hot is optimized. One core: 10,000 functions 3.1 -> 2.1 s, 1,000 functions
// 0.64 -> 0.44 s, 50,000 functions 15.3 -> 13.4 s.
import { availableParallelism } from 'node:os';
import process from 'node:process';
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--interrupt-budget=1048576');
// With one core to run on (a pinned CI job, a container limited to one CPU), V8's garbage
// collector helper threads (parallel scavenges, concurrent marking and sweeping) cannot run beside
// the audit: they take turns with it, and each turn is a thread switch and a colder cache. Doing
// that work on the main thread instead cut a pinned 10,000-function audit by ~6% (paired runs,
// docs/DECISIONS.md "Performance"). With more cores the helpers run beside it, so they stay.
// Start-up flags only, so not these: --single-threaded-gc (also stops parallel marking; V8 aborts
// when set later) and --no-concurrent-recompilation (V8 made its background compiler at start:
// `--trace-opt` still shows every compile as concurrent when the flag is set here).
if (availableParallelism() === 1) {
  for (const flag of ['--no-parallel-scavenge', '--no-concurrent-marking', '--no-concurrent-sweeping'])
    setFlagsFromString(flag);
}
// Loaded after the flags are set, so that all of lvs runs under them. dist/bundle is one esbuild
// bundle of the compiled CLI (scripts/bundle.ts): loading ~100 modules one by one cost ~100 ms a run.
const { run } = await import('../dist/bundle/main.js');
await run();
// Nothing is left to do once run() returns: ending here skips the teardown of the heap (tens of
// megabytes after a large audit: ~1% of a 10,000-function run), which a natural exit performs and
// the operating system does anyway. Only when every byte of output has been handed over: stdout to
// a file, a terminal or a Linux pipe is written synchronously, a macOS pipe is not, and then the
// process ends by itself once the writes have drained.
if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
