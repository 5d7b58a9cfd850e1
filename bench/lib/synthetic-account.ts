/**
 * A synthetic account of N Lambda functions in one region, as AWS's APIs would describe it: the
 * functions spread over VPCs (3 subnets / 3 AZs each, a main table plus one table per subnet, an S3
 * gateway endpoint, 2 security groups), sharing roles (10 functions per role), buckets (50 per
 * bucket) and KMS keys (100 per key). Some functions have a resource-based policy (10%), a few a
 * function URL grant (1%). Answers are produced on demand from indices, shaped like AWS's (raw
 * environment values, URL-encoded IAM documents, string bucket policies, pagination markers).
 *
 * IAM holds more than the functions use, as real accounts do: besides the execution roles (and the
 * customer managed policies they share) there are service-linked, SSO and CI roles, their customer
 * policies, and the AWS managed policies they attach, some of them large (ReadOnlyAccess-like).
 * iam:GetAccountSummary counts them all; iam:GetAccountAuthorizationDetails pages over them all.
 */

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

export interface SyntheticAccount {
  functions: number;
  vpcs: number;
  /** Execution roles (10 functions each). */
  roles: number;
  /** Customer managed policies the execution roles attach (10 roles each). */
  customerPolicies: number;
  /** Roles no function uses (service-linked, SSO, CI). */
  otherRoles: number;
  /** Customer managed policies no execution role attaches. */
  otherPolicies: number;
  buckets: number;
  keys: number;
}

/** IAM's default quota of roles per account, and the most it can be raised to (IAM and AWS STS quotas). */
const ROLES_QUOTA = 1000;
const ROLES_QUOTA_MAX = 5000;

export function syntheticAccount(functions: number): SyntheticAccount {
  const roles = Math.max(1, Math.ceil(functions / 10));
  const otherRoles = 20 + Math.ceil(roles / 5);
  if (roles + otherRoles > ROLES_QUOTA_MAX)
    throw new Error(
      `${roles + otherRoles} roles: beyond IAM's maximum of ${ROLES_QUOTA_MAX} roles per account`,
    );
  return {
    functions,
    vpcs: Math.max(1, Math.ceil(functions / 500)),
    roles,
    customerPolicies: Math.max(1, Math.ceil(roles / 10)),
    otherRoles,
    otherPolicies: 5 + Math.ceil(roles / 50),
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
export const otherRoleName = (o: number) => `ops-${String(o).padStart(5, '0')}`;
export const otherPolicyArn = (p: number) =>
  `arn:aws:iam::${ACCOUNT}:policy/ops-${String(p).padStart(4, '0')}`;
const AWS_MANAGED = [
  'arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
  'arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess',
];
/** AWS managed policies the other roles attach (one each, in turn); the first two are large. */
const OTHER_AWS_MANAGED = [
  'arn:aws:iam::aws:policy/ReadOnlyAccess',
  'arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy',
  'arn:aws:iam::aws:policy/AdministratorAccess',
  'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
  'arn:aws:iam::aws:policy/service-role/AWSConfigRole',
  'arn:aws:iam::aws:policy/AWSCloudFormationReadOnlyAccess',
  'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
  'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy',
];
/** Actions of the large AWS managed policies (ReadOnlyAccess lists thousands; 1,500 x ~30 chars here). */
const LARGE_POLICY_ACTIONS = 1500;

const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const policyName = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

/**
 * GetAccountAuthorizationDetails pages: at most MaxItems items, and IAM may return fewer ("IAM might
 * return fewer results, even when there are more results available", API reference). Modelled: a
 * page also ends once its items pass `gaadPageBytes` of JSON (at least one item per page).
 */
export interface SyntheticIamOptions {
  gaadPageBytes: number;
}
export const DEFAULT_GAAD_PAGE_BYTES = 512 * 1024;

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
  constructor(
    readonly account: SyntheticAccount,
    readonly iamOptions: SyntheticIamOptions = { gaadPageBytes: DEFAULT_GAAD_PAGE_BYTES },
  ) {}

  /** The roles of the account, in GAAD's order: execution roles, then the others. */
  private get roleCount(): number {
    return this.account.roles + this.account.otherRoles;
  }

  /** Distinct managed policies the account's roles attach (AWS managed ones appear in GAAD only then). */
  private attachedAwsManaged(): string[] {
    return [
      ...AWS_MANAGED,
      ...OTHER_AWS_MANAGED.slice(0, Math.min(OTHER_AWS_MANAGED.length, this.account.otherRoles)),
    ];
  }

  /** Every managed policy GAAD lists: customer managed (attached or not), then the attached AWS managed ones. */
  private managedPolicyArns(): string[] {
    const a = this.account;
    const arns: string[] = [];
    for (let p = 0; p < a.customerPolicies; p++) arns.push(customerPolicyArn(p));
    for (let p = 0; p < a.otherPolicies; p++) arns.push(otherPolicyArn(p));
    return [...arns, ...this.attachedAwsManaged()];
  }

  private trustDocument(service: string): string {
    return encodeURIComponent(
      doc([{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }]),
    );
  }

  private inlineDocument(r: number): string {
    return encodeURIComponent(
      doc([
        {
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: `arn:aws:s3:::${bucketName(r % this.account.buckets)}/results/*`,
        },
      ]),
    );
  }

  private attachedOf(r: number): string[] {
    return [...AWS_MANAGED, customerPolicyArn(r % this.account.customerPolicies)];
  }

  /** The default version's document of a managed policy (what GetPolicyVersion and GAAD both give). */
  private policyDocument(arn: string, version = 'v2'): string {
    const large = OTHER_AWS_MANAGED.indexOf(arn);
    if (large === 0 || large === 1) {
      const actions = Array.from(
        { length: LARGE_POLICY_ACTIONS },
        (_, i) => `service${i % 300}:Describe${version}Thing${i}`,
      );
      return encodeURIComponent(doc([{ Effect: 'Allow', Action: actions, Resource: '*' }]));
    }
    return encodeURIComponent(
      doc([{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }]),
    );
  }

  /** Item `i` of GAAD's sequence (roles, then managed policies). */
  private gaadItem(i: number): { role?: Json; policy?: Json } {
    const a = this.account;
    if (i < a.roles) {
      return {
        role: {
          Path: '/service-role/',
          RoleName: roleName(i),
          RoleId: `AROA${hex(i, 17).toUpperCase()}`,
          Arn: roleArn(i),
          CreateDate: new Date(Date.UTC(2026, 0, 1)),
          AssumeRolePolicyDocument: this.trustDocument('lambda.amazonaws.com'),
          InstanceProfileList: [],
          RolePolicyList: [{ PolicyName: 'write-results', PolicyDocument: this.inlineDocument(i) }],
          AttachedManagedPolicies: this.attachedOf(i).map((PolicyArn) => ({
            PolicyArn,
            PolicyName: policyName(PolicyArn),
          })),
          Tags: [{ Key: 'aws:cloudformation:stack-name', Value: `stack-${i % 20}` }],
          RoleLastUsed: { LastUsedDate: new Date(Date.UTC(2026, 10, 20)), Region: REGION },
        },
      };
    }
    if (i < this.roleCount) {
      const o = i - a.roles;
      const attached = [
        OTHER_AWS_MANAGED[o % OTHER_AWS_MANAGED.length]!,
        otherPolicyArn(o % a.otherPolicies),
      ];
      return {
        role: {
          Path: '/',
          RoleName: otherRoleName(o),
          RoleId: `AROB${hex(o, 17).toUpperCase()}`,
          Arn: `arn:aws:iam::${ACCOUNT}:role/${otherRoleName(o)}`,
          CreateDate: new Date(Date.UTC(2025, 5, 1)),
          AssumeRolePolicyDocument: this.trustDocument('ec2.amazonaws.com'),
          InstanceProfileList: [],
          RolePolicyList: [],
          AttachedManagedPolicies: attached.map((PolicyArn) => ({
            PolicyArn,
            PolicyName: policyName(PolicyArn),
          })),
          Tags: [],
          RoleLastUsed: {},
        },
      };
    }
    const arn = this.managedPolicyArns()[i - this.roleCount];
    if (arn === undefined) return {};
    // Default v2 and the v1 it replaced: GAAD lists every version with its document.
    return {
      policy: {
        PolicyName: policyName(arn),
        PolicyId: `ANPA${hex(i, 17).toUpperCase()}`,
        Arn: arn,
        Path: '/',
        DefaultVersionId: 'v2',
        AttachmentCount: 1,
        PermissionsBoundaryUsageCount: 0,
        IsAttachable: true,
        CreateDate: new Date(Date.UTC(2025, 0, 1)),
        UpdateDate: new Date(Date.UTC(2026, 0, 1)),
        PolicyVersionList: ['v2', 'v1'].map((VersionId) => ({
          Document: this.policyDocument(arn, VersionId),
          VersionId,
          IsDefaultVersion: VersionId === 'v2',
          CreateDate: new Date(Date.UTC(2025, 0, 1)),
        })),
      },
    };
  }

  private accountDetails(input: Json): Json {
    const total = this.roleCount + this.managedPolicyArns().length;
    const start = input.Marker === undefined ? 0 : Number(input.Marker);
    const maxItems = Number(input.MaxItems ?? 100);
    const RoleDetailList: Json[] = [];
    const Policies: Json[] = [];
    let bytes = 0;
    let i = start;
    while (i < total && i - start < maxItems && (i === start || bytes < this.iamOptions.gaadPageBytes)) {
      const item = this.gaadItem(i);
      if (item.role !== undefined) RoleDetailList.push(item.role);
      if (item.policy !== undefined) Policies.push(item.policy);
      bytes += JSON.stringify(item).length;
      i += 1;
    }
    return {
      UserDetailList: [],
      GroupDetailList: [],
      RoleDetailList,
      Policies,
      IsTruncated: i < total,
      ...(i < total ? { Marker: String(i) } : {}),
    };
  }

  private accountSummary(): Json {
    const a = this.account;
    const roles = this.roleCount;
    return {
      SummaryMap: {
        Users: 3,
        UsersQuota: 5000,
        Groups: 1,
        GroupsQuota: 300,
        Roles: roles,
        // An account with more roles than the default quota has had it raised.
        RolesQuota: roles > ROLES_QUOTA ? ROLES_QUOTA_MAX : ROLES_QUOTA,
        Policies: a.customerPolicies + a.otherPolicies,
        PoliciesQuota: 1500,
        PolicyVersionsInUse: a.customerPolicies + a.otherPolicies + this.attachedAwsManaged().length,
        PolicyVersionsInUseQuota: 10000,
        VersionsPerPolicyQuota: 5,
        AttachedPoliciesPerRoleQuota: 10,
        PolicySizeQuota: 6144,
        RolePolicySizeQuota: 10240,
        AssumeRolePolicySizeQuota: 2048,
        InstanceProfiles: a.otherRoles,
        InstanceProfilesQuota: 1000,
        Providers: 1,
        MFADevices: 3,
        MFADevicesInUse: 3,
        AccountMFAEnabled: 1,
        AccountAccessKeysPresent: 0,
      },
    };
  }

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
      case 'iam:GetAccountSummary':
        return this.accountSummary();
      case 'iam:GetAccountAuthorizationDetails':
        return this.accountDetails(input);
      case 'iam:GetRole': {
        const name = String(input.RoleName);
        const r = Number(name.slice(5));
        return {
          Role: {
            RoleName: name,
            Arn: roleArn(r),
            Path: '/service-role/',
            AssumeRolePolicyDocument: this.trustDocument('lambda.amazonaws.com'),
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
          PolicyDocument: this.inlineDocument(r),
        };
      }
      case 'iam:ListAttachedRolePolicies': {
        const r = Number(String(input.RoleName).slice(5));
        return {
          AttachedPolicies: this.attachedOf(r).map((PolicyArn) => ({
            PolicyArn,
            PolicyName: PolicyArn.slice(PolicyArn.lastIndexOf('/') + 1),
          })),
          IsTruncated: false,
        };
      }
      case 'iam:GetPolicy': {
        const arn = String(input.PolicyArn);
        return {
          Policy: { Arn: arn, PolicyName: policyName(arn), DefaultVersionId: 'v2' },
        };
      }
      case 'iam:GetPolicyVersion':
        return {
          PolicyVersion: {
            VersionId: input.VersionId,
            IsDefaultVersion: input.VersionId === 'v2',
            Document: this.policyDocument(String(input.PolicyArn), String(input.VersionId)),
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
