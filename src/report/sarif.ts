import type {
  Location,
  Log,
  LogicalLocation,
  Notification,
  ReportingDescriptor,
  Result,
  Suppression,
} from 'sarif';
import type { CheckMeta } from '../checks/define-check.js';
import type { EvidenceStep } from '../core/evidence.js';
import type { CheckResult } from '../core/result.js';
import { SARIF_LEVEL, SECURITY_SEVERITY } from '../core/severity.js';
import type { AuditReport, SourceLocation } from './model.js';
import { stringifyDocumentPieces } from './json-text.js';
import { sortResults } from './order.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Where `tool.driver.informationUri` points unless the caller says otherwise. */
export const DEFAULT_INFORMATION_URI = 'https://www.npmjs.com/package/lvs';
/** Key of `partialFingerprints`; bump the suffix only if the fingerprint recipe changes. */
export const FINGERPRINT_KEY = 'lvs/v1';

export interface SarifOptions {
  informationUri?: string;
  /** Spaces of indentation; default 2. */
  indent?: number;
}

/** Results that are alerts: pass and not-applicable are not. */
const ALERT_STATUSES = new Set(['fail', 'error', 'suppressed']);

/**
 * `error`-status results (the check could not be evaluated) are reported at level `warning`
 * whatever the rule's severity: an unevaluated rule is neither a confirmed finding (`error`) nor
 * ignorable (`note`). Their message starts with "Could not evaluate".
 */
export const UNEVALUATED_LEVEL = 'warning' as const;

/** `aws/<account>/<region>/lambda/<function>`: stable across runs, for results no template defines. */
export function syntheticUri(r: Pick<CheckResult, 'accountId' | 'region' | 'functionName'>): string {
  const part = (s: string) => encodeURIComponent(s);
  return `aws/${part(r.accountId)}/${part(r.region)}/lambda/${part(r.functionName)}`;
}

function helpMarkdown(meta: CheckMeta): string {
  const refs = meta.references.map((ref) => `- [${ref.title}](${ref.url})`).join('\n');
  const controls =
    meta.securityHubControls.length > 0
      ? `\n\nSecurity Hub controls: ${meta.securityHubControls.join(', ')}.`
      : '';
  return [
    `**${meta.title}** (${meta.id} ${meta.name}, default severity ${meta.severity})`,
    meta.description,
    `### Why it matters\n\n${meta.rationale}`,
    `### How to fix\n\n${meta.remediation}\n\n${meta.remediationDetails}`,
    `### References\n\n${refs}${controls}`,
  ].join('\n\n');
}

function helpText(meta: CheckMeta): string {
  const refs = meta.references.map((ref) => `- ${ref.title}: ${ref.url}`).join('\n');
  return [
    meta.description,
    `Why: ${meta.rationale}`,
    `Fix: ${meta.remediation}\n${meta.remediationDetails}`,
    `References:\n${refs}`,
  ].join('\n\n');
}

function ruleOf(meta: CheckMeta): ReportingDescriptor {
  const first = meta.references[0];
  return {
    id: meta.id,
    name: meta.name,
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.description },
    help: { text: helpText(meta), markdown: helpMarkdown(meta) },
    ...(first ? { helpUri: first.url } : {}),
    defaultConfiguration: { level: SARIF_LEVEL[meta.severity] },
    properties: {
      'security-severity': SECURITY_SEVERITY[meta.severity],
      tags: ['security', ...meta.tags.filter((t) => t !== 'security')],
      precision: 'high',
      ...(meta.securityHubControls.length > 0 ? { securityHubControls: meta.securityHubControls } : {}),
    },
  };
}

function wasUnevaluated(r: CheckResult): boolean {
  return r.status === 'error' || (r.status === 'suppressed' && r.suppressedStatus === 'error');
}

/** The markdown line of an evidence step; rules share steps between results, so each is written once. */
type StepLines = Map<EvidenceStep, string>;

function stepLine(e: EvidenceStep, written: StepLines): string {
  let line = written.get(e);
  if (line === undefined) {
    const expected = e.expected !== undefined ? ` (expected: ${e.expected})` : '';
    const note = e.note !== undefined ? ` — ${e.note}` : '';
    line = `- \`${e.field}\` on \`${e.resourceArn}\`: ${e.observed}${expected}${note}`;
    written.set(e, line);
  }
  return line;
}

function messageOf(r: CheckResult, written: StepLines): { text: string; markdown: string } {
  const text =
    wasUnevaluated(r) && !/^could not evaluate/i.test(r.message)
      ? `Could not evaluate: ${r.message}`
      : r.message;
  const lines = [text];
  if (r.evidence.length > 0) {
    lines.push('', 'Evidence:');
    for (const e of r.evidence) lines.push(stepLine(e, written));
  }
  if (!wasUnevaluated(r)) lines.push('', `Fix: ${r.remediation}`);
  return { text, markdown: lines.join('\n') };
}

function locationOf(r: CheckResult, mapped: SourceLocation | undefined): Location {
  const logical: LogicalLocation[] = [
    { name: r.functionName, fullyQualifiedName: r.functionArn, kind: 'function' },
  ];
  if (r.resourceArn !== r.functionArn) logical.push({ fullyQualifiedName: r.resourceArn, kind: 'resource' });
  return {
    physicalLocation: {
      artifactLocation: { uri: mapped?.uri ?? syntheticUri(r) },
      region: { startLine: mapped === undefined ? 1 : (mapped.startLine ?? 1) },
    },
    logicalLocations: logical,
  };
}

function resultOf(
  r: CheckResult,
  ruleIndex: Map<string, number>,
  locations: AuditReport['locations'],
  written: StepLines,
): Result {
  const index = ruleIndex.get(r.ruleId);
  const suppressions: Suppression[] | undefined =
    r.status === 'suppressed'
      ? [
          {
            kind: 'external',
            status: 'accepted',
            justification: r.suppression?.reason ?? 'suppressed in lvs.config.json',
            ...(r.suppression
              ? { properties: { resource: r.suppression.resource, expires: r.suppression.expires } }
              : {}),
          },
        ]
      : undefined;
  return {
    ruleId: r.ruleId,
    ...(index !== undefined ? { ruleIndex: index } : {}),
    level: wasUnevaluated(r) ? UNEVALUATED_LEVEL : SARIF_LEVEL[r.severity],
    message: messageOf(r, written),
    locations: [
      locationOf(r, Object.hasOwn(locations, r.functionArn) ? locations[r.functionArn] : undefined),
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: r.fingerprint },
    ...(suppressions ? { suppressions } : {}),
    properties: {
      status: r.status,
      ...(r.suppressedStatus !== undefined && r.status === 'suppressed'
        ? { suppressedStatus: r.suppressedStatus }
        : {}),
      severity: r.severity,
      reasonId: r.reasonId,
      functionArn: r.functionArn,
      resourceArn: r.resourceArn,
      accountId: r.accountId,
      region: r.region,
    },
  };
}

function notifications(report: AuditReport): Notification[] {
  const apiErrors = report.errors.map((e): Notification => ({
    level: 'warning',
    message: {
      text: `${e.service}:${e.operation} failed${e.resource ? ` for ${e.resource}` : ''}${e.region ? ` in ${e.region}` : ''}: ${e.code}${e.message ? ` (${e.message})` : ''}`,
    },
    descriptor: { id: 'api-error' },
    properties: {
      service: e.service,
      operation: e.operation,
      code: e.code,
      region: e.region ?? null,
      resource: e.resource ?? null,
    },
  }));
  const warnings = report.warnings.map((w): Notification => ({
    level: 'warning',
    message: { text: w },
    descriptor: { id: 'warning' },
  }));
  return [...apiErrors, ...warnings];
}

/** SARIF 2.1.0 as data: one run, rules from the catalogue, fail/error/suppressed results in a stable order. */
export function toSarifLog(report: AuditReport, options: SarifOptions = {}): Log {
  const rules = report.checks.map(ruleOf);
  const ruleIndex = new Map(report.checks.map((meta, i) => [meta.id, i]));
  const written: StepLines = new Map();
  const results = sortResults(report.results.filter((r) => ALERT_STATUSES.has(r.status))).map((r) =>
    resultOf(r, ruleIndex, report.locations, written),
  );
  const toolNotifications = notifications(report);
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'lvs',
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: options.informationUri ?? DEFAULT_INFORMATION_URI,
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            endTimeUtc: report.generatedAt,
            ...(toolNotifications.length > 0 ? { toolExecutionNotifications: toolNotifications } : {}),
          },
        ],
        results,
        properties: { accounts: report.accounts },
      },
    ],
  };
}

export function renderSarif(report: AuditReport, options: SarifOptions = {}): string {
  return renderSarifChunks(report, options).join('');
}

/** renderSarif's document as consecutive pieces, for writing without joining them first. */
export function renderSarifChunks(report: AuditReport, options: SarifOptions = {}): string[] {
  const log = toSarifLog(report, options);
  // JSON.stringify(log) and a newline, made so that no piece is a deep tree of small strings.
  return stringifyDocumentPieces(
    log,
    options.indent ?? 2,
    ['runs', 0, 'results'],
    log.runs[0]?.results ?? [],
  );
}
