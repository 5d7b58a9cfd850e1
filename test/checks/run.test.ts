import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/registry.js';
import { evaluateAll } from '../../src/checks/run.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { copyResult } from '../../src/core/result.js';
import { applySuppressions } from '../../src/suppress/apply.js';
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

  it('message and fingerprint, made on first read, are kept by copies, suppression and JSON', async () => {
    const index = await indexOf(
      golden((s) => {
        const fn = s.regions[0]?.functions;
        if (fn?.status === 'ok' && fn.value[0]) fn.value[0].tracingMode = 'PassThrough';
      }),
    );
    const results = evaluateAll(index, CHECKS);
    expect(results.some((r) => r.status === 'fail')).toBe(true);
    for (const r of results) {
      expect(r.message).not.toMatch(/\{\{/);
      const fp = fingerprint(r);
      expect(r.fingerprint).toBe(fp);
      expect(copyResult(r)).toMatchObject({ message: r.message, fingerprint: fp, evidence: r.evidence });
      expect(JSON.parse(JSON.stringify(r))).toMatchObject({ message: r.message, fingerprint: fp });
    }
    const suppressed = applySuppressions(
      results,
      [{ rule: 'LVS010', resource: '*', reason: 'tracing is handled elsewhere' }],
      new Date('2026-11-21T10:00:00Z'),
    ).results.filter((r) => r.status === 'suppressed');
    expect(suppressed).toHaveLength(1);
    const before = results.find((r) => r.ruleId === 'LVS010');
    expect(suppressed[0]).toMatchObject({ message: before?.message, fingerprint: before?.fingerprint });
  });
});
