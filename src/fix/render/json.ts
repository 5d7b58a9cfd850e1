import { planSchema, type Plan } from '../plan-model.js';

/**
 * `lvs fix --format json`: the plan itself, validated against its schema so that a consumer (the
 * executor, CI) can rely on it. An invalid plan is a bug in lvs, never output.
 */
export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(planSchema.parse(plan), null, 2)}\n`;
}
