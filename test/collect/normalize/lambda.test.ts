import { describe, expect, it } from 'vitest';
import {
  normalizeFunction,
  normalizeTags,
  normalizeUrlConfig,
} from '../../../src/collect/normalize/lambda.js';
import { REDACTED } from '../../../src/snapshot/schema.js';

const base = {
  FunctionName: 'scorer',
  FunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:scorer',
  Role: 'arn:aws:iam::111122223333:role/scorer',
  Runtime: 'nodejs20.x' as const,
};
const names = new Set(['results-bucket']);

describe('normalizeFunction', () => {
  it('redacts every environment value, keeping the facts the rules need', () => {
    const fn = normalizeFunction(
      {
        ...base,
        Environment: {
          Variables: {
            RESULTS: 'results-bucket',
            DB_PASSWORD: 'hunter2',
            TOKEN_REF: '{{resolve:secretsmanager:db}}',
            AWS_KEY: 'AKIAABCDEFGHIJKLMNOP',
            EMPTY_SECRET: '',
          },
        },
      },
      names,
    );
    expect(JSON.stringify(fn)).not.toMatch(/hunter2|AKIAABCDEFGHIJKLMNOP|resolve:secretsmanager/);
    expect(fn.environment).toEqual([
      {
        name: 'AWS_KEY',
        value: REDACTED,
        isEmpty: false,
        isReference: false,
        credentialPatterns: ['aws-access-key-id'],
        bucketName: null,
      },
      {
        name: 'DB_PASSWORD',
        value: REDACTED,
        isEmpty: false,
        isReference: false,
        credentialPatterns: [],
        bucketName: null,
      },
      {
        name: 'EMPTY_SECRET',
        value: REDACTED,
        isEmpty: true,
        isReference: false,
        credentialPatterns: [],
        bucketName: null,
      },
      {
        name: 'RESULTS',
        value: REDACTED,
        isEmpty: false,
        isReference: false,
        credentialPatterns: [],
        bucketName: 'results-bucket',
      },
      {
        name: 'TOKEN_REF',
        value: REDACTED,
        isEmpty: false,
        isReference: true,
        credentialPatterns: [],
        bucketName: null,
      },
    ]);
  });

  it('maps a function without VPC, key, tracing or environment', () => {
    const fn = normalizeFunction(base, names);
    expect(fn).toEqual({
      functionName: 'scorer',
      functionArn: base.FunctionArn,
      runtime: 'nodejs20.x',
      role: base.Role,
      vpcConfig: null,
      kmsKeyArn: null,
      tracingMode: null,
      environment: [],
      environmentError: null,
    });
  });

  it('keeps an emptied VpcConfig as Lambda reports a detached function', () => {
    const fn = normalizeFunction(
      { ...base, VpcConfig: { SubnetIds: [], SecurityGroupIds: [], VpcId: '' } },
      names,
    );
    expect(fn.vpcConfig).toEqual({ vpcId: '', subnetIds: [], securityGroupIds: [] });
  });

  it('keeps VPC, key and tracing', () => {
    const fn = normalizeFunction(
      {
        ...base,
        VpcConfig: { SubnetIds: ['subnet-1', 'subnet-2'], SecurityGroupIds: ['sg-1'], VpcId: 'vpc-1' },
        KMSKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/k',
        TracingConfig: { Mode: 'PassThrough' },
      },
      names,
    );
    expect(fn).toMatchObject({
      vpcConfig: { vpcId: 'vpc-1', subnetIds: ['subnet-1', 'subnet-2'], securityGroupIds: ['sg-1'] },
      kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/k',
      tracingMode: 'PassThrough',
    });
  });

  it('keeps Environment.Error when Lambda could not decrypt the variables', () => {
    const fn = normalizeFunction(
      {
        ...base,
        KMSKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/k',
        Environment: {
          Error: {
            ErrorCode: 'KMSAccessDeniedException',
            Message:
              "Lambda was unable to decrypt the environment variables because KMS access was denied. Please check the function's KMS key settings. KMS Exception: AccessDeniedException",
          },
        },
      },
      names,
    );
    expect(fn.environment).toEqual([]);
    expect(fn.environmentError).toEqual({
      errorCode: 'KMSAccessDeniedException',
      message:
        "Lambda was unable to decrypt the environment variables because KMS access was denied. Please check the function's KMS key settings. KMS Exception: AccessDeniedException",
    });
  });

  it('keeps an Environment.Error without a code or message, and ignores an empty one', () => {
    expect(
      normalizeFunction({ ...base, Environment: { Error: { Message: 'KMS key is disabled' } } }, names)
        .environmentError,
    ).toEqual({ errorCode: 'EnvironmentError', message: 'KMS key is disabled' });
    expect(
      normalizeFunction({ ...base, Environment: { Error: { ErrorCode: 'KMSDisabledException' } } }, names)
        .environmentError,
    ).toEqual({ errorCode: 'KMSDisabledException', message: '' });
    expect(normalizeFunction({ ...base, Environment: { Error: {} } }, names).environmentError).toBeNull();
    expect(
      normalizeFunction({ ...base, Environment: { Variables: { A: 'b' } } }, names).environmentError,
    ).toBeNull();
  });

  it('keeps the variables Lambda did show beside an Environment.Error, values redacted', () => {
    const fn = normalizeFunction(
      {
        ...base,
        Environment: {
          Variables: { DB_PASSWORD: 'hunter2' },
          Error: { ErrorCode: 'KMSDisabledException', Message: 'key disabled' },
        },
      },
      names,
    );
    expect(fn.environment.map((v) => v.name)).toEqual(['DB_PASSWORD']);
    expect(fn.environmentError).toEqual({ errorCode: 'KMSDisabledException', message: 'key disabled' });
    expect(JSON.stringify(fn)).not.toContain('hunter2');
  });

  it('rejects answers the snapshot cannot hold', () => {
    expect(() => normalizeFunction({ ...base, FunctionArn: undefined }, names)).toThrow(/FunctionArn/);
    expect(() => normalizeFunction({ ...base, Role: 'not-an-arn' }, names)).toThrow(
      /UnexpectedResponse|role/i,
    );
    expect(() =>
      normalizeFunction({ ...base, TracingConfig: { Mode: 'Sometimes' as never } }, names),
    ).toThrow(/TracingConfig/);
  });
});

describe('tags and URL config', () => {
  it('copies tags', () => {
    expect(normalizeTags({ Tags: { app: 'x' } })).toEqual({ app: 'x' });
    expect(normalizeTags({})).toEqual({});
  });

  it('maps a function URL', () => {
    expect(
      normalizeUrlConfig({
        FunctionUrl: 'https://x.lambda-url.eu-west-1.on.aws/',
        FunctionArn: base.FunctionArn,
        AuthType: 'AWS_IAM',
        CreationTime: '',
        LastModifiedTime: '',
      }),
    ).toEqual({
      functionUrl: 'https://x.lambda-url.eu-west-1.on.aws/',
      authType: 'AWS_IAM',
    });
    expect(() =>
      normalizeUrlConfig({
        FunctionUrl: 'u',
        FunctionArn: 'a',
        AuthType: 'MAGIC' as never,
        CreationTime: '',
        LastModifiedTime: '',
      }),
    ).toThrow(/AuthType/);
  });
});
