import { Chalk, type ChalkInstance } from 'chalk';
import type { CheckResult } from '../core/result.js';
import { isAtLeast, SEVERITIES, severityRank, type Severity } from '../core/severity.js';
import type { AuditReport, FunctionDataPath } from './model.js';
import { summarize } from './summary.js';

export interface TerminalOptions {
  /** Chosen by the CLI (NO_COLOR / FORCE_COLOR / TTY); level 0 gives plain text. Default: no colour. */
  chalk?: ChalkInstance;
  /** Also list passing and not-applicable results under each function. */
  verbose?: boolean;
  /** Columns to wrap prose at; identifiers (ARNs) are never broken. Default 100. */
  width?: number;
}

/** The mark of one layer of a data path, from the results of the rules about that layer. */
export type Mark = 'pass' | 'fail' | 'error' | 'suppressed' | 'na';

export const MARK_SYMBOL: Record<Mark, string> = {
  pass: '✓',
  fail: '✗',
  error: '!',
  suppressed: '~',
  na: '–',
};

/**
 * Which rules judge which layer of the tree. A result counts for a node when it is about the
 * function itself or names that node's resource (by ARN or by ID).
 */
export const LAYER_RULES = {
  function: ['LVS011', 'LVS012'],
  vpc: ['LVS001'],
  subnet: ['LVS001', 'LVS002'],
  routeTable: ['LVS003', 'LVS004'],
  endpoint: ['LVS006'],
  bucket: ['LVS007', 'LVS013'],
  securityGroup: ['LVS005'],
  role: ['LVS008'],
  kmsKey: ['LVS009'],
  tracing: ['LVS010'],
} as const satisfies Record<string, readonly string[]>;
type Layer = keyof typeof LAYER_RULES;

/** fail > error > suppressed > pass > not applicable (or not evaluated). */
export function markOf(results: readonly CheckResult[]): Mark {
  const has = (s: CheckResult['status']) => results.some((r) => r.status === s);
  if (has('fail')) return 'fail';
  if (has('error')) return 'error';
  if (has('suppressed')) return 'suppressed';
  if (has('pass')) return 'pass';
  return 'na';
}

interface Node {
  mark: Mark;
  label: string;
  detail?: string;
  children: Node[];
}

const STATUS_ORDER: Record<CheckResult['status'], number> = {
  fail: 0,
  error: 1,
  suppressed: 2,
  pass: 3,
  'not-applicable': 4,
};

function namesResource(resourceArn: string, id: string): boolean {
  return resourceArn === id || resourceArn.endsWith(`/${id}`) || resourceArn.endsWith(`:${id}`);
}

class Painter {
  constructor(readonly c: ChalkInstance) {}
  mark(m: Mark): string {
    const s = MARK_SYMBOL[m];
    switch (m) {
      case 'pass':
        return this.c.green(s);
      case 'fail':
        return this.c.red.bold(s);
      case 'error':
        return this.c.yellow.bold(s);
      case 'suppressed':
        return this.c.cyan(s);
      case 'na':
        return this.c.gray(s);
    }
  }
  severity(s: Severity, text: string = s.toUpperCase()): string {
    switch (s) {
      case 'critical':
        return this.c.bgRed.white.bold(text);
      case 'high':
        return this.c.red.bold(text);
      case 'medium':
        return this.c.yellow(text);
      case 'low':
        return this.c.blue(text);
      case 'info':
        return this.c.gray(text);
    }
  }
}

/** Greedy word wrap; a word longer than the line (an ARN) gets a line of its own, unbroken. */
export function wrap(text: string, width: number): string[] {
  // Fast path: a line that fits and has only single spaces wraps to itself.
  if (text.length <= width && !/[^\S ]| {2}|^ | $/.test(text)) return [text];
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter((w) => w !== '')) {
      if (line === '') line = word;
      else if (line.length + 1 + word.length <= width) line += ` ${word}`;
      else {
        out.push(line);
        line = word;
      }
    }
    out.push(line);
  }
  return out;
}

/** Prefixes the first wrapped line with `first` and the rest with spaces of the same width. */
function hang(first: string, text: string, width: number, firstVisible = first.length): string[] {
  const pad = ' '.repeat(firstVisible);
  return wrap(text, Math.max(20, width - firstVisible)).map((l, i) => (i === 0 ? first : pad) + l);
}

class FunctionBlock {
  constructor(
    readonly path: FunctionDataPath,
    /** This function's results only. */
    private readonly mine: readonly CheckResult[],
  ) {}

  /** Results of the layer's rules that concern the node `id` (or the function as a whole). */
  private about(layer: Layer, id: string | null): CheckResult[] {
    const rules: readonly string[] = LAYER_RULES[layer];
    return this.mine.filter(
      (r) =>
        rules.includes(r.ruleId) &&
        (r.resourceArn === this.path.functionArn || (id !== null && namesResource(r.resourceArn, id))),
    );
  }

  private node(layer: Layer, id: string | null, label: string, detail?: string, children: Node[] = []): Node {
    return {
      mark: markOf(this.about(layer, id)),
      label,
      ...(detail !== undefined ? { detail } : {}),
      children,
    };
  }

  /** Results of a layer that name a resource the tree does not show (e.g. "all buckets"). */
  private strays(layer: Layer, shown: readonly string[]): Map<string, CheckResult[]> {
    const rules: readonly string[] = LAYER_RULES[layer];
    const out = new Map<string, CheckResult[]>();
    for (const r of this.mine) {
      if (!rules.includes(r.ruleId) || r.resourceArn === this.path.functionArn) continue;
      if (shown.some((id) => namesResource(r.resourceArn, id))) continue;
      out.set(r.resourceArn, [...(out.get(r.resourceArn) ?? []), r]);
    }
    return out;
  }

  private bucketNodes(): Node[] {
    const p = this.path;
    const nodes = p.buckets.map((b) => this.node('bucket', b, `bucket ${b}`));
    for (const [arn, rs] of this.strays('bucket', p.buckets)) {
      const name = arn.replace(/^arn:[^:]*:s3:::/, '');
      const detail = name === '*' ? 'unbounded: the role allows every bucket' : 'not on the data path';
      nodes.push({ mark: markOf(rs), label: `bucket ${name}`, detail, children: [] });
    }
    return nodes;
  }

  tree(): Node {
    const p = this.path;
    const buckets = this.bucketNodes();
    let bucketsShown = false;
    const expandedEndpoints = new Set<string>();
    const subnetNodes = p.subnets.map((s) => {
      const children: Node[] = [];
      if (s.routeTableId === null) {
        children.push({
          mark: markOf(this.about('routeTable', null)),
          label: 'route table unknown',
          children: [],
        });
      } else {
        let endpoint: Node;
        if (s.s3EndpointId === null) {
          endpoint = {
            mark: markOf(this.mine.filter((r) => r.ruleId === 'LVS003' && r.resourceArn === p.functionArn)),
            label: 'no S3 gateway endpoint route',
            children: buckets,
          };
          bucketsShown ||= buckets.length > 0;
        } else if (expandedEndpoints.has(s.s3EndpointId)) {
          endpoint = this.node(
            'endpoint',
            s.s3EndpointId,
            `S3 gateway endpoint ${s.s3EndpointId}`,
            buckets.length > 0 ? 'buckets as above' : undefined,
          );
        } else {
          expandedEndpoints.add(s.s3EndpointId);
          endpoint = this.node(
            'endpoint',
            s.s3EndpointId,
            `S3 gateway endpoint ${s.s3EndpointId}`,
            undefined,
            buckets,
          );
          bucketsShown ||= buckets.length > 0;
        }
        children.push(
          this.node(
            'routeTable',
            s.routeTableId,
            `route table ${s.routeTableId}`,
            s.routeTableAssociation ?? undefined,
            [endpoint],
          ),
        );
      }
      return this.node(
        'subnet',
        s.subnetId,
        `subnet ${s.subnetId}`,
        s.availabilityZone ?? 'AZ unknown',
        children,
      );
    });

    const top: Node[] = [];
    top.push(
      p.vpcId === null
        ? {
            mark: markOf(this.about('vpc', null)),
            label: 'VPC',
            detail: 'not attached',
            children: subnetNodes,
          }
        : this.node('vpc', p.vpcId, `VPC ${p.vpcId}`, undefined, subnetNodes),
    );
    if (!bucketsShown && buckets.length > 0) {
      const how = p.vpcId === null ? 'reached without a VPC' : 'network path unknown';
      top.push(...buckets.map((b) => ({ ...b, detail: b.detail ?? how })));
    }
    if (p.securityGroupIds.length === 0)
      top.push({
        mark: markOf(this.about('securityGroup', null)),
        label: 'security groups',
        detail: 'none',
        children: [],
      });
    for (const sg of p.securityGroupIds) top.push(this.node('securityGroup', sg, `security group ${sg}`));
    top.push(this.node('role', p.roleArn, `role ${p.roleArn}`));
    top.push(
      p.kmsKeyArn === null
        ? {
            mark: markOf(this.about('kmsKey', null)),
            label: 'KMS key',
            detail: 'AWS managed key, no KMSKeyArn',
            children: [],
          }
        : this.node('kmsKey', p.kmsKeyArn, `KMS key ${p.kmsKeyArn}`),
    );
    top.push(this.node('tracing', null, `X-Ray tracing ${p.tracingMode ?? 'not configured'}`));
    return this.node('function', null, `function ${p.functionName}`, undefined, top);
  }
}

function drawTree(root: Node, paint: Painter, indent: string): string[] {
  const lines: string[] = [];
  const label = (n: Node) =>
    `${paint.mark(n.mark)} ${n.label}${n.detail !== undefined ? paint.c.gray(` (${n.detail})`) : ''}`;
  const walk = (n: Node, prefix: string) => {
    n.children.forEach((child, i) => {
      const last = i === n.children.length - 1;
      lines.push(`${indent}${paint.c.gray(prefix + (last ? '└─ ' : '├─ '))}${label(child)}`);
      walk(child, prefix + (last ? '   ' : '│  '));
    });
  };
  lines.push(`${indent}${label(root)}`);
  walk(root, '');
  return lines;
}

function byConcern(a: CheckResult, b: CheckResult): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.resourceArn.localeCompare(b.resourceArn)
  );
}

function findingLines(r: CheckResult, paint: Painter, width: number): string[] {
  const c = paint.c;
  const indent = '      ';
  const mark = paint.mark(r.status === 'fail' ? 'fail' : 'error');
  const sev = paint.severity(r.severity, r.severity.toUpperCase().padEnd(8));
  const what = r.status === 'error' ? c.yellow(' could not be evaluated') : '';
  const lines = [`  ${mark} ${sev} ${c.bold(r.ruleId)} ${r.ruleName}${what}`];
  lines.push(...wrap(r.message, width - indent.length).map((l) => indent + l));
  if (r.resourceArn !== r.functionArn) lines.push(`${indent}${c.gray('resource')} ${r.resourceArn}`);
  for (const e of r.evidence) {
    const expected = e.expected !== undefined ? `; expected ${e.expected}` : '';
    const note = e.note !== undefined ? ` (${e.note})` : '';
    const step = hang(
      `${indent}${c.gray('·')} `,
      `${e.field}: ${e.observed}${expected}${note}`,
      width,
      indent.length + 2,
    );
    lines.push(...step);
    if (e.resourceArn !== '' && e.resourceArn !== r.resourceArn && e.resourceArn !== r.functionArn) {
      lines.push(`${indent}  ${c.gray(`at ${e.resourceArn}`)}`);
    }
  }
  if (r.status === 'fail') {
    lines.push(...hang(`${indent}${c.green('fix:')} `, r.remediation, width, indent.length + 5));
  }
  return lines;
}

function suppressedLine(r: CheckResult, paint: Painter, width: number): string[] {
  const on = r.resourceArn !== r.functionArn ? ` on ${r.resourceArn}` : '';
  const until = r.suppression?.expires ? ` (until ${r.suppression.expires})` : '';
  const was = r.suppressedStatus === 'error' ? ' [error]' : '';
  const text = `${r.ruleId} ${r.ruleName}${was}${on}: ${r.suppression?.reason ?? 'suppressed'}${until}`;
  return hang(`  ${paint.mark('suppressed')} ${paint.c.cyan('suppressed')} `, text, width, 15);
}

function passLine(r: CheckResult, paint: Painter, width: number): string[] {
  const m = r.status === 'pass' ? 'pass' : 'na';
  return hang(`  ${paint.mark(m)} `, `${r.ruleId} ${r.ruleName}: ${r.message}`, width, 4);
}

function summaryLines(report: AuditReport, paint: Painter): string[] {
  const c = paint.c;
  const s = summarize(report.results, report.dataPaths);
  const count = (status: CheckResult['status'], severity: Severity) =>
    report.results.filter((r) => r.status === status && r.severity === severity).length;
  const lines = [c.bold('Summary'), ''];
  lines.push(
    `  ${'severity'.padEnd(10)}${'fail'.padStart(6)}${'error'.padStart(7)}${'suppressed'.padStart(12)}`,
  );
  for (const sev of SEVERITIES) {
    const f = count('fail', sev);
    const row = `${String(f).padStart(6)}${String(count('error', sev)).padStart(7)}${String(count('suppressed', sev)).padStart(12)}`;
    lines.push(`  ${paint.severity(sev, sev.padEnd(10))}${f > 0 ? c.bold(row) : row}`);
  }
  lines.push('');
  lines.push(
    `  ${s.functions} function(s), ${report.results.length} result(s): ` +
      `${c.green(`${s.pass} pass`)}, ${c.red(`${s.fail} fail`)}, ${c.yellow(`${s.error} error`)}, ` +
      `${s.notApplicable} not applicable, ${c.cyan(`${s.suppressed} suppressed`)}`,
  );
  const failing = report.results.filter(
    (r) => r.status === 'fail' && isAtLeast(r.severity, report.failOn),
  ).length;
  if (failing > 0)
    lines.push(
      `  ${paint.mark('fail')} ${c.red.bold(`${failing} failing result(s) at or above ${report.failOn}`)}`,
    );
  else if (s.error > 0)
    lines.push(
      `  ${paint.mark('error')} ${c.yellow.bold(`incomplete: ${s.error} result(s) could not be evaluated`)}`,
    );
  else lines.push(`  ${paint.mark('pass')} ${c.green.bold(`nothing fails at or above ${report.failOn}`)}`);
  lines.push(
    c.gray(
      `  marks: ${MARK_SYMBOL.pass} pass  ${MARK_SYMBOL.fail} fail  ${MARK_SYMBOL.error} error  ${MARK_SYMBOL.suppressed} suppressed  ${MARK_SYMBOL.na} not applicable`,
    ),
  );
  return lines;
}

/**
 * The default output (SPEC 5): per function, its data path as a tree with a mark per layer, then its
 * failing and unevaluated results (most severe first) with evidence and the one-line fix, and its
 * suppressed results one line each; then the summary table, API errors and warnings.
 */
export function renderTerminal(report: AuditReport, options: TerminalOptions = {}): string {
  const paint = new Painter(options.chalk ?? new Chalk({ level: 0 }));
  const c = paint.c;
  const width = options.width ?? 100;
  const out: string[] = [];

  // Functions in data-path order, then any that only appear in results (drawn without a tree).
  const heads = new Map<
    string,
    { name: string; region: string; accountId: string; path?: FunctionDataPath }
  >();
  for (const p of report.dataPaths)
    heads.set(p.functionArn, { name: p.functionName, region: p.region, accountId: p.accountId, path: p });
  const resultsByFunction = new Map<string, CheckResult[]>();
  for (const r of report.results) {
    if (!heads.has(r.functionArn))
      heads.set(r.functionArn, { name: r.functionName, region: r.region, accountId: r.accountId });
    const list = resultsByFunction.get(r.functionArn);
    if (list) list.push(r);
    else resultsByFunction.set(r.functionArn, [r]);
  }
  if (heads.size === 0) out.push(c.gray('No Lambda functions found.'), '');

  for (const [functionArn, head] of heads) {
    const results = resultsByFunction.get(functionArn) ?? [];
    out.push(`${c.bold(head.name)}  ${c.gray(`${head.region} · account ${head.accountId}`)}`);
    if (head.path !== undefined)
      out.push(...drawTree(new FunctionBlock(head.path, results).tree(), paint, '  '));
    const problems = results.filter((r) => r.status === 'fail' || r.status === 'error').sort(byConcern);
    if (problems.length > 0) {
      out.push('');
      for (const r of problems) out.push(...findingLines(r, paint, width), '');
    }
    const suppressed = results.filter((r) => r.status === 'suppressed').sort(byConcern);
    if (problems.length === 0) {
      const passed = results.filter((r) => r.status === 'pass').length;
      out.push(
        `  ${paint.mark('pass')} ${c.green(`nothing fails or errors (${passed} pass, ${suppressed.length} suppressed)`)}`,
      );
    }
    for (const r of suppressed) out.push(...suppressedLine(r, paint, width));
    if (options.verbose) {
      const passing = results
        .filter((r) => r.status === 'pass' || r.status === 'not-applicable')
        .sort(byConcern);
      if (passing.length > 0) out.push(c.gray('  passing and not applicable:'));
      for (const r of passing) out.push(...passLine(r, paint, width));
    }
    if (out[out.length - 1] !== '') out.push('');
  }

  out.push(...summaryLines(report, paint));

  if (report.errors.length > 0) {
    out.push('', c.bold(`API errors (${report.errors.length})`));
    for (const e of report.errors) {
      const where = [e.region, e.resource].filter((x) => x !== undefined && x !== '').join(' ');
      const text = `${e.service}:${e.operation}${where ? ` ${where}` : ''}: ${e.code}${e.message ? ` (${e.message})` : ''}`;
      out.push(...hang(`  ${paint.mark('error')} `, text, width, 4));
    }
  }
  if (report.warnings.length > 0) {
    out.push('', c.bold(`Warnings (${report.warnings.length})`));
    for (const w of report.warnings) out.push(...hang(`  ${c.yellow('!')} `, w, width, 4));
  }
  return `${out.join('\n')}\n`;
}
