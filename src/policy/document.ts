import * as z from 'zod';

/**
 * Policy documents as lvs reasons about them: every "string or array" field is an array, Principal
 * is normalized, and conditions are flattened to (operator, key, values). Parsing never throws: an
 * unparseable document is a value the rules report on.
 */

const stringOrArray = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]));
const principalSchema = z.union([z.literal('*'), z.record(z.string(), stringOrArray)]);
const conditionValue = z
  .union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))])
  .transform((v) => (Array.isArray(v) ? v : [v]).map(String));

const statementSchema = z.object({
  Sid: z.string().optional(),
  Effect: z.enum(['Allow', 'Deny']),
  Principal: principalSchema.optional(),
  NotPrincipal: principalSchema.optional(),
  Action: stringOrArray.optional(),
  NotAction: stringOrArray.optional(),
  Resource: stringOrArray.optional(),
  NotResource: stringOrArray.optional(),
  Condition: z.record(z.string(), z.record(z.string(), conditionValue)).optional(),
});

const documentSchema = z.object({
  Version: z.string().optional(),
  Id: z.string().optional(),
  Statement: z.union([statementSchema, z.array(statementSchema)]),
});

export interface Principals {
  /** Principal "*" or {"AWS": "*"}: anyone. */
  any: boolean;
  aws: string[];
  service: string[];
  federated: string[];
  canonicalUser: string[];
}

export interface ConditionClause {
  /** As written, e.g. "StringNotEqualsIfExists" or "ForAnyValue:StringLike". */
  operator: string;
  /** As written; compare case-insensitively (condition keys are case-insensitive). */
  key: string;
  values: string[];
}

export interface PolicyStatement {
  index: number;
  sid: string | undefined;
  effect: 'Allow' | 'Deny';
  principal: Principals | undefined;
  notPrincipal: Principals | undefined;
  actions: string[] | undefined;
  notActions: string[] | undefined;
  resources: string[] | undefined;
  notResources: string[] | undefined;
  conditions: ConditionClause[];
  /** The statement as written, for diffs and merges. */
  raw: Record<string, unknown>;
}

export interface PolicyDocument {
  version: string | undefined;
  statements: PolicyStatement[];
}

export type ParsedPolicy = { ok: true; document: PolicyDocument } | { ok: false; problem: string };

function normalizePrincipal(p: z.infer<typeof principalSchema> | undefined): Principals | undefined {
  if (p === undefined) return undefined;
  if (p === '*') return { any: true, aws: ['*'], service: [], federated: [], canonicalUser: [] };
  const aws = p.AWS ?? [];
  return {
    any: aws.includes('*'),
    aws,
    service: p.Service ?? [],
    federated: p.Federated ?? [],
    canonicalUser: p.CanonicalUser ?? [],
  };
}

type DocumentData = z.infer<typeof documentSchema>;
type StatementData = z.infer<typeof statementSchema>;
type PrincipalData = z.infer<typeof principalSchema>;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string, or an array of strings, as stringOrArray gives it; undefined when it is neither. */
function fastStringOrArray(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return undefined;
  for (const item of v) if (typeof item !== 'string') return undefined;
  return (v as string[]).slice();
}

/** Keys that a record would not copy as plain data; left to zod. */
const hasOddKey = (o: object) => Object.hasOwn(o, '__proto__');

function fastPrincipal(v: unknown): PrincipalData | undefined {
  if (v === '*') return '*';
  if (!isPlainObject(v) || hasOddKey(v)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(v)) {
    const list = fastStringOrArray(value);
    if (list === undefined) return undefined;
    out[key] = list;
  }
  return out;
}

function fastCondition(v: unknown): StatementData['Condition'] {
  if (!isPlainObject(v) || hasOddKey(v)) return undefined;
  const out: Record<string, Record<string, string[]>> = {};
  for (const [operator, byKey] of Object.entries(v)) {
    if (!isPlainObject(byKey) || hasOddKey(byKey)) return undefined;
    const keys: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(byKey)) {
      const list = Array.isArray(value) ? (value as unknown[]) : [value];
      const strings: string[] = [];
      for (const item of list) {
        const type = typeof item;
        if (type !== 'string' && type !== 'number' && type !== 'boolean') return undefined;
        strings.push(String(item));
      }
      keys[key] = strings;
    }
    out[operator] = keys;
  }
  return out;
}

function fastStatement(v: unknown): StatementData | undefined {
  if (!isPlainObject(v)) return undefined;
  const { Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition } = v;
  if (Sid !== undefined && typeof Sid !== 'string') return undefined;
  if (Effect !== 'Allow' && Effect !== 'Deny') return undefined;
  const out: StatementData = { Effect };
  if (Sid !== undefined) out.Sid = Sid;
  if (Principal !== undefined) {
    const p = fastPrincipal(Principal);
    if (p === undefined) return undefined;
    out.Principal = p;
  }
  if (NotPrincipal !== undefined) {
    const p = fastPrincipal(NotPrincipal);
    if (p === undefined) return undefined;
    out.NotPrincipal = p;
  }
  const lists = { Action, NotAction, Resource, NotResource };
  for (const key of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
    const value = lists[key];
    if (value === undefined) continue;
    const list = fastStringOrArray(value);
    if (list === undefined) return undefined;
    out[key] = list;
  }
  if (Condition !== undefined) {
    const c = fastCondition(Condition);
    if (c === undefined) return undefined;
    out.Condition = c;
  }
  return out;
}

/**
 * What documentSchema.parse gives for a well-formed document, without zod (policies are parsed by
 * the thousand); undefined for anything unusual, which then goes through zod for the same answer
 * and zod's wording of the problem.
 */
function fastDocument(json: unknown): DocumentData | undefined {
  if (!isPlainObject(json)) return undefined;
  const { Version, Id, Statement } = json;
  if (Version !== undefined && typeof Version !== 'string') return undefined;
  if (Id !== undefined && typeof Id !== 'string') return undefined;
  let statements: DocumentData['Statement'];
  if (Array.isArray(Statement)) {
    const list: StatementData[] = [];
    for (const item of Statement) {
      const statement = fastStatement(item);
      if (statement === undefined) return undefined;
      list.push(statement);
    }
    statements = list;
  } else {
    const statement = fastStatement(Statement);
    if (statement === undefined) return undefined;
    statements = statement;
  }
  const out: DocumentData = { Statement: statements };
  if (Version !== undefined) out.Version = Version;
  if (Id !== undefined) out.Id = Id;
  return out;
}

export function parsePolicy(text: string): ParsedPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not valid JSON (${(error as Error).message})` };
  }
  const fast = fastDocument(json);
  const parsed = fast !== undefined ? { success: true as const, data: fast } : documentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      problem: `not a policy document (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''})`,
    };
  }
  const rawStatements = (json as { Statement: unknown }).Statement;
  const rawList = (Array.isArray(rawStatements) ? rawStatements : [rawStatements]) as Record<
    string,
    unknown
  >[];
  const list = Array.isArray(parsed.data.Statement) ? parsed.data.Statement : [parsed.data.Statement];
  const statements = list.map((s, index): PolicyStatement => ({
    index,
    sid: s.Sid,
    effect: s.Effect,
    principal: normalizePrincipal(s.Principal),
    notPrincipal: normalizePrincipal(s.NotPrincipal),
    actions: s.Action,
    notActions: s.NotAction,
    resources: s.Resource,
    notResources: s.NotResource,
    conditions: Object.entries(s.Condition ?? {}).flatMap(([operator, byKey]) =>
      Object.entries(byKey).map(([key, values]) => ({ operator, key, values })),
    ),
    raw: rawList[index] ?? {},
  }));
  return { ok: true, document: { version: parsed.data.Version, statements } };
}

/** Conditions on `key` (case-insensitive), whatever the operator. */
export function conditionsOn(statement: PolicyStatement, key: string): ConditionClause[] {
  const wanted = key.toLowerCase();
  return statement.conditions.filter((c) => c.key.toLowerCase() === wanted);
}

/** "StringNotEqualsIfExists" -> "stringnotequals"; drops set qualifiers and IfExists for comparisons. */
export function baseOperator(operator: string): string {
  return operator
    .replace(/^(ForAnyValue|ForAllValues):/i, '')
    .replace(/IfExists$/i, '')
    .toLowerCase();
}

/** A short human label of a statement for evidence: its Sid or its position. */
export function statementLabel(statement: PolicyStatement): string {
  return statement.sid !== undefined && statement.sid !== ''
    ? `Sid "${statement.sid}"`
    : `Statement[${statement.index}]`;
}
