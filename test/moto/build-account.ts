import {
  AssociateRouteTableCommand,
  AuthorizeSecurityGroupEgressCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DescribeAvailabilityZonesCommand,
  DescribePrefixListsCommand,
  DescribeRouteTablesCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
} from '@aws-sdk/client-ec2';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  EnableKeyRotationCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { crc32 } from 'node:zlib';

/**
 * The golden stack of fixtures/golden/template.yaml, built in an AWS-compatible endpoint (moto) with
 * the AWS SDK v3 write calls CloudFormation would make: VPC, two private subnets in two AZs each with
 * its own route table and no default route, an S3 gateway endpoint on both tables with a policy
 * limited to the account's own buckets, a security group whose only egress is tcp/443 to the
 * region's S3 prefix list, a rotating customer-managed KMS key, the results bucket (SSE-KMS with that
 * key, Block Public Access on, a policy denying anything not through the endpoint), the execution role
 * (trusted by lambda.amazonaws.com, the golden role's policies) and the function (both subnets, the
 * group, the key, X-Ray Active, non-secret environment).
 */

export const CREDENTIALS = {
  accessKeyId: 'AKIAMOTOEXAMPLE00000',
  secretAccessKey: 'moto-secret-key',
} as const;
export const REGION = 'eu-west-1';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Clients {
  ec2: EC2Client;
  iam: IAMClient;
  kms: KMSClient;
  lambda: LambdaClient;
  s3: S3Client;
  sts: STSClient;
  destroy(): void;
}

/** Write-capable SDK clients aimed at `endpoint` (moto itself, not the logging proxy). */
export function clientsFor(
  endpoint: string,
  region = REGION,
  credentials: Credentials = CREDENTIALS,
): Clients {
  const config = { region, endpoint, credentials, maxAttempts: 1 };
  const clients = {
    ec2: new EC2Client(config),
    // IAM is global: signed for us-east-1 as lvs does.
    iam: new IAMClient({ ...config, region: 'us-east-1' }),
    kms: new KMSClient(config),
    lambda: new LambdaClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    sts: new STSClient(config),
  };
  return {
    ...clients,
    destroy: () => {
      for (const c of Object.values(clients)) c.destroy();
    },
  };
}

/** Every ID of the built stack. */
export interface Golden {
  region: string;
  accountId: string;
  callerArn: string;
  vpcId: string;
  vpcCidr: string;
  subnetIds: [string, string];
  availabilityZones: [string, string];
  routeTableIds: [string, string];
  mainRouteTableId: string;
  endpointId: string;
  prefixListId: string;
  securityGroupId: string;
  keyId: string;
  keyArn: string;
  bucket: string;
  bucketArn: string;
  roleName: string;
  roleArn: string;
  functionName: string;
  functionArn: string;
  breakGlassArn: string;
}

export const FUNCTION_NAME = 'lvs-golden-scorer';
export const ROLE_NAME = 'lvs-golden-scorer-role';

const json = (value: unknown) => JSON.stringify(value);

export const trustPolicy = () =>
  json({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  });

export const endpointPolicy = (accountId: string) =>
  json({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OwnAccountBucketsOnly',
        Effect: 'Allow',
        Principal: '*',
        Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceAccount': accountId } },
      },
    ],
  });

export const denyInsecureTransport = (bucketArn: string) => ({
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [bucketArn, `${bucketArn}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});

export const bucketPolicy = (g: Pick<Golden, 'bucketArn' | 'endpointId' | 'breakGlassArn'>) =>
  json({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyUnlessThroughScorerEndpoint',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [g.bucketArn, `${g.bucketArn}/*`],
        Condition: {
          StringNotEquals: { 'aws:SourceVpce': g.endpointId },
          ArnNotLike: { 'aws:PrincipalArn': g.breakGlassArn },
        },
      },
      denyInsecureTransport(g.bucketArn),
    ],
  });

export const rolePolicy = (g: Pick<Golden, 'bucketArn' | 'keyArn' | 'region' | 'accountId'>) =>
  json({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'WriteScores', Effect: 'Allow', Action: 's3:PutObject', Resource: `${g.bucketArn}/scores/*` },
      {
        Sid: 'UseDataKey',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: g.keyArn,
      },
      {
        Sid: 'ConsumeTransactions',
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        Resource: `arn:aws:sqs:${g.region}:${g.accountId}:lvs-golden-transactions`,
      },
    ],
  });

const keyPolicy = (accountId: string, roleArn: string) =>
  json({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AccountRootAdministersKey',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'ScorerUsesKey',
        Effect: 'Allow',
        Principal: { AWS: roleArn },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
      },
    ],
  });

/**
 * A minimal valid zip archive holding `files` (stored, not deflated): what Lambda's CreateFunction
 * expects in Code.ZipFile.
 */
export function zipOf(files: Record<string, string>): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Buffer.from(text, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); // local file header signature
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0, 6); // flags
    local.writeUInt16LE(0, 8); // method: stored
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(0x21, 12); // date: 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); // central directory header signature
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6); // version needed
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt16LE(0, 30); // extra
    central.writeUInt16LE(0, 32); // comment
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE(0, 38); // external attributes
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); // end of central directory signature
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

export const HANDLER_SOURCE = `exports.handler = async (event) => ({ batchItemFailures: [] });\n`;

/** The function's non-secret environment (RESULTS_BUCKET names the bucket, so LVS007/013 reach it). */
export const environmentOf = (bucket: string): Record<string, string> => ({
  MODEL_VERSION: 'fraud-lr-2026.11.1',
  RESULTS_BUCKET: bucket,
  RESULTS_PREFIX: 'scores/',
});

function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null || value === '')
    throw new Error(`the endpoint returned no ${what}`);
  return value;
}

/** Builds the golden stack; returns its IDs. */
export async function buildGolden(c: Clients, region = REGION): Promise<Golden> {
  const identity = await c.sts.send(new GetCallerIdentityCommand({}));
  const accountId = must(identity.Account, 'account ID');
  const callerArn = must(identity.Arn, 'caller ARN');

  // ---------------------------------------------------------------- network
  const vpcCidr = '10.20.0.0/16';
  const vpc = await c.ec2.send(new CreateVpcCommand({ CidrBlock: vpcCidr }));
  const vpcId = must(vpc.Vpc?.VpcId, 'VPC ID');
  const zones = await c.ec2.send(
    new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'region-name', Values: [region] }] }),
  );
  const azs = (zones.AvailabilityZones ?? []).map((z) => must(z.ZoneName, 'zone name'));
  if (azs.length < 2) throw new Error(`${region} has fewer than two availability zones`);
  const availabilityZones: [string, string] = [azs[0] as string, azs[1] as string];
  const subnetIds = (await Promise.all(
    availabilityZones.map(async (az, i) => {
      const out = await c.ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.20.${i + 1}.0/24`, AvailabilityZone: az }),
      );
      return must(out.Subnet?.SubnetId, 'subnet ID');
    }),
  )) as [string, string];
  const routeTableIds = (await Promise.all(
    subnetIds.map(async (subnetId) => {
      const table = await c.ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
      const id = must(table.RouteTable?.RouteTableId, 'route table ID');
      await c.ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: subnetId }));
      return id;
    }),
  )) as [string, string];
  const tables = await c.ec2.send(
    new DescribeRouteTablesCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'association.main', Values: ['true'] },
      ],
    }),
  );
  const mainRouteTableId = must(tables.RouteTables?.[0]?.RouteTableId, 'main route table');

  const lists = await c.ec2.send(
    new DescribePrefixListsCommand({
      Filters: [{ Name: 'prefix-list-name', Values: [`com.amazonaws.${region}.s3`] }],
    }),
  );
  const prefixListId = must(lists.PrefixLists?.[0]?.PrefixListId, 'S3 prefix list');

  const endpoint = await c.ec2.send(
    new CreateVpcEndpointCommand({
      VpcEndpointType: 'Gateway',
      VpcId: vpcId,
      ServiceName: `com.amazonaws.${region}.s3`,
      RouteTableIds: routeTableIds,
      PolicyDocument: endpointPolicy(accountId),
    }),
  );
  const endpointId = must(endpoint.VpcEndpoint?.VpcEndpointId, 'endpoint ID');

  const group = await c.ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: 'lvs-golden-scorer',
      Description: 'lvs-golden-scorer - HTTPS to S3 through the gateway endpoint only',
      VpcId: vpcId,
    }),
  );
  const securityGroupId = must(group.GroupId, 'security group ID');
  // Every new group gets "all traffic to 0.0.0.0/0"; the golden group's only egress is 443 to S3.
  await c.ec2.send(
    new RevokeSecurityGroupEgressCommand({
      GroupId: securityGroupId,
      IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );
  await c.ec2.send(
    new AuthorizeSecurityGroupEgressCommand({
      GroupId: securityGroupId,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          PrefixListIds: [
            {
              PrefixListId: prefixListId,
              Description: 'HTTPS to Amazon S3 (region S3 prefix list, routed to the gateway endpoint)',
            },
          ],
        },
      ],
    }),
  );

  // ---------------------------------------------------------------- role, key
  const role = await c.iam.send(
    new CreateRoleCommand({ RoleName: ROLE_NAME, AssumeRolePolicyDocument: trustPolicy() }),
  );
  const roleArn = must(role.Role?.Arn, 'role ARN');
  for (const arn of [
    'arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
    'arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess',
  ]) {
    await c.iam.send(new AttachRolePolicyCommand({ RoleName: ROLE_NAME, PolicyArn: arn }));
  }
  const key = await c.kms.send(
    new CreateKeyCommand({
      Description: 'lvs-golden - Lambda environment and results bucket (SSE-KMS)',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      Policy: keyPolicy(accountId, roleArn),
    }),
  );
  const keyId = must(key.KeyMetadata?.KeyId, 'key ID');
  const keyArn = must(key.KeyMetadata?.Arn, 'key ARN');
  await c.kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
  await c.kms.send(new CreateAliasCommand({ AliasName: 'alias/lvs-golden-scorer', TargetKeyId: keyId }));

  // ---------------------------------------------------------------- bucket
  const bucket = `lvs-golden-scores-${accountId}`;
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const breakGlassArn = `arn:aws:iam::${accountId}:role/lvs-golden-breakglass`;
  await c.s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ...(region === 'us-east-1'
        ? {}
        : { CreateBucketConfiguration: { LocationConstraint: region as 'eu-west-1' } }),
    }),
  );
  await c.s3.send(
    new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
            BucketKeyEnabled: true,
          },
        ],
      },
    }),
  );
  await c.s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: bucket,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    }),
  );
  await c.s3.send(
    new PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: bucketPolicy({ bucketArn, endpointId, breakGlassArn }),
    }),
  );
  await c.iam.send(
    new PutRolePolicyCommand({
      RoleName: ROLE_NAME,
      PolicyName: 'write-scores',
      PolicyDocument: rolePolicy({ bucketArn, keyArn, region, accountId }),
    }),
  );

  // ---------------------------------------------------------------- function
  const fn = await c.lambda.send(
    new CreateFunctionCommand({
      FunctionName: FUNCTION_NAME,
      Description: 'Real-time fraud scoring of card transactions (lvs golden reference)',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Code: { ZipFile: zipOf({ 'index.js': HANDLER_SOURCE }) },
      Role: roleArn,
      MemorySize: 512,
      Timeout: 30,
      VpcConfig: { SubnetIds: subnetIds, SecurityGroupIds: [securityGroupId] },
      KMSKeyArn: keyArn,
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: environmentOf(bucket) },
      Tags: { app: 'fraud-scoring' },
    }),
  );
  const functionArn = must(fn.FunctionArn, 'function ARN');

  return {
    region,
    accountId,
    callerArn,
    vpcId,
    vpcCidr,
    subnetIds,
    availabilityZones,
    routeTableIds,
    mainRouteTableId,
    endpointId,
    prefixListId,
    securityGroupId,
    keyId,
    keyArn,
    bucket,
    bucketArn,
    roleName: ROLE_NAME,
    roleArn,
    functionName: FUNCTION_NAME,
    functionArn,
    breakGlassArn,
  };
}
