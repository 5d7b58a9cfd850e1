import { createHash, randomUUID } from 'node:crypto';
import type { LambdaFunction } from '../../../src/snapshot/schema.js';
import { answer, regionOf, sampleValue } from '../state.js';
import { AwsError, type EmulatorState } from '../types.js';

/**
 * Lambda's functions as the emulator holds them: the snapshot's functions, found by any name
 * Lambda accepts, and rendered as Lambda's FunctionConfiguration. What the snapshot does not hold
 * (LastModified, RevisionId, timeouts, URL timestamps) lives in a side table per emulator.
 */

export interface FunctionMeta {
  lastModified: string;
  revisionId: string;
  description: string;
  handler: string;
  timeout: number;
  memorySize: number;
  urlCreated: string;
  urlModified: string;
  urlInvokeMode: string;
  urlCors: unknown;
}

const META = new WeakMap<EmulatorState, Map<string, FunctionMeta>>();

/** Lambda's LastModified format: 2024-03-09T18:27:30.617+0000. */
export function lambdaTime(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

export function metaOf(state: EmulatorState, fn: LambdaFunction): FunctionMeta {
  let table = META.get(state);
  if (table === undefined) {
    table = new Map();
    META.set(state, table);
  }
  let meta = table.get(fn.functionArn);
  if (meta === undefined) {
    const created = new Date(state.snapshot.generatedAt);
    meta = {
      lastModified: lambdaTime(created),
      revisionId: randomUUID(),
      description: '',
      handler: 'index.handler',
      timeout: 3,
      memorySize: 128,
      urlCreated: created.toISOString(),
      urlModified: created.toISOString(),
      urlInvokeMode: 'BUFFERED',
      urlCors: undefined,
    };
    table.set(fn.functionArn, meta);
  }
  return meta;
}

/** A configuration change: Lambda gives the function a new RevisionId and LastModified. */
export function touch(state: EmulatorState, fn: LambdaFunction): FunctionMeta {
  const meta = metaOf(state, fn);
  meta.revisionId = randomUUID();
  meta.lastModified = lambdaTime(new Date());
  return meta;
}

export function notFound(what: string): AwsError {
  return new AwsError('ResourceNotFoundException', 404, `Function not found: ${what}`);
}

export function validation(message: string): AwsError {
  return new AwsError('ValidationException', 400, message);
}

/** The functions of a region; a ListFunctions that failed in the snapshot fails every function read. */
export function functionsOf(state: EmulatorState, region: string): LambdaFunction[] {
  const functions = regionOf(state, region).functions;
  if (functions.status === 'absent') return [];
  return answer(functions, () => new AwsError('ServiceException', 500, 'no functions'));
}

const FUNCTION_ARN = /^arn:(aws[a-zA-Z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::(.+))?$/;
const PARTIAL_ARN = /^(\d{12}):function:([^:]+)(?::(.+))?$/;
const PLAIN_NAME = /^([a-zA-Z0-9_-]+)(?::(.+))?$/;

/**
 * The function a FunctionName names: a name, a partial ARN (123456789012:function:name) or an ARN,
 * each with an optional qualifier. The emulator holds $LATEST only, so any other qualifier (a
 * version, an alias) is a function it does not have.
 */
export function findFunction(state: EmulatorState, region: string, raw: string): LambdaFunction {
  const accountId = state.snapshot.accountId;
  let name: string | undefined;
  let qualifier: string | undefined;
  let sameAccount = true;
  let sameRegion = true;
  const full = FUNCTION_ARN.exec(raw);
  const partial = PARTIAL_ARN.exec(raw);
  const plain = PLAIN_NAME.exec(raw);
  if (full !== null) {
    [, , , , name, qualifier] = full;
    sameRegion = full[2] === region;
    sameAccount = full[3] === accountId;
  } else if (partial !== null) {
    [, , name, qualifier] = partial;
    sameAccount = partial[1] === accountId;
  } else if (plain !== null) {
    [, name, qualifier] = plain;
  }
  if (name === undefined || raw.length > 170) {
    throw validation(
      `1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  }
  const arn = `arn:${state.snapshot.partition}:lambda:${region}:${accountId}:function:${name}`;
  const wanted = qualifier === undefined ? arn : `${arn}:${qualifier}`;
  if (!sameAccount || !sameRegion || (qualifier !== undefined && qualifier !== '$LATEST')) {
    throw notFound(full !== null ? raw : wanted);
  }
  const fn = functionsOf(state, region).find((f) => f.functionName === name);
  if (fn === undefined) throw notFound(wanted);
  return fn;
}

/** The function's plaintext variables, in the snapshot's order (values synthesized by state.ts). */
function variablesOf(state: EmulatorState, fn: LambdaFunction, region: string): Record<string, string> {
  const plain = state.environments.get(fn.functionArn) ?? {};
  return Object.fromEntries(
    fn.environment.map((v) => [v.name, plain[v.name] ?? sampleValue(v, region, state.snapshot.accountId)]),
  );
}

const CODE_SHA = (arn: string) => createHash('sha256').update(arn).digest('base64');

/** FunctionConfiguration as ListFunctions, GetFunctionConfiguration and UpdateFunctionConfiguration answer it. */
export function configurationOf(
  state: EmulatorState,
  fn: LambdaFunction,
  region: string,
): Record<string, unknown> {
  const meta = metaOf(state, fn);
  // Snapshots written before environmentError existed carry no such field.
  const envError = fn.environmentError ?? null;
  const environment =
    envError !== null
      ? { Error: { ErrorCode: envError.errorCode, Message: envError.message } }
      : fn.environment.length > 0
        ? { Variables: variablesOf(state, fn, region) }
        : undefined;
  const image = fn.runtime === null;
  return {
    FunctionName: fn.functionName,
    FunctionArn: fn.functionArn,
    ...(image ? {} : { Runtime: fn.runtime, Handler: meta.handler }),
    Role: fn.role,
    CodeSize: 1024,
    Description: meta.description,
    Timeout: meta.timeout,
    MemorySize: meta.memorySize,
    LastModified: meta.lastModified,
    CodeSha256: CODE_SHA(fn.functionArn),
    Version: '$LATEST',
    ...(fn.vpcConfig === null
      ? {}
      : {
          VpcConfig: {
            SubnetIds: fn.vpcConfig.subnetIds,
            SecurityGroupIds: fn.vpcConfig.securityGroupIds,
            VpcId: fn.vpcConfig.vpcId,
            Ipv6AllowedForDualStack: false,
          },
        }),
    ...(environment === undefined ? {} : { Environment: environment }),
    ...(fn.kmsKeyArn === null ? {} : { KMSKeyArn: fn.kmsKeyArn }),
    ...(fn.tracingMode === null ? {} : { TracingConfig: { Mode: fn.tracingMode } }),
    RevisionId: meta.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: image ? 'Image' : 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.functionName}` },
  };
}

/** RevisionId of a conditional write: Lambda refuses the write when the function has moved on. */
export function checkRevision(state: EmulatorState, fn: LambdaFunction, revisionId: unknown): void {
  if (revisionId === undefined || revisionId === null) return;
  if (revisionId !== metaOf(state, fn).revisionId) {
    throw new AwsError(
      'PreconditionFailedException',
      412,
      'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
    );
  }
}
