import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { auditSnapshot } from '../../src/audit.js';
import { CHECKS } from '../../src/checks/registry.js';
import { evaluateAll } from '../../src/checks/run.js';
import type { CheckResult } from '../../src/core/result.js';
import { planFixes, type PlanOptions } from '../../src/fix/plan.js';
import { AUTOMATED_RULES } from '../../src/fix/planners/index.js';
import { planSchema, type Plan, type Step } from '../../src/fix/plan-model.js';
import { applyPlanToSnapshot } from '../../src/fix/simulate.js';
import { buildIndex } from '../../src/snapshot/derive.js';
import { parseSnapshot } from '../../src/snapshot/load.js';
import {
  accountSnapshotSchema,
  type AccountSnapshot,
  type LambdaFunction,
} from '../../src/snapshot/schema.js';
import { G, goldenFunction, iamCatalog } from '../helpers/golden.js';

export const NOW = new Date('2026-11-21T10:00:00.000Z');
export const DEMO_PATH = fileURLToPath(new URL('../../fixtures/demo/account.json', import.meta.url));

export function demoSnapshot(): AccountSnapshot {
  return parseSnapshot(JSON.parse(readFileSync(DEMO_PATH, 'utf8')), DEMO_PATH);
}

/** Every rule on every function, as `lvs audit` reports it (no suppressions). */
export async function auditResults(snapshot: AccountSnapshot): Promise<CheckResult[]> {
  const report = auditSnapshot(snapshot, await iamCatalog(), {
    checks: CHECKS,
    toolVersion: '0.0.0-test',
    now: NOW,
    failOn: 'low',
    suppressions: [],
    functionFilter: [],
    locations: {},
  });
  return report.results;
}

/** audit -> planFixes, as `lvs fix --dry-run` does, with the re-audit of the plan's route changes. */
export async function planOf(
  snapshot: AccountSnapshot,
  options: Partial<PlanOptions> = {},
): Promise<{ plan: Plan; results: CheckResult[] }> {
  const iam = await iamCatalog();
  const results = await auditResults(snapshot);
  const plan = planFixes(results, buildIndex(snapshot, iam), {
    now: NOW,
    reevaluate: (index) => evaluateAll(index, CHECKS),
    ...options,
  });
  planSchema.parse(plan);
  return { plan, results };
}

/** The plan's automated steps applied in memory, validated as a snapshot the loader would accept. */
export function applied(plan: Plan, snapshot: AccountSnapshot): AccountSnapshot {
  return accountSnapshotSchema.parse(applyPlanToSnapshot(plan, snapshot));
}

const RANK: Record<CheckResult['status'], number> = {
  pass: 0,
  'not-applicable': 0,
  suppressed: 0,
  error: 1,
  fail: 2,
};

/** Worst status rank per (rule, function). */
export function worstByRuleAndFunction(results: readonly CheckResult[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of results) {
    const key = `${r.ruleId} ${r.functionArn}`;
    out.set(key, Math.max(out.get(key) ?? 0, RANK[r.status]));
  }
  return out;
}

/** (rule, function) pairs whose worst status is worse after than before. */
export function worsened(before: readonly CheckResult[], after: readonly CheckResult[]): string[] {
  const was = worstByRuleAndFunction(before);
  return [...worstByRuleAndFunction(after).entries()]
    .filter(([key, rank]) => rank > (was.get(key) ?? 0))
    .map(([key]) => key);
}

export const failing = (results: readonly CheckResult[], ruleId?: string) =>
  results.filter((r) => r.status === 'fail' && (ruleId === undefined || r.ruleId === ruleId));

export const stepById = (plan: Plan, id: string): Step => {
  const step = plan.steps.find((s) => s.id === id);
  if (step === undefined) throw new Error(`no step ${id} in ${plan.steps.map((s) => s.id).join(', ')}`);
  return step;
};

export const positionOf = (plan: Plan, id: string): number => {
  const i = plan.steps.findIndex((s) => s.id === id);
  if (i < 0) throw new Error(`no step ${id}`);
  return i;
};

/** Step IDs of the golden stack's resources. */
export const GOLDEN_STEPS = {
  vpc: `LVS003:arn:aws:ec2:${G.region}:${G.accountId}:vpc/${G.vpcId}`,
  securityGroup: `LVS005:arn:aws:ec2:${G.region}:${G.accountId}:security-group/${G.securityGroupId}`,
  endpoint: `LVS006:arn:aws:ec2:${G.region}:${G.accountId}:vpc-endpoint/${G.endpointId}`,
  pin: `LVS007:arn:aws:s3:::${G.bucket}`,
  bucket: `LVS013:arn:aws:s3:::${G.bucket}`,
  function: (ruleId: string) => `${ruleId}:${G.functionArn}`,
} as const;

/** A copy of the golden function under another name (same role, subnets and security group unless overridden). */
export function replicaOf(
  s: AccountSnapshot,
  name: string,
  extra: Partial<LambdaFunction> = {},
): LambdaFunction {
  return {
    ...structuredClone(goldenFunction(s)),
    functionName: name,
    functionArn: `arn:aws:lambda:${G.region}:${G.accountId}:function:${name}`,
    ...extra,
  };
}

/**
 * Variants whose finding of an automated rule needs a decision, so its step is manual by design:
 * a policy lvs cannot parse is never overwritten, and a bucket pinned to other endpoints is not
 * re-pinned (lvs never alters an existing statement). Keyed by variant slug (moto's violations
 * share the slugs they reproduce).
 */
export const MANUAL_BY_DESIGN: Readonly<Record<string, readonly string[]>> = {
  'lvs007-invalid-policy': ['LVS007'],
  'lvs007-pinned-to-other-endpoint': ['LVS007'],
  'lvs011-invalid-policy': ['LVS011'],
};

const AUTOMATED = new Set<string>(AUTOMATED_RULES);

/** True when `lvs fix --apply` fixes the variant's failure of `ruleId`: an automated rule, not manual by design there. */
export function fixedByApply(slug: string, ruleId: string): boolean {
  return AUTOMATED.has(ruleId) && !(MANUAL_BY_DESIGN[slug] ?? []).includes(ruleId);
}
