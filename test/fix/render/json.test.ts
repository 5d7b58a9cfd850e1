import { describe, expect, it } from 'vitest';
import { planSchema, type Plan } from '../../../src/fix/plan-model.js';
import { renderPlanJson } from '../../../src/fix/render/json.js';
import { demoSnapshot, planOf } from '../helpers.js';

describe('renderPlanJson', () => {
  it('writes the plan, valid against its schema, and reads back equal', async () => {
    const { plan } = await planOf(demoSnapshot());
    const text = renderPlanJson(plan);
    expect(text.endsWith('\n')).toBe(true);
    const parsed = planSchema.parse(JSON.parse(text));
    expect(parsed).toEqual(plan);
    expect(parsed.schemaVersion).toBe(1);
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      'schemaVersion',
      'generatedAt',
      'accountId',
      'steps',
    ]);
  });

  it('refuses to write an invalid plan', async () => {
    const { plan } = await planOf(demoSnapshot());
    const broken: Plan = { ...plan, steps: [...plan.steps].reverse() }; // dependencies now point forward
    expect(() => renderPlanJson(broken)).toThrow();
  });
});
