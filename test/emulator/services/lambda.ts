import {
  AwsError,
  notImplemented,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorState,
  type ServiceModule,
} from '../types.js';
import { answer } from '../state.js';
import { jsonResponse } from '../wire.js';
import { configurationOf, findFunction, functionsOf, metaOf, touch, validation } from './lambda-functions.js';
import { addPermission, getPolicy, removePermission } from './lambda-policy.js';
import { updateConfiguration } from './lambda-update.js';

/**
 * Lambda's REST-JSON API: operations are routes (method + versioned path), function names travel
 * percent-encoded in the path (an ARN's colons as %3A), errors are the status code with the code
 * in the x-amzn-ErrorType header, which the SDK reads before the body.
 */

const ROUTES: [method: string, path: RegExp, operation: string][] = [
  ['GET', /^\/2015-03-31\/functions\/?$/, 'ListFunctions'],
  ['POST', /^\/2015-03-31\/functions\/?$/, 'CreateFunction'],
  ['GET', /^\/2015-03-31\/functions\/([^/]+)\/?$/, 'GetFunction'],
  ['DELETE', /^\/2015-03-31\/functions\/([^/]+)\/?$/, 'DeleteFunction'],
  ['GET', /^\/2015-03-31\/functions\/([^/]+)\/configuration$/, 'GetFunctionConfiguration'],
  ['PUT', /^\/2015-03-31\/functions\/([^/]+)\/configuration$/, 'UpdateFunctionConfiguration'],
  ['PUT', /^\/2015-03-31\/functions\/([^/]+)\/code$/, 'UpdateFunctionCode'],
  ['GET', /^\/2015-03-31\/functions\/([^/]+)\/policy$/, 'GetPolicy'],
  ['POST', /^\/2015-03-31\/functions\/([^/]+)\/policy$/, 'AddPermission'],
  ['DELETE', /^\/2015-03-31\/functions\/([^/]+)\/policy\/([^/]+)$/, 'RemovePermission'],
  ['POST', /^\/2015-03-31\/functions\/([^/]+)\/invocations$/, 'Invoke'],
  ['GET', /^\/2015-03-31\/functions\/([^/]+)\/versions$/, 'ListVersionsByFunction'],
  ['GET', /^\/2015-03-31\/functions\/([^/]+)\/aliases$/, 'ListAliases'],
  ['GET', /^\/2021-10-31\/functions\/([^/]+)\/url$/, 'GetFunctionUrlConfig'],
  ['PUT', /^\/2021-10-31\/functions\/([^/]+)\/url$/, 'UpdateFunctionUrlConfig'],
  ['POST', /^\/2021-10-31\/functions\/([^/]+)\/url$/, 'CreateFunctionUrlConfig'],
  ['DELETE', /^\/2021-10-31\/functions\/([^/]+)\/url$/, 'DeleteFunctionUrlConfig'],
  ['GET', /^\/2017-03-31\/tags\/([^/]+)$/, 'ListTags'],
  ['POST', /^\/2017-03-31\/tags\/([^/]+)$/, 'TagResource'],
  ['DELETE', /^\/2017-03-31\/tags\/([^/]+)$/, 'UntagResource'],
  ['GET', /^\/2016-08-19\/account-settings\/?$/, 'GetAccountSettings'],
  ['GET', /^\/2015-03-31\/event-source-mappings\/?$/, 'ListEventSourceMappings'],
  ['GET', /^\/2018-10-31\/layers\/?$/, 'ListLayers'],
];

function route(req: EmulatorRequest): { operation: string; labels: string[] } | undefined {
  for (const [method, path, operation] of ROUTES) {
    const match = method === req.method ? path.exec(req.rawPath) : null;
    if (match !== null) return { operation, labels: match.slice(1).map((l) => decodeURIComponent(l ?? '')) };
  }
  return undefined;
}

const LAMBDA_JSON = { 'content-type': 'application/json' };
const ok = (body: unknown, status = 200): EmulatorResponse => jsonResponse(status, body, LAMBDA_JSON);

function jsonBody(req: EmulatorRequest): Record<string, unknown> {
  if (req.body.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(req.body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // answered below, as Lambda answers a body it cannot read
  }
  throw new AwsError('InvalidRequestContentException', 400, 'Could not parse request body into json');
}

/** Marker of ListFunctions: opaque to callers, the next entry's index here. */
const encodeMarker = (index: number) => Buffer.from(JSON.stringify({ index })).toString('base64');

function decodeMarker(marker: string | null, size: number): number {
  if (marker === null) return 0;
  try {
    const { index } = JSON.parse(Buffer.from(marker, 'base64').toString('utf8')) as { index?: unknown };
    if (typeof index === 'number' && Number.isInteger(index) && index >= 0 && index <= size) return index;
  } catch {
    // answered below
  }
  throw new AwsError('InvalidParameterValueException', 400, 'Invalid marker provided');
}

/** ListFunctions pages hold at most 50 functions whatever MaxItems asks (Lambda API reference). */
const PAGE_LIMIT = 50;

function listFunctions(req: EmulatorRequest, state: EmulatorState): EmulatorResponse {
  if (req.query.get('MasterRegion') !== null) throw notImplemented('lambda', 'ListFunctions (MasterRegion)');
  const functions = functionsOf(state, req.region);
  const rawMax = req.query.get('MaxItems');
  const max = rawMax === null ? PAGE_LIMIT : Number(rawMax);
  if (!Number.isInteger(max) || max < 1 || max > 10000) {
    throw validation(
      `1 validation error detected: Value '${rawMax}' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1`,
    );
  }
  const start = decodeMarker(req.query.get('Marker'), functions.length);
  const end = Math.min(start + Math.min(max, PAGE_LIMIT), functions.length);
  return ok({
    Functions: functions.slice(start, end).map((fn) => configurationOf(state, fn, req.region)),
    ...(end < functions.length ? { NextMarker: encodeMarker(end) } : {}),
  });
}

const noUrl = () =>
  new AwsError('ResourceNotFoundException', 404, 'The resource you requested does not exist.');

export const lambdaService: ServiceModule = {
  operationOf: (req) => route(req)?.operation,

  handle(operation, req, state) {
    const labels = route(req)?.labels ?? [];
    const fnOf = () => findFunction(state, req.region, labels[0] ?? '');
    // Function reads and writes of the $LATEST version only: a Qualifier names one the emulator does not hold.
    const qualified = () => {
      const qualifier = req.query.get('Qualifier');
      const fn = fnOf();
      if (qualifier !== null && qualifier !== '$LATEST') {
        throw new AwsError(
          'ResourceNotFoundException',
          404,
          `Function not found: ${fn.functionArn}:${qualifier}`,
        );
      }
      return fn;
    };
    switch (operation) {
      case 'ListFunctions':
        return listFunctions(req, state);
      case 'GetFunction': {
        const fn = qualified();
        return ok({
          Configuration: configurationOf(state, fn, req.region),
          Code: {
            RepositoryType: 'S3',
            Location: `https://awslambda-${req.region}-tasks.s3.${req.region}.amazonaws.com/snapshots/${state.snapshot.accountId}/${fn.functionName}`,
          },
          Tags: fn.tags,
        });
      }
      case 'GetFunctionConfiguration':
        return ok(configurationOf(state, qualified(), req.region));
      case 'UpdateFunctionConfiguration': {
        const fn = fnOf();
        updateConfiguration(state, req.region, fn, jsonBody(req));
        return ok(configurationOf(state, fn, req.region));
      }
      case 'GetPolicy':
        return ok(getPolicy(state, qualified()));
      case 'AddPermission':
        return ok({ Statement: addPermission(state, qualified(), jsonBody(req)) }, 201);
      case 'RemovePermission':
        removePermission(state, qualified(), labels[1] ?? '', req.query.get('RevisionId'));
        return { status: 204, headers: {}, body: '' };
      case 'GetFunctionUrlConfig':
      case 'UpdateFunctionUrlConfig': {
        const fn = qualified();
        const url = answer(fn.urlConfig, noUrl);
        const meta = metaOf(state, fn);
        if (operation === 'UpdateFunctionUrlConfig') {
          const body = jsonBody(req);
          if (body.AuthType !== undefined && body.AuthType !== 'NONE' && body.AuthType !== 'AWS_IAM') {
            throw validation(
              `1 validation error detected: Value '${JSON.stringify(body.AuthType)}' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [AWS_IAM, NONE]`,
            );
          }
          if (
            body.InvokeMode !== undefined &&
            body.InvokeMode !== 'BUFFERED' &&
            body.InvokeMode !== 'RESPONSE_STREAM'
          ) {
            throw validation(
              `1 validation error detected: Value '${JSON.stringify(body.InvokeMode)}' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]`,
            );
          }
          if (body.AuthType !== undefined) url.authType = body.AuthType;
          if (typeof body.InvokeMode === 'string') meta.urlInvokeMode = body.InvokeMode;
          if (body.Cors !== undefined) meta.urlCors = body.Cors;
          meta.urlModified = new Date().toISOString();
          touch(state, fn);
        }
        return ok({
          FunctionUrl: url.functionUrl,
          FunctionArn: fn.functionArn,
          AuthType: url.authType,
          ...(meta.urlCors === undefined ? {} : { Cors: meta.urlCors }),
          CreationTime: meta.urlCreated,
          LastModifiedTime: meta.urlModified,
          InvokeMode: meta.urlInvokeMode,
        });
      }
      case 'ListTags':
        if (!(labels[0] ?? '').startsWith('arn:')) {
          throw validation(
            `1 validation error detected: Value '${labels[0]}' at 'resource' failed to satisfy constraint`,
          );
        }
        return ok({ Tags: fnOf().tags });
      default:
        throw notImplemented('lambda', operation);
    }
  },

  errorResponse: (error) =>
    jsonResponse(
      error.status,
      { Type: error.status >= 500 ? 'Service' : 'User', Message: error.message },
      { ...LAMBDA_JSON, 'x-amzn-errortype': error.code },
    ),
};
