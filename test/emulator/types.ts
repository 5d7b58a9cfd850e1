import type { AccountSnapshot } from '../../src/snapshot/schema.js';

export type EmulatedService = 'ec2' | 'iam' | 'kms' | 'lambda' | 's3' | 's3control' | 'sts';

export interface EmulatorRequest {
  service: EmulatedService;
  /** From the SigV4 credential scope, as AWS routes it. */
  region: string;
  method: string;
  /** URL path, percent-decoded per segment by the service that needs it (Lambda ARNs, S3 keys). */
  rawPath: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string;
}

export interface EmulatorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An answer in AWS's own terms: code, HTTP status, message. Each service encodes it in its protocol. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Extra members some error shapes carry (S3's BucketName). */
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** What AWS-compatible emulators answer for an operation they do not implement (LocalStack's wording). */
export function notImplemented(service: string, operation: string): AwsError {
  return new AwsError(
    'InternalFailure',
    501,
    `API action '${operation}' for service '${service}' not yet implemented or pro feature`,
  );
}

export interface CallRecord {
  service: EmulatedService;
  region: string;
  operation: string;
  status: number;
  errorCode?: string;
}

export interface EmulatorState {
  /** The account as lvs models it; read operations answer from it and write operations change it. */
  snapshot: AccountSnapshot;
  /** The principal every request is made as (sts:GetCallerIdentity). */
  callerArn: string;
  /** Key ARN -> key policy JSON (KMS GetKeyPolicy / PutKeyPolicy); not part of the lvs snapshot. */
  keyPolicies: Map<string, string>;
  /**
   * Function ARN -> plaintext environment as Lambda would return it. Snapshots hold only redacted
   * values, so the emulator makes up values with the same classification (see state.ts).
   */
  environments: Map<string, Record<string, string>>;
  /** "service:Operation" pairs answered with notImplemented(), to test how lvs takes an emulator's gaps. */
  unsupported: Set<string>;
  /** Every request answered, in order. */
  calls: CallRecord[];
  /** A fresh resource ID: `vpce-…`, `key id` … unique within this emulator. */
  nextId(prefix: string): string;
}

/** One AWS service: how to name an operation from a request, answer it, and encode an error. */
export interface ServiceModule {
  /** The operation a request calls (Action=, X-Amz-Target, or the REST route), or undefined. */
  operationOf(req: EmulatorRequest): string | undefined;
  /** The answer; throws AwsError for AWS errors, or notImplemented() for an operation not emulated. */
  handle(operation: string, req: EmulatorRequest, state: EmulatorState): EmulatorResponse;
  errorResponse(error: AwsError, req: EmulatorRequest): EmulatorResponse;
}
