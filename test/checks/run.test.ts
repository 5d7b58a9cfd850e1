import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/registry.js';
import { evaluateAll } from '../../src/checks/run.js';
import { runCheck } from '../helpers/check-tester.js';
import { golden, indexOf } from '../helpers/golden.js';

describe('evaluateCheck / evaluateAll', () => {
  it.each(CHECKS.map((c) => [c.meta.id, c] as const))(
    '%s: a throwing evaluation becomes an error result naming the check, never a crash or a pass',
    async (id, check) => {
      const broken = {
        ...check,
        evaluate: () => {
          throw new Error('boom');
        },
      };
      const results = await runCheck(broken, golden());
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ status: 'error', reasonId: 'checkThrew', ruleId: id });
      expect(results[0]?.message).toContain('boom');
    },
  );

  it('a check that returns nothing yields an error result', async () => {
    const [first] = CHECKS;
    const silent = { ...first!, evaluate: () => [] };
    const results = await runCheck(silent, golden());
    expect(results).toMatchObject([{ status: 'error', reasonId: 'noResult' }]);
  });

  it('runs every check on every function, in catalogue order, with stable fingerprints', async () => {
    const index = await indexOf(golden());
    const first = evaluateAll(index, CHECKS);
    const second = evaluateAll(index, CHECKS);
    expect(first.map((r) => r.ruleId)).toEqual(CHECKS.map((c) => c.meta.id));
    expect(second.map((r) => r.fingerprint)).toEqual(first.map((r) => r.fingerprint));
    expect(new Set(first.map((r) => r.fingerprint)).size).toBe(first.length);
  });
});
