/**
 * The read-only IAM policy `lvs audit` / `lvs collect` need (`lvs permissions` prints it): one IAM
 * action per API operation the collectors call. Where the IAM action's name differs from the
 * operation's it says so (s3:ListBuckets is authorized by s3:ListAllMyBuckets, GetBucketEncryption
 * by s3:GetEncryptionConfiguration…). A test checks that every command class under src/collect has
 * an entry here and that every action exists in the IAM action data with a read/list access level.
 */
export const OPERATION_ACTIONS: Readonly<Record<string, string>> = {
  // Who lvs runs as (needs no permission, but an explicit Deny on it would stop lvs).
  'sts:GetCallerIdentity': 'sts:GetCallerIdentity',
  // Lambda
  'lambda:ListFunctions': 'lambda:ListFunctions',
  'lambda:GetPolicy': 'lambda:GetPolicy',
  'lambda:ListTags': 'lambda:ListTags',
  'lambda:GetFunctionUrlConfig': 'lambda:GetFunctionUrlConfig',
  // EC2 (network path)
  'ec2:DescribeRegions': 'ec2:DescribeRegions',
  'ec2:DescribeVpcs': 'ec2:DescribeVpcs',
  'ec2:DescribeSubnets': 'ec2:DescribeSubnets',
  'ec2:DescribeRouteTables': 'ec2:DescribeRouteTables',
  'ec2:DescribeVpcEndpoints': 'ec2:DescribeVpcEndpoints',
  'ec2:DescribeSecurityGroups': 'ec2:DescribeSecurityGroups',
  'ec2:DescribePrefixLists': 'ec2:DescribePrefixLists',
  // IAM (execution roles and their policies)
  'iam:GetRole': 'iam:GetRole',
  'iam:ListRolePolicies': 'iam:ListRolePolicies',
  'iam:GetRolePolicy': 'iam:GetRolePolicy',
  'iam:ListAttachedRolePolicies': 'iam:ListAttachedRolePolicies',
  'iam:GetPolicy': 'iam:GetPolicy',
  'iam:GetPolicyVersion': 'iam:GetPolicyVersion',
  // IAM, account-wide: the plan choice (entity counts) and the cheaper read when most roles are needed.
  'iam:GetAccountSummary': 'iam:GetAccountSummary',
  'iam:GetAccountAuthorizationDetails': 'iam:GetAccountAuthorizationDetails',
  // S3 (buckets the functions reach)
  's3:ListBuckets': 's3:ListAllMyBuckets',
  's3:GetBucketLocation': 's3:GetBucketLocation',
  's3:GetBucketPolicy': 's3:GetBucketPolicy',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  's3control:GetPublicAccessBlock': 's3:GetAccountPublicAccessBlock',
  // KMS (environment keys)
  'kms:DescribeKey': 'kms:DescribeKey',
  'kms:GetKeyRotationStatus': 'kms:GetKeyRotationStatus',
};

/** Every IAM action lvs needs to collect, sorted, each once. */
export function requiredActions(): string[] {
  return [...new Set(Object.values(OPERATION_ACTIONS))].sort();
}

export interface PermissionsPolicy {
  Version: '2012-10-17';
  Statement: Array<{ Sid: string; Effect: 'Allow'; Action: string[]; Resource: '*' }>;
}

const SIDS: Readonly<Record<string, string>> = {
  sts: 'LvsIdentity',
  lambda: 'LvsLambdaRead',
  ec2: 'LvsNetworkRead',
  iam: 'LvsIamRead',
  s3: 'LvsS3Read',
  kms: 'LvsKmsRead',
};

/**
 * The policy document, one statement per service. Resource "*": lvs reads every function of the
 * regions it audits and whatever roles, buckets and keys they use, which cannot be named in advance.
 */
export function permissionsPolicy(): PermissionsPolicy {
  const byService = new Map<string, string[]>();
  for (const action of requiredActions()) {
    const service = action.slice(0, action.indexOf(':'));
    byService.set(service, [...(byService.get(service) ?? []), action]);
  }
  const order = ['sts', 'lambda', 'ec2', 'iam', 's3', 'kms'];
  return {
    Version: '2012-10-17',
    Statement: [...byService.entries()]
      .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
      .map(([service, actions]) => ({
        Sid: SIDS[service] ?? `Lvs${service}Read`,
        Effect: 'Allow',
        Action: actions,
        Resource: '*',
      })),
  };
}

/** What `lvs permissions` prints: the policy as indented JSON, newline-terminated. */
export function permissionsPolicyJson(): string {
  return `${JSON.stringify(permissionsPolicy(), null, 2)}\n`;
}
