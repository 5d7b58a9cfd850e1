import { access, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { chunksToText } from '../../src/report/chunks.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  files: Map<string, string>;
  /** Questions the command asked (lvs fix --apply's confirmation). */
  prompts: string[];
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
    /** stdin is a terminal (default false). */
    stdinTTY?: boolean;
    /** The answer to a confirmation question (default: no). */
    confirm?: (question: string) => boolean;
    /** Receives "write <path>" and "mkdir <path>" as they happen, to order them against AWS calls. */
    events?: string[];
  } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const files = new Map<string, string>(Object.entries(options.files ?? {}));
  const prompts: string[] = [];
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stdoutChunks: (chunks) => {
      stdout += chunksToText(chunks);
      return Promise.resolve();
    },
    stderr: (t) => void (stderr += t),
    env: options.env ?? {},
    stdoutIsTTY: options.tty ?? false,
    stderrIsTTY: false,
    cwd: options.cwd ?? REPO_ROOT,
    now: () => options.now ?? new Date('2026-11-21T10:00:00Z'),
    readFile: async (path) => files.get(path) ?? readFile(path, 'utf8'),
    writeFile: (path, text) => {
      options.events?.push(`write ${path}`);
      files.set(path, typeof text === 'string' ? text : chunksToText(text));
      return Promise.resolve();
    },
    fileExists: async (path) =>
      files.has(path) ||
      access(path).then(
        () => true,
        () => false,
      ),
    stdinIsTTY: options.stdinTTY ?? false,
    mkdir: (path) => {
      options.events?.push(`mkdir ${path}`);
      return Promise.resolve();
    },
    confirm: (question) => {
      prompts.push(question);
      return Promise.resolve(options.confirm?.(question) ?? false);
    },
  };
  const code = await main(argv, io);
  return { code, stdout, stderr, files, prompts };
}
