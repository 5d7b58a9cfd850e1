import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListTagsCommand,
  paginateListFunctions,
  UpdateFunctionConfigurationCommand,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { normalizeFunction } from '../../../src/collect/normalize/lambda.js';
import { accountSnapshotSchema, type LambdaFunction } from '../../../src/snapshot/schema.js';
import { G, golden, goldenFunction, okValue } from '../../helpers/golden.js';
import { failure, lambdaEmulator } from './lambda-test-kit.js';

const { lambdaOf, state, liveFunction } = lambdaEmulator();

describe('Lambda emulator: functions', () => {
  it('lists the golden function so that lvs normalizes it back to the snapshot, with plaintext variables', async () => {
    const lambda = await lambdaOf();
    const out = await lambda.send(new ListFunctionsCommand({ MaxItems: 50 }));
    expect(out.NextMarker).toBeUndefined();
    expect(out.Functions).toHaveLength(1);
    const listed = out.Functions![0]!;
    expect(listed).toMatchObject({
      FunctionName: G.functionName,
      FunctionArn: G.functionArn,
      Role: G.roleArn,
      KMSKeyArn: G.keyArn,
      TracingConfig: { Mode: 'Active' },
      VpcConfig: { VpcId: G.vpcId, SubnetIds: [G.subnetA, G.subnetB], SecurityGroupIds: [G.securityGroupId] },
      State: 'Active',
      LastUpdateStatus: 'Successful',
    });
    const variables = listed.Environment?.Variables ?? {};
    expect(Object.keys(variables).length).toBeGreaterThan(0);
    expect(Object.values(variables)).not.toContain('<redacted>');
    expect(variables).toEqual(state().environments.get(G.functionArn));
    // ListFunctions carries none of the per-function reads.
    const expected: Partial<LambdaFunction> = { ...goldenFunction(golden()) };
    delete expected.tags;
    delete expected.resourcePolicy;
    delete expected.urlConfig;
    const names = new Set(okValue(golden().s3.bucketNames, 'bucketNames'));
    expect(normalizeFunction(listed, names)).toEqual(expected);
  });

  it('pages ListFunctions 50 at most with an opaque NextMarker, as lvs paginates it', async () => {
    const lambda = await lambdaOf((s) => {
      const fns = okValue(s.regions[0]!.functions, 'functions');
      const template = fns[0]!;
      for (let i = 0; i < 119; i += 1) {
        const name = `extra-${String(i).padStart(3, '0')}`;
        fns.push({
          ...structuredClone(template),
          functionName: name,
          functionArn: `${G.functionArn.replace(G.functionName, name)}`,
        });
      }
    });
    const first = await lambda.send(new ListFunctionsCommand({ MaxItems: 500 }));
    expect(first.Functions).toHaveLength(50);
    expect(first.NextMarker).toEqual(expect.any(String));
    const second = await lambda.send(new ListFunctionsCommand({ MaxItems: 7, Marker: first.NextMarker }));
    expect(second.Functions!.map((f) => f.FunctionName)).toEqual([
      'extra-049',
      'extra-050',
      'extra-051',
      'extra-052',
      'extra-053',
      'extra-054',
      'extra-055',
    ]);
    const all: FunctionConfiguration[] = [];
    for await (const page of paginateListFunctions({ client: lambda, pageSize: 50 }, {}))
      all.push(...(page.Functions ?? []));
    expect(all).toHaveLength(120);
    expect(new Set(all.map((f) => f.FunctionName)).size).toBe(120);
    expect(await failure(lambda.send(new ListFunctionsCommand({ Marker: 'not-a-marker' })))).toMatchObject({
      name: 'InvalidParameterValueException',
      status: 400,
    });
    expect(await failure(lambda.send(new ListFunctionsCommand({ MaxItems: 0 })))).toMatchObject({
      name: 'ValidationException',
      status: 400,
    });
  });

  it('answers Environment.Error without Variables for a function whose variables Lambda cannot decrypt', async () => {
    const lambda = await lambdaOf((s) => {
      goldenFunction(s).environmentError = {
        errorCode: 'KMSAccessDeniedException',
        message: 'Lambda was unable to decrypt',
      };
    });
    const [fn] = (await lambda.send(new ListFunctionsCommand({}))).Functions ?? [];
    expect(fn?.Environment).toEqual({
      Error: { ErrorCode: 'KMSAccessDeniedException', Message: 'Lambda was unable to decrypt' },
    });
  });

  it('answers a failed ListFunctions of the snapshot with the same error', async () => {
    const lambda = await lambdaOf((s) => {
      s.regions[0]!.functions = {
        status: 'error',
        error: {
          service: 'lambda',
          operation: 'ListFunctions',
          code: 'AccessDeniedException',
          message: 'not authorized',
        },
      };
    });
    expect(await failure(lambda.send(new ListFunctionsCommand({})))).toEqual({
      name: 'AccessDeniedException',
      status: 403,
      message: 'not authorized',
    });
  });

  it('finds a function by name, ARN or partial ARN, and answers ResourceNotFoundException for others', async () => {
    const lambda = await lambdaOf();
    for (const name of [
      G.functionName,
      G.functionArn,
      `${G.accountId}:function:${G.functionName}`,
      `${G.functionArn}:$LATEST`,
    ]) {
      const out = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      expect(out.FunctionArn).toBe(G.functionArn);
    }
    const missing = G.functionArn.replace(G.functionName, 'nope');
    expect(await failure(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'nope' })))).toEqual(
      {
        name: 'ResourceNotFoundException',
        status: 404,
        message: `Function not found: ${missing}`,
      },
    );
    const alias = await failure(
      lambda.send(new GetFunctionConfigurationCommand({ FunctionName: `${G.functionArn}:live` })),
    );
    expect(alias.name).toBe('ResourceNotFoundException');
    const otherRegion = G.functionArn.replace(G.region, 'us-east-1');
    expect((await failure(lambda.send(new GetFunctionCommand({ FunctionName: otherRegion })))).status).toBe(
      404,
    );
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: G.functionName }));
    expect(got.Configuration?.FunctionName).toBe(G.functionName);
    expect(got.Tags).toEqual(goldenFunction(golden()).tags);
  });

  it('lists tags by function ARN', async () => {
    const lambda = await lambdaOf();
    expect((await lambda.send(new ListTagsCommand({ Resource: G.functionArn }))).Tags).toEqual(
      goldenFunction(golden()).tags,
    );
    const missing = G.functionArn.replace(G.functionName, 'nope');
    expect((await failure(lambda.send(new ListTagsCommand({ Resource: missing })))).name).toBe(
      'ResourceNotFoundException',
    );
  });
});

describe('Lambda emulator: UpdateFunctionConfiguration', () => {
  it('sets TracingConfig and KMSKeyArn, answers the new configuration and keeps it for later reads', async () => {
    const lambda = await lambdaOf();
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: G.functionArn }));
    const newKey = `arn:aws:kms:${G.region}:${G.accountId}:key/11111111-2222-3333-4444-555555555555`;
    const out = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: G.functionArn,
        TracingConfig: { Mode: 'PassThrough' },
        KMSKeyArn: newKey,
      }),
    );
    expect(out).toMatchObject({
      TracingConfig: { Mode: 'PassThrough' },
      KMSKeyArn: newKey,
      LastUpdateStatus: 'Successful',
    });
    expect(out.RevisionId).not.toBe(before.RevisionId);
    const after = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: G.functionName }));
    expect(after).toMatchObject({
      TracingConfig: { Mode: 'PassThrough' },
      KMSKeyArn: newKey,
      RevisionId: out.RevisionId,
    });
    expect(liveFunction()).toMatchObject({ tracingMode: 'PassThrough', kmsKeyArn: newKey });
    // "" puts the variables back under aws/lambda, which Lambda does not report.
    const reset = await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: G.functionName, KMSKeyArn: '' }),
    );
    expect(reset.KMSKeyArn).toBeUndefined();
    expect(liveFunction().kmsKeyArn).toBeNull();
    expect(accountSnapshotSchema.safeParse(state().snapshot).success).toBe(true);
  });

  it('replaces the variables, redacted in the snapshot, and clears an environment error', async () => {
    const lambda = await lambdaOf((s) => {
      goldenFunction(s).environmentError = { errorCode: 'KMSDisabledException', message: 'key disabled' };
    });
    const out = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: G.functionName,
        Environment: { Variables: { TABLE: G.bucket, TOKEN: 'AKIAIOSFODNN7EXAMPLE' } },
      }),
    );
    expect(out.Environment).toEqual({ Variables: { TABLE: G.bucket, TOKEN: 'AKIAIOSFODNN7EXAMPLE' } });
    expect(liveFunction().environmentError).toBeNull();
    expect(
      liveFunction().environment.map((v) => [v.name, v.value, v.bucketName, v.credentialPatterns]),
    ).toEqual([
      ['TABLE', '<redacted>', G.bucket, []],
      ['TOKEN', '<redacted>', null, ['aws-access-key-id']],
    ]);
  });

  it('refuses bad input as Lambda does, changing nothing', async () => {
    const lambda = await lambdaOf((s) => {
      s.kms.keys[G.keyArn] = {
        status: 'ok',
        value: { ...okValue(s.kms.keys[G.keyArn]!, 'key'), keyState: 'Disabled' },
      };
    });
    const update = (
      input: Omit<ConstructorParameters<typeof UpdateFunctionConfigurationCommand>[0], 'FunctionName'>,
    ) =>
      failure(
        lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: G.functionName, ...input })),
      );
    expect(await update({ TracingConfig: { Mode: 'Sometimes' as 'Active' }, KMSKeyArn: '' })).toMatchObject({
      name: 'ValidationException',
      status: 400,
    });
    expect(liveFunction().kmsKeyArn).toBe(G.keyArn);
    expect(await update({ KMSKeyArn: G.keyArn })).toMatchObject({
      name: 'InvalidParameterValueException',
      status: 400,
    });
    expect(await update({ RevisionId: 'stale', TracingConfig: { Mode: 'PassThrough' } })).toMatchObject({
      name: 'PreconditionFailedException',
      status: 412,
    });
    expect(
      await update({
        VpcConfig: { SubnetIds: ['subnet-0000000000000dead'], SecurityGroupIds: [G.securityGroupId] },
      }),
    ).toMatchObject({
      name: 'InvalidParameterValueException',
    });
    expect(await update({ Layers: ['arn:aws:lambda:eu-west-1:111122223333:layer:x:1'] })).toMatchObject({
      name: 'InternalFailure',
      status: 501,
    });
    expect(liveFunction().tracingMode).toBe('Active');
    expect(
      await failure(
        lambda.send(
          new UpdateFunctionConfigurationCommand({ FunctionName: 'nope', TracingConfig: { Mode: 'Active' } }),
        ),
      ),
    ).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404,
    });
  });

  it('detaches a function from its VPC with empty lists, as Lambda then reports it', async () => {
    const lambda = await lambdaOf();
    const out = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: G.functionName,
        VpcConfig: { SubnetIds: [], SecurityGroupIds: [] },
      }),
    );
    expect(out.VpcConfig).toMatchObject({ SubnetIds: [], SecurityGroupIds: [], VpcId: '' });
    expect(liveFunction().vpcConfig).toEqual({ vpcId: '', subnetIds: [], securityGroupIds: [] });
  });
});

describe('Lambda emulator: gaps', () => {
  it('answers an operation it does not emulate with 501 InternalFailure, an SDK error, and logs its name', async () => {
    const lambda = await lambdaOf();
    expect(
      await failure(lambda.send(new ListAliasesCommand({ FunctionName: G.functionName }))),
    ).toMatchObject({
      name: 'InternalFailure',
      status: 501,
    });
    expect(state().calls.at(-1)).toMatchObject({
      service: 'lambda',
      operation: 'ListAliases',
      status: 501,
    });
  });
});
