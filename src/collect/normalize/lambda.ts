import type {
  FunctionConfiguration,
  GetFunctionUrlConfigResponse,
  ListTagsResponse,
} from '@aws-sdk/client-lambda';
import { redactEnvironment } from '../../snapshot/redact.js';
import type { z } from 'zod';
import { functionUrlConfigSchema, lambdaFunctionSchema, type LambdaFunction } from '../../snapshot/schema.js';
import { conform, required, strings, UnexpectedResponseError } from './common.js';

/** A function as ListFunctions describes it, before its per-function reads (policy, URL, tags). */
export type ListedFunction = Omit<LambdaFunction, 'tags' | 'resourcePolicy' | 'urlConfig'>;

const listedFunctionSchema = lambdaFunctionSchema.omit({ tags: true, resourcePolicy: true, urlConfig: true });

/**
 * ListFunctions entry -> snapshot function. Environment values are redacted here, at the first
 * point lvs holds them, against the account's bucket names (SPEC 4). A VpcConfig is kept as AWS
 * reports it, even emptied (that is how Lambda shows a detached function; LVS001 judges it).
 * Environment.Error (Lambda could not decrypt the variables) is kept as `environmentError`: its code
 * and Lambda's message, which names the key problem, never a value.
 */
export function normalizeFunction(
  fn: FunctionConfiguration,
  accountBucketNames: ReadonlySet<string>,
): ListedFunction {
  const vpc = fn.VpcConfig;
  const mode = fn.TracingConfig?.Mode;
  if (mode !== undefined && mode !== 'Active' && mode !== 'PassThrough') {
    throw new UnexpectedResponseError(`unknown TracingConfig.Mode "${String(mode)}"`);
  }
  const envError = fn.Environment?.Error;
  const listed: ListedFunction = {
    functionName: required(fn.FunctionName, 'FunctionName'),
    functionArn: required(fn.FunctionArn, 'FunctionArn'),
    runtime: fn.Runtime ?? null,
    role: required(fn.Role, 'Role'),
    vpcConfig:
      vpc === undefined
        ? null
        : {
            vpcId: vpc.VpcId ?? '',
            subnetIds: strings(vpc.SubnetIds),
            securityGroupIds: strings(vpc.SecurityGroupIds),
          },
    kmsKeyArn: fn.KMSKeyArn !== undefined && fn.KMSKeyArn !== '' ? fn.KMSKeyArn : null,
    tracingMode: mode ?? null,
    environment: redactEnvironment(fn.Environment?.Variables ?? {}, accountBucketNames),
    environmentError:
      envError !== undefined && (envError.ErrorCode !== undefined || envError.Message !== undefined)
        ? { errorCode: envError.ErrorCode || 'EnvironmentError', message: envError.Message ?? '' }
        : null,
  };
  return conform(listedFunctionSchema, listed, 'FunctionConfiguration');
}

export function normalizeTags(output: ListTagsResponse): Record<string, string> {
  return { ...(output.Tags ?? {}) };
}

export type FunctionUrlConfig = z.infer<typeof functionUrlConfigSchema>;

export function normalizeUrlConfig(output: GetFunctionUrlConfigResponse): FunctionUrlConfig {
  const authType = required(output.AuthType, 'AuthType');
  if (authType !== 'NONE' && authType !== 'AWS_IAM')
    throw new UnexpectedResponseError(`unknown AuthType "${String(authType)}"`);
  return conform(
    functionUrlConfigSchema,
    { functionUrl: required(output.FunctionUrl, 'FunctionUrl'), authType },
    'FunctionUrlConfig',
  );
}
