import { describe, expect, it } from 'vitest';
import {
  callerPrincipal,
  denies,
  exemptPrincipals,
  lockoutFindings,
  patternMatchesCaller,
  principalArnOf,
} from '../../../src/fix/apply/lockout.js';
import { pinStatement } from '../../../src/fix/planners/lvs007-bucket-policy-pinned-to-endpoint.js';
import { parseSnapshot } from '../../../src/snapshot/load.js';
import { G } from '../../helpers/golden.js';
import { applyVariant, loadVariants } from '../../helpers/variants.js';
import { planOf } from '../helpers.js';

const ROLE = `arn:aws:iam::${G.accountId}:role/ops-admin`;
const session = callerPrincipal({
  Arn: `arn:aws:sts::${G.accountId}:assumed-role/ops-admin/alice`,
  Account: G.accountId,
  UserId: 'AROAEXAMPLE:alice',
});
const pin = (breakGlass: string[] = []) => pinStatement('aws', G.bucket, [G.endpointId], breakGlass);

describe('who runs the fix', () => {
  it.each([
    [`arn:aws:sts::${G.accountId}:assumed-role/ops-admin/alice`, ROLE],
    ['arn:aws-cn:sts::111122223333:assumed-role/r/s', 'arn:aws-cn:iam::111122223333:role/r'],
    [`arn:aws:iam::${G.accountId}:user/bob`, `arn:aws:iam::${G.accountId}:user/bob`],
    [`arn:aws:iam::${G.accountId}:root`, `arn:aws:iam::${G.accountId}:root`],
    [`arn:aws:sts::${G.accountId}:federated-user/carol`, `arn:aws:sts::${G.accountId}:federated-user/carol`],
  ])('%s is %s to policies', (arn, principal) => {
    expect(principalArnOf(arn)).toBe(principal);
  });

  it('matches ARN patterns, including a role path lvs cannot see in the session ARN', () => {
    expect(patternMatchesCaller(ROLE, session)).toBe(true);
    expect(patternMatchesCaller(`arn:aws:iam::${G.accountId}:role/admins/ops-admin`, session)).toBe(true);
    expect(patternMatchesCaller(`arn:aws:iam::${G.accountId}:role/ops-*`, session)).toBe(true);
    expect(patternMatchesCaller(`arn:aws:iam::${G.accountId}:role/other`, session)).toBe(false);
    expect(patternMatchesCaller(`arn:aws:iam::999999999999:role/ops-admin`, session)).toBe(false);
  });
});

describe('does a Deny refuse the caller?', () => {
  it('the pin without break-glass: yes (lvs assumes its requests do not come through the endpoint)', () => {
    expect(denies(pin(), session)).toBe(true);
    expect(exemptPrincipals(pin())).toEqual([]);
  });

  it('the pin exempting the caller: no; exempting someone else: yes, with that exemption', () => {
    expect(denies(pin([ROLE]), session)).toBe(false);
    const other = `arn:aws:iam::${G.accountId}:role/break-glass`;
    expect(denies(pin([other]), session)).toBe(true);
    expect(exemptPrincipals(pin([other]))).toEqual([other]);
  });

  it('principals, NotPrincipal, account and userid conditions', () => {
    const base = { Effect: 'Deny', Action: 's3:*', Resource: '*' };
    expect(denies({ ...base, Principal: { AWS: 'arn:aws:iam::999999999999:root' } }, session)).toBe(false);
    expect(denies({ ...base, Principal: { AWS: G.accountId } }, session)).toBe(true);
    expect(denies({ ...base, Principal: { Service: 'lambda.amazonaws.com' } }, session)).toBe(false);
    expect(denies({ ...base, NotPrincipal: { AWS: ROLE } }, session)).toBe(false);
    expect(
      denies(
        { ...base, Principal: '*', Condition: { StringNotEquals: { 'aws:PrincipalAccount': G.accountId } } },
        session,
      ),
    ).toBe(false);
    expect(
      denies(
        { ...base, Principal: '*', Condition: { StringNotLike: { 'aws:userid': 'AROAEXAMPLE:*' } } },
        session,
      ),
    ).toBe(false);
    expect(
      denies(
        {
          ...base,
          Principal: '*',
          Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/other' } },
        },
        session,
      ),
    ).toBe(false);
    expect(denies({ ...base, Effect: 'Allow', Principal: '*' }, session)).toBe(false);
  });
});

describe('lockoutFindings on real plans', () => {
  const variant = loadVariants().find((v) => v.slug === 'lvs007-no-deny');
  if (variant === undefined) throw new Error('variant');
  const snapshot = () => parseSnapshot(applyVariant(variant), variant.slug);

  it('finds the new object-level Deny, which exempts nobody', async () => {
    const { plan } = await planOf(snapshot());
    const [finding, ...rest] = lockoutFindings(plan, session);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ bucket: G.bucket, exempt: [], coversBucket: false });
    expect(finding?.unexempted).toHaveLength(1);
  });

  it('with a break-glass principal: the Deny covers the bucket too and exempts it', async () => {
    const other = `arn:aws:iam::${G.accountId}:role/break-glass`;
    const { plan } = await planOf(snapshot(), { breakGlassPrincipalArns: [other] });
    expect(lockoutFindings(plan, session)).toMatchObject([
      { exempt: [other], unexempted: [], coversBucket: true },
    ]);
    const { plan: mine } = await planOf(snapshot(), { breakGlassPrincipalArns: [ROLE] });
    expect(lockoutFindings(mine, session)).toEqual([]);
  });

  it('statements the policy already had are not new: the golden policy exempts nobody new', async () => {
    const { plan } = await planOf(
      parseSnapshot(applyVariant(loadVariants().find((v) => v.slug === 'lvs010-tracing-unset')!), 'x'),
    );
    expect(lockoutFindings(plan, session)).toEqual([]);
  });
});
