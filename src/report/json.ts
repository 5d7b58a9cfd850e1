import type { CheckResult } from '../core/result.js';
import type { JsonReport, JsonResult } from './json-schema.js';
import { JSON_REPORT_SCHEMA_VERSION } from './json-schema.js';
import { stringifyDocumentPieces } from './json-text.js';
import type { AuditReport } from './model.js';
import { sortResults } from './order.js';
import { summarize } from './summary.js';

export interface JsonOptions {
  /** Spaces of indentation; 0 writes one line. Default 2. */
  indent?: number;
}

function toJsonResult(r: CheckResult): JsonResult {
  return {
    ruleId: r.ruleId,
    ruleName: r.ruleName,
    status: r.status,
    suppressedStatus:
      r.status === 'suppressed' && (r.suppressedStatus === 'fail' || r.suppressedStatus === 'error')
        ? r.suppressedStatus
        : null,
    severity: r.severity,
    reasonId: r.reasonId,
    message: r.message,
    accountId: r.accountId,
    region: r.region,
    functionName: r.functionName,
    functionArn: r.functionArn,
    resourceArn: r.resourceArn,
    evidence: r.evidence.map((e) => ({
      resourceArn: e.resourceArn,
      field: e.field,
      observed: e.observed,
      expected: e.expected ?? null,
      note: e.note ?? null,
    })),
    remediation: r.remediation,
    fingerprint: r.fingerprint,
    suppression:
      r.suppression === null
        ? null
        : { reason: r.suppression.reason, resource: r.suppression.resource, expires: r.suppression.expires },
  };
}

/** The SPEC 5 document as data; results in a stable order (account, region, function, rule, resource). */
export function toJsonReport(report: AuditReport): JsonReport {
  return {
    tool: { name: report.tool.name, version: report.tool.version },
    schemaVersion: JSON_REPORT_SCHEMA_VERSION,
    generatedAt: report.generatedAt,
    accounts: report.accounts.map((a) => ({ accountId: a.accountId, regions: [...a.regions] })),
    summary: summarize(report.results, report.dataPaths),
    results: sortResults(report.results).map(toJsonResult),
    errors: report.errors.map((e) => ({
      service: e.service,
      operation: e.operation,
      region: e.region ?? null,
      resource: e.resource ?? null,
      code: e.code,
      message: e.message,
    })),
    warnings: [...report.warnings],
  };
}

export function renderJson(report: AuditReport, options: JsonOptions = {}): string {
  return renderJsonChunks(report, options).join('');
}

/** renderJson's document as consecutive pieces, for writing without joining them first. */
export function renderJsonChunks(report: AuditReport, options: JsonOptions = {}): string[] {
  const indent = options.indent ?? 2;
  const doc = toJsonReport(report);
  // JSON.stringify(doc) and a newline, made so that no piece is a deep tree of small strings.
  return stringifyDocumentPieces(doc, indent > 0 ? indent : undefined, ['results'], doc.results);
}
