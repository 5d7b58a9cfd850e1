import { Chalk, type ChalkInstance } from 'chalk';
import type { ApiCall, DocumentChange, Plan, Step } from '../plan-model.js';
import { diffLines, type DiffLine } from '../policy-merge.js';

/**
 * `lvs fix --dry-run` in a terminal: numbered steps in execution order, each with its kind, the
 * findings it resolves, the steps it waits for, the API calls, preconditions, risks, the
 * before/after diff of every document it changes, and the template of a manual step.
 */

export interface PlanTerminalOptions {
  /** Chosen by the CLI (NO_COLOR / FORCE_COLOR / TTY); level 0 gives plain text. Default: no colour. */
  chalk?: ChalkInstance;
  /** Unchanged lines shown around each change of a document diff. Default 3. */
  context?: number;
}

/** Params that hold a document shown as a diff below the calls. */
const DOCUMENT_PARAMS = new Set(['Policy', 'PolicyDocument']);

const functionName = (arn: string) => {
  const m = /:function:([^:]+)/.exec(arn);
  return m?.[1] ?? arn;
};

function callLine(call: ApiCall): string {
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(call.params))
    params[key] = DOCUMENT_PARAMS.has(key) && typeof value === 'string' ? '(document, see below)' : value;
  return JSON.stringify(params);
}

/** Diff lines with long unchanged runs folded ("… 12 unchanged lines"). */
function folded(lines: DiffLine[], context: number): Array<DiffLine | { op: 'fold'; count: number }> {
  const changed = lines.map((l, i) => (l.op === 'same' ? -1 : i)).filter((i) => i >= 0);
  if (changed.length === 0) return lines;
  const keep = (i: number) => changed.some((c) => Math.abs(c - i) <= context);
  const out: Array<DiffLine | { op: 'fold'; count: number }> = [];
  let run = 0;
  lines.forEach((line, i) => {
    if (line.op !== 'same' || keep(i)) {
      if (run > 0) out.push({ op: 'fold', count: run });
      run = 0;
      out.push(line);
    } else run += 1;
  });
  if (run > 0) out.push({ op: 'fold', count: run });
  return out;
}

function documentBlock(doc: DocumentChange, c: ChalkInstance, context: number, indent: string): string[] {
  const head =
    doc.before === null
      ? `${doc.label} of ${doc.resourceArn} (new)`
      : doc.after === null
        ? `${doc.label} of ${doc.resourceArn} (removed)`
        : `${doc.label} of ${doc.resourceArn}`;
  const lines = [`${indent}${c.bold(head)}`];
  for (const line of folded(diffLines(doc.before, doc.after), context)) {
    if (line.op === 'fold') lines.push(`${indent}  ${c.dim(`… ${line.count} unchanged line(s)`)}`);
    else if (line.op === 'add') lines.push(`${indent}${c.green(`+ ${line.text}`)}`);
    else if (line.op === 'remove') lines.push(`${indent}${c.red(`- ${line.text}`)}`);
    else lines.push(`${indent}  ${c.dim(line.text)}`);
  }
  return lines;
}

function stepBlock(
  step: Step,
  n: number,
  numbers: Map<string, number>,
  c: ChalkInstance,
  context: number,
): string[] {
  const pad = ' '.repeat(String(n).length + 2);
  const kind = step.kind === 'automated' ? c.cyan('automated') : c.yellow('manual');
  const lines = [`${c.bold(`${n}.`)} ${kind} ${c.bold(step.title)}`, `${pad}${c.dim(step.id)}`];
  if (step.resolves.length > 0) {
    lines.push(`${pad}resolves:`);
    for (const r of step.resolves) {
      lines.push(
        `${pad}  ${r.ruleId} ${r.reasonId} · ${functionName(r.functionArn)}${r.resourceArn !== r.functionArn ? ` · ${r.resourceArn}` : ''}${r.anticipated ? c.yellow(' (appears once the routes change)') : ''}`,
      );
    }
  } else lines.push(`${pad}resolves: ${c.dim('nothing by itself: a prerequisite of later steps')}`);
  if (step.dependsOn.length > 0) {
    const deps = step.dependsOn.map((d) => (numbers.has(d) ? `step ${numbers.get(d) ?? ''}` : d));
    lines.push(`${pad}after: ${deps.join(', ')}`);
  }
  if (step.api.length > 0) {
    lines.push(`${pad}API calls:`);
    step.api.forEach((call, i) => {
      lines.push(
        `${pad}  ${i + 1}) ${c.bold(`${call.service}:${call.operation}`)}${call.region ? ` (${call.region})` : ''} — ${call.purpose}`,
        `${pad}     ${c.dim(callLine(call))}`,
      );
      for (const [name, path] of Object.entries(call.captures ?? {}))
        lines.push(`${pad}     ${c.dim(`-> {{lvs:${name}}} = response ${path}`)}`);
      if (call.reuse !== undefined) {
        const requires = Object.entries(call.reuse.requires)
          .map(([path, values]) => `${path} ${values.join('|')}`)
          .join(', ');
        lines.push(
          `${pad}     ${c.dim(`skipped if ${call.service}:${call.reuse.lookup.operation} ${JSON.stringify(call.reuse.lookup.params)} finds a ${call.reuse.label} (reused when ${requires}; otherwise nothing is changed)`)}`,
        );
      }
    });
  }
  if (step.preconditions.length > 0) {
    lines.push(`${pad}preconditions:`);
    for (const p of step.preconditions) lines.push(`${pad}  - ${p}`);
  }
  if (step.risks.length > 0) {
    lines.push(`${pad}risks:`);
    for (const risk of step.risks) lines.push(`${pad}  ${c.red('!')} ${c.bold(risk.kind)}: ${risk.detail}`);
  }
  for (const doc of step.documents) lines.push(...documentBlock(doc, c, context, pad));
  if (step.template !== null) {
    lines.push(`${pad}template:`);
    for (const t of step.template.split('\n')) lines.push(`${pad}  ${c.dim('|')} ${t}`);
  }
  for (const note of step.notes) lines.push(`${pad}${c.dim(`note: ${note}`)}`);
  return lines;
}

export function renderPlanTerminal(plan: Plan, options: PlanTerminalOptions = {}): string {
  const c = options.chalk ?? new Chalk({ level: 0 });
  const context = options.context ?? 3;
  const automated = plan.steps.filter((s) => s.kind === 'automated').length;
  const resolved = new Set(plan.steps.flatMap((s) => s.resolves.map((r) => r.fingerprint)));
  const anticipated = new Set(
    plan.steps.flatMap((s) => s.resolves.filter((r) => r.anticipated).map((r) => r.fingerprint)),
  );
  const header = [
    c.bold(`lvs fix plan for account ${plan.accountId}`) + c.dim(` (generated ${plan.generatedAt})`),
    plan.steps.length === 0
      ? 'Nothing to fix: no failing result has a planned remediation.'
      : `${plan.steps.length} step(s): ${automated} automated, ${plan.steps.length - automated} manual; ${resolved.size} finding(s) resolved${anticipated.size > 0 ? ` (${anticipated.size} of them ${anticipated.size === 1 ? 'appears' : 'appear'} only once the plan changes routes)` : ''}.`,
  ];
  const numbers = new Map(plan.steps.map((s, i) => [s.id, i + 1]));
  const blocks = plan.steps.map((s, i) => stepBlock(s, i + 1, numbers, c, context).join('\n'));
  const footer =
    automated > 0
      ? [
          c.dim(
            'Nothing has been changed. lvs fix --apply carries out the automated steps in this order, after confirmation.',
          ),
        ]
      : [];
  return `${[header.join('\n'), ...blocks, ...footer].join('\n\n')}\n`;
}
