import { copyResult, type CheckResult } from '../core/result.js';
import { matchesWildcard } from '../policy/wildcard.js';
import { buildIndex, type AuditIndex } from '../snapshot/derive.js';
import { compare, resolvedOf, sortResolved, type Finding, type PlanContext } from './lib/context.js';
import { orderSteps } from './order.js';
import { PLAN_SCHEMA_VERSION, placeholder, type Plan, type Step } from './plan-model.js';
import { NETWORK_PLANNERS, PLANNERS } from './planners/index.js';
import { simulateSteps } from './simulate.js';

/**
 * results + snapshot index -> an ordered, reviewable plan (SPEC 6). Pure: no I/O, no clock (the
 * time comes in `options.now`), no AWS call; the same input always gives the same plan.
 *
 * Only `fail` results are planned (error, suppressed, pass and not-applicable are not). The network
 * planner runs first; its steps are simulated on a copy of the snapshot, and the other planners see
 * the routes as they will be, so a bucket pin lists an endpoint the plan is about to associate. With
 * `reevaluate`, the findings those routes make appear (a function that gains an endpoint becomes
 * subject to LVS006 and LVS007) are planned too, marked `anticipated`.
 */

export interface PlanOptions {
  now: Date;
  /** Rule IDs to plan (default: all). */
  only?: readonly string[];
  /** Function name or ARN globs (default: every function). */
  functionFilter?: readonly string[];
  /** Principals exempted from new bucket Deny statements (--break-glass-arn). */
  breakGlassPrincipalArns?: readonly string[];
  /**
   * Re-audits an index (the CLI passes evaluateAll with the registered checks, then suppressions).
   * Used to find the findings that the plan's own route changes make appear.
   */
  reevaluate?: (index: AuditIndex) => readonly CheckResult[];
}

const findingKey = (r: Pick<CheckResult, 'ruleId' | 'functionArn' | 'resourceArn'>) =>
  `${r.ruleId}\u0000${r.functionArn}\u0000${r.resourceArn}`;

export function planFixes(results: readonly CheckResult[], index: AuditIndex, options: PlanOptions): Plan {
  const only = options.only === undefined || options.only.length === 0 ? undefined : new Set(options.only);
  const functions = options.functionFilter ?? [];
  const selected = (r: CheckResult) =>
    r.status === 'fail' &&
    (only === undefined || only.has(r.ruleId)) &&
    (functions.length === 0 ||
      functions.some((g) => matchesWildcard(g, r.functionName) || matchesWildcard(g, r.functionArn)));
  const findings: Finding[] = results.filter(selected).map((r) => ({ ...copyResult(r), anticipated: false }));
  const byRule = (ruleId: string) =>
    findings.filter((f) => f.ruleId === ruleId).sort((a, b) => compare(findingKey(a), findingKey(b)));

  const ctx: PlanContext = {
    index,
    future: index,
    planned: new Map(),
    breakGlassPrincipalArns: [...(options.breakGlassPrincipalArns ?? [])].sort(compare),
    steps: [],
  };
  const steps: Step[] = [];
  for (const planner of NETWORK_PLANNERS) steps.push(...planner.plan(byRule(planner.ruleId), ctx));

  // The account as the network steps leave it: topology for the planners that follow.
  const network = steps.filter((s) => s.kind === 'automated');
  if (network.length > 0) {
    const simulation = simulateSteps(network, index.snapshot);
    ctx.future = buildIndex(simulation.snapshot, index.iam);
    ctx.planned = new Map(
      Object.entries(simulation.bindings).map(([name, value]) => [value, placeholder(name)]),
    );
    if (options.reevaluate !== undefined) {
      const known = new Set(results.map(findingKey));
      for (const result of options.reevaluate(ctx.future)) {
        if (!selected(result) || known.has(findingKey(result))) continue;
        if (NETWORK_PLANNERS.some((p) => p.ruleId === result.ruleId)) continue;
        known.add(findingKey(result));
        findings.push({ ...copyResult(result), anticipated: true });
      }
    }
  }

  for (const planner of PLANNERS) {
    let own = byRule(planner.ruleId);
    ctx.steps = steps;
    if (planner.resolvedElsewhere !== undefined) {
      const covered = planner.resolvedElsewhere(own, ctx);
      for (const { finding, stepIds } of covered) {
        for (const id of stepIds) {
          const index = steps.findIndex((s) => s.id === id);
          const step = steps[index];
          if (step === undefined) continue;
          steps[index] = {
            ...step,
            ruleIds: step.ruleIds.includes(finding.ruleId) ? step.ruleIds : [...step.ruleIds, finding.ruleId],
            resolves: sortResolved([...step.resolves, resolvedOf(finding)]),
          };
        }
      }
      const done = new Set(covered.map((c) => c.finding));
      own = own.filter((f) => !done.has(f));
    }
    steps.push(...planner.plan(own, ctx));
  }

  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    generatedAt: options.now.toISOString(),
    accountId: index.accountId,
    steps: orderSteps(steps),
  };
}
