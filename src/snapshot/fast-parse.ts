import type { z } from 'zod';

/**
 * What `schema.safeParse(input)` gives for valid input, without zod's per-value machinery: the
 * snapshot has hundreds of thousands of values, and this checks and copies them several times
 * faster. Built by reading the schema's own definition, so it follows every change to it. It
 * answers only "valid, and here is zod's output" or "don't know": for anything invalid or unusual
 * the caller runs zod itself, which then gives the same answer and zod's wording of the problem.
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
  return (input) => {
    if (!Array.isArray(input) || input.length < minimum) return FAIL;
    const out = new Array<unknown>(input.length);
    for (let i = 0; i < input.length; i++) {
      const value = element(input[i]);
      if (value === FAIL) return FAIL;
      out[i] = value;
    }
    return out;
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
    if (strict) for (const key of Object.keys(input)) if (!known.has(key)) return FAIL;
    // zod's output: the shape's keys in the shape's order; an absent optional key stays absent,
    // an absent required key is an error.
    const out: Record<string, unknown> = {};
    for (const { key, optional, parse } of fields) {
      if (!Object.hasOwn(input, key)) {
        if (optional) continue;
        return FAIL;
      }
      const value = parse(input[key]);
      if (value === FAIL) return FAIL;
      out[key] = value;
    }
    return out;
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
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(input)) {
      // Assigning "__proto__" would set a prototype rather than a key: left to zod.
      if (key === '__proto__') return FAIL;
      const parsed = value(input[key]);
      if (parsed === FAIL) return FAIL;
      out[key] = parsed;
    }
    return out;
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
