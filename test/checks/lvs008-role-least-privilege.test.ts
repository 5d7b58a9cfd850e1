import { describe, expect, it } from 'vitest';
import check from '../../src/checks/lvs008-role-least-privilege.js';
import type { AccountSnapshot, IamRole } from '../../src/snapshot/schema.js';
import { expectOutcome, runCheck, summarize } from '../helpers/check-tester.js';
import { G, golden, goldenFunction, okValue, regionOf } from '../helpers/golden.js';

const roleOf = (s: AccountSnapshot): IamRole =>
  okValue(s.iam.roles[G.roleArn] ?? { status: 'absent' }, 'role');
const doc = (...statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (Action: unknown, Resource: unknown = '*', extra: Record<string, unknown> = {}) => ({
  Sid: 'Extra',
  Effect: 'Allow',
  Action,
  Resource,
  ...extra,
});
/** The golden role with one more inline policy. */
const withInline = (...statements: unknown[]) =>
  golden((s) => {
    roleOf(s).inlinePolicies.push({ policyName: 'extra', document: doc(...statements) });
  });
/** The golden role with an AWS-managed policy attached (and its document in the snapshot). */
const withManaged = (name: string, document: string) =>
  golden((s) => {
    const policyArn = `arn:aws:iam::aws:policy/${name}`;
    roleOf(s).attachedPolicies.push({ policyName: name, policyArn });
    s.iam.managedPolicies[policyArn] = {
      status: 'ok',
      value: { policyName: name, policyArn, defaultVersionId: 'v1', document },
    };
  });

describe('LVS008 role-least-privilege', () => {
  it('passes for the golden role (VPC access, X-Ray and scoped inline policies)', async () => {
    const result = await expectOutcome(check, golden(), { status: 'pass', reasonId: 'leastPrivilege' });
    expect(result.resourceArn).toBe(G.roleArn);
    expect(result.message).toContain('3 polic(ies)');
    expect(result.evidence.map((e) => e.resourceArn)).toEqual(
      expect.arrayContaining([G.vpcAccessPolicyArn, G.xrayPolicyArn]),
    );
  });

  it('passes with AWSLambdaBasicExecutionRole attached', async () => {
    const snapshot = withManaged(
      'service-role/AWSLambdaBasicExecutionRole',
      doc(allow(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'])),
    );
    await expectOutcome(check, snapshot, { status: 'pass', reasonId: 'leastPrivilege' });
  });

  it('passes for actions without resource-level permissions on "*" (kms:ListKeys, ec2:Describe*)', async () => {
    await expectOutcome(
      check,
      withInline(allow(['kms:ListKeys', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs'])),
      {
        status: 'pass',
        reasonId: 'leastPrivilege',
      },
    );
  });

  it('does not subtract Deny statements (a Deny never makes a grant acceptable, nor is it a finding)', async () => {
    await expectOutcome(check, withInline({ Effect: 'Deny', Action: '*', Resource: '*' }), {
      status: 'pass',
      reasonId: 'leastPrivilege',
    });
    await expectOutcome(
      check,
      withInline(allow('iam:*'), { Effect: 'Deny', Action: 'iam:*', Resource: '*' }),
      {
        status: 'fail',
        reasonId: 'iamWildcard',
      },
    );
  });

  it.each([
    ['Action "*"', allow('*')],
    ['Action "*:*"', allow('*:*')],
    ['Action "*" on a single bucket', allow('*', 'arn:aws:s3:::x/*')],
    ['NotAction on "*"', { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' }],
  ])('fails high with fullAdmin for %s', async (_name, statement) => {
    await expectOutcome(check, withInline(statement), {
      status: 'fail',
      reasonId: 'fullAdmin',
      severity: 'high',
    });
  });

  it('fails high with iamWildcard for iam:* and lists the escalation it includes', async () => {
    const result = await expectOutcome(
      check,
      withInline(allow('iam:*', 'arn:aws:iam::111122223333:role/x')),
      {
        status: 'fail',
        reasonId: 'iamWildcard',
        severity: 'high',
      },
    );
    const step = result.evidence.find((e) => e.field === 'extra Sid "Extra"');
    expect(step?.note).toContain('iamWildcard');
    expect(step?.note).toContain('privilegeEscalation');
  });

  it.each([
    ['iam:PassRole on "*"', allow('iam:PassRole')],
    ['iam:PassRole on every role of the account', allow('iam:PassRole', 'arn:aws:iam::111122223333:role/*')],
    ['sts:AssumeRole on "*"', allow('sts:AssumeRole')],
    ['iam:CreatePolicyVersion', allow('iam:CreatePolicyVersion', 'arn:aws:iam::111122223333:policy/p')],
    ['iam:SetDefaultPolicyVersion', allow('iam:SetDefaultPolicyVersion')],
    [
      'iam:AttachRolePolicy',
      allow('iam:AttachRolePolicy', 'arn:aws:iam::111122223333:role/lvs-golden-scorer-role'),
    ],
    ['iam:Put* (expands to PutRolePolicy)', allow('iam:Put*')],
    ['iam:*Policy (expands to Attach/Put)', allow('iam:*Policy')],
    ['iam:CreateAccessKey', allow('iam:CreateAccessKey')],
    ['iam:UpdateAssumeRolePolicy', allow('iam:UpdateAssumeRolePolicy')],
    ['iam:CreateLoginProfile', allow('iam:CreateLoginProfile')],
    ['iam:UpdateLoginProfile', allow('iam:UpdateLoginProfile')],
    ['iam:AddUserToGroup', allow('iam:AddUserToGroup')],
  ])('fails high with privilegeEscalation for %s', async (_name, statement) => {
    await expectOutcome(check, withInline(statement), {
      status: 'fail',
      reasonId: 'privilegeEscalation',
      severity: 'high',
    });
  });

  it('fails with privilegeEscalation for lambda:UpdateFunctionCode with iam:PassRole in another statement', async () => {
    const snapshot = withInline(
      allow('lambda:UpdateFunctionCode', 'arn:aws:lambda:eu-west-1:111122223333:function:*'),
      allow('iam:PassRole', 'arn:aws:iam::111122223333:role/service-role/deployer', { Sid: 'Pass' }),
    );
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'privilegeEscalation',
      severity: 'high',
    });
    expect(result.evidence.map((e) => e.field)).toEqual(
      expect.arrayContaining(['extra Sid "Extra"', 'extra Sid "Pass"']),
    );
  });

  it.each([
    [
      'lambda:UpdateFunctionCode without iam:PassRole',
      allow('lambda:UpdateFunctionCode', 'arn:aws:lambda:eu-west-1:111122223333:function:other'),
    ],
    [
      'iam:PassRole on one named role',
      allow('iam:PassRole', 'arn:aws:iam::111122223333:role/service-role/deployer'),
    ],
    [
      'iam:PassRole on a path of roles',
      allow('iam:PassRole', 'arn:aws:iam::111122223333:role/service-role/*'),
    ],
    ['sts:AssumeRole on one role', allow('sts:AssumeRole', 'arn:aws:iam::111122223333:role/reader')],
    ['iam read actions', allow(['iam:Get*', 'iam:List*'], 'arn:aws:iam::111122223333:role/*')],
  ])('passes for %s', async (_name, statement) => {
    await expectOutcome(check, withInline(statement), { status: 'pass', reasonId: 'leastPrivilege' });
  });

  it('fails high with adminManagedPolicy when AdministratorAccess is attached', async () => {
    const result = await expectOutcome(check, withManaged('AdministratorAccess', doc(allow('*'))), {
      status: 'fail',
      reasonId: 'adminManagedPolicy',
      severity: 'high',
    });
    expect(result.message).toContain('AdministratorAccess');
  });

  it.each(['PowerUserAccess', 'IAMFullAccess'])(
    'fails high with adminManagedPolicy when %s is attached',
    async (name) => {
      await expectOutcome(check, withManaged(name, doc(allow('iam:*'))), {
        status: 'fail',
        reasonId: 'adminManagedPolicy',
        severity: 'high',
      });
    },
  );

  it('fails medium with s3FullAccess when AmazonS3FullAccess is attached', async () => {
    const snapshot = withManaged('AmazonS3FullAccess', doc(allow(['s3:*', 's3-object-lambda:*'])));
    await expectOutcome(check, snapshot, { status: 'fail', reasonId: 's3FullAccess', severity: 'medium' });
  });

  it.each([
    ['an AWS account', { AWS: 'arn:aws:iam::444455556666:root' }],
    ['anyone', '*'],
    ['another service', { Service: ['lambda.amazonaws.com', 'ec2.amazonaws.com'] }],
    ['a web identity provider', { Federated: 'cognito-identity.amazonaws.com' }],
  ])('fails high with untrustedTrustPolicy when the trust policy trusts %s', async (_name, principal) => {
    const snapshot = golden((s) => {
      roleOf(s).assumeRolePolicyDocument = doc({
        Effect: 'Allow',
        Principal: principal,
        Action: 'sts:AssumeRole*',
      });
    });
    await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'untrustedTrustPolicy',
      severity: 'high',
    });
  });

  it('passes when the trust policy trusts lambda and edgelambda', async () => {
    const snapshot = golden((s) => {
      roleOf(s).assumeRolePolicyDocument = doc({
        Effect: 'Allow',
        Principal: { Service: ['lambda.amazonaws.com', 'edgelambda.amazonaws.com'] },
        Action: 'sts:AssumeRole',
      });
    });
    await expectOutcome(check, snapshot, { status: 'pass', reasonId: 'leastPrivilege' });
  });

  it.each([
    ['kms:*', allow('kms:*', G.keyArn)],
    ['dynamodb:*', allow('dynamodb:*', 'arn:aws:dynamodb:eu-west-1:111122223333:table/scores')],
  ])('fails medium with serviceWildcard for %s', async (_name, statement) => {
    await expectOutcome(check, withInline(statement), {
      status: 'fail',
      reasonId: 'serviceWildcard',
      severity: 'medium',
    });
  });

  it.each([
    ['kms:Decrypt on "*"', allow('kms:Decrypt')],
    [
      'kms:GenerateDataKey* on every key of the account',
      allow('kms:GenerateDataKey*', 'arn:aws:kms:eu-west-1:111122223333:key/*'),
    ],
    ['s3:GetObject on "*"', allow('s3:GetObject')],
    ['s3:PutObject on every bucket', allow('s3:PutObject', 'arn:aws:s3:::*/*')],
  ])('fails medium with dataActionsOnAnyResource for %s', async (_name, statement) => {
    const result = await expectOutcome(check, withInline(statement), {
      status: 'fail',
      reasonId: 'dataActionsOnAnyResource',
      severity: 'medium',
    });
    expect(result.message).toContain('on every');
  });

  it.each([
    [
      'NotAction on a named resource',
      { Effect: 'Allow', NotAction: 's3:DeleteObject', Resource: `arn:aws:s3:::${G.bucket}/scores/*` },
    ],
    [
      'NotResource',
      { Effect: 'Allow', Action: 'ec2:DescribeInstances', NotResource: 'arn:aws:ec2:*:*:instance/i-1' },
    ],
  ])('fails medium with notActionOrNotResource for %s', async (_name, statement) => {
    await expectOutcome(check, withInline(statement), {
      status: 'fail',
      reasonId: 'notActionOrNotResource',
      severity: 'medium',
    });
  });

  it('fails low with sharedRole when a second function uses the role, naming it', async () => {
    const snapshot = golden((s) => {
      const fn = goldenFunction(s);
      okValue(regionOf(s).functions, 'functions').push({
        ...structuredClone(fn),
        functionName: 'lvs-golden-replica',
        functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:lvs-golden-replica',
      });
    });
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'sharedRole',
      severity: 'low',
    });
    expect(result.message).toContain('lvs-golden-replica');
    await expectOutcome(
      check,
      snapshot,
      { status: 'fail', reasonId: 'sharedRole', severity: 'low' },
      'lvs-golden-replica',
    );
  });

  it('reports the most severe finding and counts every finding', async () => {
    const snapshot = golden((s) => {
      roleOf(s).inlinePolicies.push({
        policyName: 'extra',
        document: doc(allow('kms:Decrypt'), allow('iam:PassRole', '*', { Sid: 'Pass' })),
      });
      okValue(regionOf(s).functions, 'functions').push({
        ...structuredClone(goldenFunction(s)),
        functionName: 'lvs-golden-replica',
        functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:lvs-golden-replica',
      });
    });
    const results = await runCheck(check, snapshot);
    expect(summarize(results)).toEqual([
      { status: 'fail', reasonId: 'privilegeEscalation', severity: 'high' },
    ]);
    expect(results[0]?.message).toContain('3 least-privilege finding(s)');
    const notes = results[0]?.evidence.map((e) => e.note ?? '').join('\n') ?? '';
    expect(notes).toContain('dataActionsOnAnyResource (medium)');
    expect(notes).toContain('sharedRole (low)');
  });

  it('reports error when an inline policy is not a policy and nothing else is found', async () => {
    const snapshot = golden((s) => {
      roleOf(s).inlinePolicies.push({
        policyName: 'broken',
        document: '{"Statement": {"Effect": "Allow", "Action": 7}}',
      });
    });
    const result = await expectOutcome(check, snapshot, {
      status: 'error',
      reasonId: 'invalidPolicyDocument',
    });
    expect(result.message).toContain('broken');
  });

  it('still fails on a finding when another policy is unreadable, listing it in the evidence', async () => {
    const snapshot = golden((s) => {
      roleOf(s).inlinePolicies.push({ policyName: 'broken', document: 'not json' });
      roleOf(s).inlinePolicies.push({
        policyName: 'extra',
        document: doc(allow('s3:*', `arn:aws:s3:::${G.bucket}/*`)),
      });
    });
    const result = await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'serviceWildcard' });
    expect(result.evidence.some((e) => e.field === 'broken' && e.note === 'not evaluated')).toBe(true);
  });

  it('reports error when the role could not be read', async () => {
    const snapshot = golden((s) => {
      s.iam.roles[G.roleArn] = {
        status: 'error',
        error: {
          service: 'iam',
          operation: 'GetRole',
          code: 'AccessDenied',
          message: 'denied',
          resource: G.roleArn,
        },
      };
    });
    const result = await expectOutcome(check, snapshot, {
      status: 'error',
      reasonId: 'readFailed',
      severity: 'high',
    });
    expect(result.resourceArn).toBe(G.roleArn);
  });

  it('reports error when an attached managed policy could not be read', async () => {
    const snapshot = golden((s) => {
      s.iam.managedPolicies[G.xrayPolicyArn] = {
        status: 'error',
        error: {
          service: 'iam',
          operation: 'GetPolicyVersion',
          code: 'AccessDenied',
          message: 'denied',
          resource: G.xrayPolicyArn,
        },
      };
    });
    await expectOutcome(check, snapshot, { status: 'error', reasonId: 'readFailed' });
  });
});
