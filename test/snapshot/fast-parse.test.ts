import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastParser } from '../../src/snapshot/fast-parse.js';
import { accountSnapshotSchema } from '../../src/snapshot/schema.js';
import { REPO_ROOT } from '../helpers/cli.js';

type Json = unknown;
const load = (path: string): Json => JSON.parse(readFileSync(`${REPO_ROOT}${path}`, 'utf8'));
const bases = [load('fixtures/golden/snapshot.json'), load('fixtures/demo/account.json')];
const fast = fastParser(accountSnapshotSchema);

/** Every path into a JSON value, nodes and leaves alike. */
function paths(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const here = [prefix];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => paths(v, [...prefix, i]))];
  if (value !== null && typeof value === 'object') {
    return [...here, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k]))];
  }
  return here;
}

function mutate(base: Json, path: Array<string | number>, replacement: Json, remove: boolean): Json {
  if (path.length === 0) return replacement;
  const copy = structuredClone(base) as Record<string | number, Json>;
  let node = copy;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object') return copy; // an earlier mutation removed this path
    node = next as Record<string | number, Json>;
  }
  if (node === null || typeof node !== 'object') return copy;
  const last = path[path.length - 1]!;
  if (remove) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = replacement;
  return copy;
}

const anyJson = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '',
    '<redacted>',
    'ok',
    'absent',
    'error',
    'vpc-1',
    'arn:aws:iam::1:role/x',
    '2026-01-01T00:00:00Z',
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);

describe('fastParser agrees with zod', () => {
  it('accepts the valid fixtures with exactly zod output, keys in the same order', () => {
    for (const base of bases) {
      expect(fast(base)).toEqual(accountSnapshotSchema.parse(base));
      expect(JSON.stringify(fast(base))).toBe(JSON.stringify(accountSnapshotSchema.parse(base)));
    }
  });

  it('returns input that is already zod output as it is, and copies (never changes) what zod would change', () => {
    for (const base of bases) expect(fast(base)).toBe(base);
    const [golden] = bases as [Record<string, unknown>];
    // Keys out of the schema's order (zod's output has them in its order): copied where needed.
    const region = (golden.regions as Array<Record<string, unknown>>)[0]!;
    const input = {
      ...golden,
      regions: [Object.fromEntries(Object.entries(region).reverse())],
      iam: Object.fromEntries(Object.entries(golden.iam as Record<string, unknown>).reverse()),
    };
    const before = JSON.stringify(input);
    const output = fast(input) as Record<string, unknown>;
    expect(JSON.stringify(output)).toBe(JSON.stringify(accountSnapshotSchema.parse(input)));
    expect(JSON.stringify(input)).toBe(before);
    expect(output).not.toBe(input);
    expect(output.s3).toBe(golden.s3);
    expect((output.regions as Array<Record<string, unknown>>)[0]?.vpcs).toBe(region.vpcs);
  });

  it('never accepts what zod rejects, and never answers differently from zod (random mutations)', () => {
    const all = bases.map((b) => ({ base: b, paths: paths(b) }));
    fc.assert(
      fc.property(
        fc.nat({ max: all.length - 1 }),
        fc.nat(),
        anyJson,
        fc.boolean(),
        fc.nat({ max: 3 }),
        (which, pick, replacement, remove, extra) => {
          const { base, paths: candidates } = all[which]!;
          let input = mutate(base, candidates[pick % candidates.length]!, replacement, remove);
          // Sometimes a second mutation elsewhere, to mix valid and invalid changes.
          if (extra === 0)
            input = mutate(input, candidates[(pick * 7 + 3) % candidates.length]!, replacement, false);
          const byZod = accountSnapshotSchema.safeParse(input);
          let byFast: unknown;
          try {
            byFast = fast(input);
          } catch {
            byFast = undefined; // a throw is as good as "don't know": load.ts then asks zod
          }
          if (!byZod.success) expect(byFast).toBeUndefined();
          else if (byFast !== undefined) {
            expect(byFast).toEqual(byZod.data);
            expect(JSON.stringify(byFast)).toBe(JSON.stringify(byZod.data));
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
