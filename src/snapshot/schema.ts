import * as z from 'zod';
import { apiErrorSchema, fetchedSchema } from './fetched.js';

/**
 * THE account model: what `lvs collect` writes and every rule reads. Field names are camelCase but
 * keep AWS's terms so that evidence reads like the console. Policy documents are kept as the JSON
 * text AWS returned (URL-decoded for IAM) so that an invalid document is a finding, not a load error.
 */
export const SNAPSHOT_SCHEMA_VERSION = 1;

/** The only value an environment variable may hold in a snapshot: values are secrets until proven otherwise. */
export const REDACTED = '<redacted>';

const id = (prefix: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}-[0-9a-z]+$`), { error: `expected an ID starting with "${prefix}-"` });
const arn = z.string().regex(/^arn:aws[a-z-]*:/, { error: 'expected an ARN' });

export const environmentVariableSchema = z.strictObject({
  name: z.string().min(1),
  value: z.literal(REDACTED, { error: `environment values must be redacted to "${REDACTED}" in a snapshot` }),
  /** The value was empty (an empty secret-named variable is not a leak). */
  isEmpty: z.boolean(),
  /** The value is a reference (an ARN, `{{resolve:…}}`, an SSM parameter path), not the secret itself. */
  isReference: z.boolean(),
  /** Names of the credential patterns the value matched (e.g. "aws-access-key-id"); never the value. */
  credentialPatterns: z.array(z.string()),
  /** The value is exactly the name of a bucket of the account: bucket names are not secret. */
  bucketName: z.string().nullable(),
});

export const functionUrlConfigSchema = z.strictObject({
  functionUrl: z.string(),
  authType: z.enum(['NONE', 'AWS_IAM']),
});

export const lambdaFunctionSchema = z.strictObject({
  functionName: z.string().min(1),
  functionArn: arn,
  runtime: z.string().nullable(),
  role: arn,
  vpcConfig: z
    .strictObject({
      vpcId: z.string(),
      subnetIds: z.array(z.string()),
      securityGroupIds: z.array(z.string()),
    })
    .nullable(),
  kmsKeyArn: z.string().nullable(),
  tracingMode: z.enum(['Active', 'PassThrough']).nullable(),
  environment: z.array(environmentVariableSchema),
  /**
   * Environment.Error of ListFunctions: Lambda could not decrypt the environment (KMSAccessDeniedException,
   * KMSDisabledException…) and returned no Variables. The function still has variables, unseen, so
   * `environment: []` then means "unknown", not "none": rules that read variables report `error`.
   */
  environmentError: z.strictObject({ errorCode: z.string(), message: z.string() }).nullable(),
  tags: z.record(z.string(), z.string()),
  /** lambda:GetPolicy; `absent` = ResourceNotFoundException (no resource-based policy). */
  resourcePolicy: fetchedSchema(z.string()),
  /** lambda:GetFunctionUrlConfig; `absent` = the function has no URL. */
  urlConfig: fetchedSchema(functionUrlConfigSchema),
});

export const vpcSchema = z.strictObject({
  vpcId: id('vpc'),
  cidrBlocks: z.array(z.string()),
  ipv6CidrBlocks: z.array(z.string()),
});

export const subnetSchema = z.strictObject({
  subnetId: id('subnet'),
  vpcId: id('vpc'),
  availabilityZone: z.string(),
  availabilityZoneId: z.string().nullable(),
  cidrBlock: z.string().nullable(),
});

export const routeSchema = z.strictObject({
  destinationCidrBlock: z.string().optional(),
  destinationIpv6CidrBlock: z.string().optional(),
  destinationPrefixListId: z.string().optional(),
  /** igw-…, vgw-…, `local`, or vpce-… for gateway endpoint routes. */
  gatewayId: z.string().optional(),
  natGatewayId: z.string().optional(),
  egressOnlyInternetGatewayId: z.string().optional(),
  transitGatewayId: z.string().optional(),
  vpcPeeringConnectionId: z.string().optional(),
  instanceId: z.string().optional(),
  networkInterfaceId: z.string().optional(),
  localGatewayId: z.string().optional(),
  carrierGatewayId: z.string().optional(),
  coreNetworkArn: z.string().optional(),
  vpcEndpointId: z.string().optional(),
  state: z.enum(['active', 'blackhole']),
});

export const routeTableSchema = z.strictObject({
  routeTableId: id('rtb'),
  vpcId: id('vpc'),
  associations: z.array(
    z.strictObject({
      main: z.boolean(),
      subnetId: z.string().optional(),
      gatewayId: z.string().optional(),
    }),
  ),
  routes: z.array(routeSchema),
});

export const vpcEndpointSchema = z.strictObject({
  vpcEndpointId: id('vpce'),
  vpcEndpointType: z.enum(['Gateway', 'Interface', 'GatewayLoadBalancer', 'Resource', 'ServiceNetwork']),
  serviceName: z.string(),
  state: z.string(),
  vpcId: id('vpc'),
  routeTableIds: z.array(z.string()),
  /** JSON text; null when the endpoint type has no policy. */
  policyDocument: z.string().nullable(),
});

export const prefixListSchema = z.strictObject({
  prefixListId: id('pl'),
  prefixListName: z.string(),
  cidrs: z.array(z.string()),
});

export const egressRuleSchema = z.strictObject({
  /** "-1" = all protocols, or "tcp" / "udp" / "icmp" / a protocol number. */
  ipProtocol: z.string(),
  fromPort: z.number().int().nullable(),
  toPort: z.number().int().nullable(),
  ipv4Ranges: z.array(z.string()),
  ipv6Ranges: z.array(z.string()),
  prefixListIds: z.array(z.string()),
  referencedGroupIds: z.array(z.string()),
});

export const securityGroupSchema = z.strictObject({
  groupId: id('sg'),
  groupName: z.string(),
  vpcId: id('vpc'),
  egress: z.array(egressRuleSchema),
});

export const regionSnapshotSchema = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'expected an AWS region name' }),
  /** lambda:ListFunctions across every page. */
  functions: fetchedSchema(z.array(lambdaFunctionSchema)),
  vpcs: fetchedSchema(z.array(vpcSchema)),
  subnets: fetchedSchema(z.array(subnetSchema)),
  routeTables: fetchedSchema(z.array(routeTableSchema)),
  vpcEndpoints: fetchedSchema(z.array(vpcEndpointSchema)),
  securityGroups: fetchedSchema(z.array(securityGroupSchema)),
  /** AWS-managed prefix lists (ec2:DescribePrefixLists), among them com.amazonaws.<region>.s3. */
  prefixLists: fetchedSchema(z.array(prefixListSchema)),
});

export const inlinePolicySchema = z.strictObject({ policyName: z.string(), document: z.string() });
export const attachedPolicySchema = z.strictObject({ policyName: z.string(), policyArn: arn });

export const iamRoleSchema = z.strictObject({
  roleName: z.string(),
  roleArn: arn,
  /** Trust policy, URL-decoded JSON text. */
  assumeRolePolicyDocument: z.string(),
  inlinePolicies: z.array(inlinePolicySchema),
  attachedPolicies: z.array(attachedPolicySchema),
});

export const managedPolicySchema = z.strictObject({
  policyName: z.string(),
  policyArn: arn,
  defaultVersionId: z.string(),
  /** Default version's document, URL-decoded JSON text. */
  document: z.string(),
});

export const publicAccessBlockSchema = z.strictObject({
  blockPublicAcls: z.boolean(),
  ignorePublicAcls: z.boolean(),
  blockPublicPolicy: z.boolean(),
  restrictPublicBuckets: z.boolean(),
});

export const bucketEncryptionSchema = z.strictObject({
  rules: z.array(
    z.strictObject({
      sseAlgorithm: z.string(),
      kmsMasterKeyId: z.string().nullable(),
      bucketKeyEnabled: z.boolean(),
    }),
  ),
});

export const bucketSchema = z.strictObject({
  name: z.string().min(3),
  /** False when the bucket is not one of the audited account's (ListBuckets): its settings are not read. */
  ownedByAccount: z.boolean(),
  region: fetchedSchema(z.string()),
  /** s3:GetBucketPolicy JSON text; `absent` = NoSuchBucketPolicy. */
  policy: fetchedSchema(z.string()),
  /** `absent` = ServerSideEncryptionConfigurationNotFoundError. */
  encryption: fetchedSchema(bucketEncryptionSchema),
  /** `absent` = NoSuchPublicAccessBlockConfiguration. */
  publicAccessBlock: fetchedSchema(publicAccessBlockSchema),
});

export const kmsKeySchema = z.strictObject({
  keyId: z.string(),
  keyArn: arn,
  keyManager: z.enum(['CUSTOMER', 'AWS']),
  keyState: z.string(),
  rotationEnabled: fetchedSchema(z.boolean()),
});

export const accountSnapshotSchema = z.strictObject({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION, {
    error: `unsupported schemaVersion (this lvs reads ${SNAPSHOT_SCHEMA_VERSION})`,
  }),
  generatedAt: z.iso.datetime({ offset: true }),
  collector: z.strictObject({ name: z.string(), version: z.string() }),
  accountId: z.string().regex(/^\d{12}$/, { error: 'expected a 12-digit account ID' }),
  partition: z.enum(['aws', 'aws-cn', 'aws-us-gov']),
  regions: z.array(regionSnapshotSchema).min(1),
  iam: z.strictObject({
    /** Keyed by role ARN. */
    roles: z.record(z.string(), fetchedSchema(iamRoleSchema)),
    /** Keyed by policy ARN; customer-managed and AWS-managed alike. */
    managedPolicies: z.record(z.string(), fetchedSchema(managedPolicySchema)),
  }),
  s3: z.strictObject({
    /** s3:ListBuckets: the account's bucket names, to expand wildcards in role policies (SPEC 2.2). */
    bucketNames: fetchedSchema(z.array(z.string())),
    /** Keyed by bucket name; the buckets some function reaches. */
    buckets: z.record(z.string(), bucketSchema),
    /** s3control:GetPublicAccessBlock for the account; each flag also protects every bucket. */
    accountPublicAccessBlock: fetchedSchema(publicAccessBlockSchema),
  }),
  kms: z.strictObject({
    /** Keyed by key ARN. */
    keys: z.record(z.string(), fetchedSchema(kmsKeySchema)),
  }),
  /** Every failed read of the collection, also found in place as Fetched errors. */
  errors: z.array(apiErrorSchema),
});

export type AccountSnapshot = z.infer<typeof accountSnapshotSchema>;
export type RegionSnapshot = z.infer<typeof regionSnapshotSchema>;
export type LambdaFunction = z.infer<typeof lambdaFunctionSchema>;
export type EnvironmentVariable = z.infer<typeof environmentVariableSchema>;
export type Vpc = z.infer<typeof vpcSchema>;
export type Subnet = z.infer<typeof subnetSchema>;
export type Route = z.infer<typeof routeSchema>;
export type RouteTable = z.infer<typeof routeTableSchema>;
export type VpcEndpoint = z.infer<typeof vpcEndpointSchema>;
export type PrefixList = z.infer<typeof prefixListSchema>;
export type EgressRule = z.infer<typeof egressRuleSchema>;
export type SecurityGroup = z.infer<typeof securityGroupSchema>;
export type IamRole = z.infer<typeof iamRoleSchema>;
export type ManagedPolicy = z.infer<typeof managedPolicySchema>;
export type Bucket = z.infer<typeof bucketSchema>;
export type PublicAccessBlock = z.infer<typeof publicAccessBlockSchema>;
export type BucketEncryption = z.infer<typeof bucketEncryptionSchema>;
export type KmsKey = z.infer<typeof kmsKeySchema>;
