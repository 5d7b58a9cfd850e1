import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ec2Service } from './services/ec2.js';
import { iamService } from './services/iam.js';
import { kmsService } from './services/kms.js';
import { lambdaService } from './services/lambda.js';
import { s3Service } from './services/s3.js';
import { s3controlService } from './services/s3control.js';
import { stsService } from './services/sts.js';
import {
  AwsError,
  notImplemented,
  type EmulatedService,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorState,
  type ServiceModule,
} from './types.js';

const SERVICES: Record<EmulatedService, ServiceModule> = {
  ec2: ec2Service,
  iam: iamService,
  kms: kmsService,
  lambda: lambdaService,
  s3: s3Service,
  s3control: s3controlService,
  sts: stsService,
};

/** `Credential=AKID/20261121/eu-west-1/ec2/aws4_request` -> region and signing name, as AWS routes requests. */
const CREDENTIAL_SCOPE = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/;

function serviceOf(signingName: string, path: string): EmulatedService | undefined {
  // S3 Control signs as "s3"; its operations live under /v20180820/.
  if (signingName === 's3') return path.startsWith('/v20180820/') ? 's3control' : 's3';
  return signingName in SERVICES ? (signingName as EmulatedService) : undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Answers one parsed request: operation lookup, the emulator's gaps, AWS errors, the call log. */
export function dispatch(state: EmulatorState, request: EmulatorRequest): EmulatorResponse {
  const module = SERVICES[request.service];
  const operation = module.operationOf(request) ?? 'Unknown';
  try {
    if (operation === 'Unknown' || state.unsupported.has(`${request.service}:${operation}`)) {
      throw notImplemented(request.service, operation);
    }
    const response = module.handle(operation, request, state);
    state.calls.push({
      service: request.service,
      region: request.region,
      operation,
      status: response.status,
    });
    return response;
  } catch (error) {
    const awsError =
      error instanceof AwsError
        ? error
        : new AwsError('InternalError', 500, `emulator fault: ${(error as Error).message}`);
    state.calls.push({
      service: request.service,
      region: request.region,
      operation,
      status: awsError.status,
      errorCode: awsError.code,
    });
    return module.errorResponse(awsError, request);
  }
}

export interface RunningEmulator {
  /** http://127.0.0.1:<port>: give it to lvs as AWS_ENDPOINT_URL or --endpoint-url. */
  url: string;
  state: EmulatorState;
  close(): Promise<void>;
}

/**
 * An AWS-compatible endpoint on loopback that holds one account (see state.ts). Requests are
 * routed as AWS routes them, by the SigV4 credential scope's service and region; the signature
 * itself is not verified, as LocalStack and moto do not verify it either.
 */
export async function startEmulator(state: EmulatorState, port = 0): Promise<RunningEmulator> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    readBody(req)
      .then((body) => {
        const url = new URL(req.url ?? '/', 'http://emulator');
        const scope = CREDENTIAL_SCOPE.exec(req.headers.authorization ?? '');
        const service = scope === null ? undefined : serviceOf(scope[2] ?? '', url.pathname);
        if (scope === null || service === undefined) {
          res.writeHead(400, { 'content-type': 'text/plain' });
          res.end(
            `the emulator routes by the SigV4 credential scope; got "${req.headers.authorization ?? ''}"`,
          );
          return;
        }
        const headers = Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [
            k.toLowerCase(),
            Array.isArray(v) ? v.join(',') : (v ?? ''),
          ]),
        );
        const response = dispatch(state, {
          service,
          region: scope[1] ?? 'us-east-1',
          method: req.method ?? 'GET',
          rawPath: url.pathname,
          query: url.searchParams,
          headers,
          body,
        });
        res.writeHead(response.status, {
          'x-amzn-requestid': `emulator-${state.calls.length}`,
          ...response.headers,
        });
        res.end(response.body);
      })
      .catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
