import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

const files = sourceFiles(SRC).map((path) => ({
  path: relative(SRC, path),
  text: readFileSync(path, 'utf8'),
}));
const importsOf = (text: string) =>
  [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1] ?? '');

/** Pure layers: they see data, never the outside world (STYLE 6). */
const PURE_LAYERS = [
  'checks/',
  'report/',
  'policy/',
  'suppress/apply.ts',
  'snapshot/derive.ts',
  'snapshot/data-path.ts',
  'core/',
];
const FORBIDDEN = [/^@aws-sdk\//, /^node:fs/, /^fs(\/|$)/, /^node:child_process/, /^node:net/, /^node:http/];

describe('architecture', () => {
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(
    files
      .filter((f) => PURE_LAYERS.some((layer) => f.path.startsWith(layer)))
      .map((f) => [f.path, f] as const),
  )('%s imports no AWS SDK, file system or network module', (_path, file) => {
    const bad = importsOf(file.text).filter((spec) => FORBIDDEN.some((re) => re.test(spec)));
    expect(bad).toEqual([]);
  });

  it('only cli/main.ts touches `process`', () => {
    const offenders = files
      .filter((f) => f.path !== 'cli/main.ts')
      .filter((f) =>
        /\bprocess\.(?:env|exit|exitCode|argv|stdout|stderr|cwd)\b/.test(
          f.text.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ''),
        ),
      )
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('checks depend on no other layer than core, snapshot, policy, iam catalog types and their own lib', () => {
    for (const file of files.filter((f) => f.path.startsWith('checks/'))) {
      for (const spec of importsOf(file.text).filter((s) => s.startsWith('.'))) {
        expect(spec, `${file.path} imports ${spec}`).toMatch(
          /^(\.\/|\.\.\/(define-check|core|snapshot|policy|iam\/action-catalog)|\.\.\/\.\.\/(core|snapshot|policy|iam\/action-catalog))/,
        );
        expect(spec, `${file.path} imports the CLI or reports`).not.toMatch(
          /\/(cli|report|suppress|collect|fix)\//,
        );
      }
    }
  });

  it('reports never import checks at runtime (metadata arrives in the report)', () => {
    for (const file of files.filter((f) => f.path.startsWith('report/'))) {
      const runtimeImports = [...file.text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map(
        (m) => m[1] ?? '',
      );
      expect(
        runtimeImports.filter((s) => s.includes('/checks/')),
        file.path,
      ).toEqual([]);
    }
  });
});
