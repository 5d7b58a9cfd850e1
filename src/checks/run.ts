import { fingerprint } from '../core/fingerprint.js';
import { formatMessage } from '../core/message.js';
import type { CheckResult } from '../core/result.js';
import type { AuditIndex, FunctionEntry } from '../snapshot/derive.js';
import { reasonOf, type Check, type Outcome } from './define-check.js';

function toResult(check: Check, entry: FunctionEntry, index: AuditIndex, outcome: Outcome): CheckResult {
  const { meta } = check;
  const reason = reasonOf(meta, outcome.reasonId);
  const resourceArn = outcome.resourceArn ?? entry.fn.functionArn;
  return {
    ruleId: meta.id,
    ruleName: meta.name,
    status: outcome.status,
    severity: outcome.severity ?? reason?.severity ?? meta.severity,
    reasonId: outcome.reasonId,
    message: reason
      ? formatMessage(reason.message, { function: entry.fn.functionName, ruleId: meta.id, ...outcome.data })
      : `${meta.id} returned an undeclared reason "${outcome.reasonId}".`,
    accountId: index.accountId,
    region: entry.region.region,
    functionName: entry.fn.functionName,
    functionArn: entry.fn.functionArn,
    resourceArn,
    evidence: outcome.evidence,
    remediation: meta.remediation,
    fingerprint: fingerprint({
      ruleId: meta.id,
      functionArn: entry.fn.functionArn,
      resourceArn,
      reasonId: outcome.reasonId,
    }),
    suppression: null,
  };
}

/** Runs one check on one function; a throw or an empty answer becomes an `error` result naming the check. */
export function evaluateCheck(check: Check, entry: FunctionEntry, index: AuditIndex): CheckResult[] {
  let outcomes: Outcome[];
  try {
    outcomes = check.evaluate(entry, index);
  } catch (thrown) {
    const detail = thrown instanceof Error ? thrown.message : String(thrown);
    outcomes = [{ status: 'error', reasonId: 'checkThrew', data: { detail }, evidence: [] }];
  }
  if (outcomes.length === 0) outcomes = [{ status: 'error', reasonId: 'noResult', evidence: [] }];
  return outcomes.map((outcome) => toResult(check, entry, index, outcome));
}

/** Every check on every given function (default: all), in catalogue order per function. */
export function evaluateAll(
  index: AuditIndex,
  checks: readonly Check[],
  entries: readonly FunctionEntry[] = index.functions,
): CheckResult[] {
  const results: CheckResult[] = [];
  for (const entry of entries) {
    for (const check of checks) results.push(...evaluateCheck(check, entry, index));
  }
  return results;
}
