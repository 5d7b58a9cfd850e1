/**
 * Policy documents as the planner changes them: statements are added, never dropped or altered
 * (SPEC 6: "merges, never overwrites"), and removed only by Sid where a rule asks for exactly that
 * (LVS011). Documents are handled as raw JSON so that every existing statement is written back
 * byte-for-byte as it was parsed; only the statement list grows.
 */

export type JsonObject = Record<string, unknown>;

/** A policy document with its statements as a list (a single-statement object is read as a list of one). */
export interface PolicyJson {
  [key: string]: unknown;
  Statement: JsonObject[];
}

export const DEFAULT_POLICY_VERSION = '2012-10-17';

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses a policy for merging; a text that is not a JSON object with Statement objects is a problem, not a throw. */
export function readPolicy(text: string): { ok: true; policy: PolicyJson } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not valid JSON (${(error as Error).message})` };
  }
  if (!isObject(json)) return { ok: false, problem: 'not a JSON object' };
  const raw = json.Statement;
  const list = Array.isArray(raw) ? (raw as unknown[]) : raw === undefined ? undefined : [raw];
  if (list === undefined) return { ok: false, problem: 'no Statement' };
  if (!list.every(isObject)) return { ok: false, problem: 'a Statement entry is not an object' };
  return { ok: true, policy: { ...json, Statement: list } };
}

/** A new document holding `statements`. */
export function newPolicy(statements: readonly JsonObject[]): PolicyJson {
  return { Version: DEFAULT_POLICY_VERSION, Statement: [...statements] };
}

const LIST_FIELDS = new Set(['Action', 'NotAction', 'Resource', 'NotResource']);

/** Sorted, de-duplicated strings of a "string or list" field; other values are kept for comparison. */
function asSortedList(value: unknown): unknown {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v): v is string => typeof v === 'string'))
    return [...new Set(value)].sort();
  return value;
}

function canonical(value: unknown, field?: string): unknown {
  if (field !== undefined && LIST_FIELDS.has(field)) return canonical(asSortedList(value));
  if (Array.isArray(value)) return value.map((v) => canonical(v));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) out[key] = canonical(value[key]);
  return out;
}

/** Principal and Condition values: "x" and ["x"] mean the same, and the order of values does not matter. */
function canonicalValues(value: unknown): unknown {
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) {
    const inner = value[key];
    if (isObject(inner)) out[key] = canonicalValues(inner);
    else if (Array.isArray(inner) || typeof inner !== 'object')
      out[key] = [...new Set((Array.isArray(inner) ? inner : [inner]).map(String))].sort();
    else out[key] = inner;
  }
  return out;
}

/**
 * The statement's meaning as a comparable text: keys sorted, "string or list" fields as sorted
 * lists, Principal and Condition values as sorted lists; the Sid is left out (it is a label).
 */
export function statementKey(statement: JsonObject): string {
  const out: JsonObject = {};
  for (const key of Object.keys(statement).sort()) {
    if (key === 'Sid') continue;
    const value = statement[key];
    out[key] =
      key === 'Principal' || key === 'NotPrincipal' || key === 'Condition'
        ? canonicalValues(value)
        : canonical(value, key);
  }
  return JSON.stringify(out);
}

/** True when the two statements say the same thing (whatever their Sids). */
export function sameStatement(a: JsonObject, b: JsonObject): boolean {
  return statementKey(a) === statementKey(b);
}

const sidOf = (statement: JsonObject): string | undefined =>
  typeof statement.Sid === 'string' ? statement.Sid : undefined;

/** `sid`, or `sid2`, `sid3`… : the first that no statement uses (Sids stay alphanumeric when `sid` is). */
function freeSid(sid: string, used: ReadonlySet<string>): string {
  if (!used.has(sid)) return sid;
  for (let n = 2; ; n++) {
    const candidate = `${sid}${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

export interface MergeResult {
  policy: PolicyJson;
  /** The statements added, as written into the policy (with their final Sid). */
  added: JsonObject[];
  changed: boolean;
}

/**
 * Adds each statement of `additions` that the policy does not already hold (compared with
 * sameStatement, so merging twice equals merging once). Existing statements are neither dropped,
 * reordered nor altered. A Sid already used by a different statement is renamed deterministically
 * (Sid2, Sid3…). `policy` undefined means no document yet.
 */
export function mergeStatements(
  policy: PolicyJson | undefined,
  additions: readonly JsonObject[],
): MergeResult {
  const statements = [...(policy?.Statement ?? [])];
  const used = new Set(statements.map(sidOf).filter((s): s is string => s !== undefined));
  const added: JsonObject[] = [];
  for (const addition of additions) {
    if (statements.some((s) => sameStatement(s, addition))) continue;
    const sid = sidOf(addition);
    const statement =
      sid === undefined ? { ...addition } : { Sid: freeSid(sid, used), ...withoutSid(addition) };
    if (sid !== undefined) used.add(statement.Sid as string);
    statements.push(statement);
    added.push(statement);
  }
  const base = policy ?? newPolicy([]);
  return { policy: { ...base, Statement: statements }, added, changed: added.length > 0 };
}

function withoutSid(statement: JsonObject): JsonObject {
  const rest = { ...statement };
  delete rest.Sid;
  return rest;
}

export interface RemoveResult {
  policy: PolicyJson;
  removed: JsonObject[];
  changed: boolean;
}

/** The policy without the statements whose Sid is in `sids` (LVS011: lambda:RemovePermission removes by Sid). */
export function removeStatementsBySid(policy: PolicyJson, sids: readonly string[]): RemoveResult {
  const wanted = new Set(sids);
  const removed = policy.Statement.filter((s) => {
    const sid = sidOf(s);
    return sid !== undefined && wanted.has(sid);
  });
  const kept = policy.Statement.filter((s) => !removed.includes(s));
  return { policy: { ...policy, Statement: kept }, removed, changed: removed.length > 0 };
}

/** Pretty JSON (2 spaces), the form renderers diff and show. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A document text pretty-printed when it is JSON, else as it is (an invalid document is shown verbatim). */
export function prettyText(text: string): string {
  try {
    return prettyJson(JSON.parse(text));
  } catch {
    return text;
  }
}

/** Compact JSON, the form sent to AWS. */
export function compactJson(value: unknown): string {
  return JSON.stringify(value);
}

export interface DiffLine {
  op: 'same' | 'add' | 'remove';
  text: string;
}

/**
 * A line diff of two texts (longest common subsequence), for showing before/after documents.
 * null stands for "no document": everything is added or removed.
 */
export function diffLines(before: string | null, after: string | null): DiffLine[] {
  const a = before === null ? [] : before.split('\n');
  const b = after === null ? [] : after.split('\n');
  // Common prefix and suffix first: most document changes append or remove a few statements.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  // lcs[i][j] = length of the LCS of midA[i..] and midB[j..].
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as number[];
    const below = lcs[i + 1] as number[];
    for (let j = m - 1; j >= 0; j--) {
      row[j] = midA[i] === midB[j] ? (below[j + 1] ?? 0) + 1 : Math.max(below[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const middle: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && midA[i] === midB[j]) {
      middle.push({ op: 'same', text: midA[i] as string });
      i++;
      j++;
    } else if (i < n && (j === m || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) {
      middle.push({ op: 'remove', text: midA[i] as string });
      i++;
    } else {
      middle.push({ op: 'add', text: midB[j] as string });
      j++;
    }
  }
  return [
    ...a.slice(0, start).map((text): DiffLine => ({ op: 'same', text })),
    ...middle,
    ...a.slice(endA).map((text): DiffLine => ({ op: 'same', text })),
  ];
}
