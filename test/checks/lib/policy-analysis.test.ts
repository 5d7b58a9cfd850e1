import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import pinnedCheck from '../../../src/checks/lvs007-bucket-policy-pinned-to-endpoint.js';
import leastPrivilegeCheck from '../../../src/checks/lvs008-role-least-privilege.js';
import notPublicCheck from '../../../src/checks/lvs011-function-not-public.js';
import {
  actionsOf,
  allowsAnyone,
  coversAction,
  coversAllUnder,
  coversResource,
  describeStatement,
  isEveryActionPattern,
  isPositiveRestriction,
  isPrincipalExemption,
  isServiceWidePattern,
  mayCoverUnder,
  mayMatchPrefix,
} from '../../../src/checks/lib/policy-analysis.js';
import { parsePolicy, type PolicyStatement } from '../../../src/policy/document.js';
import { matchesWildcard } from '../../../src/policy/wildcard.js';
import type { AccountSnapshot } from '../../../src/snapshot/schema.js';
import { runCheck } from '../../helpers/check-tester.js';
import { G, golden, goldenFunction, iamCatalog, okValue } from '../../helpers/golden.js';

/** One statement, parsed the way the rules see it. */
function statementOf(raw: Record<string, unknown>): PolicyStatement {
  const parsed = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [raw] }));
  if (!parsed.ok) throw new Error(parsed.problem);
  const statement = parsed.document.statements[0];
  if (!statement) throw new Error('no statement');
  return statement;
}
const clause = (operator: string, key: string, ...values: string[]) => ({ operator, key, values });

describe('principals', () => {
  it.each([
    [{ Principal: '*' }, true],
    [{ Principal: { AWS: '*' } }, true],
    [{ Principal: { AWS: ['arn:aws:iam::1:root', '*'] } }, true],
    [{ NotPrincipal: { AWS: 'arn:aws:iam::1:root' } }, true],
    [{ Principal: { AWS: 'arn:aws:iam::1:root' } }, false],
    [{ Principal: { Service: 'lambda.amazonaws.com' } }, false],
  ])('allowsAnyone(%j) is %s', (principal, expected) => {
    expect(allowsAnyone(statementOf({ Effect: 'Allow', Action: '*', Resource: '*', ...principal }))).toBe(
      expected,
    );
  });
});

describe('actions', () => {
  it('matches Action patterns case-insensitively and NotAction as a complement', () => {
    expect(
      coversAction(statementOf({ Effect: 'Allow', Action: 'S3:get*', Resource: '*' }), 's3:GetObject'),
    ).toBe(true);
    expect(
      coversAction(statementOf({ Effect: 'Allow', Action: 's3:Put*', Resource: '*' }), 's3:GetObject'),
    ).toBe(false);
    expect(
      coversAction(statementOf({ Effect: 'Allow', NotAction: 's3:Put*', Resource: '*' }), 's3:GetObject'),
    ).toBe(true);
    expect(
      coversAction(statementOf({ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }), 's3:GetObject'),
    ).toBe(false);
  });

  it('expands with the IAM action catalog', async () => {
    const catalog = await iamCatalog();
    const put = actionsOf(
      statementOf({ Effect: 'Allow', Action: ['iam:Put*', 'iam:PutRolePolicy'], Resource: '*' }),
      catalog,
    ).map((i) => i.action);
    expect(put).toContain('iam:PutRolePolicy');
    expect(new Set(put).size).toBe(put.length);
    const notIam = actionsOf(statementOf({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }), catalog);
    expect(notIam.some((i) => i.service === 'iam')).toBe(false);
    expect(notIam.some((i) => i.action === 's3:GetObject')).toBe(true);
  });

  it('classifies wildcard patterns', () => {
    expect(['*', '*:*', '**'].every(isEveryActionPattern)).toBe(true);
    expect(['s3:*', 'iam:*', 'IAM:**'].every(isServiceWidePattern)).toBe(true);
    expect(['s3:Get*', '*', 's3:GetObject'].some(isServiceWidePattern)).toBe(false);
  });

  it('property: every catalogued action is covered by any wildcard generalisation of its name (colon kept)', async () => {
    const catalog = await iamCatalog();
    const actions = catalog.expand('s3:*').map((i) => i.action);
    fc.assert(
      fc.property(fc.constantFrom(...actions), fc.array(fc.nat(), { maxLength: 4 }), (action, positions) => {
        const chars = action.split('');
        for (const p of positions) {
          const at = p % chars.length;
          if (chars[at] !== ':') chars[at] = p % 2 === 0 ? '*' : '?';
        }
        const pattern = chars.join('');
        const statement = statementOf({ Effect: 'Allow', Action: pattern, Resource: '*' });
        expect(coversAction(statement, action)).toBe(true);
        // coversAction and the catalog expansion agree on every s3 action.
        const expanded = new Set(actionsOf(statement, catalog).map((i) => i.action));
        for (const other of actions) expect(expanded.has(other)).toBe(coversAction(statement, other));
      }),
      { numRuns: 60 },
    );
  });
});

describe('resources', () => {
  const prefix = 'arn:aws:s3:::b/';
  it.each([
    [{ Resource: 'arn:aws:s3:::b/*' }, true],
    [{ Resource: 'arn:aws:s3:::*' }, true],
    [{ Resource: '*' }, true],
    [{ Resource: 'arn:aws:s3:::b/logs/*' }, false],
    [{ Resource: 'arn:aws:s3:::b' }, false],
    [{ Resource: 'arn:aws:s3:::b/?' }, false],
    [{ NotResource: 'arn:aws:s3:::other/*' }, true],
    [{ NotResource: 'arn:aws:s3:::b/private/*' }, false],
    [{ NotResource: 'arn:aws:s3:::*' }, false],
  ])('coversAllUnder(%j) is %s', (resource, expected) => {
    expect(
      coversAllUnder(statementOf({ Effect: 'Deny', Principal: '*', Action: '*', ...resource }), prefix),
    ).toBe(expected);
  });

  it('a pattern that matches probes under the prefix but not every name there does not cover it', () => {
    // fast-check's counterexample: "*a??" matches "aa*" and "aa<probe name>", not "aa:aa".
    const statement = statementOf({ Effect: 'Deny', Principal: '*', Action: '*', Resource: ['*a??'] });
    expect(coversResource(statement, 'aa:aa')).toBe(false);
    expect(coversAllUnder(statement, 'aa')).toBe(false);
  });

  it('mayCoverUnder is conservative for NotResource and exact for literal ARNs', () => {
    expect(
      mayCoverUnder(statementOf({ Effect: 'Allow', Action: '*', NotResource: 'x' }), 'arn:aws:iam::'),
    ).toBe(true);
    expect(
      mayCoverUnder(
        statementOf({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b' }),
        'arn:aws:iam::',
      ),
    ).toBe(false);
    expect(
      mayCoverUnder(statementOf({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:*' }), 'arn:aws:iam::'),
    ).toBe(true);
  });

  const segment = fc.string({ unit: fc.constantFrom('a', 'b', '/', ':'), minLength: 1, maxLength: 6 });
  const pattern = fc.string({ unit: fc.constantFrom('a', 'b', '/', ':', '*', '?'), maxLength: 8 });

  it('property: mayMatchPrefix never misses a string the pattern matches', () => {
    fc.assert(
      fc.property(pattern, segment, segment, (p, pre, rest) => {
        if (matchesWildcard(p, pre + rest)) expect(mayMatchPrefix(p, pre)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('property: a statement that covers everything under a prefix covers each ARN under it', () => {
    fc.assert(
      fc.property(
        fc.array(pattern, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        segment,
        segment,
        (patterns, not, pre, rest) => {
          const statement = statementOf({
            Effect: 'Deny',
            Principal: '*',
            Action: '*',
            [not ? 'NotResource' : 'Resource']: patterns,
          });
          if (coversAllUnder(statement, pre)) expect(coversResource(statement, pre + rest)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('conditions', () => {
  it.each([
    [clause('ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam::1:role/breakglass'), true],
    [clause('StringNotEqualsIfExists', 'AWS:PrincipalAccount', '1'), true],
    [clause('StringNotLike', 'aws:PrincipalTag/team', 'ops'), true],
    [clause('Bool', 'aws:PrincipalIsAWSService', 'false'), true],
    [clause('ForAnyValue:StringNotEquals', 'aws:CalledVia', 'athena.amazonaws.com'), true],
    [clause('Null', 'aws:PrincipalTag/exempt', 'true'), true],
    [clause('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::1:role/x'), false],
    [clause('Bool', 'aws:PrincipalIsAWSService', 'true'), false],
    [clause('Bool', 'aws:SecureTransport', 'false'), false],
    [clause('StringNotEquals', 'aws:SourceVpc', 'vpc-1'), false],
  ])('isPrincipalExemption(%j) is %s', (c, expected) => {
    expect(isPrincipalExemption(c)).toBe(expected);
  });

  it.each([
    [clause('StringEquals', 'aws:SourceAccount', '1'), true],
    [clause('ArnLike', 'aws:SourceArn', 'arn:aws:s3:::b'), true],
    [clause('ForAnyValue:StringEquals', 'aws:PrincipalOrgID', 'o-1'), true],
    [clause('ArnLikeIfExists', 'aws:SourceArn', 'arn:aws:s3:::b'), false],
    [clause('ForAllValues:StringEquals', 'aws:PrincipalOrgID', 'o-1'), false],
    [clause('StringLike', 'aws:SourceAccount', '*'), false],
    [clause('StringNotEquals', 'aws:SourceAccount', '1'), false],
  ])('isPositiveRestriction(%j) is %s', (c, expected) => {
    expect(isPositiveRestriction(c)).toBe(expected);
  });

  it('describes a statement in one line', () => {
    const text = describeStatement(
      statementOf({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: 'arn:aws:s3:::b/*',
        Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } },
      }),
    );
    expect(text).toBe('Deny Principal * s3:* on arn:aws:s3:::b/* when StringNotEquals aws:SourceVpce vpce-1');
  });
});

// ---------------------------------------------------------------------------------------------
// Invariants of the rules built on these helpers.

const BUCKET_ARN = `arn:aws:s3:::${G.bucket}`;
/** Statements a bucket policy might hold: pins, near-pins, allows and unrelated denies. */
const BUCKET_STATEMENTS = [
  {
    Sid: 'Pin',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: `${BUCKET_ARN}/*`,
    Condition: { StringNotEquals: { 'aws:SourceVpce': G.endpointId } },
  },
  {
    Sid: 'Other',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: `${BUCKET_ARN}/*`,
    Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-0fff' } },
  },
  {
    Sid: 'Vpc',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: `${BUCKET_ARN}/*`,
    Condition: { StringNotEquals: { 'aws:SourceVpc': G.vpcId } },
  },
  {
    Sid: 'Tls',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: `${BUCKET_ARN}/*`,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  },
  {
    Sid: 'Cond',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: `${BUCKET_ARN}/*`,
    Condition: {
      StringNotEquals: { 'aws:SourceVpce': G.endpointId },
      Bool: { 'aws:SecureTransport': 'false' },
    },
  },
  {
    Sid: 'AllowVpce',
    Effect: 'Allow',
    Principal: '*',
    Action: 's3:GetObject',
    Resource: `${BUCKET_ARN}/*`,
    Condition: { StringEquals: { 'aws:SourceVpce': G.endpointId } },
  },
  {
    Sid: 'Reader',
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::111122223333:role/reader' },
    Action: 's3:GetObject',
    Resource: `${BUCKET_ARN}/*`,
  },
];
/** Allow statements that are unrelated to pinning (they grant, they do not deny). */
const UNRELATED_ALLOWS = [
  {
    Sid: 'Reader',
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::111122223333:role/reader' },
    Action: 's3:GetObject',
    Resource: `${BUCKET_ARN}/*`,
  },
  { Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' },
  {
    Sid: 'Logs',
    Effect: 'Allow',
    Principal: { Service: 'logging.s3.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: `${BUCKET_ARN}/logs/*`,
  },
];

const withBucketPolicy = (statements: unknown[]) =>
  golden((s: AccountSnapshot) => {
    const bucket = s.s3.buckets[G.bucket];
    if (!bucket) throw new Error('bucket missing');
    bucket.policy = { status: 'ok', value: JSON.stringify({ Version: '2012-10-17', Statement: statements }) };
  });
const verdict = async (check: Parameters<typeof runCheck>[0], snapshot: AccountSnapshot) =>
  (await runCheck(check, snapshot)).map((r) => `${r.resourceArn} ${r.status} ${r.reasonId} ${r.severity}`);

describe('rule invariants (property tests)', () => {
  const subsetInSomeOrder = fc
    .subarray(BUCKET_STATEMENTS, { minLength: 1 })
    .chain((statements) =>
      fc.tuple(fc.constant(statements), fc.shuffledSubarray(statements, { minLength: statements.length })),
    );

  it('LVS007: the order of bucket-policy statements never changes the verdict', async () => {
    await fc.assert(
      fc.asyncProperty(subsetInSomeOrder, async ([statements, shuffled]) => {
        expect(await verdict(pinnedCheck, withBucketPolicy(shuffled))).toEqual(
          await verdict(pinnedCheck, withBucketPolicy(statements)),
        );
      }),
      { numRuns: 40 },
    );
  });

  it('LVS007: adding an unrelated Allow never turns a pinned bucket into an unpinned one', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Always with the pin, so that the interesting case (pinned before) comes up often.
        fc
          .subarray(BUCKET_STATEMENTS)
          .map((s) => (s.some((x) => x.Sid === 'Pin') ? s : [BUCKET_STATEMENTS[0], ...s])),
        fc.subarray(UNRELATED_ALLOWS, { minLength: 1 }),
        fc.nat(),
        async (statements, allows, at) => {
          const before = await runCheck(pinnedCheck, withBucketPolicy(statements));
          if (!before.every((r) => r.reasonId === 'pinned')) return;
          const mixed: unknown[] = [...statements];
          mixed.splice(at % (mixed.length + 1), 0, ...allows);
          const after = await runCheck(pinnedCheck, withBucketPolicy(mixed));
          expect(after.map((r) => r.reasonId)).toEqual(before.map((r) => r.reasonId));
        },
      ),
      { numRuns: 40 },
    );
  });

  const IDENTITY_STATEMENTS = [
    { Effect: 'Allow', Action: 's3:PutObject', Resource: `${BUCKET_ARN}/scores/*` },
    { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' },
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
    { Effect: 'Allow', Action: 'dynamodb:*', Resource: 'arn:aws:dynamodb:eu-west-1:111122223333:table/t' },
    { Effect: 'Allow', Action: 'lambda:UpdateFunctionCode', Resource: '*' },
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::111122223333:role/x' },
    { Effect: 'Deny', Action: '*', Resource: '*' },
  ];
  const withInline = (statements: unknown[]) =>
    golden((s) => {
      const role = okValue(s.iam.roles[G.roleArn] ?? { status: 'absent' }, 'role');
      role.inlinePolicies.push({
        policyName: 'extra',
        document: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      });
    });

  it('LVS008: statement order never changes the verdict, and adding an Allow never lowers the severity', async () => {
    const rank = { pass: 0, low: 1, medium: 2, high: 3, critical: 4 } as Record<string, number>;
    await fc.assert(
      fc.asyncProperty(
        fc
          .subarray(IDENTITY_STATEMENTS, { minLength: 1 })
          .chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray(s, { minLength: s.length }))),
        fc.constantFrom(...IDENTITY_STATEMENTS.filter((s) => s.Effect === 'Allow')),
        async ([statements, shuffled], extra) => {
          const [a] = await runCheck(leastPrivilegeCheck, withInline(statements));
          const [b] = await runCheck(leastPrivilegeCheck, withInline(shuffled));
          expect([b?.status, b?.reasonId, b?.severity]).toEqual([a?.status, a?.reasonId, a?.severity]);
          const [c] = await runCheck(leastPrivilegeCheck, withInline([...statements, extra]));
          const level = (r: typeof a) => (r?.status === 'pass' ? 0 : (rank[r?.severity ?? 'pass'] ?? 0));
          expect(level(c)).toBeGreaterThanOrEqual(level(a));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('LVS011: a public statement is reported whatever other statements surround it', async () => {
    const others = [
      {
        Sid: 'S3',
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: G.functionArn,
        Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::in' } },
      },
      {
        Sid: 'Acct',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::444455556666:root' },
        Action: 'lambda:InvokeFunction',
        Resource: G.functionArn,
      },
      {
        Sid: 'Deny',
        Effect: 'Deny',
        Principal: '*',
        Action: 'lambda:InvokeFunction',
        Resource: G.functionArn,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ];
    const open = {
      Sid: 'Open',
      Effect: 'Allow',
      Principal: '*',
      Action: 'lambda:InvokeFunction',
      Resource: G.functionArn,
    };
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray([...others, open], { minLength: 1 }), async (statements) => {
        const snapshot = golden((s) => {
          goldenFunction(s).resourcePolicy = {
            status: 'ok',
            value: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
          };
        });
        const [result] = await runCheck(notPublicCheck, snapshot);
        expect(result?.reasonId).toBe(statements.includes(open) ? 'publicPolicy' : 'notPublic');
      }),
      { numRuns: 30 },
    );
  });
});
