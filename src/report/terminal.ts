import { Chalk, type ChalkInstance } from 'chalk';
import type { EvidenceStep } from '../core/evidence.js';
import { RESULT_STATUSES, type CheckResult, type ResultStatus } from '../core/result.js';
import { SEVERITIES, severityRank, type Severity } from '../core/severity.js';
import type { ApiError } from '../snapshot/fetched.js';
import { chunksToText, type ReportChunk } from './chunks.js';
import type { AuditReport, FunctionDataPath } from './model.js';

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

/**
 * A status as one bit, ordered as marks are: the statuses a layer has seen are then one number,
 * whose highest bit is its mark (fail > error > suppressed > pass > not applicable).
 */
function statusBit(status: ResultStatus): number {
  return STATUS_BITS[statusIndex(status)] as number;
}

/** statusBit by RESULT_STATUSES index: pass, fail, error, not-applicable, suppressed. */
const STATUS_BITS = [1, 8, 4, 0, 2];

function markOfBits(bits: number): Mark {
  if (bits >= 8) return 'fail';
  if (bits >= 4) return 'error';
  if (bits >= 2) return 'suppressed';
  if (bits >= 1) return 'pass';
  return 'na';
}

/** fail > error > suppressed > pass > not applicable (or not evaluated). */
export function markOf(results: readonly CheckResult[]): Mark {
  let bits = 0;
  for (let i = 0; i < results.length; i++) bits |= statusBit((results[i] as CheckResult).status);
  return markOfBits(bits);
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

/** resourceArn is `id`, or ends with `/id` or `:id`. */
function namesResource(resourceArn: string, id: string): boolean {
  if (resourceArn === id) return true;
  const at = resourceArn.length - id.length - 1;
  if (at < 0) return false;
  // The separator first: one character rules out most pairs before the whole suffix is compared.
  const before = resourceArn.charCodeAt(at);
  return (before === 0x2f /* / */ || before === 0x3a) /* : */ && resourceArn.endsWith(id);
}

/** namesResource for any of the IDs. */
function namesAnyOf(resourceArn: string, ids: readonly string[]): boolean {
  for (let i = 0; i < ids.length; i++) if (namesResource(resourceArn, ids[i] as string)) return true;
  return false;
}

class Painter {
  /** Each mark, painted once: the same string every time it is drawn. */
  private readonly marks: Record<Mark, string>;
  /** c.gray; without colour (level 0) chalk gives the text back, so no call is made. */
  readonly gray: (text: string) => string;

  constructor(readonly c: ChalkInstance) {
    this.marks = {
      pass: c.green(MARK_SYMBOL.pass),
      fail: c.red.bold(MARK_SYMBOL.fail),
      error: c.yellow.bold(MARK_SYMBOL.error),
      suppressed: c.cyan(MARK_SYMBOL.suppressed),
      na: c.gray(MARK_SYMBOL.na),
    };
    this.gray = c.level > 0 ? (text) => c.gray(text) : (text) => text;
  }
  mark(m: Mark): string {
    return this.marks[m];
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

/** The characters `\s` matches (ECMAScript WhiteSpace and LineTerminator). */
function isSpace(c: number): boolean {
  return (
    c === 0x20 ||
    (c >= 0x09 && c <= 0x0d) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** A line whose words are not all separated by single spaces: the words joined by one space. */
function normalizeSpaces(line: string): string {
  return line
    .split(/\s+/)
    .filter((w) => w !== '')
    .join(' ');
}

/** Whitespace other than a space: a tab, a newline, a no-break space… */
const OTHER_SPACE = /[^\S ]/;

/** True when the text's words are separated by single spaces, with none at either end. */
function isSingleSpaced(text: string): boolean {
  const n = text.length;
  return (
    n === 0 ||
    (text.charCodeAt(0) !== 0x20 &&
      text.charCodeAt(n - 1) !== 0x20 &&
      !text.includes('  ') &&
      !OTHER_SPACE.test(text))
  );
}

/**
 * Greedy word wrap into `out`, the first line prefixed with `first` and the others with `rest`: each
 * `\n`-separated paragraph is split into words at whitespace and refilled with single spaces; a
 * word longer than the line gets a line of its own. Pushes rather than calls back: a callback was a
 * closure made per wrapped text (per result message, per evidence step).
 */
function wrapInto(out: string[], first: string, rest: string, text: string, width: number): void {
  if (isSingleSpaced(text)) wrapSingleSpaced(out, first, rest, text, width);
  else wrapWords(out, first, rest, text, width);
}

/**
 * wrapInto for text whose words are separated by single spaces (nearly all of it): each line is
 * one slice of the text, ending at the last space that fits, found by one search per line rather
 * than a step per word.
 */
function wrapSingleSpaced(out: string[], first: string, rest: string, text: string, width: number): void {
  let prefix = first;
  let start = 0;
  while (text.length - start > width) {
    // The last space that ends a line of at most `width`; none: the first word is longer than the
    // line, and gets one of its own.
    let cut = text.lastIndexOf(' ', start + width);
    if (cut < start) {
      cut = text.indexOf(' ', start + width);
      if (cut < 0) break;
    }
    out.push(prefix + text.slice(start, cut));
    prefix = rest;
    start = cut + 1;
  }
  out.push(prefix + text.slice(start));
}

/**
 * wrapInto for any text. Works on indices, so a line whose words are single-spaced in `text` is one
 * slice of it.
 */
function wrapWords(out: string[], first: string, rest: string, text: string, width: number): void {
  let prefix = first;
  const n = text.length;
  let p = 0;
  for (;;) {
    let end = text.indexOf('\n', p);
    if (end < 0) end = n;
    let lineStart = 0;
    let lineEnd = 0;
    let lineLength = 0;
    let singleSpaced = true;
    let i = p;
    while (i < end) {
      while (i < end && isSpace(text.charCodeAt(i))) i++;
      if (i >= end) break;
      const wordStart = i;
      while (i < end && !isSpace(text.charCodeAt(i))) i++;
      const wordLength = i - wordStart;
      if (lineLength === 0) {
        lineStart = wordStart;
        lineLength = wordLength;
        singleSpaced = true;
      } else if (lineLength + 1 + wordLength <= width) {
        if (wordStart !== lineEnd + 1 || text.charCodeAt(lineEnd) !== 0x20) singleSpaced = false;
        lineLength += 1 + wordLength;
      } else {
        const line = text.slice(lineStart, lineEnd);
        out.push(prefix + (singleSpaced ? line : normalizeSpaces(line)));
        prefix = rest;
        lineStart = wordStart;
        lineLength = wordLength;
        singleSpaced = true;
      }
      lineEnd = i;
    }
    if (lineLength === 0) out.push(prefix);
    else {
      const line = text.slice(lineStart, lineEnd);
      out.push(prefix + (singleSpaced ? line : normalizeSpaces(line)));
    }
    prefix = rest;
    if (end >= n) return;
    p = end + 1;
  }
}

/** Greedy word wrap; a word longer than the line (an ARN) gets a line of its own, unbroken. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  wrapInto(out, '', '', text, width);
  return out;
}

const pads: string[] = [];
const padOf = (n: number): string => (pads[n] ??= ' '.repeat(n));

/** wrapInto's lines for pushWrapped, reused: a text's lines are joined as soon as they are made. */
const wrappedLines: string[] = [];

/**
 * wrapInto, with the lines joined by '\n' into one entry of `out`. Each entry is encoded by its
 * own call (encodeLines), whose fixed cost was most of the cost of a short line: a result's message
 * is two to four lines.
 */
function pushWrapped(out: Line[], first: string, rest: string, text: string, width: number): void {
  wrappedLines.length = 0;
  wrapInto(wrappedLines, first, rest, text, width);
  out.push(wrappedLines.length === 1 ? (wrappedLines[0] as string) : wrappedLines.join('\n'));
}

/** Pushes the wrapped text, the first line prefixed with `first` and the rest with spaces of the same width. */
function pushHang(
  out: Line[],
  first: string,
  text: string,
  width: number,
  firstVisible = first.length,
): void {
  pushWrapped(out, first, padOf(firstVisible), text, Math.max(20, width - firstVisible));
}

/** pushHang's text: the wrapped lines joined by '\n'. */
function hangText(first: string, text: string, width: number, firstVisible = first.length): string {
  const out: Line[] = [];
  pushHang(out, first, text, width, firstVisible);
  return out[0] as string;
}

/** The layers, numbered in LAYER_RULES order. */
const LAYERS = Object.keys(LAYER_RULES) as Layer[];
/** Each layer's number, read by name at each call (a constant object: one shape, no map lookup). */
const LAYER = Object.fromEntries(LAYERS.map((layer, n) => [layer, n])) as Record<Layer, number>;
/** For each rule, the numbers of the layers it judges (LAYER_RULES read the other way). */
const LAYERS_OF_RULE = new Map<string, number[]>();
LAYERS.forEach((layer, n) => {
  for (const rule of LAYER_RULES[layer]) LAYERS_OF_RULE.set(rule, [...(LAYERS_OF_RULE.get(rule) ?? []), n]);
});

class FunctionBlock {
  /**
   * Per layer number, the statuses (statusBit) of the layer's results about the function itself,
   * which mark every node of the layer. Sorted out once per function: every node of the tree asked
   * for its layer's results and looked through them all.
   */
  private readonly wide: number[] = new Array<number>(LAYERS.length).fill(0);
  /** Per layer number, its results about another resource (a subnet, a bucket…), in result order. */
  private readonly about = new Array<CheckResult[] | undefined>(LAYERS.length).fill(undefined);

  constructor(
    readonly path: FunctionDataPath,
    /** This function's results only. */
    private readonly mine: readonly CheckResult[],
  ) {
    const functionArn = path.functionArn;
    for (let i = 0; i < mine.length; i++) {
      const r = mine[i] as CheckResult;
      const layers = LAYERS_OF_RULE.get(r.ruleId);
      if (layers === undefined) continue;
      const wide = r.resourceArn === functionArn;
      const bit = statusBit(r.status);
      for (let j = 0; j < layers.length; j++) {
        const n = layers[j] as number;
        if (wide) this.wide[n] = (this.wide[n] as number) | bit;
        else (this.about[n] ??= []).push(r);
      }
    }
  }

  /** markOf the results of the layer's rules that concern the node `id` (or the function as a whole). */
  private markAbout(n: number, id: string | null): Mark {
    let bits = this.wide[n] as number;
    const about = this.about[n];
    if (id !== null && about !== undefined) {
      for (let i = 0; i < about.length; i++) {
        const r = about[i] as CheckResult;
        if (namesResource(r.resourceArn, id)) bits |= statusBit(r.status);
      }
    }
    return markOfBits(bits);
  }

  private node(
    layer: number,
    id: string | null,
    label: string,
    detail?: string,
    children: Node[] = [],
  ): Node {
    // Every node has the same fields in the same order (detail undefined when absent): one shape.
    return { mark: this.markAbout(layer, id), label, detail, children };
  }

  /** Results of a layer that name a resource the tree does not show (e.g. "all buckets"). */
  private strays(layer: number, shown: readonly string[]): Map<string, CheckResult[]> {
    const out = new Map<string, CheckResult[]>();
    const about = this.about[layer] ?? [];
    for (let i = 0; i < about.length; i++) {
      const r = about[i] as CheckResult;
      if (namesAnyOf(r.resourceArn, shown)) continue;
      const list = out.get(r.resourceArn);
      if (list) list.push(r);
      else out.set(r.resourceArn, [r]);
    }
    return out;
  }

  private bucketNodes(): Node[] {
    const p = this.path;
    const nodes = p.buckets.map((b) => this.node(LAYER.bucket, b, `bucket ${b}`));
    for (const [arn, rs] of this.strays(LAYER.bucket, p.buckets)) {
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
          mark: this.markAbout(LAYER.routeTable, null),
          label: 'route table unknown',
          detail: undefined,
          children: [],
        });
      } else {
        let endpoint: Node;
        if (s.s3EndpointId === null) {
          endpoint = {
            mark: markOf(this.mine.filter((r) => r.ruleId === 'LVS003' && r.resourceArn === p.functionArn)),
            label: 'no S3 gateway endpoint route',
            detail: undefined,
            children: buckets,
          };
          bucketsShown ||= buckets.length > 0;
        } else if (expandedEndpoints.has(s.s3EndpointId)) {
          endpoint = this.node(
            LAYER.endpoint,
            s.s3EndpointId,
            `S3 gateway endpoint ${s.s3EndpointId}`,
            buckets.length > 0 ? 'buckets as above' : undefined,
          );
        } else {
          expandedEndpoints.add(s.s3EndpointId);
          endpoint = this.node(
            LAYER.endpoint,
            s.s3EndpointId,
            `S3 gateway endpoint ${s.s3EndpointId}`,
            undefined,
            buckets,
          );
          bucketsShown ||= buckets.length > 0;
        }
        children.push(
          this.node(
            LAYER.routeTable,
            s.routeTableId,
            `route table ${s.routeTableId}`,
            s.routeTableAssociation ?? undefined,
            [endpoint],
          ),
        );
      }
      return this.node(
        LAYER.subnet,
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
            mark: this.markAbout(LAYER.vpc, null),
            label: 'VPC',
            detail: 'not attached',
            children: subnetNodes,
          }
        : this.node(LAYER.vpc, p.vpcId, `VPC ${p.vpcId}`, undefined, subnetNodes),
    );
    if (!bucketsShown && buckets.length > 0) {
      const how = p.vpcId === null ? 'reached without a VPC' : 'network path unknown';
      top.push(...buckets.map((b) => ({ ...b, detail: b.detail ?? how })));
    }
    if (p.securityGroupIds.length === 0)
      top.push({
        mark: this.markAbout(LAYER.securityGroup, null),
        label: 'security groups',
        detail: 'none',
        children: [],
      });
    for (const sg of p.securityGroupIds) top.push(this.node(LAYER.securityGroup, sg, `security group ${sg}`));
    top.push(this.node(LAYER.role, p.roleArn, `role ${p.roleArn}`));
    top.push(
      p.kmsKeyArn === null
        ? {
            mark: this.markAbout(LAYER.kmsKey, null),
            label: 'KMS key',
            detail: 'AWS managed key, no KMSKeyArn',
            children: [],
          }
        : this.node(LAYER.kmsKey, p.kmsKeyArn, `KMS key ${p.kmsKeyArn}`),
    );
    top.push(this.node(LAYER.tracing, null, `X-Ray tracing ${p.tracingMode ?? 'not configured'}`));
    return this.node(LAYER.function, null, `function ${p.functionName}`, undefined, top);
  }
}

/**
 * The painted start of the tree lines at one depth: the indent, then the gray rails of the levels
 * above and the branch ('├─ ', or '└─ ' for a last child). Made once per report and per path of
 * rails: every function's tree has the same few, where each line built and painted its own.
 */
class Rails {
  readonly mid: string;
  readonly last: string;
  private belowMid: Rails | undefined;
  private belowLast: Rails | undefined;

  constructor(
    readonly indent: string,
    private readonly prefix: string,
    private readonly paint: Painter,
  ) {
    this.mid = `${indent}${paint.gray(`${prefix}├─ `)}`;
    this.last = `${indent}${paint.gray(`${prefix}└─ `)}`;
  }

  /** The rails of the children of a child drawn here (the last one, or another). */
  below(last: boolean): Rails {
    return last
      ? (this.belowLast ??= new Rails(this.indent, `${this.prefix}   `, this.paint))
      : (this.belowMid ??= new Rails(this.indent, `${this.prefix}│  `, this.paint));
  }
}

/** A tree's lines, reused: drawn, then joined into one entry of the chunk. */
const treeLines: string[] = [];

/** Pushes the tree as one entry (its lines joined by '\n'): encoded by one call, as pushWrapped. */
function drawTree(root: Node, paint: Painter, rails: Rails, out: Line[]): void {
  treeLines.length = 0;
  treeLines.push(`${rails.indent}${nodeLabel(root, paint)}`);
  drawChildren(root, rails, paint, treeLines);
  out.push(treeLines.join('\n'));
}

function nodeLabel(n: Node, paint: Painter): string {
  return `${paint.mark(n.mark)} ${n.label}${n.detail !== undefined ? paint.gray(` (${n.detail})`) : ''}`;
}

function drawChildren(n: Node, rails: Rails, paint: Painter, lines: string[]): void {
  const last = n.children.length - 1;
  for (let i = 0; i <= last; i++) {
    const child = n.children[i] as Node;
    lines.push((i === last ? rails.last : rails.mid) + nodeLabel(child, paint));
    if (child.children.length > 0) drawChildren(child, rails.below(i === last), paint, lines);
  }
}

function byConcern(a: CheckResult, b: CheckResult): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    compareRuleIds(a.ruleId, b.ruleId) ||
    compareText(a.resourceArn, b.resourceArn)
  );
}

/** Rule IDs are "LVS" and three digits: their character order is localeCompare's, without a collator call. */
function compareRuleIds(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** localeCompare, without its (collator) call for the same text: most pairs share a rule or resource. */
function compareText(a: string, b: string): number {
  return a === b ? 0 : a.localeCompare(b);
}

const FINDING_INDENT = '      ';
/** Lines per chunk of the document: about 30 kB, written as soon as it is drawn. */
const CHUNK_LINES = 500;

/**
 * A line of the document, or several joined with '\n': text, or text already encoded as UTF-8.
 * Headings, fixes and long evidence steps, drawn once and repeated in many failing results (1,900
 * distinct headings and fixes in 68,000; 11,500 distinct long steps in 100,000, at 10,000
 * functions), are kept encoded: a copy costs far less than encoding the text again. A short step
 * is drawn for one result (a function's own settings) and stays text.
 */
type Line = string | Uint8Array;

/**
 * A chunk is its lines encoded as UTF-8 straight into `scratch`, then copied out at its exact size.
 * Joining the lines first made one UTF-16 string per chunk (the report's box-drawing marks make
 * every chunk two bytes per character): 120 MB of garbage at 10,000 functions, copied once more by
 * the write's own UTF-8 encoding. `scratch` is reused: a chunk is copied out before the next starts.
 */
const UTF8 = new TextEncoder();
let scratch = Buffer.allocUnsafe(1 << 18);
/** scratch as a plain Uint8Array, whose slice is a copy (a Buffer's slice is a view). */
let scratchBytes = new Uint8Array(scratch.buffer, scratch.byteOffset, scratch.length);

function encodeLines(lines: readonly Line[]): Uint8Array {
  let end = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as Line;
    // Room for the line and its newline, checked line by line (a pass to size the chunk first read
    // every line twice). UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const most = (typeof line === 'string' ? line.length * 3 : line.length) + 1;
    if (end + most > scratch.length) {
      const larger = Buffer.allocUnsafe((end + most) * 2);
      scratch.copy(larger, 0, 0, end);
      scratch = larger;
      scratchBytes = new Uint8Array(scratch.buffer, scratch.byteOffset, scratch.length);
    }
    if (typeof line !== 'string') {
      scratch.set(line, end);
      end += line.length;
    } else if (line !== '') {
      // An empty line (between findings, one in ten) is only its newline.
      end += scratch.write(line, end);
    }
    scratch[end++] = 0x0a;
  }
  return scratchBytes.slice(0, end);
}

/** Where an evidence step's text starts: after the finding indent and the bullet. */
const STEP_INDENT = FINDING_INDENT.length + 2;

/** "field: observed; expected …" (note) of an evidence step, as drawn after its bullet. */
function stepText(e: EvidenceStep): string {
  const expected = e.expected !== undefined ? `; expected ${e.expected}` : '';
  const note = e.note !== undefined ? ` (${e.note})` : '';
  return `${e.field}: ${e.observed}${expected}${note}`;
}

/** Evidence steps whose drawing Drawn keeps at most (a few megabytes of text). */
const STEPS_KEPT = 20_000;

/** What is drawn the same way wherever it appears, drawn once per report. */
class Drawn {
  /**
   * A long evidence step's wrapped lines, joined and encoded, by step (rules share step objects
   * between results: a role's, a bucket's steps) and by text. Each is emptied every STEPS_KEPT
   * entries, so that a streamed report does not keep every step it drew to its end; a WeakMap did
   * that too, at twice the cost per lookup.
   */
  private readonly steps = new Map<EvidenceStep, Uint8Array>();
  private readonly stepTexts = new Map<string, Uint8Array>();
  /** at() lines, by ARN; emptied every STEPS_KEPT entries, as the steps are. */
  private readonly atLines = new Map<string, Uint8Array>();
  /** The wrapped "fix:" lines of a remediation, joined. */
  private readonly fixes = new Map<string, Uint8Array>();
  /**
   * Per rule, its headings drawn so far: a few (status x severity) each, found by comparing
   * fields rather than by a key string made and hashed per result.
   */
  private readonly headings = new Map<
    string,
    Array<{ status: ResultStatus; severity: Severity; ruleName: string; line: Uint8Array }>
  >();
  private readonly bullet: string;
  private readonly fix: string;
  /** "      resource " before the resource ARN of a result about another resource than the function. */
  readonly resourcePrefix: string;

  constructor(
    readonly paint: Painter,
    readonly width: number,
  ) {
    this.bullet = `${FINDING_INDENT}${paint.gray('·')} `;
    this.fix = `${FINDING_INDENT}${paint.c.green('fix:')} `;
    this.resourcePrefix = `${FINDING_INDENT}${paint.gray('resource')} `;
  }

  /**
   * Pushes an evidence step's lines. A step that fits on its line (a function's own settings, one
   * per result, a fresh object: the table has no entry for it) is drawn each time. A
   * longer one (a policy statement, a list of functions) is nearly always shared: 100,000 of them
   * at 10,000 functions, 11,500 distinct texts. It is wrapped and encoded once, found again by the
   * step (the same object in many results) or else by its text (an equal step made for another
   * function), and then only its bytes are copied.
   */
  pushStep(out: Line[], e: EvidenceStep): void {
    let drawn = this.steps.get(e);
    if (drawn === undefined) {
      const text = stepText(e);
      if (text.length <= this.width - STEP_INDENT) {
        pushHang(out, this.bullet, text, this.width, STEP_INDENT);
        return;
      }
      drawn = this.stepTexts.get(text);
      if (drawn === undefined) {
        drawn = UTF8.encode(hangText(this.bullet, text, this.width, STEP_INDENT));
        if (this.stepTexts.size >= STEPS_KEPT) this.stepTexts.clear();
        this.stepTexts.set(text, drawn);
      }
      if (this.steps.size >= STEPS_KEPT) this.steps.clear();
      this.steps.set(e, drawn);
    }
    out.push(drawn);
  }

  /** The first line of a failing or unevaluated result; the same for every result of a rule, status and severity. */
  heading(r: CheckResult): Uint8Array {
    const { status, severity, ruleId, ruleName } = r;
    let drawn = this.headings.get(ruleId);
    if (drawn === undefined) this.headings.set(ruleId, (drawn = []));
    for (let i = 0; i < drawn.length; i++) {
      const h = drawn[i] as (typeof drawn)[number];
      if (h.status === status && h.severity === severity && h.ruleName === ruleName) return h.line;
    }
    const c = this.paint.c;
    const mark = this.paint.mark(status === 'fail' ? 'fail' : 'error');
    const sev = this.paint.severity(severity, severity.toUpperCase().padEnd(8));
    const what = status === 'error' ? c.yellow(' could not be evaluated') : '';
    const line = UTF8.encode(`  ${mark} ${sev} ${c.bold(ruleId)} ${ruleName}${what}`);
    drawn.push({ status, severity, ruleName, line });
    return line;
  }

  /**
   * The "at ARN" line under an evidence step about another resource: the same few thousand ARNs
   * (policies, route tables, endpoints, buckets) under steps of many results, encoded once.
   */
  at(resourceArn: string): Uint8Array {
    let drawn = this.atLines.get(resourceArn);
    if (drawn === undefined) {
      drawn = UTF8.encode(`${FINDING_INDENT}  ${this.paint.gray(`at ${resourceArn}`)}`);
      if (this.atLines.size >= STEPS_KEPT) this.atLines.clear();
      this.atLines.set(resourceArn, drawn);
    }
    return drawn;
  }

  remediation(text: string): Uint8Array {
    let drawn = this.fixes.get(text);
    if (drawn === undefined) {
      drawn = UTF8.encode(hangText(this.fix, text, this.width, FINDING_INDENT.length + 5));
      this.fixes.set(text, drawn);
    }
    return drawn;
  }
}

function pushFinding(out: Line[], r: CheckResult, drawn: Drawn): void {
  const width = drawn.width;
  const indent = FINDING_INDENT;
  // Read once: a result's functionArn (and others) are getters.
  const { resourceArn, functionArn, evidence } = r;
  out.push(drawn.heading(r));
  pushWrapped(out, indent, indent, r.message, width - indent.length);
  if (resourceArn !== functionArn) out.push(drawn.resourcePrefix + resourceArn);
  for (let i = 0; i < evidence.length; i++) {
    const e = evidence[i] as EvidenceStep;
    drawn.pushStep(out, e);
    if (e.resourceArn !== '' && e.resourceArn !== resourceArn && e.resourceArn !== functionArn) {
      out.push(drawn.at(e.resourceArn));
    }
  }
  if (r.status === 'fail') out.push(drawn.remediation(r.remediation));
}

function pushSuppressed(out: Line[], r: CheckResult, paint: Painter, width: number): void {
  const on = r.resourceArn !== r.functionArn ? ` on ${r.resourceArn}` : '';
  const until = r.suppression?.expires ? ` (until ${r.suppression.expires})` : '';
  const was = r.suppressedStatus === 'error' ? ' [error]' : '';
  const text = `${r.ruleId} ${r.ruleName}${was}${on}: ${r.suppression?.reason ?? 'suppressed'}${until}`;
  pushHang(out, `  ${paint.mark('suppressed')} ${paint.c.cyan('suppressed')} `, text, width, 15);
}

function pushPass(out: Line[], r: CheckResult, paint: Painter, width: number): void {
  const m = r.status === 'pass' ? 'pass' : 'na';
  pushHang(out, `  ${paint.mark(m)} `, `${r.ruleId} ${r.ruleName}: ${r.message}`, width, 4);
}

/**
 * What the summary table counts, gathered function by function: functions (distinct ARNs, as
 * summarize counts them), results by status and by status and severity, failures at or above the
 * threshold.
 */
class Totals {
  functions = 0;
  results = 0;
  failing = 0;
  /**
   * Results by status (RESULT_STATUSES order) and severity (SEVERITIES order), status-major. Counted
   * by number: a count kept by name took a keyed lookup by status and by severity per result.
   */
  private readonly counts = new Array<number>(RESULT_STATUSES.length * SEVERITIES.length).fill(0);
  private readonly failOnRank: number;

  constructor(failOn: Severity) {
    this.failOnRank = severityRank(failOn);
  }

  add(r: CheckResult): void {
    const { status, severity } = r;
    this.results += 1;
    const at = countAt(status, severity);
    this.counts[at] = (this.counts[at] as number) + 1;
    if (status === 'fail' && severityRank(severity) >= this.failOnRank) this.failing += 1;
  }

  count(status: ResultStatus, severity: Severity): number {
    return this.counts[countAt(status, severity)] as number;
  }

  /** Results by status. */
  get byStatus(): Record<ResultStatus, number> {
    const by = {} as Record<ResultStatus, number>;
    for (const status of RESULT_STATUSES)
      by[status] = SEVERITIES.reduce((n, sev) => n + this.count(status, sev), 0);
    return by;
  }
}

/** RESULT_STATUSES.indexOf(status), by comparison rather than a search (checked below). */
function statusIndex(status: ResultStatus): number {
  if (status === 'pass') return 0;
  if (status === 'fail') return 1;
  if (status === 'error') return 2;
  if (status === 'not-applicable') return 3;
  return 4;
}
/** Where Totals counts a status and severity. */
function countAt(status: ResultStatus, severity: Severity): number {
  return statusIndex(status) * SEVERITIES.length + severityIndex(severity);
}

/** SEVERITIES.indexOf(severity): SEVERITIES runs from the highest rank down (checked below). */
function severityIndex(severity: Severity): number {
  return SEVERITIES.length - 1 - severityRank(severity);
}
RESULT_STATUSES.forEach((status, i) => {
  if (statusIndex(status) !== i) throw new Error(`terminal: statusIndex(${status}) is not ${i}`);
});
SEVERITIES.forEach((severity, i) => {
  if (severityIndex(severity) !== i) throw new Error(`terminal: severityIndex(${severity}) is not ${i}`);
});

function summaryLines(totals: Totals, failOn: Severity, paint: Painter): string[] {
  const c = paint.c;
  const count = (status: ResultStatus, severity: Severity) => totals.count(status, severity);
  const s = totals.byStatus;
  const failing = totals.failing;
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
    `  ${totals.functions} function(s), ${totals.results} result(s): ` +
      `${c.green(`${s.pass} pass`)}, ${c.red(`${s.fail} fail`)}, ${c.yellow(`${s.error} error`)}, ` +
      `${s['not-applicable']} not applicable, ${c.cyan(`${s.suppressed} suppressed`)}`,
  );
  if (failing > 0)
    lines.push(`  ${paint.mark('fail')} ${c.red.bold(`${failing} failing result(s) at or above ${failOn}`)}`);
  else if (s.error > 0)
    lines.push(
      `  ${paint.mark('error')} ${c.yellow.bold(`incomplete: ${s.error} result(s) could not be evaluated`)}`,
    );
  else lines.push(`  ${paint.mark('pass')} ${c.green.bold(`nothing fails at or above ${failOn}`)}`);
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
  return chunksToText(renderTerminalChunks(report, options));
}

/**
 * renderTerminal's document as consecutive chunks of a few hundred lines, each ending with a
 * newline, made as they are consumed: the CLI writes each one as it comes, so a report of many
 * functions never exists as one string (tens of megabytes of UTF-16, then as much again encoded).
 */
export function* renderTerminalChunks(
  report: AuditReport,
  options: TerminalOptions = {},
): Generator<ReportChunk> {
  const drawing = new TerminalDrawing(options, report.failOn);
  // Functions in data-path order, then any that only appear in results (drawn without a tree).
  const heads = new Map<string, FunctionHead>();
  for (const p of report.dataPaths)
    heads.set(p.functionArn, { name: p.functionName, region: p.region, accountId: p.accountId, path: p });
  const resultsByFunction = new Map<string, CheckResult[]>();
  for (let i = 0; i < report.results.length; i++) {
    const r = report.results[i] as CheckResult;
    if (!heads.has(r.functionArn))
      heads.set(r.functionArn, { name: r.functionName, region: r.region, accountId: r.accountId });
    const list = resultsByFunction.get(r.functionArn);
    if (list) list.push(r);
    else resultsByFunction.set(r.functionArn, [r]);
  }
  if (heads.size === 0) drawing.noFunctions();
  for (const [functionArn, head] of heads) {
    drawing.function(head, resultsByFunction.get(functionArn) ?? []);
    const chunk = drawing.chunk();
    if (chunk !== undefined) yield chunk;
  }
  yield drawing.end(report.errors, report.warnings);
}

/** The terminal report of an audit made function by function, as chunks like renderTerminalChunks'. */
export function* renderTerminalStreamChunks(
  stream: {
    failOn: Severity;
    errors: readonly ApiError[];
    functions(): Iterable<{ path: FunctionDataPath; results: CheckResult[] }>;
    warnings(): readonly string[];
  },
  options: TerminalOptions = {},
): Generator<ReportChunk> {
  const drawing = new TerminalDrawing(options, stream.failOn);
  let none = true;
  for (const { path, results } of stream.functions()) {
    if (none) none = false;
    drawing.function(
      { name: path.functionName, region: path.region, accountId: path.accountId, path },
      results,
    );
    const chunk = drawing.chunk();
    if (chunk !== undefined) yield chunk;
  }
  if (none) drawing.noFunctions();
  yield drawing.end(stream.errors, stream.warnings());
}

interface FunctionHead {
  name: string;
  region: string;
  accountId: string;
  path?: FunctionDataPath;
}

/**
 * The report drawn function by function into lines: per function, its data path as a tree with a
 * mark per layer, then its failing and unevaluated results (most severe first) with evidence and
 * the one-line fix, and its suppressed results one line each; at the end the summary table, API
 * errors and warnings.
 */
class TerminalDrawing {
  private readonly paint: Painter;
  private readonly width: number;
  private readonly drawn: Drawn;
  private readonly rails: Rails;
  private readonly totals: Totals;
  /** Lines not yet encoded into a chunk. */
  private readonly out: Line[] = [];

  constructor(
    private readonly options: TerminalOptions,
    private readonly failOn: Severity,
  ) {
    this.paint = new Painter(options.chalk ?? new Chalk({ level: 0 }));
    this.width = options.width ?? 100;
    this.drawn = new Drawn(this.paint, this.width);
    this.rails = new Rails('  ', '', this.paint);
    this.totals = new Totals(failOn);
  }

  noFunctions(): void {
    this.out.push(this.paint.c.gray('No Lambda functions found.'), '');
  }

  function(head: FunctionHead, results: readonly CheckResult[]): void {
    const { paint, width, drawn, out } = this;
    const c = paint.c;
    const verbose = this.options.verbose === true;
    // One pass: what is drawn in full, one line each, or only counted; each in result order.
    const problems: CheckResult[] = [];
    const suppressed: CheckResult[] = [];
    const passing: CheckResult[] = [];
    let passed = 0;
    this.totals.functions += 1;
    for (let i = 0; i < results.length; i++) {
      const r = results[i] as CheckResult;
      this.totals.add(r);
      if (r.status === 'fail' || r.status === 'error') problems.push(r);
      else if (r.status === 'suppressed') suppressed.push(r);
      else {
        if (r.status === 'pass') passed += 1;
        if (verbose) passing.push(r);
      }
    }
    if (problems.length > 1) problems.sort(byConcern);
    if (suppressed.length > 1) suppressed.sort(byConcern);
    out.push(`${c.bold(head.name)}  ${c.gray(`${head.region} · account ${head.accountId}`)}`);
    if (head.path !== undefined)
      drawTree(new FunctionBlock(head.path, results).tree(), paint, this.rails, out);
    if (problems.length > 0) {
      out.push('');
      for (let i = 0; i < problems.length; i++) {
        pushFinding(out, problems[i] as CheckResult, drawn);
        out.push('');
      }
    }
    if (problems.length === 0) {
      out.push(
        `  ${paint.mark('pass')} ${c.green(`nothing fails or errors (${passed} pass, ${suppressed.length} suppressed)`)}`,
      );
    }
    for (let i = 0; i < suppressed.length; i++)
      pushSuppressed(out, suppressed[i] as CheckResult, paint, width);
    if (verbose) {
      passing.sort(byConcern);
      if (passing.length > 0) out.push(c.gray('  passing and not applicable:'));
      for (const r of passing) pushPass(out, r, paint, width);
    }
    if (out[out.length - 1] !== '') out.push('');
  }

  /**
   * Every few hundred lines, the lines drawn so far as one chunk of UTF-8 (then dropped), each line
   * ending with a newline, so the chunks add up to the document.
   */
  chunk(): Uint8Array | undefined {
    if (this.out.length < CHUNK_LINES) return undefined;
    const chunk = encodeLines(this.out);
    this.out.length = 0;
    return chunk;
  }

  /** The summary, API errors and warnings, with whatever lines are left: the last chunk. */
  end(errors: readonly ApiError[], warnings: readonly string[]): Uint8Array {
    const { paint, width, out } = this;
    const c = paint.c;
    for (const line of summaryLines(this.totals, this.failOn, paint)) out.push(line);
    if (errors.length > 0) {
      out.push('', c.bold(`API errors (${errors.length})`));
      for (const e of errors) {
        const where = [e.region, e.resource].filter((x) => x !== undefined && x !== '').join(' ');
        const text = `${e.service}:${e.operation}${where ? ` ${where}` : ''}: ${e.code}${e.message ? ` (${e.message})` : ''}`;
        pushHang(out, `  ${paint.mark('error')} `, text, width, 4);
      }
    }
    if (warnings.length > 0) {
      out.push('', c.bold(`Warnings (${warnings.length})`));
      for (const w of warnings) pushHang(out, `  ${c.yellow('!')} `, w, width, 4);
    }
    return encodeLines(out);
  }
}
