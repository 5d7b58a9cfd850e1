import { describe, expect, it } from 'vitest';
import check from '../../src/checks/lvs010-xray-tracing-active.js';
import { expectOutcome, runCheck } from '../helpers/check-tester.js';
import { G, golden, goldenFunction } from '../helpers/golden.js';

describe('LVS010 xray-tracing-active', () => {
  it('passes for the golden function', async () => {
    const result = await expectOutcome(check, golden(), { status: 'pass', reasonId: 'active' });
    expect(result.resourceArn).toBe(G.functionArn);
  });

  it('fails with tracingNotActive when the mode is PassThrough', async () => {
    const snapshot = golden((s) => {
      goldenFunction(s).tracingMode = 'PassThrough';
    });
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'tracingNotActive',
      severity: 'medium',
    });
    expect(result.message).toContain('PassThrough');
    expect(result.evidence).toEqual([
      {
        resourceArn: G.functionArn,
        field: 'TracingConfig.Mode',
        observed: 'PassThrough',
        expected: 'Active',
      },
    ]);
  });

  it('fails with tracingNotActive when TracingConfig is absent', async () => {
    const snapshot = golden((s) => {
      goldenFunction(s).tracingMode = null;
    });
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'tracingNotActive',
      severity: 'medium',
    });
    expect(result.evidence[0]?.field).toBe('TracingConfig.Mode');
    expect(result.message).toContain('not set');
  });

  it('returns exactly one result per function', async () => {
    expect(await runCheck(check, golden())).toHaveLength(1);
  });
});
