import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSnapshot } from '../../bench/generate-snapshot.js';
import { ExitCode } from '../../src/cli/exit-code.js';

const RUN_CLI = fileURLToPath(new URL('../helpers/run-cli.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lvs-epipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs lvs with stdout piped to a reader that stops after the first chunk (`lvs … | head -c 1`). */
function runAndCloseStdout(args: string[]): Promise<{ code: number | null; stderr: string; read: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUN_CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    let read = 0;
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.stdout.once('data', (chunk: Buffer) => {
      read = chunk.length;
      child.stdout.destroy();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, read }));
  });
}

describe('stdout closed by its reader (lvs audit | head)', () => {
  // Several megabytes of report: far more than a pipe holds, so writes fail once the reader is gone.
  const file = join(dir, 'snapshot.json');
  writeFileSync(file, JSON.stringify(generateSnapshot({ functions: 400, seed: 5 })));

  for (const args of [
    ['fix', '--dry-run', '--snapshot', file],
    ['fix', '--dry-run', '--snapshot', file, '--format', 'json'],
  ]) {
    it(`${args.join(' ')}: its output dropped once the reader has gone, exit ${ExitCode.OutputClosed}`, async () => {
      const { code, stderr, read } = await runAndCloseStdout(args);
      expect(read).toBeGreaterThan(0);
      expect(stderr).not.toMatch(/internal error|EPIPE|at .*\(/);
      expect(code).toBe(ExitCode.OutputClosed);
    }, 30_000);
  }

  for (const format of ['terminal', 'json', 'sarif']) {
    it(`${format}: stops quietly with exit ${ExitCode.OutputClosed}, no error and no stack trace`, async () => {
      const { code, stderr, read } = await runAndCloseStdout([
        'audit',
        '--snapshot',
        file,
        '--format',
        format,
      ]);
      expect(read).toBeGreaterThan(0);
      expect(stderr).toBe('');
      expect(code).toBe(ExitCode.OutputClosed);
    }, 30_000);
  }
});
