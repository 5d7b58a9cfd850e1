import type { Step } from './plan-model.js';

/**
 * The order of a plan (SPEC 6). Dependencies come from the planners and always point from a later
 * phase to an earlier one:
 *
 *   LVS003 endpoint + routes ─┬─> LVS006 endpoint policy
 *                             └─> LVS007 bucket pin <── LVS005 security-group egress
 *   LVS007 bucket policy ───────> LVS013 Block Public Access (a public policy is refused once it is on)
 *   LVS009 new key + key policy ─> LVS009 KMSKeyArn per function
 *   LVS010 role X-Ray permission ─> LVS010 TracingConfig per function
 *
 * so a cycle cannot be built; orderSteps asserts it anyway. Steps are sorted topologically, ties
 * broken by phase (the rule order below), then by ID, so the same input gives the same plan.
 * Automated steps come first; manual steps (which nothing automated depends on) follow in rule order.
 */

const AUTOMATED_PHASES = ['LVS003', 'LVS005', 'LVS006', 'LVS007', 'LVS013', 'LVS009', 'LVS010', 'LVS011'];

/** Sort key of a step when nothing else decides: kind, then phase, then prerequisites before their users. */
export function phaseOf(step: Step): number {
  const rule = step.id.slice(0, 6);
  if (step.kind === 'manual') return 100 + Number(rule.slice(3));
  const phase = AUTOMATED_PHASES.indexOf(rule);
  return phase < 0 ? 50 : phase;
}

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class PlanCycleError extends Error {}

/**
 * Topological order with a deterministic tie-break. Dependencies on steps that are not in the list
 * (filtered out by --only or --function) are dropped: what they would have prepared is then listed as
 * a precondition of the dependent step by its planner.
 */
export function orderSteps(steps: readonly Step[]): Step[] {
  const ids = new Set(steps.map((s) => s.id));
  if (ids.size !== steps.length) throw new Error('duplicate step IDs in a plan');
  const nodes = steps.map((s) => ({ ...s, dependsOn: s.dependsOn.filter((d) => ids.has(d) && d !== s.id) }));
  const done = new Set<string>();
  const out: Step[] = [];
  const rank = (s: Step) => [phaseOf(s), s.id] as const;
  let pending = [...nodes];
  while (pending.length > 0) {
    const ready = pending.filter((s) => s.dependsOn.every((d) => done.has(d)));
    if (ready.length === 0)
      throw new PlanCycleError(`dependency cycle among ${pending.map((s) => s.id).join(', ')}`);
    ready.sort((a, b) => {
      const [pa, ia] = rank(a);
      const [pb, ib] = rank(b);
      return pa - pb || compareIds(ia, ib);
    });
    const next = ready[0] as Step;
    out.push(next);
    done.add(next.id);
    pending = pending.filter((s) => s !== next);
  }
  return out;
}
