import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/report/summary.js';
import { mixedResults, result } from './build-report.js';

describe('summarize', () => {
  it('counts statuses, distinct functions and failures by severity', () => {
    const results = [
      ...mixedResults(),
      result({ ruleId: 'LVS010', status: 'fail', reasonId: 'x', severity: 'low', functionName: 'third' }),
    ];
    expect(summarize(results)).toEqual({
      functions: 3,
      pass: 1,
      fail: 2,
      error: 1,
      notApplicable: 1,
      suppressed: 1,
      failBySeverity: { critical: 0, high: 1, medium: 0, low: 1, info: 0 },
    });
  });

  it('counts functions with a data path but no results', () => {
    expect(summarize([], [{ functionArn: 'a' }, { functionArn: 'b' }, { functionArn: 'a' }]).functions).toBe(
      2,
    );
  });

  it('does not count suppressed or error results as failures', () => {
    const s = summarize([
      result({ ruleId: 'LVS001', status: 'suppressed', suppressedStatus: 'fail', reasonId: 'x' }),
    ]);
    expect(s.fail).toBe(0);
    expect(Object.values(s.failBySeverity).every((n) => n === 0)).toBe(true);
  });
});
