import { access, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  files: Map<string, string>;
}

/** Runs the CLI in-process with captured output; files written by --output are captured, not written. */
export async function runCli(
  argv: string[],
  options: {
    env?: Record<string, string>;
    now?: Date;
    cwd?: string;
    tty?: boolean;
    files?: Record<string, string>;
  } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const files = new Map<string, string>(Object.entries(options.files ?? {}));
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: options.env ?? {},
    stdoutIsTTY: options.tty ?? false,
    cwd: options.cwd ?? REPO_ROOT,
    now: () => options.now ?? new Date('2026-11-21T10:00:00Z'),
    readFile: async (path) => files.get(path) ?? readFile(path, 'utf8'),
    writeFile: (path, text) => {
      files.set(path, text);
      return Promise.resolve();
    },
    fileExists: async (path) =>
      files.has(path) ||
      access(path).then(
        () => true,
        () => false,
      ),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr, files };
}

