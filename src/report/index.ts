import type { ChalkInstance } from 'chalk';
import { chunksToText, type ReportChunk } from './chunks.js';
import { renderJsonChunks } from './json.js';
import type { AuditReport } from './model.js';
import { renderSarifChunks } from './sarif.js';
import { renderTerminalChunks } from './terminal.js';

export type ReportFormat = 'terminal' | 'json' | 'sarif';

/** Options every renderer accepts; each reads only what concerns it. */
export interface RenderOptions {
  /** terminal: the chalk instance chosen by the CLI (NO_COLOR / FORCE_COLOR / TTY). Default: no colour. */
  chalk?: ChalkInstance;
  /** terminal: also list passing and not-applicable results. */
  verbose?: boolean;
  /** terminal: wrap width in columns (default 100). */
  width?: number;
  /** sarif: tool.driver.informationUri. */
  informationUri?: string;
}

/** A renderer returns the whole document as a string; the CLI decides where it goes (stdout or --output FILE). */
export type Renderer = (report: AuditReport, options?: RenderOptions) => string;

/**
 * The same document as consecutive chunks (text or UTF-8) that add up to the string: the CLI writes
 * them as they come, so a report of thousands of functions is never held (and encoded) as one
 * string. Terminal chunks are drawn as they are consumed; iterate them once.
 */
export type ChunkRenderer = (report: AuditReport, options?: RenderOptions) => Iterable<ReportChunk>;

export const chunkRenderers: Readonly<Record<ReportFormat, ChunkRenderer>> = {
  terminal: (report, options = {}) => renderTerminalChunks(report, options),
  json: (report) => renderJsonChunks(report),
  sarif: (report, options = {}) =>
    renderSarifChunks(
      report,
      options.informationUri !== undefined ? { informationUri: options.informationUri } : {},
    ),
};

export const renderers: Readonly<Record<ReportFormat, Renderer>> = {
  terminal: (report, options) => chunksToText(chunkRenderers.terminal(report, options)),
  json: (report, options) => chunksToText(chunkRenderers.json(report, options)),
  sarif: (report, options) => chunksToText(chunkRenderers.sarif(report, options)),
};

export const REPORT_FORMATS = Object.keys(renderers) as ReportFormat[];

export function render(format: ReportFormat, report: AuditReport, options: RenderOptions = {}): string {
  return renderers[format](report, options);
}

export type { AuditReport, FunctionDataPath, SourceLocation } from './model.js';
export { chunksToText, type ReportChunk } from './chunks.js';
export { summarize, type ReportSummary } from './summary.js';
