import type { CheckResult } from '../../core/result.js';
import type { AuditIndex, FunctionEntry } from '../../snapshot/derive.js';
import type { ResolvedFinding, Step } from '../plan-model.js';

/** A failing result the plan addresses; `anticipated` when an earlier step of the plan makes it appear. */
export interface Finding extends CheckResult {
  anticipated: boolean;
}

export interface PlanContext {
  /** The account as audited. Documents ("before") always come from here. */
  index: AuditIndex;
  /**
   * The account as it will be once the network steps of this plan (LVS003) are carried out: which
   * endpoint serves which subnet. Equal to `index` when the plan changes no route.
   */
  future: AuditIndex;
  /** Simulated ID of a resource an earlier step creates -> the placeholder that stands for it. */
  planned: ReadonlyMap<string, string>;
  /** Principals exempted from new bucket Deny statements (--break-glass-arn). */
  breakGlassPrincipalArns: readonly string[];
  /** The steps planned so far (earlier planners), for dependencies. */
  steps: readonly Step[];
}

/** One planner per fixable rule, in a file with the same stem as the rule's check. */
export interface Planner {
  ruleId: string;
  plan(findings: readonly Finding[], ctx: PlanContext): Step[];
  /**
   * Findings of this rule that steps of other rules resolve (LVS004 is resolved by the LVS003 and
   * LVS005 steps): they are added to those steps' `resolves`, and `plan` gets only the others.
   */
  resolvedElsewhere?(
    findings: readonly Finding[],
    ctx: PlanContext,
  ): Array<{ finding: Finding; stepIds: string[] }>;
}

/** A value for a POSIX shell, in single quotes. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=,@+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function resolvedOf(finding: Finding): ResolvedFinding {
  return {
    fingerprint: finding.fingerprint,
    ruleId: finding.ruleId,
    reasonId: finding.reasonId,
    functionArn: finding.functionArn,
    resourceArn: finding.resourceArn,
    anticipated: finding.anticipated,
  };
}

type StepInput = Pick<Step, 'id' | 'kind' | 'title' | 'service' | 'region' | 'resourceArn'> &
  Partial<Omit<Step, 'id' | 'kind' | 'title' | 'service' | 'region' | 'resourceArn'>> & {
    findings?: readonly Finding[];
  };

/** A step with empty defaults; `findings` fill `resolves` and `ruleIds` (the step's own rule first). */
export function makeStep(input: StepInput): Step {
  const { findings = [], ...rest } = input;
  const own = input.id.slice(0, 6);
  const ruleIds =
    rest.ruleIds ?? [own, ...findings.map((f) => f.ruleId)].filter((r, i, all) => all.indexOf(r) === i);
  return {
    id: rest.id,
    kind: rest.kind,
    ruleIds,
    title: rest.title,
    service: rest.service,
    region: rest.region,
    resourceArn: rest.resourceArn,
    resolves: rest.resolves ?? sortResolved(findings.map(resolvedOf)),
    api: rest.api ?? [],
    documents: rest.documents ?? [],
    preconditions: rest.preconditions ?? [],
    risks: rest.risks ?? [],
    dependsOn: uniqueSorted(rest.dependsOn ?? []),
    template: rest.template ?? null,
    notes: rest.notes ?? [],
  };
}

export function sortResolved(list: ResolvedFinding[]): ResolvedFinding[] {
  return [...list].sort((a, b) =>
    compare(
      `${a.ruleId}\u0000${a.functionArn}\u0000${a.resourceArn}`,
      `${b.ruleId}\u0000${b.functionArn}\u0000${b.resourceArn}`,
    ),
  );
}

/** Locale-independent string order, so plans are identical on every machine. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function uniqueSorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compare);
}

/** Findings grouped by a key, groups in key order, findings in their input order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Array<[string, T[]]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k) ?? [];
    group.push(item);
    groups.set(k, group);
  }
  return [...groups.entries()].sort(([a], [b]) => compare(a, b));
}

/** The function of a finding, looked up in `index` (undefined when it is not in the snapshot). */
export function entryOf(index: AuditIndex, functionArn: string): FunctionEntry | undefined {
  const byArn = index.memo('fix:entries', () => new Map(index.functions.map((e) => [e.fn.functionArn, e])));
  return byArn.get(functionArn);
}

/** "arn:aws:s3:::name" -> "name". */
export function bucketNameOf(arn: string): string {
  return arn.replace(/^arn:[^:]+:s3:::/, '');
}

/** The ID at the end of an EC2 ARN ("arn:aws:ec2:r:a:security-group/sg-1" -> "sg-1"). */
export function idOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** "role/name" part of a role ARN -> the role name (paths included in the ARN are dropped). */
export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

/** "a, b and c". */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Steps of `steps` with the given rule whose id satisfies `match`. */
export function stepsOf(steps: readonly Step[], ruleId: string, match: (step: Step) => boolean = () => true) {
  return steps.filter((s) => s.id.startsWith(`${ruleId}:`) && match(s));
}
