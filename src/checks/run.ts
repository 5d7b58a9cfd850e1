import type { EvidenceStep } from '../core/evidence.js';
import { fingerprint } from '../core/fingerprint.js';
import { compileTemplate } from '../core/message.js';
import type { MessageData } from '../core/message.js';
import { copyResult, type CheckResult } from '../core/result.js';
import type { Severity } from '../core/severity.js';
import type { AuditIndex, FunctionEntry } from '../snapshot/derive.js';
import { reasonOf, type Check, type CheckMeta, type Outcome } from './define-check.js';
import { error } from './lib/outcome.js';

type MessageMaker = (functionName: string, ruleId: string, data: MessageData | undefined) => string;

/** Rule metadata holds a fixed set of templates: each is compiled once per process. */
const messageMakers = new Map<string, MessageMaker>();

/**
 * The message of a template with `{ function, ruleId, ...data }` filled in (data wins), without
 * building that object: a function generated from the template, one per template, which reads each
 * value by name and adds the literal text around it. A loop over the template's parts read every
 * value through one generic lookup shared by all templates: making the messages of the failing
 * results of 10,000 functions took as many instructions as wrapping them. A placeholder with no
 * value stays visible, so a missing value shows in tests.
 */
function messageMaker(template: string): MessageMaker {
  let make = messageMakers.get(template);
  if (make === undefined) {
    const { parts, wholes } = compileTemplate(template);
    const terms: string[] = [];
    for (let i = 0; i < parts.length; i += 1) {
      const part = parts[i] ?? '';
      if (i % 2 === 0) {
        if (part !== '') terms.push(JSON.stringify(part));
        continue;
      }
      const name = JSON.stringify(part);
      // Placeholders are \w+ (compileTemplate): a name read as d[name], given only when d has it.
      const otherwise =
        part === 'function' ? 'fn' : part === 'ruleId' ? 'id' : JSON.stringify(wholes[(i - 1) / 2] ?? '');
      terms.push(`(d !== undefined && hasOwn(d, ${name}) ? String(d[${name}]) : ${otherwise})`);
    }
    const body = `return (fn, id, d) => ${terms.length === 0 ? '""' : `"" + ${terms.join(' + ')}`};`;
    // The source is made from rule metadata (source code), never from input; literals are JSON.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    make = (new Function('hasOwn', body) as (hasOwn: typeof Object.hasOwn) => MessageMaker)(Object.hasOwn);
    messageMakers.set(template, make);
  }
  return make;
}

/**
 * A result as the audit makes it. Its message and fingerprint are made on first read: most results
 * of a large account are passes, whose message only --verbose and the JSON/SARIF reports show and
 * whose fingerprint only JSON/SARIF show; made eagerly they were a fifth of the audit's time and
 * over half of what the report keeps in memory. Both are pure functions of what the result holds,
 * so when they are made does not change them. What the rule and the function say (names, ARNs,
 * remediation) is read from them rather than copied into every result: the report keeps every
 * result until it is written, and the garbage collector copies what is kept. A spread does not
 * copy accessors: copy with copyResult (core/result.ts).
 */
class EvaluatedResult implements CheckResult {
  readonly status: CheckResult['status'];
  readonly severity: Severity;
  readonly reasonId: string;
  readonly resourceArn: string;
  readonly evidence: EvidenceStep[];
  readonly #meta: CheckMeta;
  readonly #entry: FunctionEntry;
  readonly #data: MessageData | undefined;
  #message: string | undefined;
  #fingerprint: string | undefined;

  constructor(check: Check, entry: FunctionEntry, outcome: Outcome) {
    const { meta } = check;
    this.status = outcome.status;
    this.severity = outcome.severity ?? reasonOf(meta, outcome.reasonId)?.severity ?? meta.severity;
    this.reasonId = outcome.reasonId;
    this.resourceArn = outcome.resourceArn ?? entry.fn.functionArn;
    this.evidence = outcome.evidence;
    this.#meta = meta;
    this.#entry = entry;
    this.#data = outcome.data;
  }

  get ruleId(): string {
    return this.#meta.id;
  }
  get ruleName(): string {
    return this.#meta.name;
  }
  get accountId(): string {
    return this.#entry.region.scope.accountId;
  }
  get region(): string {
    return this.#entry.region.region;
  }
  get functionName(): string {
    return this.#entry.fn.functionName;
  }
  get functionArn(): string {
    return this.#entry.fn.functionArn;
  }
  get remediation(): string {
    return this.#meta.remediation;
  }
  get suppression(): null {
    return null;
  }

  get message(): string {
    if (this.#message === undefined) {
      const meta = this.#meta;
      const reason = reasonOf(meta, this.reasonId);
      this.#message =
        reason === undefined
          ? `${meta.id} returned an undeclared reason "${this.reasonId}".`
          : messageMaker(reason.message)(this.functionName, meta.id, this.#data);
    }
    return this.#message;
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
    outcomes = [error('checkThrew', { data: { detail } })];
  }
  if (outcomes.length === 0) outcomes = [error('noResult')];
  for (let i = 0; i < outcomes.length; i++)
    into.push(new EvaluatedResult(check, entry, outcomes[i] as Outcome));
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
