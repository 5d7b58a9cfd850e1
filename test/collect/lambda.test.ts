import { describe, expect, it } from 'vitest';
import { keyRegion } from '../../src/collect/kms.js';
import { needsUrlConfig } from '../../src/collect/lambda.js';
import { failed } from '../../src/snapshot/fetched.js';

const policy = (statement: object) => ({
  status: 'ok' as const,
  value: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
});
const fn = 'arn:aws:lambda:eu-west-1:111122223333:function:f';

describe('when GetFunctionUrlConfig is read', () => {
  it('not without a resource policy: nobody can call a URL then', () => {
    expect(needsUrlConfig({ status: 'absent' })).toBe(false);
  });

  it('not when the policy grants only lambda:InvokeFunction to services', () => {
    expect(
      needsUrlConfig(
        policy({
          Effect: 'Allow',
          Principal: { Service: 's3.amazonaws.com' },
          Action: 'lambda:InvokeFunction',
          Resource: fn,
        }),
      ),
    ).toBe(false);
  });

  it.each([
    [
      'InvokeFunctionUrl',
      { Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunctionUrl', Resource: fn },
    ],
    ['a wildcard covering it', { Effect: 'Allow', Principal: '*', Action: 'lambda:Invoke*', Resource: fn }],
    [
      'lambda:*',
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::444455556666:root' },
        Action: 'lambda:*',
        Resource: fn,
      },
    ],
    ['NotAction', { Effect: 'Allow', Principal: '*', NotAction: 'lambda:GetFunction', Resource: fn }],
    [
      'InvokeFunction via the URL (October 2025 model)',
      {
        Effect: 'Allow',
        Principal: '*',
        Action: 'lambda:InvokeFunction',
        Resource: fn,
        Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
      },
    ],
  ])('when the policy grants %s', (_what, statement) => {
    expect(needsUrlConfig(policy(statement))).toBe(true);
  });

  it('when the policy could not be read or parsed', () => {
    expect(
      needsUrlConfig(
        failed({ service: 'lambda', operation: 'GetPolicy', code: 'AccessDeniedException', message: '' }),
      ),
    ).toBe(true);
    expect(needsUrlConfig({ status: 'ok', value: 'not json' })).toBe(true);
  });

  it('not for a Deny', () => {
    expect(
      needsUrlConfig(
        policy({ Effect: 'Deny', Principal: '*', Action: 'lambda:InvokeFunctionUrl', Resource: fn }),
      ),
    ).toBe(false);
  });
});

describe('keyRegion', () => {
  it('reads the region of a key ARN, else falls back', () => {
    expect(keyRegion('arn:aws:kms:us-west-2:111122223333:key/abc', 'eu-west-1')).toBe('us-west-2');
    expect(keyRegion('abc', 'eu-west-1')).toBe('eu-west-1');
  });
});
