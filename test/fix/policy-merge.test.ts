import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  diffLines,
  mergeStatements,
  newPolicy,
  prettyJson,
  readPolicy,
  removeStatementsBySid,
  sameStatement,
  statementKey,
  type JsonObject,
  type PolicyJson,
} from '../../src/fix/policy-merge.js';
import { parsePolicy } from '../../src/policy/document.js';

const sid = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,7}$/);
const action = fc.constantFrom(
  's3:GetObject',
  's3:PutObject',
  's3:*',
  'kms:Decrypt',
  '*',
  'lambda:InvokeFunction',
);
const resource = fc.constantFrom(
  '*',
  'arn:aws:s3:::b',
  'arn:aws:s3:::b/*',
  'arn:aws:s3:::c/*',
  'arn:aws:kms:eu-west-1:1:key/k',
);
const oneOrMany = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof(arb, fc.uniqueArray(arb, { minLength: 1, maxLength: 3 }));
const condition = fc.option(
  fc.record({
    StringNotEquals: fc.record({
      'aws:SourceVpce': oneOrMany(fc.constantFrom('vpce-1', 'vpce-2', 'vpce-3')),
    }),
  }),
  { nil: undefined },
);
const statementArb: fc.Arbitrary<JsonObject> = fc
  .record({
    Sid: fc.option(sid, { nil: undefined }),
    Effect: fc.constantFrom('Allow', 'Deny'),
    Principal: fc.option(fc.constantFrom('*', { AWS: '*' }, { Service: 'lambda.amazonaws.com' }), {
      nil: undefined,
    }),
    Action: oneOrMany(action),
    Resource: oneOrMany(resource),
    Condition: condition,
  })
  .map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)));
const policyArb: fc.Arbitrary<PolicyJson> = fc
  .array(statementArb, { maxLength: 6 })
  .map((statements) => ({ Version: '2012-10-17', Statement: statements }));

const keys = (policy: PolicyJson) => policy.Statement.map(statementKey).sort();
const sids = (policy: PolicyJson) => policy.Statement.map((s) => s.Sid).filter((s) => s !== undefined);

describe('mergeStatements (property)', () => {
  it('keeps every original statement, unaltered and in place', () => {
    fc.assert(
      fc.property(policyArb, fc.array(statementArb, { maxLength: 4 }), (policy, additions) => {
        const original = structuredClone(policy);
        const merged = mergeStatements(policy, additions).policy;
        expect(merged.Statement.slice(0, original.Statement.length)).toEqual(original.Statement);
        expect(policy).toEqual(original); // the input is not modified
      }),
    );
  });

  it('is idempotent: merging the same additions twice equals merging them once', () => {
    fc.assert(
      fc.property(policyArb, fc.array(statementArb, { maxLength: 4 }), (policy, additions) => {
        const once = mergeStatements(policy, additions);
        const twice = mergeStatements(once.policy, additions);
        expect(twice.changed).toBe(false);
        expect(twice.policy).toEqual(once.policy);
      }),
    );
  });

  it('adds each addition that was not there, and nothing else', () => {
    fc.assert(
      fc.property(policyArb, fc.array(statementArb, { maxLength: 4 }), (policy, additions) => {
        const merged = mergeStatements(policy, additions).policy;
        for (const a of additions) expect(merged.Statement.some((s) => sameStatement(s, a))).toBe(true);
        const expected = new Set([...policy.Statement, ...additions].map(statementKey));
        expect(new Set(merged.Statement.map(statementKey))).toEqual(expected);
      }),
    );
  });

  it('gives every added statement a Sid no other statement uses', () => {
    fc.assert(
      fc.property(policyArb, fc.array(statementArb, { maxLength: 4 }), (policy, additions) => {
        const before = new Set(sids(policy));
        const result = mergeStatements(policy, additions);
        for (const added of result.added) {
          if (added.Sid === undefined) continue;
          expect(before.has(added.Sid as string)).toBe(false);
        }
        const addedSids = result.added.map((s) => s.Sid).filter((s) => s !== undefined);
        expect(new Set(addedSids).size).toBe(addedSids.length);
      }),
    );
  });

  it('does not depend on the order of independent additions (same statement set)', () => {
    fc.assert(
      fc.property(policyArb, statementArb, statementArb, (policy, a, b) => {
        const ab = mergeStatements(mergeStatements(policy, [a]).policy, [b]).policy;
        const ba = mergeStatements(mergeStatements(policy, [b]).policy, [a]).policy;
        expect(keys(ab)).toEqual(keys(ba));
      }),
    );
  });

  it('with distinct new Sids, the statements themselves (Sids included) are the same in either order', () => {
    fc.assert(
      fc.property(policyArb, statementArb, statementArb, (policy, a, b) => {
        const used = new Set(sids(policy));
        fc.pre(typeof a.Sid === 'string' && typeof b.Sid === 'string' && a.Sid !== b.Sid);
        fc.pre(!used.has(a.Sid) && !used.has(b.Sid));
        const canonical = (p: PolicyJson) =>
          p.Statement.map((s) => JSON.stringify([s.Sid, statementKey(s)])).sort();
        const ab = mergeStatements(mergeStatements(policy, [a]).policy, [b]).policy;
        const ba = mergeStatements(mergeStatements(policy, [b]).policy, [a]).policy;
        expect(canonical(ab)).toEqual(canonical(ba));
      }),
    );
  });

  it('writes documents the policy parser reads back with every statement', () => {
    fc.assert(
      fc.property(policyArb, fc.array(statementArb, { maxLength: 3 }), (policy, additions) => {
        const merged = mergeStatements(policy, additions).policy;
        const parsed = parsePolicy(JSON.stringify(merged));
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(parsed.document.statements).toHaveLength(merged.Statement.length);
      }),
    );
  });
});

describe('mergeStatements (examples)', () => {
  const pin = { Sid: 'Pin', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' };

  it('renames a colliding Sid deterministically and keeps the original', () => {
    const policy = newPolicy([{ Sid: 'Pin', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]);
    const result = mergeStatements(policy, [pin]);
    expect(result.policy.Statement.map((s) => s.Sid)).toEqual(['Pin', 'Pin2']);
    expect(mergeStatements(result.policy, [{ ...pin, Sid: 'Pin' }]).changed).toBe(false);
    const third = mergeStatements(result.policy, [{ ...pin, Sid: 'Pin', Resource: 'arn:aws:s3:::c/*' }]);
    expect(third.added[0]?.Sid).toBe('Pin3');
  });

  it('treats "x" and ["x"], and the order of values, as the same statement', () => {
    const policy = newPolicy([
      { Effect: 'Deny', Principal: '*', Action: ['s3:*'], Resource: ['arn:aws:s3:::b/*'], Sid: 'Other' },
    ]);
    expect(mergeStatements(policy, [pin]).changed).toBe(false);
    const a = {
      Effect: 'Allow',
      Action: ['a:B', 'a:C'],
      Resource: '*',
      Condition: { StringEquals: { k: ['1', '2'] } },
    };
    const b = {
      Effect: 'Allow',
      Action: ['a:C', 'a:B'],
      Resource: ['*'],
      Condition: { StringEquals: { k: ['2', '1'] } },
    };
    expect(sameStatement(a, b)).toBe(true);
    expect(sameStatement(a, { ...b, Effect: 'Deny' })).toBe(false);
  });

  it('creates a versioned document when there was none', () => {
    const result = mergeStatements(undefined, [pin]);
    expect(result.policy).toEqual({ Version: '2012-10-17', Statement: [pin] });
  });

  it('keeps a single-statement object document and its other top-level fields', () => {
    const read = readPolicy(
      '{"Version":"2008-10-17","Id":"x","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}',
    );
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    const merged = mergeStatements(read.policy, [pin]).policy;
    expect(merged.Version).toBe('2008-10-17');
    expect(merged.Id).toBe('x');
    expect(merged.Statement).toHaveLength(2);
  });

  it('reports documents it cannot merge instead of throwing', () => {
    expect(readPolicy('{"Statement":[').ok).toBe(false);
    expect(readPolicy('[]').ok).toBe(false);
    expect(readPolicy('{"Version":"2012-10-17"}').ok).toBe(false);
    expect(readPolicy('{"Statement":["x"]}').ok).toBe(false);
  });
});

describe('removeStatementsBySid', () => {
  it('removes exactly the named statements', () => {
    fc.assert(
      fc.property(policyArb, fc.array(sid, { maxLength: 3 }), (policy, names) => {
        const result = removeStatementsBySid(policy, names);
        const expected = policy.Statement.filter(
          (s) => !(typeof s.Sid === 'string' && names.includes(s.Sid)),
        );
        expect(result.policy.Statement).toEqual(expected);
        expect(result.removed.length + expected.length).toBe(policy.Statement.length);
      }),
    );
  });
});

describe('diffLines', () => {
  it('reconstructs both texts', () => {
    const lines = fc.array(fc.constantFrom('a', 'b', 'c', '{', '}', '  "x": 1'), { maxLength: 20 });
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const diff = diffLines(a.join('\n'), b.join('\n'));
        expect(diff.filter((l) => l.op !== 'add').map((l) => l.text)).toEqual(a.join('\n').split('\n'));
        expect(diff.filter((l) => l.op !== 'remove').map((l) => l.text)).toEqual(b.join('\n').split('\n'));
      }),
    );
  });

  it('shows an appended statement as added lines only', () => {
    const before = prettyJson(newPolicy([{ Effect: 'Allow', Action: 'a:B', Resource: '*' }]));
    const after = prettyJson(
      newPolicy([
        { Effect: 'Allow', Action: 'a:B', Resource: '*' },
        { Effect: 'Deny', Action: 'a:C', Resource: '*' },
      ]),
    );
    const diff = diffLines(before, after);
    expect(diff.filter((l) => l.op === 'remove')).toEqual([]);
    expect(diff.filter((l) => l.op === 'add').map((l) => l.text.trim())).toContain('"Action": "a:C",');
  });

  it('treats null as no document', () => {
    expect(diffLines(null, 'x')).toEqual([{ op: 'add', text: 'x' }]);
    expect(diffLines('x', null)).toEqual([{ op: 'remove', text: 'x' }]);
  });
});
