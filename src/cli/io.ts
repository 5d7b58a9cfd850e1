import type { ReportChunk } from '../report/chunks.js';

/**
 * The reader of stdout has gone (EPIPE: `lvs audit | head`). Thrown by stdoutChunks to stop making a
 * report nobody reads; the CLI then exits quietly (ExitCode.OutputClosed).
 */
export class OutputClosedError extends Error {
  constructor() {
    super('stdout was closed by its reader');
  }
}

/** What a command may touch of the outside world; main.ts binds it to the process, tests to buffers. */
export interface CliIo {
  stdout(text: string): void;
  /**
   * Writes a document given as chunks to stdout, in order, waiting while the stream is full; a large
   * report is then never one string. Resolves when every chunk has been handed to the stream;
   * rejects with OutputClosedError once the reader has closed it.
   */
  stdoutChunks(chunks: Iterable<ReportChunk>): Promise<void>;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** True when a person can answer a question on stdin (lvs fix --apply asks for confirmation). */
  stdinIsTTY: boolean;
  cwd: string;
  now(): Date;
  readFile(path: string): Promise<string>;
  /** Writes the text, or the chunks in order (text as UTF-8), to the file. */
  writeFile(path: string, text: string | Iterable<ReportChunk>): Promise<void>;
  fileExists(path: string): Promise<boolean>;
  /** Creates a directory and its parents (lvs fix --apply's backup directory). */
  mkdir(path: string): Promise<void>;
  /** Asks a yes/no question on stderr and reads the answer from stdin; true only for "y" or "yes". */
  confirm(question: string): Promise<boolean>;
}
