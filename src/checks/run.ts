import type { EvidenceStep } from '../core/evidence.js';
import { fingerprint } from '../core/fingerprint.js';
import { compileTemplate } from '../core/message.js';
import type { MessageData } from '../core/message.js';
import { copyResult, type CheckResult } from '../core/result.js';
import type { Severity } from '../core/severity.js';
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

/**
 * A result as the audit makes it. Its message and fingerprint are made on first read: most results
 * of a large account are passes, whose message only --verbose and the JSON/SARIF reports show and
 * whose fingerprint only JSON/SARIF show; made eagerly they were a fifth of the audit's time and
 * over half of what the report keeps in memory. Both are pure functions of what the result holds,
 * so when they are made does not change them. A spread does not copy accessors: copy with
 * copyResult (core/result.ts).
 */
class EvaluatedResult implements CheckResult {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly status: CheckResult['status'];
  readonly severity: Severity;
  readonly reasonId: string;
  readonly accountId: string;
  readonly region: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly resourceArn: string;
  readonly evidence: EvidenceStep[];
  readonly remediation: string;
  readonly suppression: null = null;
  readonly #template: string;
  readonly #data: MessageData | undefined;
  #message: string | undefined;
  #fingerprint: string | undefined;

  constructor(check: Check, entry: FunctionEntry, index: AuditIndex, outcome: Outcome) {
    const { meta } = check;
    const reason = reasonOf(meta, outcome.reasonId);
    this.ruleId = meta.id;
    this.ruleName = meta.name;
    this.status = outcome.status;
    this.severity = outcome.severity ?? reason?.severity ?? meta.severity;
    this.reasonId = outcome.reasonId;
    this.accountId = index.accountId;
    this.region = entry.region.region;
    this.functionName = entry.fn.functionName;
    this.functionArn = entry.fn.functionArn;
    this.resourceArn = outcome.resourceArn ?? entry.fn.functionArn;
    this.evidence = outcome.evidence;
    this.remediation = meta.remediation;
    if (reason === undefined) {
      this.#template = '';
      this.#message = `${meta.id} returned an undeclared reason "${outcome.reasonId}".`;
    } else this.#template = reason.message;
    this.#data = outcome.data;
  }

  get message(): string {
    return (this.#message ??= messageOf(this.#template, this.functionName, this.ruleId, this.#data));
  }

  get fingerprint(): string {
    return (this.#fingerprint ??= fingerprint(this));
  }

  /** Every field, in the order of CheckResult, for JSON.stringify of a result. */
  toJSON(): CheckResult {
    return copyResult(this);
  }
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
  for (let i = 0; i < outcomes.length; i++)
    into.push(new EvaluatedResult(check, entry, index, outcomes[i] as Outcome));
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
