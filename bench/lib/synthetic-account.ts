/**
 * A synthetic account of N Lambda functions in one region, as AWS's APIs would describe it: the
 * functions spread over VPCs (3 subnets / 3 AZs each, a main table plus one table per subnet, an S3
 * gateway endpoint, 2 security groups), sharing roles (10 functions per role), buckets (50 per
 * bucket) and KMS keys (100 per key). Some functions have a resource-based policy (10%), a few a
 * function URL grant (1%). Answers are produced on demand from indices, shaped like AWS's (raw
 * environment values, URL-encoded IAM documents, string bucket policies, pagination markers).
 */

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

export interface SyntheticAccount {
  functions: number;
  vpcs: number;
  roles: number;
  customerPolicies: number;
  buckets: number;
  keys: number;
}

export function syntheticAccount(functions: number): SyntheticAccount {
  const roles = Math.max(1, Math.ceil(functions / 10));
  return {
    functions,
    vpcs: Math.max(1, Math.ceil(functions / 500)),
    roles,
    customerPolicies: Math.max(1, Math.ceil(roles / 10)),
    buckets: Math.max(1, Math.ceil(functions / 50)),
    keys: Math.max(1, Math.ceil(functions / 100)),
  };
}

const hex = (n: number, width = 17) => n.toString(16).padStart(width, '0');
export const vpcId = (v: number) => `vpc-${hex(v)}`;
export const subnetId = (v: number, s: number) => `subnet-${hex(v * 3 + s)}`;
export const groupId = (v: number, g: number) => `sg-${hex(v * 2 + g)}`;
export const tableId = (v: number, t: number) => `rtb-${hex(v * 4 + t)}`;
export const endpointId = (v: number) => `vpce-${hex(v)}`;
export const functionName = (i: number) => `fn-${String(i).padStart(6, '0')}`;
export const functionArn = (i: number) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName(i)}`;
export const roleName = (r: number) => `role-${String(r).padStart(5, '0')}`;
export const roleArn = (r: number) => `arn:aws:iam::${ACCOUNT}:role/service-role/${roleName(r)}`;
export const customerPolicyArn = (p: number) =>
  `arn:aws:iam::${ACCOUNT}:policy/shared-${String(p).padStart(4, '0')}`;
export const bucketName = (b: number) => `data-${String(b).padStart(5, '0')}-${ACCOUNT}`;
export const keyId = (k: number) => `${hex(k, 8)}-0000-4000-8000-${hex(k, 12)}`;
export const keyArn = (k: number) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId(k)}`;
const PREFIX_LIST = 'pl-6da54004';
const AWS_MANAGED = [
  'arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
  'arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess',
];

const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

type Json = Record<string, unknown>;

/** A throwable AWS answer ("there is none" and friends). */
export class AwsAnswerError extends Error {
  constructor(
    name: string,
    message: string,
    readonly httpStatusCode: number,
  ) {
    super(message);
    this.name = name;
  }
}

const notFound = (message: string) => new AwsAnswerError('ResourceNotFoundException', message, 404);

export class SyntheticAws {
  constructor(readonly account: SyntheticAccount) {}

  private functionConfig(i: number): Json {
    const a = this.account;
    const v = i % a.vpcs;
    const k = i % 5 === 4 ? undefined : i % a.keys;
    return {
      FunctionName: functionName(i),
      FunctionArn: functionArn(i),
      Runtime: 'nodejs20.x',
      Role: roleArn(i % a.roles),
      Handler: 'index.handler',
      CodeSize: 4096,
      Timeout: 30,
      MemorySize: 512,
      Version: '$LATEST',
      VpcConfig: {
        VpcId: vpcId(v),
        SubnetIds: [subnetId(v, i % 3), subnetId(v, (i + 1) % 3)],
        SecurityGroupIds: [groupId(v, i % 2)],
      },
      Environment: {
        Variables: {
          RESULTS_BUCKET: bucketName(i % a.buckets),
          MODEL_VERSION: `m-${i % 7}`,
          LOG_LEVEL: 'info',
        },
      },
      ...(k !== undefined ? { KMSKeyArn: keyArn(k) } : {}),
      TracingConfig: { Mode: i % 3 === 0 ? 'PassThrough' : 'Active' },
      PackageType: 'Zip',
      Architectures: ['arm64'],
    };
  }

  private functionIndex(arnOrName: unknown): number {
    const match = /fn-(\d{6})$/.exec(String(arnOrName));
    const i = match ? Number(match[1]) : -1;
    if (i < 0 || i >= this.account.functions) throw notFound('Function not found');
    return i;
  }

  private vpcIndex(id: string): number {
    return parseInt(id.slice(id.indexOf('-') + 1), 16);
  }

  private filterValues(input: Json): string[] {
    const filters = (input.Filters ?? []) as Array<{ Values?: string[] }>;
    return filters[0]?.Values ?? [];
  }

  /** Answers one request; `undefined` = an operation this account does not model. */
  answer(service: string, operation: string, input: Json): Json {
    const a = this.account;
    switch (`${service}:${operation}`) {
      case 'sts:GetCallerIdentity':
        return {
          Account: ACCOUNT,
          Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/auditor/lvs`,
          UserId: 'AROAEXAMPLE:lvs',
        };
      case 'lambda:ListFunctions': {
        const start = input.Marker === undefined ? 0 : Number(input.Marker);
        const size = Number(input.MaxItems ?? 50);
        const end = Math.min(a.functions, start + size);
        const Functions = [];
        for (let i = start; i < end; i++) Functions.push(this.functionConfig(i));
        return { Functions, ...(end < a.functions ? { NextMarker: String(end) } : {}) };
      }
      case 'lambda:GetPolicy': {
        const i = this.functionIndex(input.FunctionName);
        if (i % 10 !== 0) throw notFound('The resource you requested does not exist.');
        const statements: object[] = [
          {
            Sid: 'events',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'lambda:InvokeFunction',
            Resource: functionArn(i),
            Condition: { ArnLike: { 'AWS:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/r-${i}` } },
          },
        ];
        if (i % 100 === 0) {
          statements.push({
            Sid: 'FunctionURLAllowPublicAccess',
            Effect: 'Allow',
            Principal: '*',
            Action: 'lambda:InvokeFunctionUrl',
            Resource: functionArn(i),
            Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
          });
        }
        return {
          Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements }),
          RevisionId: 'r',
        };
      }
      case 'lambda:GetFunctionUrlConfig': {
        const i = this.functionIndex(input.FunctionName);
        if (i % 100 !== 0) throw notFound('The resource you requested does not exist.');
        return {
          FunctionUrl: `https://u${i}.lambda-url.${REGION}.on.aws/`,
          FunctionArn: functionArn(i),
          AuthType: 'AWS_IAM',
        };
      }
      case 'lambda:ListTags':
        return {
          Tags: {
            app: 'scoring',
            'aws:cloudformation:stack-name': `stack-${this.functionIndex(input.Resource) % 20}`,
          },
        };
      case 'ec2:DescribeVpcs':
        return {
          Vpcs: this.filterValues(input).map((id) => ({
            VpcId: id,
            CidrBlock: `10.${this.vpcIndex(id) % 256}.0.0/16`,
            CidrBlockAssociationSet: [
              { CidrBlock: `10.${this.vpcIndex(id) % 256}.0.0/16`, CidrBlockState: { State: 'associated' } },
            ],
            State: 'available',
          })),
        };
      case 'ec2:DescribeSubnets':
        return {
          Subnets: this.filterValues(input).map((id) => {
            const n = this.vpcIndex(id);
            const v = Math.floor(n / 3);
            return {
              SubnetId: id,
              VpcId: vpcId(v),
              AvailabilityZone: `${REGION}${'abc'[n % 3]}`,
              AvailabilityZoneId: `euw1-az${(n % 3) + 1}`,
              CidrBlock: `10.${v % 256}.${n % 3}.0/24`,
            };
          }),
        };
      case 'ec2:DescribeRouteTables':
        return {
          RouteTables: this.filterValues(input).flatMap((id) => {
            const v = this.vpcIndex(id);
            const local = {
              DestinationCidrBlock: `10.${v % 256}.0.0/16`,
              GatewayId: 'local',
              State: 'active',
            };
            const s3 = { DestinationPrefixListId: PREFIX_LIST, GatewayId: endpointId(v), State: 'active' };
            return [
              { RouteTableId: tableId(v, 0), VpcId: id, Associations: [{ Main: true }], Routes: [local] },
              ...[0, 1, 2].map((s) => ({
                RouteTableId: tableId(v, s + 1),
                VpcId: id,
                Associations: [
                  { Main: false, SubnetId: subnetId(v, s), AssociationState: { State: 'associated' } },
                ],
                Routes: [local, s3],
              })),
            ];
          }),
        };
      case 'ec2:DescribeVpcEndpoints':
        return {
          VpcEndpoints: this.filterValues(input).map((id) => {
            const v = this.vpcIndex(id);
            return {
              VpcEndpointId: endpointId(v),
              VpcEndpointType: 'Gateway',
              ServiceName: `com.amazonaws.${REGION}.s3`,
              State: 'available',
              VpcId: id,
              RouteTableIds: [1, 2, 3].map((t) => tableId(v, t)),
              PolicyDocument: doc([
                {
                  Effect: 'Allow',
                  Principal: '*',
                  Action: ['s3:GetObject', 's3:PutObject'],
                  Resource: '*',
                  Condition: { StringEquals: { 'aws:ResourceAccount': ACCOUNT } },
                },
              ]),
            };
          }),
        };
      case 'ec2:DescribeSecurityGroups':
        return {
          SecurityGroups: this.filterValues(input).map((id) => ({
            GroupId: id,
            GroupName: id,
            VpcId: vpcId(Math.floor(this.vpcIndex(id) / 2)),
            IpPermissionsEgress: [
              {
                IpProtocol: 'tcp',
                FromPort: 443,
                ToPort: 443,
                PrefixListIds: [{ PrefixListId: PREFIX_LIST }],
              },
            ],
          })),
        };
      case 'ec2:DescribePrefixLists':
        return {
          PrefixLists: [
            {
              PrefixListId: PREFIX_LIST,
              PrefixListName: `com.amazonaws.${REGION}.s3`,
              Cidrs: ['52.218.0.0/17'],
            },
            {
              PrefixListId: 'pl-6fa54006',
              PrefixListName: `com.amazonaws.${REGION}.dynamodb`,
              Cidrs: ['52.119.240.0/21'],
            },
          ],
        };
      case 'iam:GetRole': {
        const name = String(input.RoleName);
        const r = Number(name.slice(5));
        return {
          Role: {
            RoleName: name,
            Arn: roleArn(r),
            Path: '/service-role/',
            AssumeRolePolicyDocument: encodeURIComponent(
              doc([
                { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
              ]),
            ),
          },
        };
      }
      case 'iam:ListRolePolicies':
        return { PolicyNames: ['write-results'], IsTruncated: false };
      case 'iam:GetRolePolicy': {
        const r = Number(String(input.RoleName).slice(5));
        return {
          RoleName: input.RoleName,
          PolicyName: input.PolicyName,
          PolicyDocument: encodeURIComponent(
            doc([
              {
                Effect: 'Allow',
                Action: 's3:PutObject',
                Resource: `arn:aws:s3:::${bucketName(r % a.buckets)}/results/*`,
              },
            ]),
          ),
        };
      }
      case 'iam:ListAttachedRolePolicies': {
        const r = Number(String(input.RoleName).slice(5));
        const arns = [...AWS_MANAGED, customerPolicyArn(r % a.customerPolicies)];
        return {
          AttachedPolicies: arns.map((PolicyArn) => ({
            PolicyArn,
            PolicyName: PolicyArn.slice(PolicyArn.lastIndexOf('/') + 1),
          })),
          IsTruncated: false,
        };
      }
      case 'iam:GetPolicy': {
        const arn = String(input.PolicyArn);
        return {
          Policy: { Arn: arn, PolicyName: arn.slice(arn.lastIndexOf('/') + 1), DefaultVersionId: 'v2' },
        };
      }
      case 'iam:GetPolicyVersion':
        return {
          PolicyVersion: {
            VersionId: 'v2',
            IsDefaultVersion: true,
            Document: encodeURIComponent(
              doc([
                { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' },
              ]),
            ),
          },
        };
      case 's3:ListBuckets': {
        const Buckets = [];
        for (let b = 0; b < a.buckets + Math.ceil(a.buckets / 2); b++)
          Buckets.push({ Name: bucketName(b), BucketRegion: REGION });
        return { Buckets };
      }
      case 's3:GetBucketLocation':
        return { LocationConstraint: REGION };
      case 's3:GetBucketPolicy': {
        const name = String(input.Bucket);
        return {
          Policy: doc([
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
              Condition: { StringNotEquals: { 'aws:SourceVpce': endpointId(0) } },
            },
          ]),
        };
      }
      case 's3:GetBucketEncryption':
        return {
          ServerSideEncryptionConfiguration: {
            Rules: [
              {
                ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn(0) },
                BucketKeyEnabled: true,
              },
            ],
          },
        };
      case 's3:GetPublicAccessBlock':
        return {
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: true,
            RestrictPublicBuckets: true,
          },
        };
      case 's3control:GetPublicAccessBlock':
        throw new AwsAnswerError(
          'NoSuchPublicAccessBlockConfiguration',
          'The public access block configuration was not found',
          404,
        );
      case 'kms:DescribeKey': {
        const arn = String(input.KeyId);
        return {
          KeyMetadata: {
            KeyId: arn.slice(arn.lastIndexOf('/') + 1),
            Arn: arn,
            KeyManager: 'CUSTOMER',
            KeyState: 'Enabled',
            AWSAccountId: ACCOUNT,
          },
        };
      }
      case 'kms:GetKeyRotationStatus':
        return { KeyRotationEnabled: true };
      default:
        throw new AwsAnswerError('UnsupportedOperation', `${service}:${operation} is not modelled`, 400);
    }
  }

  /** The identity of what a request reads, to prove no resource is read twice (pages are distinct reads). */
  static resourceKey(service: string, operation: string, input: Json): string {
    return `${service}:${operation}:${JSON.stringify(input)}`;
  }
}
