import type { z } from 'zod';

/**
 * What `schema.safeParse(input)` gives for valid input, without zod's per-value machinery: the
 * snapshot has hundreds of thousands of values, and this checks them several times faster. Built
 * by reading the schema's own definition, so it follows every change to it. It answers only
 * "valid, and here is zod's output" or "don't know": for anything invalid or unusual the caller
 * runs zod itself, which then gives the same answer and zod's wording of the problem.
 *
 * Reuse: where zod's output would be a copy equal to the input (same keys in the same order, the
 * same values), the input itself is returned, and a container is copied only from its first
 * difference. A snapshot as lvs writes it is then validated without being copied: a copy of a
 * large snapshot costs more in garbage collection (every object of it survives) than in copying.
 * The input must not be changed afterwards by whoever passed it (load.ts parses a fresh document).
 *
 * Covered: strings (min length, regular-expression formats), finite numbers (safe integers),
 * booleans, literals, string enums, nullable, optional, arrays (min length), strict and stripping
 * objects, string-keyed records and discriminated unions. Any other node (a datetime format, a
 * transform, a refinement…) is parsed by zod itself where it appears.
 */

/** Returned by a parser for input it does not accept. */
const FAIL: unique symbol = Symbol('fail');
type Parser = (input: unknown) => unknown;

interface CheckDef {
  check: string;
  minimum?: number;
  format?: string;
  pattern?: RegExp;
}

interface Def {
  type: string;
  checks?: Array<{ _zod: { def: CheckDef } }>;
  format?: string;
  coerce?: boolean;
  values?: unknown[];
  entries?: Record<string, unknown>;
  innerType?: Node;
  element?: Node;
  keyType?: Node;
  valueType?: Node;
  shape?: Record<string, Node>;
  catchall?: Node;
  options?: Node[];
  discriminator?: string;
}

interface Node {
  _zod: { def: Def; optin?: string; optout?: string };
  safeParse(input: unknown): { success: boolean; data?: unknown };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/** The node parsed by zod itself. */
function viaZod(node: Node): Parser {
  return (input) => {
    const result = node.safeParse(input);
    return result.success ? result.data : FAIL;
  };
}

/** The string checks as one predicate, or undefined when one of them is not covered. */
function stringChecks(def: Def): ((s: string) => boolean) | undefined {
  const tests: Array<(s: string) => boolean> = [];
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    if (c.check === 'min_length' && typeof c.minimum === 'number') {
      const minimum = c.minimum;
      tests.push((s) => s.length >= minimum);
    } else if (c.check === 'string_format' && c.format === 'regex' && c.pattern instanceof RegExp) {
      const pattern = c.pattern;
      if (pattern.global || pattern.sticky) return undefined;
      tests.push((s) => pattern.test(s));
    } else return undefined;
  }
  return (s) => tests.every((t) => t(s));
}

function compile(node: Node): Parser {
  const def = node._zod.def;
  switch (def.type) {
    case 'string': {
      if (def.format !== undefined || def.coerce === true) return viaZod(node);
      const ok = stringChecks(def);
      if (ok === undefined) return viaZod(node);
      return (input) => (typeof input === 'string' && ok(input) ? input : FAIL);
    }
    case 'number': {
      if (def.format !== undefined || def.coerce === true) return viaZod(node);
      let safeInt = false;
      for (const check of def.checks ?? []) {
        const c = check._zod.def;
        if (c.check === 'number_format' && c.format === 'safeint') safeInt = true;
        else return viaZod(node);
      }
      return (input) =>
        typeof input === 'number' && Number.isFinite(input) && (!safeInt || Number.isSafeInteger(input))
          ? input
          : FAIL;
    }
    case 'boolean':
      if (def.coerce === true || (def.checks ?? []).length > 0) return viaZod(node);
      return (input) => (typeof input === 'boolean' ? input : FAIL);
    case 'literal': {
      const values = def.values ?? [];
      if (!values.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))))
        return viaZod(node);
      return (input) => (values.includes(input) ? input : FAIL);
    }
    case 'enum': {
      const entries = Object.entries(def.entries ?? {});
      if (entries.length === 0 || !entries.every(([k, v]) => typeof v === 'string' && k === v))
        return viaZod(node);
      const values = new Set(entries.map(([, v]) => v));
      return (input) => (typeof input === 'string' && values.has(input) ? input : FAIL);
    }
    case 'nullable': {
      if (def.innerType === undefined) return viaZod(node);
      const inner = compile(def.innerType);
      return (input) => (input === null ? null : inner(input));
    }
    case 'optional': {
      if (def.innerType === undefined) return viaZod(node);
      const inner = compile(def.innerType);
      return (input) => (input === undefined ? undefined : inner(input));
    }
    case 'array':
      return compileArray(node);
    case 'object':
      return compileObject(node);
    case 'record':
      return compileRecord(node);
    case 'union':
      return compileDiscriminatedUnion(node);
    default:
      return viaZod(node);
  }
}

function compileArray(node: Node): Parser {
  const def = node._zod.def;
  if (def.element === undefined) return viaZod(node);
  let minimum = 0;
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    if (c.check === 'min_length' && typeof c.minimum === 'number') minimum = Math.max(minimum, c.minimum);
    else return viaZod(node);
  }
  const element = compile(def.element);
  return (value) => {
    if (!Array.isArray(value) || value.length < minimum) return FAIL;
    const input = value as unknown[];
    // A copy only once an element differs from its input (see reuse, above).
    let out: unknown[] | undefined;
    for (let i = 0; i < input.length; i++) {
      const item = input[i];
      const parsed = element(item);
      if (parsed === FAIL) return FAIL;
      if (out !== undefined) out[i] = parsed;
      else if (parsed !== item) {
        out = input.slice(0, i);
        out[i] = parsed;
      }
    }
    return out ?? input;
  };
}

function compileObject(node: Node): Parser {
  const def = node._zod.def;
  if (def.shape === undefined || (def.checks ?? []).length > 0) return viaZod(node);
  // Strict (catchall never): an unknown key is an error; without a catchall, unknown keys are dropped.
  let strict: boolean;
  if (def.catchall === undefined) strict = false;
  else if (def.catchall._zod.def.type === 'never') strict = true;
  else return viaZod(node);
  const fields: Array<{ key: string; optional: boolean; parse: Parser }> = [];
  for (const [key, field] of Object.entries(def.shape)) {
    // Required (no optin), or optional in and out; anything else (a default…) is left to zod.
    const { optin, optout } = field._zod;
    if (optin === undefined) fields.push({ key, optional: false, parse: compile(field) });
    else if (optin === 'optional' && optout === 'optional')
      fields.push({ key, optional: true, parse: compile(field) });
    else return viaZod(node);
    if (key === '__proto__') return viaZod(node);
  }
  const known = new Set(fields.map((f) => f.key));
  return (input) => {
    if (!isPlainObject(input)) return FAIL;
    // The input is zod's output itself when its keys are shape keys in the shape's order (nothing
    // to strip or reorder) and every value is its own output (see reuse, above).
    const keys = Object.keys(input);
    let reuse = true;
    let at = 0;
    for (const key of keys) {
      if (!known.has(key)) {
        if (strict) return FAIL;
        reuse = false;
        continue;
      }
      while (at < fields.length && (fields[at] as (typeof fields)[number]).key !== key) at++;
      if (at === fields.length) reuse = false;
      else at++;
    }
    // zod's output: the shape's keys in the shape's order; an absent optional key stays absent,
    // an absent required key is an error.
    let out: Record<string, unknown> | undefined = reuse ? undefined : {};
    for (let f = 0; f < fields.length; f++) {
      const { key, optional, parse } = fields[f] as (typeof fields)[number];
      if (!Object.hasOwn(input, key)) {
        if (optional) continue;
        return FAIL;
      }
      const item = input[key];
      const value = parse(item);
      if (value === FAIL) return FAIL;
      if (out === undefined && value !== item) {
        out = {};
        for (let g = 0; g < f; g++) {
          const earlier = (fields[g] as (typeof fields)[number]).key;
          if (Object.hasOwn(input, earlier)) out[earlier] = input[earlier];
        }
      }
      if (out !== undefined) out[key] = value;
    }
    return out ?? input;
  };
}

function compileRecord(node: Node): Parser {
  const def = node._zod.def;
  if (def.keyType === undefined || def.valueType === undefined || (def.checks ?? []).length > 0)
    return viaZod(node);
  const keyDef = def.keyType._zod.def;
  if (keyDef.type !== 'string' || keyDef.format !== undefined || (keyDef.checks ?? []).length > 0)
    return viaZod(node);
  const value = compile(def.valueType);
  return (input) => {
    if (!isPlainObject(input)) return FAIL;
    // A copy only once a value differs from its input (see reuse, above).
    let out: Record<string, unknown> | undefined;
    const keys = Object.keys(input);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      // Assigning "__proto__" would set a prototype rather than a key: left to zod.
      if (key === '__proto__') return FAIL;
      const item = input[key];
      const parsed = value(item);
      if (parsed === FAIL) return FAIL;
      if (out !== undefined) out[key] = parsed;
      else if (parsed !== item) {
        out = {};
        for (let j = 0; j < i; j++) out[keys[j] as string] = input[keys[j] as string];
        out[key] = parsed;
      }
    }
    return out ?? input;
  };
}

function compileDiscriminatedUnion(node: Node): Parser {
  const def = node._zod.def;
  const discriminator = def.discriminator;
  if (discriminator === undefined || def.options === undefined) return viaZod(node);
  const byValue = new Map<unknown, Parser>();
  for (const option of def.options) {
    const tag = option._zod.def.shape?.[discriminator]?._zod.def;
    if (tag?.type !== 'literal' || tag.values === undefined) return viaZod(node);
    for (const v of tag.values) {
      if (byValue.has(v)) return viaZod(node);
      byValue.set(v, compile(option));
    }
  }
  return (input) => {
    if (!isPlainObject(input)) return FAIL;
    const parse = byValue.get(input[discriminator]);
    return parse === undefined ? FAIL : parse(input);
  };
}

/** A parser with zod's output for valid input, or `undefined` when zod has to decide. */
export function fastParser<T extends z.ZodType>(schema: T): (input: unknown) => z.infer<T> | undefined {
  const parse = compile(schema);
  return (input) => {
    const value = parse(input);
    return value === FAIL ? undefined : (value as z.infer<T>);
  };
}
