import type { ChalkInstance } from 'chalk';
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
 * The same document as consecutive chunks whose concatenation is the string: the CLI writes them
 * as they come, so a report of thousands of functions is never held (and encoded) as one string.
 * Terminal chunks are drawn as they are consumed; iterate them once.
 */
export type ChunkRenderer = (report: AuditReport, options?: RenderOptions) => Iterable<string>;

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
  terminal: (report, options) => [...chunkRenderers.terminal(report, options)].join(''),
  json: (report, options) => [...chunkRenderers.json(report, options)].join(''),
  sarif: (report, options) => [...chunkRenderers.sarif(report, options)].join(''),
};

export const REPORT_FORMATS = Object.keys(renderers) as ReportFormat[];

export function render(format: ReportFormat, report: AuditReport, options: RenderOptions = {}): string {
  return renderers[format](report, options);
}

export type { AuditReport, FunctionDataPath, SourceLocation } from './model.js';
export { summarize, type ReportSummary } from './summary.js';
