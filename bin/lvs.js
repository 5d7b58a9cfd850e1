#!/usr/bin/env node
// An audit runs for a few seconds, often on one core (CI). At V8's default tiering, made for pages
// and servers that run for long, about a third of its CPU time went into the optimizing compiler,
// for code that the run never paid back (much of it compiled, thrown away, compiled again). A
// larger interrupt budget leaves code in the baseline tiers until it has run much longer, so only
// what stays hot is optimized. One core: 10,000 functions 3.1 -> 2.1 s, 1,000 functions
// 0.64 -> 0.44 s, 50,000 functions 15.3 -> 13.4 s.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--interrupt-budget=1048576');
// Loaded after the flag is set, so that all of lvs runs under it. dist/bundle is one esbuild bundle
// of the compiled CLI (scripts/bundle.ts): loading ~100 modules one by one cost ~100 ms a run.
const { run } = await import('../dist/bundle/main.js');
await run();
