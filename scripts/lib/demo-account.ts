import {
  REDACTED,
  type AccountSnapshot,
  type EnvironmentVariable,
  type LambdaFunction,
} from '../../src/snapshot/schema.js';

/**
 * fixtures/demo/account.json: the golden account plus four functions that break the model in the
 * ways seen in real accounts, one of them in a second region. Built from the golden snapshot so the
 * two never drift; `npm run fixtures:gen` rewrites it and a test proves the file is current.
 */

const ACCOUNT = '111122223333';
const EU = 'eu-west-1';
const US = 'us-east-1';
const j = (o: unknown) => JSON.stringify(o);
const fnArn = (region: string, name: string) => `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

const env = (name: string, facts: Partial<EnvironmentVariable> = {}): EnvironmentVariable => ({
  name,
  value: REDACTED,
  isEmpty: false,
  isReference: false,
  credentialPatterns: [],
  bucketName: null,
  ...facts,
});

const baseFunction = (region: string, name: string, role: string): LambdaFunction => ({
  functionName: name,
  functionArn: fnArn(region, name),
  runtime: 'python3.12',
  role: roleArn(role),
  vpcConfig: null,
  kmsKeyArn: null,
  tracingMode: 'PassThrough',
  environment: [],
  environmentError: null,
  tags: {},
  resourcePolicy: { status: 'absent' },
  urlConfig: { status: 'absent' },
});

const trustLambda = j({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

const AWS_MANAGED = {
  basic: {
    policyName: 'AWSLambdaBasicExecutionRole',
    policyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    defaultVersionId: 'v1',
    document: j({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: '*',
        },
      ],
    }),
  },
  s3Full: {
    policyName: 'AmazonS3FullAccess',
    policyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
    defaultVersionId: 'v2',
    document: j({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:*', 's3-object-lambda:*'], Resource: '*' }],
    }),
  },
  admin: {
    policyName: 'AdministratorAccess',
    policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    defaultVersionId: 'v1',
    document: j({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
  },
};

function okList<T>(fetched: { status: string; value?: T[] }): T[] {
  if (fetched.status !== 'ok' || fetched.value === undefined) throw new Error('golden list is not ok');
  return fetched.value;
}

export function buildDemoAccount(golden: AccountSnapshot): AccountSnapshot {
  const s = structuredClone(golden);
  s.generatedAt = '2026-11-21T09:30:00.000Z';
  const eu = s.regions[0];
  if (!eu) throw new Error('golden has no region');
  const vpcAccess = 'arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole';
  const telemetryBucket = `lvs-demo-telemetry-${ACCOUNT}`;
  const recordsBucket = `lvs-demo-records-${ACCOUNT}`;
  okList(s.s3.bucketNames).push(telemetryBucket, recordsBucket);

  // 1. IoT ingest: one subnet on the main route table (NAT default route, no S3 route), open egress.
  okList(eu.subnets).push({
    subnetId: 'subnet-0d3e4f5a6b7c80051',
    vpcId: 'vpc-0a1b2c3d4e5f60001',
    availabilityZone: 'eu-west-1a',
    availabilityZoneId: 'euw1-az1',
    cidrBlock: '10.20.5.0/24',
  });
  const main = okList(eu.routeTables).find((t) => t.associations.some((a) => a.main));
  main?.routes.push({
    destinationCidrBlock: '0.0.0.0/0',
    natGatewayId: 'nat-0e1f2a3b4c5d60061',
    state: 'active',
  });
  okList(eu.securityGroups).push({
    groupId: 'sg-0d3e4f5a6b7c80042',
    groupName: 'iot-ingest-default',
    vpcId: 'vpc-0a1b2c3d4e5f60001',
    egress: [
      {
        ipProtocol: '-1',
        fromPort: null,
        toPort: null,
        ipv4Ranges: ['0.0.0.0/0'],
        ipv6Ranges: [],
        prefixListIds: [],
        referencedGroupIds: [],
      },
    ],
  });
  const iot = baseFunction(EU, 'iot-telemetry-ingest', 'iot-ingest-role');
  iot.runtime = 'nodejs20.x';
  iot.vpcConfig = {
    vpcId: 'vpc-0a1b2c3d4e5f60001',
    subnetIds: ['subnet-0d3e4f5a6b7c80051'],
    securityGroupIds: ['sg-0d3e4f5a6b7c80042'],
  };
  iot.environment = [env('TELEMETRY_BUCKET', { bucketName: telemetryBucket }), env('LOG_LEVEL')];
  s.iam.roles[roleArn('iot-ingest-role')] = {
    status: 'ok',
    value: {
      roleName: 'iot-ingest-role',
      roleArn: roleArn('iot-ingest-role'),
      assumeRolePolicyDocument: trustLambda,
      inlinePolicies: [
        {
          policyName: 'write-telemetry',
          document: j({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${telemetryBucket}/*` },
            ],
          }),
        },
      ],
      attachedPolicies: [{ policyName: 'AWSLambdaVPCAccessExecutionRole', policyArn: vpcAccess }],
    },
  };
  s.s3.buckets[telemetryBucket] = {
    name: telemetryBucket,
    ownedByAccount: true,
    region: { status: 'ok', value: EU },
    policy: { status: 'absent' },
    encryption: {
      status: 'ok',
      value: { rules: [{ sseAlgorithm: 'AES256', kmsMasterKeyId: null, bucketKeyEnabled: false }] },
    },
    publicAccessBlock: {
      status: 'ok',
      value: {
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      },
    },
  };

  // 2. Medical records sync: right network, but S3 full access, an Allow-only bucket policy, a plaintext password.
  const records = baseFunction(EU, 'medical-records-sync', 'records-sync-role');
  records.vpcConfig = {
    vpcId: 'vpc-0a1b2c3d4e5f60001',
    subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012'],
    securityGroupIds: ['sg-0a1b2c3d4e5f60041'],
  };
  records.tracingMode = 'Active';
  records.kmsKeyArn = `arn:aws:kms:${EU}:${ACCOUNT}:key/5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d`;
  records.environment = [
    env('DB_HOST'),
    env('DB_PASSWORD'),
    env('RECORDS_BUCKET', { bucketName: recordsBucket }),
  ];
  s.kms.keys[records.kmsKeyArn] = {
    status: 'ok',
    value: {
      keyId: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
      keyArn: records.kmsKeyArn,
      keyManager: 'AWS',
      keyState: 'Enabled',
      rotationEnabled: { status: 'ok', value: true },
    },
  };
  s.iam.roles[roleArn('records-sync-role')] = {
    status: 'ok',
    value: {
      roleName: 'records-sync-role',
      roleArn: roleArn('records-sync-role'),
      assumeRolePolicyDocument: trustLambda,
      inlinePolicies: [],
      attachedPolicies: [
        { policyName: 'AWSLambdaVPCAccessExecutionRole', policyArn: vpcAccess },
        { policyName: 'AmazonS3FullAccess', policyArn: AWS_MANAGED.s3Full.policyArn },
      ],
    },
  };
  s.s3.buckets[recordsBucket] = {
    name: recordsBucket,
    ownedByAccount: true,
    region: { status: 'ok', value: EU },
    policy: {
      status: 'ok',
      value: j({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AllowFromEndpoint',
            Effect: 'Allow',
            Principal: '*',
            Action: ['s3:GetObject', 's3:PutObject'],
            Resource: `arn:aws:s3:::${recordsBucket}/*`,
            Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-0a1b2c3d4e5f60031' } },
          },
        ],
      }),
    },
    encryption: {
      status: 'ok',
      value: { rules: [{ sseAlgorithm: 'aws:kms', kmsMasterKeyId: null, bucketKeyEnabled: true }] },
    },
    publicAccessBlock: {
      status: 'ok',
      value: {
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: false,
        restrictPublicBuckets: false,
      },
    },
  };

  // 3. Public scoring API: a function URL with AuthType NONE and a policy open to everyone.
  const api = baseFunction(EU, 'public-scoring-api', 'public-api-role');
  api.tracingMode = 'Active';
  api.resourcePolicy = {
    status: 'ok',
    value: j({
      Version: '2012-10-17',
      Id: 'default',
      Statement: [
        {
          Sid: 'FunctionURLAllowPublicAccess',
          Effect: 'Allow',
          Principal: '*',
          Action: 'lambda:InvokeFunctionUrl',
          Resource: api.functionArn,
          Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } },
        },
        {
          Sid: 'AllowAnyone',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'lambda:InvokeFunction',
          Resource: api.functionArn,
        },
      ],
    }),
  };
  api.urlConfig = {
    status: 'ok',
    value: {
      functionUrl: 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/',
      authType: 'NONE',
    },
  };
  s.iam.roles[roleArn('public-api-role')] = {
    status: 'ok',
    value: {
      roleName: 'public-api-role',
      roleArn: roleArn('public-api-role'),
      assumeRolePolicyDocument: trustLambda,
      inlinePolicies: [],
      attachedPolicies: [
        { policyName: 'AWSLambdaBasicExecutionRole', policyArn: AWS_MANAGED.basic.policyArn },
      ],
    },
  };

  okList(eu.functions).push(iot, records, api);

  // 4. A legacy exporter in a second region: no VPC, an access key in its environment, an admin role.
  const legacy = baseFunction(US, 'legacy-report-exporter', 'legacy-exporter-role');
  legacy.tracingMode = null;
  legacy.environment = [
    env('AWS_ACCESS_KEY_ID', { credentialPatterns: ['aws-access-key-id'] }),
    env('REPORT_EMAIL'),
    env('SMTP_PASSWORD'),
  ];
  s.iam.roles[roleArn('legacy-exporter-role')] = {
    status: 'ok',
    value: {
      roleName: 'legacy-exporter-role',
      roleArn: roleArn('legacy-exporter-role'),
      assumeRolePolicyDocument: trustLambda,
      inlinePolicies: [],
      attachedPolicies: [{ policyName: 'AdministratorAccess', policyArn: AWS_MANAGED.admin.policyArn }],
    },
  };
  s.regions.push({
    region: US,
    functions: { status: 'ok', value: [legacy] },
    vpcs: { status: 'ok', value: [] },
    subnets: { status: 'ok', value: [] },
    routeTables: { status: 'ok', value: [] },
    vpcEndpoints: { status: 'ok', value: [] },
    securityGroups: { status: 'ok', value: [] },
    prefixLists: {
      status: 'ok',
      value: [
        {
          prefixListId: 'pl-63a5400a',
          prefixListName: `com.amazonaws.${US}.s3`,
          cidrs: ['3.5.0.0/19', '52.216.0.0/15'],
        },
      ],
    },
  });

  for (const managed of Object.values(AWS_MANAGED))
    s.iam.managedPolicies[managed.policyArn] = { status: 'ok', value: managed };
  return s;
}
