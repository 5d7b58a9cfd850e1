import { fingerprint } from '../core/fingerprint.js';
import { compileTemplate } from '../core/message.js';
import type { MessageData } from '../core/message.js';
import type { CheckResult } from '../core/result.js';
import type { AuditIndex, FunctionEntry } from '../snapshot/derive.js';
import { reasonOf, type Check, type Outcome } from './define-check.js';

/** The message with `{ function, ruleId, ...data }` filled in (data wins), without building that object. */
function messageOf(
  template: string,
  functionName: string,
  ruleId: string,
  data: MessageData | undefined,
): string {
  const { parts, wholes } = compileTemplate(template);
  if (parts.length === 1) return parts[0] ?? '';
  // As fillMessage: literal, value, literal, …, literal, joined once into a flat string.
  const pieces = new Array<string>(parts.length);
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i] ?? '';
    if (i % 2 === 0) pieces[i] = part;
    else if (data !== undefined && Object.hasOwn(data, part)) pieces[i] = String(data[part]);
    else if (part === 'function') pieces[i] = functionName;
    else if (part === 'ruleId') pieces[i] = ruleId;
    else pieces[i] = wholes[(i - 1) / 2] ?? '';
  }
  return pieces.join('');
}

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
      ? messageOf(reason.message, entry.fn.functionName, meta.id, outcome.data)
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

/** Runs one check on one function and adds its results to `into`; see evaluateCheck. */
function evaluateInto(check: Check, entry: FunctionEntry, index: AuditIndex, into: CheckResult[]): void {
  let outcomes: Outcome[];
  try {
    outcomes = check.evaluate(entry, index);
  } catch (thrown) {
    const detail = thrown instanceof Error ? thrown.message : String(thrown);
    outcomes = [{ status: 'error', reasonId: 'checkThrew', data: { detail }, evidence: [] }];
  }
  if (outcomes.length === 0) outcomes = [{ status: 'error', reasonId: 'noResult', evidence: [] }];
  for (let i = 0; i < outcomes.length; i++) into.push(toResult(check, entry, index, outcomes[i] as Outcome));
}

/** Runs one check on one function; a throw or an empty answer becomes an `error` result naming the check. */
export function evaluateCheck(check: Check, entry: FunctionEntry, index: AuditIndex): CheckResult[] {
  const results: CheckResult[] = [];
  evaluateInto(check, entry, index, results);
  return results;
}

/** Every check on every given function (default: all), in catalogue order per function. */
export function evaluateAll(
  index: AuditIndex,
  checks: readonly Check[],
  entries: readonly FunctionEntry[] = index.functions,
): CheckResult[] {
  const results: CheckResult[] = [];
  for (let e = 0; e < entries.length; e++) {
    const entry = entries[e] as FunctionEntry;
    for (let c = 0; c < checks.length; c++) evaluateInto(checks[c] as Check, entry, index, results);
  }
  return results;
}
