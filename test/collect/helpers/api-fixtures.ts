import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ec2 from '@aws-sdk/client-ec2';
import * as iam from '@aws-sdk/client-iam';
import * as kms from '@aws-sdk/client-kms';
import * as lambda from '@aws-sdk/client-lambda';
import * as s3 from '@aws-sdk/client-s3';
import * as s3control from '@aws-sdk/client-s3-control';
import * as sts from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { isDeepStrictEqual } from 'node:util';

/**
 * The golden stack's AWS answers (fixtures/golden/api-responses/<service>/<Operation>.json) served
 * to aws-sdk-client-mock. A request is answered by the fixture entry whose input equals it exactly
 * (so the tests also pin the API plan: filters, page sizes, markers); anything else is an
 * "UnexpectedCall" error, recorded.
 */

export const API_RESPONSES_DIR = fileURLToPath(
  new URL('../../../fixtures/golden/api-responses/', import.meta.url),
);

export interface ErrorSpec {
  name: string;
  message: string;
  httpStatusCode: number;
  [extra: string]: unknown;
}

export interface FixtureCall {
  input: Record<string, unknown>;
  output?: Record<string, unknown>;
  error?: ErrorSpec;
  /** Errors answered, in order, before the output/error (e.g. a throttling burst). Test-only. */
  before?: ErrorSpec[];
}

/** Keyed by "<service>/<Operation>". */
export type Fixtures = Map<string, FixtureCall[]>;

export function loadFixtures(dir = API_RESPONSES_DIR): Fixtures {
  const fixtures: Fixtures = new Map();
  for (const service of readdirSync(dir)) {
    for (const file of readdirSync(join(dir, service)).filter((f) => f.endsWith('.json'))) {
      const body = JSON.parse(readFileSync(join(dir, service, file), 'utf8')) as { calls: FixtureCall[] };
      fixtures.set(`${service}/${file.replace(/\.json$/, '')}`, body.calls);
    }
  }
  return fixtures;
}

type ServiceName = 'ec2' | 'iam' | 'kms' | 'lambda' | 's3' | 's3control' | 'sts';

const CLIENTS: Record<ServiceName, new (config: object) => { send: unknown }> = {
  ec2: ec2.EC2Client,
  iam: iam.IAMClient,
  kms: kms.KMSClient,
  lambda: lambda.LambdaClient,
  s3: s3.S3Client,
  s3control: s3control.S3ControlClient,
  sts: sts.STSClient,
};

const EXCEPTIONS: Record<ServiceName, new (options: never) => Error> = {
  ec2: ec2.EC2ServiceException,
  iam: iam.IAMServiceException,
  kms: kms.KMSServiceException,
  lambda: lambda.LambdaServiceException,
  s3: s3.S3ServiceException,
  s3control: s3control.S3ControlServiceException,
  sts: sts.STSServiceException,
};

/** An error shaped like the SDK's: the service's exception class, AWS's error name, HTTP status in $metadata. */
export function awsError(service: ServiceName, spec: ErrorSpec): Error {
  const { name, message, httpStatusCode, ...extra } = spec;
  const Exception = EXCEPTIONS[service];
  const error = new Exception({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode, requestId: 'fixture', attempts: 1, totalRetryDelay: 0 },
  } as never);
  Object.assign(error, extra);
  return error;
}

/** Drops undefined members, which the SDK ignores when serializing. */
function clean(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? {})) as unknown;
}

export interface RecordedCall {
  service: string;
  operation: string;
  input: unknown;
  /** Region of the client the request was sent through. */
  region: string;
}

export class FixtureServer {
  readonly calls: RecordedCall[] = [];
  readonly unexpected: RecordedCall[] = [];
  private readonly served = new Map<FixtureCall, number>();
  /** Optional hook run before each answer (latency, throttling emulation). */
  beforeAnswer: ((call: RecordedCall) => Promise<void> | void) | undefined;

  constructor(readonly fixtures: Fixtures) {}

  async respond(service: ServiceName, operation: string, rawInput: unknown, region = ''): Promise<unknown> {
    const input = clean(rawInput);
    const call = { service, operation, input, region };
    this.calls.push(call);
    await this.beforeAnswer?.(call);
    const entry = (this.fixtures.get(`${service}/${operation}`) ?? []).find((c) =>
      isDeepStrictEqual(clean(c.input), input),
    );
    if (entry === undefined) {
      this.unexpected.push(call);
      throw awsError(service, {
        name: 'UnexpectedCall',
        message: `no fixture for ${service}:${operation} ${JSON.stringify(input)}`,
        httpStatusCode: 400,
      });
    }
    const n = this.served.get(entry) ?? 0;
    this.served.set(entry, n + 1);
    const before = entry.before ?? [];
    const early = before[n];
    if (early !== undefined) throw awsError(service, early);
    if (entry.error !== undefined) throw awsError(service, entry.error);
    return {
      ...structuredClone(entry.output ?? {}),
      $metadata: { httpStatusCode: 200, requestId: 'fixture', attempts: 1, totalRetryDelay: 0 },
    };
  }

  count(service: string, operation?: string): number {
    return this.calls.filter(
      (c) => c.service === service && (operation === undefined || c.operation === operation),
    ).length;
  }

  /** Mocks every client class (aws-sdk-client-mock replaces send on the prototypes). Returns restore(). */
  install(): () => void {
    const mocks = (Object.keys(CLIENTS) as ServiceName[]).map((service) => {
      const mock = mockClient(CLIENTS[service] as never);
      const respond = (...args: Parameters<FixtureServer['respond']>) => this.respond(...args);
      // sinon calls the fake with `this` = the client the command was sent through.
      (mock.send as unknown as { callsFake(fn: unknown): void }).callsFake(async function (
        this: { config: { region: () => Promise<string> } },
        command: { input: unknown; constructor: { name: string } },
      ) {
        const region = await this.config.region();
        return respond(service, command.constructor.name.replace(/Command$/, ''), command.input, region);
      });
      return mock;
    });
    return () => {
      for (const mock of mocks) mock.restore();
    };
  }
}

/** A fresh, mutable copy of the golden fixtures. */
export function goldenFixtures(): Fixtures {
  return structuredClone(loadFixtures());
}

/** The only entry of a fixture file (throws when there are several or none). */
export function only(fixtures: Fixtures, key: string): FixtureCall {
  const calls = fixtures.get(key);
  if (calls?.length !== 1 || calls[0] === undefined)
    throw new Error(`${key}: expected exactly one fixture call`);
  return calls[0];
}
