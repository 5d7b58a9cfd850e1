import type { z } from 'zod';

/**
 * What `schema.safeParse(input)` gives for valid input, without zod's per-value machinery: the
 * snapshot has hundreds of thousands of values, and this checks them several times faster. It is
 * JavaScript generated from the schema's own definition when first asked for, so it follows every
 * change to the schema. It answers only
 * "valid, and here is zod's output" or "don't know": for anything invalid or unusual the caller
 * runs zod itself, which then gives the same answer and zod's wording of the problem.
 *
 * Reuse: where zod's output would be a copy equal to the input (same keys in the same order, the
 * same values), the input itself is returned, and only a container with a difference in it is
 * copied. A snapshot as lvs writes it is then validated without being copied: a copy of a
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

/** The node parsed by zod itself. */
function viaZod(node: Node): Parser {
  return (input) => {
    const result = node.safeParse(input);
    return result.success ? result.data : FAIL;
  };
}

/**
 * What the parser of one node is, as source text. Each container node (object, array, record,
 * union) becomes a function of its own, generated from the schema, so that every property read
 * in it is a named read of a constant key: V8 caches each read site for the one or two shapes the
 * snapshot's objects of that kind have. One generic parser per kind of node, built from closures,
 * shared its read sites among every object of the schema and read each key through a generic
 * lookup: 63-77 ms for 10,000 functions, against 47-49 ms.
 */
interface Emitted {
  /** An expression over the identifier `v`: the node's output, or FAIL. */
  result(v: string): string;
  /**
   * For a node whose valid input is its own output (a string, a number, an enum…): an expression
   * over `v` that is true when the input is valid.
   */
  test?: (v: string) => string;
}

const leaf = (test: (v: string) => string): Emitted => ({
  test,
  result: (v) => `(${test(v)} ? ${v} : FAIL)`,
});
const isIdentifierLike = (key: string) => /^[A-Za-z_$][\w$]*$/.test(key);
/** A JavaScript literal of a string or finite number (JSON's is one). */
const literal = (value: string | number) => JSON.stringify(value);

class Generator {
  /** Values the generated code reads as refs[i]: regular expressions, sets, zod parsers. */
  readonly refs: unknown[] = [];
  readonly functions: string[] = [];
  private readonly emitted = new Map<Node, Emitted>();
  private readonly byBody = new Map<string, string>();

  ref(value: unknown): string {
    this.refs.push(value);
    return `refs[${this.refs.length - 1}]`;
  }

  /**
   * A generated function `pN(input)` with this body; the node's output is a call of it. Equal
   * bodies are one function: the schema makes a node per use of a helper (each fetched read's
   * "absent" and "error" cases, each list of strings), which would otherwise each be compiled.
   */
  private fn(body: string): Emitted {
    let name = this.byBody.get(body);
    if (name === undefined) {
      name = `p${this.functions.length}`;
      this.functions.push(`function ${name}(input) {\n${body}\n}`);
      this.byBody.set(body, name);
    }
    const call = name;
    return { result: (v) => `${call}(${v})` };
  }

  private zod(node: Node): Emitted {
    const parser = this.ref(viaZod(node));
    return { result: (v) => `${parser}(${v})` };
  }

  emit(node: Node): Emitted {
    let found = this.emitted.get(node);
    if (found === undefined) {
      found = this.compile(node);
      this.emitted.set(node, found);
    }
    return found;
  }

  private compile(node: Node): Emitted {
    const def = node._zod.def;
    switch (def.type) {
      case 'string':
        return this.string(node);
      case 'number': {
        if (def.format !== undefined || def.coerce === true) return this.zod(node);
        let safeInt = false;
        for (const check of def.checks ?? []) {
          const c = check._zod.def;
          if (c.check === 'number_format' && c.format === 'safeint') safeInt = true;
          else return this.zod(node);
        }
        return leaf(
          (v) =>
            `typeof ${v} === "number" && ${safeInt ? `Number.isSafeInteger(${v})` : `Number.isFinite(${v})`}`,
        );
      }
      case 'boolean':
        if (def.coerce === true || (def.checks ?? []).length > 0) return this.zod(node);
        return leaf((v) => `typeof ${v} === "boolean"`);
      case 'literal': {
        const values = def.values ?? [];
        if (
          values.length === 0 ||
          !values.every((x) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)))
        )
          return this.zod(node);
        return leaf(
          (v) => `(${values.map((x) => `${v} === ${literal(x as string | number)}`).join(' || ')})`,
        );
      }
      case 'enum': {
        const entries = Object.entries(def.entries ?? {});
        if (entries.length === 0 || !entries.every(([k, x]) => typeof x === 'string' && k === x))
          return this.zod(node);
        const values = this.ref(new Set(entries.map(([, x]) => x)));
        return leaf((v) => `typeof ${v} === "string" && ${values}.has(${v})`);
      }
      case 'nullable':
      case 'optional': {
        if (def.innerType === undefined) return this.zod(node);
        const inner = this.emit(def.innerType);
        const empty = def.type === 'nullable' ? 'null' : 'undefined';
        const test = inner.test;
        if (test !== undefined) return leaf((v) => `(${v} === ${empty} || ${test(v)})`);
        return { result: (v) => `(${v} === ${empty} ? ${empty} : ${inner.result(v)})` };
      }
      case 'array':
        return this.array(node);
      case 'object':
        return this.object(node);
      case 'record':
        return this.record(node);
      case 'union':
        return this.discriminatedUnion(node);
      default:
        return this.zod(node);
    }
  }

  private string(node: Node): Emitted {
    const def = node._zod.def;
    if (def.format !== undefined || def.coerce === true) return this.zod(node);
    const tests: Array<(v: string) => string> = [(v) => `typeof ${v} === "string"`];
    for (const check of def.checks ?? []) {
      const c = check._zod.def;
      if (c.check === 'min_length' && typeof c.minimum === 'number') {
        const minimum = c.minimum;
        tests.push((v) => `${v}.length >= ${minimum}`);
      } else if (c.check === 'string_format' && c.format === 'regex' && c.pattern instanceof RegExp) {
        if (c.pattern.global || c.pattern.sticky) return this.zod(node);
        const pattern = this.ref(c.pattern);
        tests.push((v) => `${pattern}.test(${v})`);
      } else return this.zod(node);
    }
    return leaf((v) => tests.map((t) => t(v)).join(' && '));
  }

  private array(node: Node): Emitted {
    const def = node._zod.def;
    if (def.element === undefined) return this.zod(node);
    let minimum = 0;
    for (const check of def.checks ?? []) {
      const c = check._zod.def;
      if (c.check === 'min_length' && typeof c.minimum === 'number') minimum = Math.max(minimum, c.minimum);
      else return this.zod(node);
    }
    const element = this.emit(def.element);
    // A copy only once an element differs from its input (see reuse, above).
    return this.fn(`  if (!Array.isArray(input) || input.length < ${minimum}) return FAIL;
  let out;
  for (let i = 0; i < input.length; i++) {
    const v = input[i];
    const r = ${element.result('v')};
    if (r === FAIL) return FAIL;
    if (out !== undefined) out[i] = r;
    else if (r !== v) { out = input.slice(0, i); out[i] = r; }
  }
  return out === undefined ? input : out;`);
  }

  private object(node: Node): Emitted {
    const def = node._zod.def;
    if (def.shape === undefined || (def.checks ?? []).length > 0) return this.zod(node);
    // Strict (catchall never): an unknown key is an error; without a catchall, unknown keys are dropped.
    let strict: boolean;
    if (def.catchall === undefined) strict = false;
    else if (def.catchall._zod.def.type === 'never') strict = true;
    else return this.zod(node);
    const fields: Array<{ key: string; optional: boolean; parse: Emitted }> = [];
    for (const [key, field] of Object.entries(def.shape)) {
      // Required (no optin), or optional in and out; anything else (a default…) is left to zod.
      const { optin, optout } = field._zod;
      if (key === '__proto__' || !isIdentifierLike(key)) return this.zod(node);
      if (optin === undefined) fields.push({ key, optional: false, parse: this.emit(field) });
      else if (optin === 'optional' && optout === 'optional')
        fields.push({ key, optional: true, parse: this.emit(field) });
      else return this.zod(node);
    }
    // The input is zod's output itself when its keys are shape keys in the shape's order (nothing to
    // strip or reorder) and every value is its own output (see reuse, above). zod's output has the
    // shape's keys in the shape's order; an absent optional key stays absent, an absent required key
    // is an error.
    const cases = fields
      .map(
        ({ key }, j) => `      case ${literal(key)}: if (next > ${j}) same = false; next = ${j + 1}; break;`,
      )
      .join('\n');
    // A field's value is read once by name. An absent key reads as undefined: a required field then
    // fails its test (only an optional node accepts undefined), and the copy leaves it out.
    const reads = fields
      .map(({ key, optional, parse }, j) => {
        if (parse.test !== undefined)
          return `  const v${j} = input.${key};\n  if (!(${parse.test(`v${j}`)})) return FAIL;`;
        const absent = optional
          ? ''
          : `\n  if (v${j} === undefined && !hasOwn(input, ${literal(key)})) return FAIL;`;
        return `  const v${j} = input.${key};${absent}
  const r${j} = ${parse.result(`v${j}`)};
  if (r${j} === FAIL) return FAIL;
  if (r${j} !== v${j}) same = false;`;
      })
      .join('\n');
    const copy = fields
      .map(({ key, optional, parse }, j) => {
        const value = parse.test !== undefined ? `v${j}` : `r${j}`;
        return optional
          ? `  if (v${j} !== undefined || hasOwn(input, ${literal(key)})) out.${key} = ${value};`
          : `  out.${key} = ${value};`;
      })
      .join('\n');
    return this.fn(`  if (typeof input !== "object" || input === null) return FAIL;
  const proto = getPrototypeOf(input);
  if (proto !== OBJECT_PROTOTYPE && proto !== null) return FAIL;
  let same = true, next = 0;
  for (const key in input) {
    switch (key) {
${cases}
      default: ${strict ? 'return FAIL;' : 'same = false;'}
    }
  }
${reads}
  if (same) return input;
  const out = {};
${copy}
  return out;`);
  }

  private record(node: Node): Emitted {
    const def = node._zod.def;
    if (def.keyType === undefined || def.valueType === undefined || (def.checks ?? []).length > 0)
      return this.zod(node);
    const keyDef = def.keyType._zod.def;
    if (keyDef.type !== 'string' || keyDef.format !== undefined || (keyDef.checks ?? []).length > 0)
      return this.zod(node);
    const value = this.emit(def.valueType);
    // A copy only once a value differs from its input (see reuse, above). Assigning "__proto__"
    // would set a prototype rather than a key: left to zod.
    return this.fn(`  if (typeof input !== "object" || input === null) return FAIL;
  const proto = getPrototypeOf(input);
  if (proto !== OBJECT_PROTOTYPE && proto !== null) return FAIL;
  let out;
  for (const key in input) {
    if (key === "__proto__") return FAIL;
    const v = input[key];
    const r = ${value.result('v')};
    if (r === FAIL) return FAIL;
    if (out !== undefined) out[key] = r;
    else if (r !== v) {
      out = {};
      for (const earlier in input) { if (earlier === key) break; out[earlier] = input[earlier]; }
      out[key] = r;
    }
  }
  return out === undefined ? input : out;`);
  }

  private discriminatedUnion(node: Node): Emitted {
    const def = node._zod.def;
    const discriminator = def.discriminator;
    if (discriminator === undefined || def.options === undefined || !isIdentifierLike(discriminator))
      return this.zod(node);
    const seen = new Set<unknown>();
    const cases: string[] = [];
    for (const option of def.options) {
      const tag = option._zod.def.shape?.[discriminator]?._zod.def;
      if (tag?.type !== 'literal' || tag.values === undefined) return this.zod(node);
      const parse = this.emit(option);
      for (const x of tag.values) {
        if (seen.has(x) || !(typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x))))
          return this.zod(node);
        seen.add(x);
        cases.push(`    case ${literal(x)}: return ${parse.result('input')};`);
      }
    }
    return this.fn(`  if (typeof input !== "object" || input === null) return FAIL;
  const proto = getPrototypeOf(input);
  if (proto !== OBJECT_PROTOTYPE && proto !== null) return FAIL;
  switch (input.${discriminator}) {
${cases.join('\n')}
    default: return FAIL;
  }`);
  }
}

/** A parser with zod's output for valid input, or `undefined` when zod has to decide. */
export function fastParser<T extends z.ZodType>(schema: T): (input: unknown) => z.infer<T> | undefined {
  const generator = new Generator();
  const root = generator.emit(schema);
  const source = `"use strict";\n${generator.functions.join('\n')}\nreturn (v) => ${root.result('v')};`;
  // The source is made from the schema alone (keys written as JSON literals, patterns and sets
  // passed as refs), never from input.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function('FAIL', 'refs', 'hasOwn', 'getPrototypeOf', 'OBJECT_PROTOTYPE', source) as (
    ...args: unknown[]
  ) => Parser;
  const parse = make(FAIL, generator.refs, Object.hasOwn, Object.getPrototypeOf, Object.prototype);
  return (input) => {
    const value = parse(input);
    return value === FAIL ? undefined : (value as z.infer<T>);
  };
}
