import { describe, expect, it } from 'vitest';
import { leastPrivilegePolicy } from '../../../src/fix/planners/lvs008-role-least-privilege.js';
import { buildIndex } from '../../../src/snapshot/derive.js';
import { parseSnapshot } from '../../../src/snapshot/load.js';
import type { AccountSnapshot } from '../../../src/snapshot/schema.js';
import { G, iamCatalog } from '../../helpers/golden.js';
import { applyVariant, loadVariants } from '../../helpers/variants.js';
import { auditResults, demoSnapshot, planOf, stepById } from '../helpers.js';

const lvs008Variants = loadVariants().filter(
  (v) => v.slug.startsWith('lvs008-') && v.slug !== 'lvs008-role-read-error',
);

/** The snapshot with the role as the template leaves it: the generated policy only, trusting Lambda only. */
async function withGeneratedPolicy(snapshot: AccountSnapshot, roleArn: string): Promise<AccountSnapshot> {
  const index = buildIndex(snapshot, await iamCatalog());
  const document = leastPrivilegePolicy(
    { index, future: index, planned: new Map(), breakGlassPrincipalArns: [], steps: [] },
    roleArn,
  );
  const copy = structuredClone(snapshot);
  const role = copy.iam.roles[roleArn];
  if (role?.status !== 'ok') throw new Error(roleArn);
  role.value.inlinePolicies = [{ policyName: 'lvs-least-privilege', document: JSON.stringify(document) }];
  role.value.attachedPolicies = [];
  // The template's trust policy: Lambda only.
  role.value.assumeRolePolicyDocument = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  });
  return parseSnapshot(copy, 'generated');
}

describe('LVS008 planner (manual, generated least-privilege policy)', () => {
  it('generates from the golden role what it really uses, and LVS008 passes with it', async () => {
    const snapshot = parseSnapshot(
      applyVariant(loadVariants().find((v) => v.slug === 'lvs008-service-wildcard')!),
      'v',
    );
    const { plan } = await planOf(snapshot);
    const step = stepById(plan, `LVS008:${G.roleArn}`);
    expect(step.kind).toBe('manual');
    const template = step.template ?? '';
    expect(template).toContain('"s3:PutObject"');
    expect(template).toContain(`"arn:aws:s3:::${G.bucket}/scores/*"`);
    expect(template).toContain(`"${G.keyArn}"`);
    expect(template).toContain('sqs:ReceiveMessage'); // a statement of another service that names its queue is kept
    expect(template).toContain('ec2:CreateNetworkInterface');
    expect(template).toContain('xray:PutTraceSegments');
    expect(template).toContain('# Not carried over');
    expect(template).toContain('dynamodb:*');
    expect(template).toContain(
      `aws iam delete-role-policy --role-name lvs-golden-scorer-role --policy-name features`,
    );
  });

  it.each(lvs008Variants.map((v) => [v.slug, v] as const))(
    "%s: the generated policy, as the role's only policy, passes LVS008 (except a shared role)",
    async (slug, variant) => {
      const snapshot = parseSnapshot(applyVariant(variant), slug);
      const after = await auditResults(await withGeneratedPolicy(snapshot, G.roleArn));
      const lvs008 = after.filter((r) => r.ruleId === 'LVS008');
      const expected = slug === 'lvs008-shared-role' ? 'sharedRole' : 'leastPrivilege';
      expect([...new Set(lvs008.map((r) => r.reasonId))]).toEqual([expected]);
    },
  );

  it('replaces AmazonS3FullAccess with the buckets the function reaches, and detaches it', async () => {
    const { plan } = await planOf(demoSnapshot());
    const step = stepById(plan, 'LVS008:arn:aws:iam::111122223333:role/records-sync-role');
    expect(step.template).toContain('"arn:aws:s3:::lvs-demo-records-111122223333/*"');
    expect(step.template).toContain(
      'aws iam detach-role-policy --role-name records-sync-role --policy-arn arn:aws:iam::aws:policy/AmazonS3FullAccess',
    );
    // The AWS managed key of the function is not something a role policy names.
    expect(step.template).not.toContain('5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d');
  });

  it('proposes one role per function for a shared role and a Lambda-only trust policy when it trusts others', async () => {
    const shared = parseSnapshot(
      applyVariant(loadVariants().find((v) => v.slug === 'lvs008-shared-role')!),
      's',
    );
    const sharedStep = stepById((await planOf(shared)).plan, `LVS008:${G.roleArn}`);
    expect(sharedStep.resolves).toHaveLength(2);
    expect(sharedStep.template).toContain('aws iam create-role --role-name lvs-golden-scorer-replica-role');
    const trusting = parseSnapshot(
      applyVariant(loadVariants().find((v) => v.slug === 'lvs008-untrusted-trust-policy')!),
      't',
    );
    const trustStep = stepById((await planOf(trusting)).plan, `LVS008:${G.roleArn}`);
    expect(trustStep.template).toContain(
      'aws iam update-assume-role-policy --role-name lvs-golden-scorer-role',
    );
  });
});
