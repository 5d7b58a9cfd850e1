import type { AwsClients } from '../../../src/collect/clients.js';
import type { FixtureServer } from './api-fixtures.js';

const SERVICE_OF_CLIENT: Record<string, 'ec2' | 'iam' | 'kms' | 'lambda' | 's3' | 's3control' | 'sts'> = {
  EC2Client: 'ec2',
  IAMClient: 'iam',
  KMSClient: 'kms',
  LambdaClient: 'lambda',
  S3Client: 's3',
  S3ControlClient: 's3control',
  STSClient: 'sts',
};

export interface TransportLog {
  /** Every command that got past the client's initialize/serialize/build/finalize steps (guard, retry, signing). */
  reachedTransport: Array<{ client: string; command: string }>;
}

interface StackClient {
  config: { region: () => Promise<string> };
  middlewareStack: {
    add(mw: unknown, options: { step: string; priority: string; name: string }): void;
  };
}

/**
 * Serves fixtures from inside the real client stack: a middleware at the head of the deserialize
 * step answers instead of the HTTP handler. Everything above it runs for real: the read-only guard,
 * serialization, endpoint resolution, signing and the SDK's adaptive retry (which sees the
 * fixtures' throttling errors).
 */
export function withFixtureTransport(
  clients: AwsClients,
  server: FixtureServer,
  log: TransportLog,
): AwsClients {
  const installed = new WeakSet<object>();
  const wrap = <C>(client: C): C => {
    if (installed.has(client as object)) return client;
    installed.add(client as object);
    const stack = client as unknown as StackClient;
    stack.middlewareStack.add(
      (_next: unknown, context: { clientName?: string; commandName?: string }) =>
        async (args: { input: unknown }) => {
          const clientName = context.clientName ?? '';
          const command = context.commandName ?? '';
          log.reachedTransport.push({ client: clientName, command });
          const service = SERVICE_OF_CLIENT[clientName];
          if (service === undefined) throw new Error(`unknown client ${clientName}`);
          const region = await stack.config.region();
          const output = await server.respond(service, command.replace(/Command$/, ''), args.input, region);
          return { output, response: { statusCode: 200, headers: {} } };
        },
      { step: 'deserialize', priority: 'high', name: 'fixtureTransport' },
    );
    return client;
  };
  return {
    lambda: (r) => wrap(clients.lambda(r)),
    ec2: (r) => wrap(clients.ec2(r)),
    iam: (r) => wrap(clients.iam(r)),
    s3: (r) => wrap(clients.s3(r)),
    s3control: (r) => wrap(clients.s3control(r)),
    kms: (r) => wrap(clients.kms(r)),
    sts: (r) => wrap(clients.sts(r)),
    destroy: () => clients.destroy(),
  };
}
