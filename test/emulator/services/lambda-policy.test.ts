import {
  AddPermissionCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  RemovePermissionCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import type { AccountSnapshot } from '../../../src/snapshot/schema.js';
import { G, goldenFunction } from '../../helpers/golden.js';
import { failure, lambdaEmulator } from './lambda-test-kit.js';

const { lambdaOf, liveFunction } = lambdaEmulator();

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Id: 'default',
  Statement: [
    {
      Sid: 'public-invoke',
      Effect: 'Allow',
      Principal: '*',
      Action: 'lambda:InvokeFunctionUrl',
      Resource: G.functionArn,
      Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } },
    },
    {
      Sid: 's3-invoke',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: G.functionArn,
    },
  ],
});

const withPolicyAndUrl = (s: AccountSnapshot) => {
  const fn = goldenFunction(s);
  fn.resourcePolicy = { status: 'ok', value: POLICY };
  fn.urlConfig = {
    status: 'ok',
    value: { functionUrl: 'https://abc123.lambda-url.eu-west-1.on.aws/', authType: 'NONE' },
  };
};

describe('Lambda emulator: resource-based policy and function URL', () => {
  it('answers ResourceNotFoundException when the function has no policy or URL (the golden function)', async () => {
    const lambda = await lambdaOf();
    for (const command of [
      new GetPolicyCommand({ FunctionName: G.functionArn }),
      new GetFunctionUrlConfigCommand({ FunctionName: G.functionArn }),
    ]) {
      expect(await failure(lambda.send(command as GetPolicyCommand))).toMatchObject({
        name: 'ResourceNotFoundException',
        status: 404,
      });
    }
    expect(
      await failure(
        lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: G.functionArn, AuthType: 'AWS_IAM' })),
      ),
    ).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(
      await failure(
        lambda.send(new RemovePermissionCommand({ FunctionName: G.functionArn, StatementId: 'x' })),
      ),
    ).toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('answers a GetPolicy that failed in the snapshot with the same error', async () => {
    const lambda = await lambdaOf((s) => {
      goldenFunction(s).resourcePolicy = {
        status: 'error',
        error: {
          service: 'lambda',
          operation: 'GetPolicy',
          code: 'AccessDeniedException',
          message: 'no lambda:GetPolicy',
        },
      };
    });
    expect(await failure(lambda.send(new GetPolicyCommand({ FunctionName: G.functionArn })))).toEqual({
      name: 'AccessDeniedException',
      status: 403,
      message: 'no lambda:GetPolicy',
    });
  });

  it('removes statements by Sid until the policy is gone, and adds them back', async () => {
    const lambda = await lambdaOf(withPolicyAndUrl);
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: G.functionArn }));
    expect(policy.Policy).toBe(POLICY);
    expect(policy.RevisionId).toEqual(expect.any(String));
    await lambda.send(
      new RemovePermissionCommand({ FunctionName: G.functionArn, StatementId: 'public-invoke' }),
    );
    const left = JSON.parse(
      (await lambda.send(new GetPolicyCommand({ FunctionName: G.functionName }))).Policy!,
    );
    expect(left.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['s3-invoke']);
    expect(
      await failure(
        lambda.send(
          new RemovePermissionCommand({ FunctionName: G.functionArn, StatementId: 'public-invoke' }),
        ),
      ),
    ).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Statement public-invoke is not found in resource policy.',
    });
    await lambda.send(new RemovePermissionCommand({ FunctionName: G.functionArn, StatementId: 's3-invoke' }));
    expect((await failure(lambda.send(new GetPolicyCommand({ FunctionName: G.functionArn })))).status).toBe(
      404,
    );
    expect(liveFunction().resourcePolicy).toEqual({ status: 'absent' });

    const added = await lambda.send(
      new AddPermissionCommand({
        FunctionName: G.functionArn,
        StatementId: 'from-bucket',
        Action: 'lambda:InvokeFunction',
        Principal: 's3.amazonaws.com',
        SourceArn: `arn:aws:s3:::${G.bucket}`,
        SourceAccount: G.accountId,
      }),
    );
    expect(JSON.parse(added.Statement!)).toEqual({
      Sid: 'from-bucket',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: G.functionArn,
      Condition: {
        StringEquals: { 'AWS:SourceAccount': G.accountId },
        ArnLike: { 'AWS:SourceArn': `arn:aws:s3:::${G.bucket}` },
      },
    });
    const again = JSON.parse(
      (await lambda.send(new GetPolicyCommand({ FunctionName: G.functionArn }))).Policy!,
    );
    expect(again.Statement).toEqual([JSON.parse(added.Statement!)]);
    expect(
      await failure(
        lambda.send(
          new AddPermissionCommand({
            FunctionName: G.functionArn,
            StatementId: 'from-bucket',
            Action: 'lambda:InvokeFunction',
            Principal: '*',
          }),
        ),
      ),
    ).toMatchObject({ name: 'ResourceConflictException', status: 409 });
  });

  it('answers the function URL configuration and switches its AuthType', async () => {
    const lambda = await lambdaOf(withPolicyAndUrl);
    const url = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: G.functionArn }));
    expect(url).toMatchObject({
      FunctionUrl: 'https://abc123.lambda-url.eu-west-1.on.aws/',
      FunctionArn: G.functionArn,
      AuthType: 'NONE',
      InvokeMode: 'BUFFERED',
    });
    const updated = await lambda.send(
      new UpdateFunctionUrlConfigCommand({ FunctionName: G.functionArn, AuthType: 'AWS_IAM' }),
    );
    expect(updated.AuthType).toBe('AWS_IAM');
    expect(
      (await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: G.functionName }))).AuthType,
    ).toBe('AWS_IAM');
    expect(liveFunction().urlConfig).toEqual({
      status: 'ok',
      value: { functionUrl: url.FunctionUrl, authType: 'AWS_IAM' },
    });
    expect(
      await failure(
        lambda.send(
          new UpdateFunctionUrlConfigCommand({ FunctionName: G.functionArn, AuthType: 'OPEN' as 'NONE' }),
        ),
      ),
    ).toMatchObject({ name: 'ValidationException', status: 400 });
  });
});
