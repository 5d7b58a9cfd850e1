import { describe, expect, it } from 'vitest';
import check from '../../src/checks/lvs011-function-not-public.js';
import { expectOutcome, runCheck, summarize } from '../helpers/check-tester.js';
import { G, golden, goldenFunction } from '../helpers/golden.js';

const FUNCTION_URL = 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/';

const statement = (extra: Record<string, unknown>) => ({
  Sid: 'S',
  Effect: 'Allow',
  Principal: '*',
  Action: 'lambda:InvokeFunction',
  Resource: G.functionArn,
  ...extra,
});
const policyText = (...statements: unknown[]) =>
  JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements });
const withPolicy = (...statements: unknown[]) =>
  golden((s) => {
    goldenFunction(s).resourcePolicy = { status: 'ok', value: policyText(...statements) };
  });

/** The two statements the console / SAM add for a function URL with AuthType NONE (October 2025 onwards). */
const urlStatements = [
  statement({
    Sid: 'FunctionURLAllowPublicAccess',
    Action: 'lambda:InvokeFunctionUrl',
    Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } },
  }),
  statement({
    Sid: 'FunctionURLAllowInvokeAction',
    Action: 'lambda:InvokeFunction',
    Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
  }),
];

describe('LVS011 function-not-public', () => {
  it('passes for the golden function (no policy, no URL)', async () => {
    const result = await expectOutcome(check, golden(), { status: 'pass', reasonId: 'notPublic' });
    expect(result.message).toContain('no resource-based policy');
    expect(result.resourceArn).toBe(G.functionArn);
  });

  it('passes when Principal * is restricted by aws:SourceArn (an S3 trigger)', async () => {
    const snapshot = withPolicy(
      statement({
        Principal: { Service: 's3.amazonaws.com' },
        Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::input' } },
      }),
      statement({ Sid: 'Any', Condition: { StringEquals: { 'aws:SourceAccount': G.accountId } } }),
    );
    const result = await expectOutcome(check, snapshot, { status: 'pass', reasonId: 'notPublic' });
    expect(
      result.evidence.some((e) => e.note?.includes('restricted by StringEquals aws:SourceAccount')),
    ).toBe(true);
  });

  it('passes for a URL with AuthType AWS_IAM and a cross-account grant', async () => {
    const snapshot = golden((s) => {
      const fn = goldenFunction(s);
      fn.urlConfig = { status: 'ok', value: { functionUrl: FUNCTION_URL, authType: 'AWS_IAM' } };
      fn.resourcePolicy = {
        status: 'ok',
        value: policyText(
          statement({
            Principal: { AWS: 'arn:aws:iam::444455556666:root' },
            Action: 'lambda:InvokeFunctionUrl',
          }),
        ),
      };
    });
    await expectOutcome(check, snapshot, { status: 'pass', reasonId: 'notPublic' });
  });

  it.each([
    ['Principal "*"', statement({})],
    ['Principal {"AWS":"*"}', statement({ Principal: { AWS: '*' } })],
    ['Principal {"AWS":["*"]}', statement({ Principal: { AWS: ['arn:aws:iam::444455556666:root', '*'] } })],
    ['lambda:*', statement({ Action: 'lambda:*' })],
    ['Action "*"', statement({ Action: '*' })],
    ['lambda:Invoke*', statement({ Action: 'lambda:invoke*' })],
    ['NotAction', statement({ Action: undefined, NotAction: 'lambda:GetFunction' })],
    [
      'NotPrincipal',
      statement({ Principal: undefined, NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' } }),
    ],
    [
      'a condition that does not restrict the caller',
      statement({ Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } }),
    ],
    [
      'aws:SourceArn with IfExists',
      statement({ Condition: { ArnLikeIfExists: { 'aws:SourceArn': 'arn:aws:s3:::x' } } }),
    ],
    ['aws:SourceArn matching anything', statement({ Condition: { ArnLike: { 'aws:SourceArn': '*' } } })],
    [
      'a negated aws:SourceAccount',
      statement({ Condition: { StringNotEquals: { 'aws:SourceAccount': '444455556666' } } }),
    ],
    [
      'lambda:FunctionUrlAuthType AWS_IAM on InvokeFunctionUrl',
      statement({
        Action: 'lambda:InvokeFunctionUrl',
        Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
      }),
    ],
    ['InvokeFunctionUrl with no condition', statement({ Action: 'lambda:InvokeFunctionUrl' })],
  ])('fails critical with publicPolicy for %s', async (_name, s) => {
    await expectOutcome(check, withPolicy(s), {
      status: 'fail',
      reasonId: 'publicPolicy',
      severity: 'critical',
    });
  });

  it('fails high with publicUrl for a function URL with AuthType NONE and its two permissions', async () => {
    const snapshot = golden((s) => {
      const fn = goldenFunction(s);
      fn.urlConfig = { status: 'ok', value: { functionUrl: FUNCTION_URL, authType: 'NONE' } };
      fn.resourcePolicy = { status: 'ok', value: policyText(...urlStatements) };
    });
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'publicUrl',
      severity: 'high',
    });
    expect(result.message).toContain(FUNCTION_URL);
    expect(result.evidence.map((e) => e.field)).toEqual(
      expect.arrayContaining([
        'FunctionUrlConfig.AuthType',
        'Policy Sid "FunctionURLAllowPublicAccess"',
        'Policy Sid "FunctionURLAllowInvokeAction"',
      ]),
    );
  });

  it('fails high with publicUrl for AuthType NONE even without a policy', async () => {
    const snapshot = golden((s) => {
      goldenFunction(s).urlConfig = { status: 'ok', value: { functionUrl: FUNCTION_URL, authType: 'NONE' } };
    });
    await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'publicUrl', severity: 'high' });
  });

  it('fails high with publicUrl for a public URL permission left without a URL', async () => {
    const [urlStatement] = urlStatements;
    await expectOutcome(check, withPolicy(urlStatement), {
      status: 'fail',
      reasonId: 'publicUrl',
      severity: 'high',
    });
  });

  it('reports critical with both in evidence when the URL is open and the policy is public too', async () => {
    const snapshot = golden((s) => {
      const fn = goldenFunction(s);
      fn.urlConfig = { status: 'ok', value: { functionUrl: FUNCTION_URL, authType: 'NONE' } };
      fn.resourcePolicy = {
        status: 'ok',
        value: policyText(...urlStatements, statement({ Sid: 'Everyone' })),
      };
    });
    const results = await runCheck(check, snapshot);
    expect(summarize(results)).toEqual([{ status: 'fail', reasonId: 'publicPolicy', severity: 'critical' }]);
    const [result] = results;
    expect(result?.message).toContain('also open to anyone');
    expect(result?.evidence.map((e) => e.field)).toEqual(
      expect.arrayContaining([
        'FunctionUrlConfig.AuthType',
        'Policy Sid "Everyone"',
        'Policy Sid "FunctionURLAllowPublicAccess"',
      ]),
    );
  });

  it('treats InvokeFunction with InvokedViaFunctionUrl as the URL permission, not a public policy', async () => {
    const [, invokeViaUrl] = urlStatements;
    await expectOutcome(check, withPolicy(invokeViaUrl), {
      status: 'fail',
      reasonId: 'publicUrl',
      severity: 'high',
    });
  });

  it('fails high with invalidPolicy when the resource policy is not a policy', async () => {
    const snapshot = golden((s) => {
      goldenFunction(s).resourcePolicy = { status: 'ok', value: '{"Statement": [' };
    });
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'invalidPolicy',
      severity: 'high',
    });
    expect(result.message).toContain('not valid JSON');
  });

  it('reports error when GetPolicy failed', async () => {
    const snapshot = golden((s) => {
      goldenFunction(s).resourcePolicy = {
        status: 'error',
        error: {
          service: 'lambda',
          operation: 'GetPolicy',
          code: 'AccessDeniedException',
          message: 'denied',
          resource: G.functionArn,
        },
      };
    });
    const result = await expectOutcome(check, snapshot, {
      status: 'error',
      reasonId: 'readFailed',
      severity: 'critical',
    });
    expect(result.message).toContain('lambda:GetPolicy');
  });

  it('reports error when GetFunctionUrlConfig failed and the policy shows nothing public', async () => {
    const snapshot = golden((s) => {
      goldenFunction(s).urlConfig = {
        status: 'error',
        error: {
          service: 'lambda',
          operation: 'GetFunctionUrlConfig',
          code: 'AccessDeniedException',
          message: 'denied',
          resource: G.functionArn,
        },
      };
    });
    await expectOutcome(check, snapshot, { status: 'error', reasonId: 'readFailed' });
  });

  it('still fails critical on a public policy when the URL read failed', async () => {
    const snapshot = golden((s) => {
      const fn = goldenFunction(s);
      fn.resourcePolicy = { status: 'ok', value: policyText(statement({})) };
      fn.urlConfig = {
        status: 'error',
        error: {
          service: 'lambda',
          operation: 'GetFunctionUrlConfig',
          code: 'AccessDeniedException',
          message: 'denied',
        },
      };
    });
    await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'publicPolicy', severity: 'critical' });
  });

  it('returns exactly one result per function', async () => {
    const results = await runCheck(
      check,
      withPolicy(statement({}), statement({ Sid: 'T', Action: 'lambda:*' })),
    );
    expect(results).toHaveLength(1);
    expect(results[0]?.message).toContain('Sid "S", Sid "T"');
  });
});
