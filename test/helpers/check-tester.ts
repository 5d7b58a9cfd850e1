import { expect } from 'vitest';
import type { Check } from '../../src/checks/define-check.js';
import { reasonOf } from '../../src/checks/define-check.js';
import { evaluateCheck } from '../../src/checks/run.js';
import type { CheckResult } from '../../src/core/result.js';
import type { AccountSnapshot } from '../../src/snapshot/schema.js';
import { G, indexOf } from './golden.js';

/**
 * The RuleTester of lvs: runs one check on one function of a snapshot and returns its results
 * (messages rendered, severities resolved), as the audit would.
 */
export async function runCheck(
  check: Check,
  snapshot: AccountSnapshot,
  functionName: string = G.functionName,
): Promise<CheckResult[]> {
  const index = await indexOf(snapshot);
  const entry = index.functions.find((e) => e.fn.functionName === functionName);
  if (!entry) throw new Error(`function ${functionName} not in snapshot`);
  const results = evaluateCheck(check, entry, index);
  for (const r of results) {
    // Every reason a check returns must be declared (or common), and every placeholder filled.
    expect(
      reasonOf(check.meta, r.reasonId),
      `${check.meta.id} returned undeclared reason ${r.reasonId}`,
    ).toBeDefined();
    expect(r.message, `${check.meta.id}/${r.reasonId} left a placeholder unfilled`).not.toMatch(/\{\{/);
    expect(reasonOf(check.meta, r.reasonId)?.status).toBe(r.status);
  }
  return results;
}

/** Shorthand: the (status, reasonId, severity) triples, the part tests assert on. */
export function summarize(
  results: CheckResult[],
): Array<{ status: string; reasonId: string; severity: string }> {
  return results.map((r) => ({ status: r.status, reasonId: r.reasonId, severity: r.severity }));
}

/** Records which reasons the tests exercised, for the catalogue's "every reason is tested" guard. */
export async function expectOutcome(
  check: Check,
  snapshot: AccountSnapshot,
  expected: { status: string; reasonId: string; severity?: string },
  functionName?: string,
): Promise<CheckResult> {
  const results = await runCheck(check, snapshot, functionName);
  const match = results.find((r) => r.status === expected.status && r.reasonId === expected.reasonId);
  expect(
    match,
    `expected ${expected.status}/${expected.reasonId}, got ${JSON.stringify(summarize(results))}`,
  ).toBeDefined();
  if (expected.severity !== undefined) expect(match?.severity).toBe(expected.severity);
  return match as CheckResult;
}
