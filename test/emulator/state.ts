import type { Fetched } from '../../src/snapshot/fetched.js';
import type { AccountSnapshot, EnvironmentVariable, RegionSnapshot } from '../../src/snapshot/schema.js';
import { AwsError, type EmulatorState } from './types.js';

/** A sample value of each credential pattern lvs knows (src/core/secrets.ts), so that it is classified the same. */
const CREDENTIAL_SAMPLES: Record<string, string> = {
  'aws-access-key-id': 'AKIAIOSFODNN7EXAMPLE',
  'pem-private-key':
    '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAexample\n-----END RSA PRIVATE KEY-----',
  'slack-token': 'xoxb-123456789012-abcdefghijkl',
  'github-token': `ghp_${'a1B2c3D4e5'.repeat(4)}`,
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJlbXVsYXRvciJ9.c2lnbmF0dXJlLWV4YW1wbGU',
};

/**
 * A plaintext value that lvs's redaction classifies exactly as the snapshot says the real one was:
 * empty, a reference, a bucket name, carrying the same credential patterns, or an ordinary value.
 */
export function sampleValue(variable: EnvironmentVariable, region: string, accountId: string): string {
  if (variable.isEmpty) return '';
  if (variable.credentialPatterns.length > 0) {
    return variable.credentialPatterns.map((name) => CREDENTIAL_SAMPLES[name] ?? name).join(' ');
  }
  if (variable.isReference) {
    return `arn:aws:secretsmanager:${region}:${accountId}:secret:${variable.name.toLowerCase()}-AbCdEf`;
  }
  if (variable.bucketName !== null) return variable.bucketName;
  return `value-of-${variable.name.toLowerCase()}`;
}

export interface StateOptions {
  callerArn?: string;
  unsupported?: Iterable<string>;
}

/** An emulator account built to a snapshot: the golden stack, a variant, the demo account. */
export function stateFromSnapshot(snapshot: AccountSnapshot, options: StateOptions = {}): EmulatorState {
  const copy = structuredClone(snapshot);
  const environments = new Map<string, Record<string, string>>();
  for (const region of copy.regions) {
    if (region.functions.status !== 'ok') continue;
    for (const fn of region.functions.value) {
      environments.set(
        fn.functionArn,
        Object.fromEntries(
          fn.environment.map((v) => [v.name, sampleValue(v, region.region, copy.accountId)]),
        ),
      );
    }
  }
  const keyPolicies = new Map<string, string>();
  for (const [arn, key] of Object.entries(copy.kms.keys)) {
    if (key.status !== 'ok') continue;
    keyPolicies.set(
      arn,
      JSON.stringify({
        Version: '2012-10-17',
        Id: 'key-default-1',
        Statement: [
          {
            Sid: 'Enable IAM User Permissions',
            Effect: 'Allow',
            Principal: { AWS: `arn:${copy.partition}:iam::${copy.accountId}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
        ],
      }),
    );
  }
  let counter = 0;
  return {
    snapshot: copy,
    callerArn: options.callerArn ?? `arn:${copy.partition}:iam::${copy.accountId}:user/lvs-operator`,
    keyPolicies,
    environments,
    unsupported: new Set(options.unsupported ?? []),
    calls: [],
    nextId: (prefix) => {
      counter += 1;
      return `${prefix}${(0x1000000 + counter).toString(16).padStart(17, '0')}`;
    },
  };
}

const STATUS_OF_CODE: Record<string, number> = {
  AccessDenied: 403,
  AccessDeniedException: 403,
  UnauthorizedOperation: 403,
  'Client.UnauthorizedOperation': 403,
  ThrottlingException: 400,
  Throttling: 400,
  RequestLimitExceeded: 503,
  ServiceUnavailable: 503,
  InternalError: 500,
};

/** The HTTP status AWS uses with an error code (400 unless known otherwise). */
export function statusOfCode(code: string): number {
  return STATUS_OF_CODE[code] ?? 400;
}

/**
 * The value behind a Fetched read, or the answer AWS gave: a recorded error is answered again as
 * that error, and `absent` as the error the service uses for "there is none" (`absentError`).
 */
export function answer<T>(fetched: Fetched<T>, absentError: () => AwsError): T {
  if (fetched.status === 'ok') return fetched.value;
  if (fetched.status === 'absent') throw absentError();
  throw new AwsError(fetched.error.code, statusOfCode(fetched.error.code), fetched.error.message);
}

const EMPTY_REGION = (region: string): RegionSnapshot => ({
  region,
  functions: { status: 'ok', value: [] },
  vpcs: { status: 'ok', value: [] },
  subnets: { status: 'ok', value: [] },
  routeTables: { status: 'ok', value: [] },
  vpcEndpoints: { status: 'ok', value: [] },
  securityGroups: { status: 'ok', value: [] },
  prefixLists: { status: 'ok', value: [] },
});

/** The region's resources; a region the account has nothing in answers with empty lists. */
export function regionOf(state: EmulatorState, region: string): RegionSnapshot {
  return state.snapshot.regions.find((r) => r.region === region) ?? EMPTY_REGION(region);
}

/** The region's resources for a write: a region the account had nothing in is added. */
export function regionForWrite(state: EmulatorState, region: string): RegionSnapshot {
  let found = state.snapshot.regions.find((r) => r.region === region);
  if (found === undefined) {
    found = EMPTY_REGION(region);
    state.snapshot.regions.push(found);
  }
  return found;
}

/** A list a write changes: a list whose read had failed or was absent becomes an empty, known one. */
export function writableList<T>(holder: { [key: string]: unknown }, key: string): T[] {
  const fetched = holder[key] as Fetched<T[]>;
  if (fetched.status === 'ok') return fetched.value;
  const value: T[] = [];
  holder[key] = { status: 'ok', value };
  return value;
}

export type { AccountSnapshot };
