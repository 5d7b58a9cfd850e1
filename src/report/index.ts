import type { ChalkInstance } from 'chalk';
import { renderJson } from './json.js';
import type { AuditReport } from './model.js';
import { renderSarif } from './sarif.js';
import { renderTerminal } from './terminal.js';

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

export const renderers: Readonly<Record<ReportFormat, Renderer>> = {
  terminal: (report, options = {}) => renderTerminal(report, options),
  json: (report) => renderJson(report),
  sarif: (report, options = {}) =>
    renderSarif(
      report,
      options.informationUri !== undefined ? { informationUri: options.informationUri } : {},
    ),
};

export const REPORT_FORMATS = Object.keys(renderers) as ReportFormat[];

export function render(format: ReportFormat, report: AuditReport, options: RenderOptions = {}): string {
  return renderers[format](report, options);
}

export type { AuditReport, FunctionDataPath, SourceLocation } from './model.js';
export { summarize, type ReportSummary } from './summary.js';
