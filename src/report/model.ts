import type { CheckMeta } from '../checks/define-check.js';
import type { CheckResult } from '../core/result.js';
import type { Severity } from '../core/severity.js';
import type { ApiError } from '../snapshot/fetched.js';

/** A function's data path as the terminal draws it: function -> subnets/AZs -> route tables -> endpoint -> buckets. */
export interface FunctionDataPath {
  functionName: string;
  functionArn: string;
  accountId: string;
  region: string;
  vpcId: string | null;
  subnets: Array<{
    subnetId: string;
    availabilityZone: string | null;
    routeTableId: string | null;
    routeTableAssociation: 'explicit' | 'main' | null;
    /** The S3 gateway endpoint the table routes to, if any. */
    s3EndpointId: string | null;
  }>;
  securityGroupIds: string[];
  buckets: string[];
  roleArn: string;
  kmsKeyArn: string | null;
  tracingMode: string | null;
}

/** Where a function is defined in source, for SARIF physical locations (SPEC 5). */
export interface SourceLocation {
  uri: string;
  startLine?: number;
}

/** Everything a renderer needs; renderers are pure functions of it (plus options). */
export interface AuditReport {
  tool: { name: 'lvs'; version: string };
  generatedAt: string;
  accounts: Array<{ accountId: string; regions: string[] }>;
  results: CheckResult[];
  errors: ApiError[];
  dataPaths: FunctionDataPath[];
  /** The catalogue of the checks that ran, in ID order: SARIF rules and terminal fixes come from it. */
  checks: CheckMeta[];
  /** Said once on stderr and kept in JSON, e.g. expired suppressions. */
  warnings: string[];
  /** functionArn -> template location, when the config maps the function's CloudFormation stack. */
  locations: Record<string, SourceLocation>;
  failOn: Severity;
}
