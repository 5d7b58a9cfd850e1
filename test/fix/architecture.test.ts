import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * src/fix is pure (STYLE 6): it sees results and a snapshot index and returns data. No AWS SDK, file
 * system, network, process or clock: the same input gives the same plan. Only the executor
 * (src/fix/apply.ts and its modules in src/fix/apply/, not part of the planner) may talk to AWS.
 */

const FIX = fileURLToPath(new URL('../../src/fix/', import.meta.url));
const isExecutor = (path: string) => /^apply(\.ts$|[\\/])/.test(path);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

const files = sourceFiles(FIX)
  .map((path) => ({ path: relative(FIX, path), text: readFileSync(path, 'utf8') }))
  .filter((f) => !isExecutor(f.path));
const importsOf = (text: string) =>
  [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1] ?? '');
const FORBIDDEN = /^(@aws-sdk\/.+|(node:)?(fs|child_process|net|http|https|os|process|worker_threads))(\/|$)/;
const code = (text: string) => text.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');

describe('src/fix architecture', () => {
  it('finds the planner sources', () => {
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['plan.ts', 'order.ts', 'policy-merge.ts', 'simulate.ts']),
    );
  });

  it.each(files.map((f) => [f.path, f] as const))(
    '%s imports no AWS SDK, file system, network or process module',
    (_p, file) => {
      const bad = importsOf(file.text).filter((spec) => FORBIDDEN.test(spec));
      expect(bad).toEqual([]);
    },
  );

  it.each(files.map((f) => [f.path, f] as const))(
    '%s reads no clock, randomness or process state',
    (_p, file) => {
      expect(code(file.text)).not.toMatch(/\bprocess\.|Date\.now\(|new Date\(\)|Math\.random\(/);
    },
  );

  it('the import check recognises what it forbids', () => {
    for (const spec of [
      '@aws-sdk/client-s3',
      'node:fs',
      'node:fs/promises',
      'fs',
      'node:child_process',
      'http',
    ])
      expect(FORBIDDEN.test(spec), spec).toBe(true);
    for (const spec of ['../plan-model.js', 'zod', 'node:path'])
      expect(FORBIDDEN.test(spec), spec).toBe(false);
  });

  it('imports nothing from the CLI, the collectors or the report layer', () => {
    for (const file of files) {
      for (const spec of importsOf(file.text))
        expect(spec, file.path).not.toMatch(/\/(cli|collect|report)\//);
    }
  });
});
