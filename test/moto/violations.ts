import {
  AttachInternetGatewayCommand,
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AssociateVpcCidrBlockCommand,
  AuthorizeSecurityGroupEgressCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateSubnetCommand,
  CreateTransitGatewayCommand,
  CreateTransitGatewayVpcAttachmentCommand,
  DescribeRouteTablesCommand,
  DisassociateRouteTableCommand,
  ModifyVpcEndpointCommand,
} from '@aws-sdk/client-ec2';
import {
  AttachRolePolicyCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import {
  DeleteBucketEncryptionCommand,
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import {
  denyInsecureTransport,
  environmentOf,
  HANDLER_SOURCE,
  zipOf,
  type Clients,
  type Golden,
} from './build-account.js';

/**
 * Violations of the golden stack, each made with AWS API calls after buildGolden, and the exact set of
 * non-passing results (`ruleId status reasonId severity`) lvs must report for it. Slugs follow
 * fixtures/variants/<slug> where the variant has a counterpart; the expectations are the variant's.
 *
 * Variants with no counterpart here, and why (an account built through the AWS API in moto 5.2.1
 * cannot hold them):
 * - lvs003-endpoint-not-usable: needs a route to a gateway endpoint that is not `available`. Routes
 *   to gateway endpoints are made by the endpoint itself (Create/ModifyVpcEndpoint, not CreateRoute),
 *   and moto's endpoints are `available` from creation.
 * - lvs006-invalid-policy, lvs007-invalid-policy, lvs011-invalid-policy, LVS008 invalidPolicyDocument:
 *   AWS refuses malformed policy documents at write time (MalformedPolicyDocument), so an account
 *   built through the API cannot hold one.
 * - lvs007-bucket-policy-read-error, lvs008-role-read-error, lvs009-rotation-status-denied,
 *   lvs011-policy-read-error, lvs013-public-access-block-denied: need AccessDenied on one read; moto
 *   authorizes every request of its default account.
 * - lvs012-environment-unreadable: needs Lambda to fail decrypting the environment (Environment.Error);
 *   moto never encrypts it.
 * - lvs010-tracing-unset: the same answer as lvs010-tracing-passthrough (AWS and moto both report
 *   Mode PassThrough for a function created without TracingConfig).
 */

export interface Violation {
  slug: string;
  description: string;
  apply(g: Golden, c: Clients): Promise<void>;
  /** Non-passing results, `ruleId status reasonId severity`, sorted. */
  expect: string[];
}

const json = (value: unknown) => JSON.stringify(value);

const setEnvironment = (g: Golden, c: Clients, extra: Record<string, string>, first = false) =>
  c.lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: g.functionName,
      Environment: {
        Variables: first
          ? { ...extra, ...environmentOf(g.bucket) }
          : { ...environmentOf(g.bucket), ...extra },
      },
    }),
  );

const putBucketPolicy = (g: Golden, c: Clients, statements: unknown[]) =>
  c.s3.send(
    new PutBucketPolicyCommand({
      Bucket: g.bucket,
      Policy: json({ Version: '2012-10-17', Statement: [...statements, denyInsecureTransport(g.bucketArn)] }),
    }),
  );

const addInlinePolicy = (g: Golden, c: Clients, name: string, statement: Record<string, unknown>) =>
  c.iam.send(
    new PutRolePolicyCommand({
      RoleName: g.roleName,
      PolicyName: name,
      PolicyDocument: json({ Version: '2012-10-17', Statement: [statement] }),
    }),
  );

const openHttpsToInternet = (g: Golden, c: Clients) =>
  c.ec2.send(
    new AuthorizeSecurityGroupEgressCommand({
      GroupId: g.securityGroupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );

/** A literal value shaped like an AWS access key ID (AWS's documentation example). */
const ACCESS_KEY_ID_VALUE = 'AKIAIOSFODNN7EXAMPLE';
const PEM_VALUE =
  '-----BEGIN PRIVATE KEY-----\nMIIBVAIBADANBgkqhkiG9w0BAQEFAASCAT4wggE6AgEAAkEAexample\n-----END PRIVATE KEY-----';
const PASSWORD_VALUE = 'correct-horse-battery-staple';
const TOKEN_VALUE = 'plain-api-token-0123456789';

/** Literal secret values put into environments: no lvs output may contain them. */
export const SECRET_VALUES = [ACCESS_KEY_ID_VALUE, PEM_VALUE, PASSWORD_VALUE, TOKEN_VALUE];

export const VIOLATIONS: readonly Violation[] = [
  // ------------------------------------------------------------------ LVS001
  {
    slug: 'lvs001-no-vpc-config',
    description: 'The function is re-created without VpcConfig.',
    async apply(g, c) {
      await c.lambda.send(new DeleteFunctionCommand({ FunctionName: g.functionName }));
      await c.lambda.send(
        new CreateFunctionCommand({
          FunctionName: g.functionName,
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Code: { ZipFile: zipOf({ 'index.js': HANDLER_SOURCE }) },
          Role: g.roleArn,
          KMSKeyArn: g.keyArn,
          TracingConfig: { Mode: 'Active' },
          Environment: { Variables: environmentOf(g.bucket) },
        }),
      );
    },
    expect: ['LVS001 fail noVpcConfig high'],
  },
  {
    slug: 'lvs001-incomplete-vpc-config',
    description:
      'The function is detached from its VPC (VpcConfig with empty SubnetIds and SecurityGroupIds).',
    async apply(g, c) {
      await c.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: g.functionName,
          VpcConfig: { SubnetIds: [], SecurityGroupIds: [] },
        }),
      );
    },
    expect: ['LVS001 fail incompleteVpcConfig high'],
  },
  // ------------------------------------------------------------------ LVS002
  {
    slug: 'lvs002-single-az',
    description:
      "The function's second subnet is replaced by a subnet in the first subnet's zone (routed like the first).",
    async apply(g, c) {
      const subnet = await c.ec2.send(
        new CreateSubnetCommand({
          VpcId: g.vpcId,
          CidrBlock: '10.20.3.0/24',
          AvailabilityZone: g.availabilityZones[0],
        }),
      );
      const subnetId = subnet.Subnet?.SubnetId ?? '';
      await c.ec2.send(
        new AssociateRouteTableCommand({ RouteTableId: g.routeTableIds[0], SubnetId: subnetId }),
      );
      await c.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: g.functionName,
          VpcConfig: { SubnetIds: [g.subnetIds[0], subnetId], SecurityGroupIds: [g.securityGroupId] },
        }),
      );
    },
    expect: ['LVS002 fail singleAz medium'],
  },
  // ------------------------------------------------------------------ LVS003
  {
    slug: 'lvs003-no-s3-route',
    description:
      "Subnet B's route table is removed from the S3 gateway endpoint (its S3 route goes with it).",
    async apply(g, c) {
      await c.ec2.send(
        new ModifyVpcEndpointCommand({
          VpcEndpointId: g.endpointId,
          RemoveRouteTableIds: [g.routeTableIds[1]],
        }),
      );
    },
    expect: ['LVS003 fail noS3Route high'],
  },
  {
    slug: 'lvs003-main-table-without-s3-route',
    description:
      "Subnet B loses its explicit route table association and falls back to the VPC's main table.",
    async apply(g, c) {
      const tables = await c.ec2.send(
        new DescribeRouteTablesCommand({ RouteTableIds: [g.routeTableIds[1]] }),
      );
      const association = tables.RouteTables?.[0]?.Associations?.find((a) => a.SubnetId === g.subnetIds[1]);
      await c.ec2.send(
        new DisassociateRouteTableCommand({ AssociationId: association?.RouteTableAssociationId ?? '' }),
      );
    },
    expect: ['LVS003 fail noS3Route high'],
  },
  // ------------------------------------------------------------------ LVS004
  {
    slug: 'lvs004-via-internet-gateway',
    description:
      "Subnet A's table gains 0.0.0.0/0 to an internet gateway and the group opens tcp/443 to 0.0.0.0/0.",
    async apply(g, c) {
      const igw = await c.ec2.send(new CreateInternetGatewayCommand({}));
      const igwId = igw.InternetGateway?.InternetGatewayId ?? '';
      await c.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: g.vpcId }));
      await c.ec2.send(
        new CreateRouteCommand({
          RouteTableId: g.routeTableIds[0],
          DestinationCidrBlock: '0.0.0.0/0',
          GatewayId: igwId,
        }),
      );
      await openHttpsToInternet(g, c);
    },
    expect: ['LVS004 fail viaInternetGateway medium', 'LVS005 fail portsToPublic medium'],
  },
  {
    slug: 'lvs004-via-nat-gateway',
    description:
      "Subnet A's table loses the endpoint and routes 0.0.0.0/0 to a NAT gateway: tcp/443 to the S3 prefix list now goes through the NAT.",
    async apply(g, c) {
      const publicSubnet = await c.ec2.send(
        new CreateSubnetCommand({
          VpcId: g.vpcId,
          CidrBlock: '10.20.100.0/24',
          AvailabilityZone: g.availabilityZones[0],
        }),
      );
      const eip = await c.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
      const nat = await c.ec2.send(
        new CreateNatGatewayCommand({
          SubnetId: publicSubnet.Subnet?.SubnetId ?? '',
          AllocationId: eip.AllocationId ?? '',
        }),
      );
      await c.ec2.send(
        new ModifyVpcEndpointCommand({
          VpcEndpointId: g.endpointId,
          RemoveRouteTableIds: [g.routeTableIds[0]],
        }),
      );
      await c.ec2.send(
        new CreateRouteCommand({
          RouteTableId: g.routeTableIds[0],
          DestinationCidrBlock: '0.0.0.0/0',
          NatGatewayId: nat.NatGateway?.NatGatewayId ?? '',
        }),
      );
    },
    expect: ['LVS003 fail noS3Route high', 'LVS004 fail viaNatGateway medium'],
  },
  {
    slug: 'lvs004-via-transit-gateway',
    description:
      "Subnet B's table sends 0.0.0.0/0 to a transit gateway and the group opens tcp/443 to 0.0.0.0/0.",
    async apply(g, c) {
      const tgw = await c.ec2.send(new CreateTransitGatewayCommand({ Description: 'shared egress' }));
      const tgwId = tgw.TransitGateway?.TransitGatewayId ?? '';
      await c.ec2.send(
        new CreateTransitGatewayVpcAttachmentCommand({
          TransitGatewayId: tgwId,
          VpcId: g.vpcId,
          SubnetIds: [...g.subnetIds],
        }),
      );
      await c.ec2.send(
        new CreateRouteCommand({
          RouteTableId: g.routeTableIds[1],
          DestinationCidrBlock: '0.0.0.0/0',
          TransitGatewayId: tgwId,
        }),
      );
      await openHttpsToInternet(g, c);
    },
    expect: ['LVS004 fail viaOtherGateway medium', 'LVS005 fail portsToPublic medium'],
  },
  // ------------------------------------------------------------------ LVS005
  {
    slug: 'lvs005-default-allow-all-egress',
    description: 'The group gets back the all-traffic egress to 0.0.0.0/0 AWS adds to every new group.',
    async apply(g, c) {
      await c.ec2.send(
        new AuthorizeSecurityGroupEgressCommand({
          GroupId: g.securityGroupId,
          IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
      );
    },
    expect: ['LVS005 fail allTrafficToPublic high'],
  },
  {
    slug: 'lvs005-https-to-ipv6-internet',
    description: 'The VPC gets an IPv6 block and the group also allows tcp/443 to ::/0.',
    async apply(g, c) {
      // The IPv6 block is for moto: it silently ignores CidrIpv6 ranges in RevokeSecurityGroupEgress
      // when the group's VPC has no IPv6 block (AWS revokes them), so lvs fix could not remove ::/0.
      await c.ec2.send(
        new AssociateVpcCidrBlockCommand({ VpcId: g.vpcId, AmazonProvidedIpv6CidrBlock: true }),
      );
      await c.ec2.send(
        new AuthorizeSecurityGroupEgressCommand({
          GroupId: g.securityGroupId,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
          ],
        }),
      );
    },
    expect: ['LVS005 fail portsToPublic medium'],
  },
  // ------------------------------------------------------------------ LVS006
  {
    slug: 'lvs006-default-full-access',
    description: 'The endpoint policy is back to the default full-access policy.',
    async apply(g, c) {
      // AWS: ModifyVpcEndpoint ResetPolicy=true puts the default policy back. moto 5.2.1 ignores
      // ResetPolicy, so the default document AWS would put is written explicitly.
      await c.ec2.send(
        new ModifyVpcEndpointCommand({
          VpcEndpointId: g.endpointId,
          PolicyDocument: json({
            Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
          }),
        }),
      );
    },
    expect: ['LVS006 fail defaultFullAccess medium'],
  },
  {
    slug: 'lvs006-unscoped-resource',
    description: 'The endpoint policy allows object actions on Resource "*" without aws:ResourceAccount.',
    async apply(g, c) {
      await c.ec2.send(
        new ModifyVpcEndpointCommand({
          VpcEndpointId: g.endpointId,
          PolicyDocument: json({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'S3ReadWrite',
                Effect: 'Allow',
                Principal: '*',
                Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
                Resource: '*',
              },
            ],
          }),
        }),
      );
    },
    expect: ['LVS006 fail unscopedResource medium'],
  },
  // ------------------------------------------------------------------ LVS007
  {
    slug: 'lvs007-no-bucket-policy',
    description: 'The bucket policy is deleted.',
    async apply(g, c) {
      await c.s3.send(new DeleteBucketPolicyCommand({ Bucket: g.bucket }));
    },
    expect: ['LVS007 fail noBucketPolicy high'],
  },
  {
    slug: 'lvs007-no-deny',
    description: 'The bucket policy keeps only the TLS Deny.',
    async apply(g, c) {
      await putBucketPolicy(g, c, []);
    },
    expect: ['LVS007 fail noDeny high'],
  },
  {
    slug: 'lvs007-allow-only',
    description: 'The bucket policy only Allows requests with aws:SourceVpce.',
    async apply(g, c) {
      await putBucketPolicy(g, c, [
        {
          Sid: 'AllowThroughEndpoint',
          Effect: 'Allow',
          Principal: '*',
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: `${g.bucketArn}/*`,
          Condition: { StringEquals: { 'aws:SourceVpce': g.endpointId } },
        },
      ]);
    },
    expect: ['LVS007 fail allowOnly high'],
  },
  {
    slug: 'lvs007-deny-with-extra-condition',
    description: 'The endpoint Deny also requires aws:SecureTransport=false, so it pins nothing.',
    async apply(g, c) {
      await putBucketPolicy(g, c, [
        {
          Sid: 'DenyUnlessThroughScorerEndpoint',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [g.bucketArn, `${g.bucketArn}/*`],
          Condition: {
            StringNotEquals: { 'aws:SourceVpce': g.endpointId },
            Bool: { 'aws:SecureTransport': 'false' },
          },
        },
      ]);
    },
    expect: ['LVS007 fail noDeny high'],
  },
  {
    slug: 'lvs007-pinned-to-other-endpoint',
    description: 'The bucket Deny is pinned to another endpoint ID.',
    async apply(g, c) {
      await putBucketPolicy(g, c, [
        {
          Sid: 'DenyUnlessThroughScorerEndpoint',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [g.bucketArn, `${g.bucketArn}/*`],
          Condition: {
            StringNotEquals: { 'aws:SourceVpce': 'vpce-0ffffffffffff0099' },
            ArnNotLike: { 'aws:PrincipalArn': g.breakGlassArn },
          },
        },
      ]);
    },
    expect: ['LVS007 fail pinnedToOtherEndpoint high'],
  },
  {
    slug: 'lvs007-pinned-to-vpc',
    description: 'The bucket Deny is keyed on aws:SourceVpc instead of the endpoint ID.',
    async apply(g, c) {
      await putBucketPolicy(g, c, [
        {
          Sid: 'DenyOutsideVpc',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [g.bucketArn, `${g.bucketArn}/*`],
          Condition: { StringNotEquals: { 'aws:SourceVpc': g.vpcId } },
        },
      ]);
    },
    expect: ['LVS007 fail pinnedToVpc low'],
  },
  {
    slug: 'lvs007-bucket-set-unbounded',
    description: 'The role may read objects of every bucket (s3:GetObject on "*").',
    async apply(g, c) {
      await addInlinePolicy(g, c, 'read-anything', {
        Sid: 'ReadAnyObject',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: '*',
      });
    },
    expect: [
      'LVS007 error bucketSetUnbounded high',
      'LVS008 fail dataActionsOnAnyResource medium',
      'LVS013 error bucketSetUnbounded medium',
    ],
  },
  {
    slug: 'lvs007-bucket-in-another-account',
    description: "The role also writes to a partner bucket that is not the account's.",
    async apply(g, c) {
      await addInlinePolicy(g, c, 'deliver-to-partner', {
        Sid: 'DeliverToPartner',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::partner-fraud-intake-444455556666/lvs/*',
      });
    },
    expect: ['LVS007 error notInAuditedAccount high', 'LVS013 error notInAuditedAccount medium'],
  },
  // ------------------------------------------------------------------ LVS008
  {
    slug: 'lvs008-admin-managed-policy',
    description: 'AdministratorAccess is attached to the execution role.',
    async apply(g, c) {
      await c.iam.send(
        new AttachRolePolicyCommand({
          RoleName: g.roleName,
          PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        }),
      );
    },
    expect: [
      'LVS007 error bucketSetUnbounded high',
      'LVS008 fail adminManagedPolicy high',
      'LVS013 error bucketSetUnbounded medium',
    ],
  },
  {
    slug: 'lvs008-s3-full-access',
    description: 'AmazonS3FullAccess is attached to the execution role.',
    async apply(g, c) {
      await c.iam.send(
        new AttachRolePolicyCommand({
          RoleName: g.roleName,
          PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
        }),
      );
    },
    expect: [
      'LVS007 error bucketSetUnbounded high',
      'LVS008 fail s3FullAccess medium',
      'LVS013 error bucketSetUnbounded medium',
    ],
  },
  {
    slug: 'lvs008-full-admin',
    description: 'An inline policy allows every action on every resource.',
    async apply(g, c) {
      await addInlinePolicy(g, c, 'admin', {
        Sid: 'Everything',
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
      });
    },
    expect: [
      'LVS007 error bucketSetUnbounded high',
      'LVS008 fail fullAdmin high',
      'LVS013 error bucketSetUnbounded medium',
    ],
  },
  {
    slug: 'lvs008-iam-wildcard',
    description: 'An inline policy allows iam:*.',
    async apply(g, c) {
      await addInlinePolicy(g, c, 'iam-admin', {
        Sid: 'ManageIam',
        Effect: 'Allow',
        Action: 'iam:*',
        Resource: '*',
      });
    },
    expect: ['LVS008 fail iamWildcard high'],
  },
  {
    slug: 'lvs008-privilege-escalation',
    description: 'An inline policy allows iam:PassRole on every role.',
    async apply(g, c) {
      await addInlinePolicy(g, c, 'pass-any-role', {
        Sid: 'PassAnyRole',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: '*',
      });
    },
    expect: ['LVS008 fail privilegeEscalation high'],
  },
  {
    slug: 'lvs008-service-wildcard',
    description: 'An inline policy allows dynamodb:* on a feature table.',
    async apply(g, c) {
      await addInlinePolicy(g, c, 'features', {
        Sid: 'ReadFeatures',
        Effect: 'Allow',
        Action: 'dynamodb:*',
        Resource: `arn:aws:dynamodb:${g.region}:${g.accountId}:table/lvs-golden-features`,
      });
    },
    expect: ['LVS008 fail serviceWildcard medium'],
  },
  {
    slug: 'lvs008-data-actions-on-any-resource',
    description: 'An inline policy allows kms:Decrypt on every key.',
    async apply(g, c) {
      await addInlinePolicy(g, c, 'decrypt-any', {
        Sid: 'DecryptAnyKey',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: '*',
      });
    },
    expect: ['LVS008 fail dataActionsOnAnyResource medium'],
  },
  {
    slug: 'lvs008-not-action',
    description: 'An inline policy grants everything but s3:DeleteObject* on the scores prefix (NotAction).',
    async apply(g, c) {
      await addInlinePolicy(g, c, 'all-but-delete', {
        Sid: 'AllButDelete',
        Effect: 'Allow',
        NotAction: 's3:DeleteObject*',
        Resource: `${g.bucketArn}/scores/*`,
      });
    },
    expect: ['LVS008 fail notActionOrNotResource medium'],
  },
  {
    slug: 'lvs008-untrusted-trust-policy',
    description: "The role's trust policy also trusts another AWS account.",
    async apply(g, c) {
      await c.iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: g.roleName,
          PolicyDocument: json({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
              {
                Sid: 'Partner',
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::444455556666:root' },
                Action: 'sts:AssumeRole',
              },
            ],
          }),
        }),
      );
    },
    expect: ['LVS008 fail untrustedTrustPolicy high'],
  },
  {
    slug: 'lvs008-shared-role',
    description: 'A replica of the scorer uses the same execution role.',
    async apply(g, c) {
      await c.lambda.send(
        new CreateFunctionCommand({
          FunctionName: `${g.functionName}-replica`,
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Code: { ZipFile: zipOf({ 'index.js': HANDLER_SOURCE }) },
          Role: g.roleArn,
          VpcConfig: { SubnetIds: [...g.subnetIds], SecurityGroupIds: [g.securityGroupId] },
          KMSKeyArn: g.keyArn,
          TracingConfig: { Mode: 'Active' },
          Environment: { Variables: environmentOf(g.bucket) },
        }),
      );
    },
    // One result per function: both functions share the role.
    expect: ['LVS008 fail sharedRole low', 'LVS008 fail sharedRole low'],
  },
  // ------------------------------------------------------------------ LVS009
  {
    slug: 'lvs009-no-customer-key',
    description: 'The function no longer sets KMSKeyArn (Lambda uses aws/lambda).',
    async apply(g, c) {
      // AWS: an empty KMSKeyArn in UpdateFunctionConfiguration goes back to the default key.
      await c.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: g.functionName, KMSKeyArn: '' }),
      );
    },
    expect: ['LVS009 fail noCustomerKey medium'],
  },
  {
    slug: 'lvs009-aws-managed-key',
    description: 'KMSKeyArn names the AWS managed key aws/lambda.',
    async apply(g, c) {
      const managed = await c.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/lambda' }));
      await c.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: g.functionName,
          KMSKeyArn: managed.KeyMetadata?.Arn ?? '',
        }),
      );
    },
    expect: ['LVS009 fail keyNotCustomerManaged medium'],
  },
  {
    slug: 'lvs009-key-disabled',
    description: 'The customer-managed key is disabled.',
    async apply(g, c) {
      await c.kms.send(new DisableKeyCommand({ KeyId: g.keyId }));
    },
    expect: ['LVS009 fail keyNotEnabled medium'],
  },
  {
    slug: 'lvs009-key-pending-deletion',
    description: 'The customer-managed key is scheduled for deletion.',
    async apply(g, c) {
      await c.kms.send(new ScheduleKeyDeletionCommand({ KeyId: g.keyId, PendingWindowInDays: 30 }));
    },
    expect: ['LVS009 fail keyPendingDeletion medium'],
  },
  {
    slug: 'lvs009-rotation-disabled',
    description: 'Automatic rotation of the customer-managed key is off.',
    async apply(g, c) {
      await c.kms.send(new DisableKeyRotationCommand({ KeyId: g.keyId }));
    },
    expect: ['LVS009 fail rotationDisabled low'],
  },
  // ------------------------------------------------------------------ LVS010
  {
    slug: 'lvs010-tracing-passthrough',
    description: 'TracingConfig.Mode is PassThrough.',
    async apply(g, c) {
      await c.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: g.functionName,
          TracingConfig: { Mode: 'PassThrough' },
        }),
      );
    },
    expect: ['LVS010 fail tracingNotActive medium'],
  },
  // ------------------------------------------------------------------ LVS011
  {
    slug: 'lvs011-public-policy',
    description: 'The function policy lets Principal "*" invoke it with no condition.',
    async apply(g, c) {
      await c.lambda.send(
        new AddPermissionCommand({
          FunctionName: g.functionName,
          StatementId: 'public-invoke',
          Action: 'lambda:InvokeFunction',
          Principal: '*',
        }),
      );
    },
    expect: ['LVS011 fail publicPolicy critical'],
  },
  {
    slug: 'lvs011-public-url',
    description: 'A function URL with AuthType NONE and the two public permissions the console adds for it.',
    async apply(g, c) {
      await c.lambda.send(
        new CreateFunctionUrlConfigCommand({ FunctionName: g.functionName, AuthType: 'NONE' }),
      );
      await c.lambda.send(
        new AddPermissionCommand({
          FunctionName: g.functionName,
          StatementId: 'FunctionURLAllowPublicAccess',
          Action: 'lambda:InvokeFunctionUrl',
          Principal: '*',
          FunctionUrlAuthType: 'NONE',
        }),
      );
      await c.lambda.send(
        new AddPermissionCommand({
          FunctionName: g.functionName,
          StatementId: 'FunctionURLAllowInvokeAction',
          Action: 'lambda:InvokeFunction',
          Principal: '*',
          InvokedViaFunctionUrl: true,
        }),
      );
    },
    expect: ['LVS011 fail publicUrl high'],
  },
  // ------------------------------------------------------------------ LVS012
  {
    slug: 'lvs012-secret-named-plaintext',
    description: 'DB_PASSWORD holds a literal value.',
    async apply(g, c) {
      await setEnvironment(g, c, { DB_PASSWORD: PASSWORD_VALUE }, true);
    },
    expect: ['LVS012 fail secretNamedPlaintext high'],
  },
  {
    slug: 'lvs012-credential-in-value',
    description: 'UPLOADER_ID holds an AWS access key ID.',
    async apply(g, c) {
      await setEnvironment(g, c, { UPLOADER_ID: ACCESS_KEY_ID_VALUE });
    },
    expect: ['LVS012 fail credentialInValue high'],
  },
  {
    slug: 'lvs012-secret-and-credential',
    description: 'A plaintext API_TOKEN and a PEM private key in SIGNING_MATERIAL.',
    async apply(g, c) {
      await setEnvironment(g, c, { API_TOKEN: TOKEN_VALUE, SIGNING_MATERIAL: PEM_VALUE }, true);
    },
    expect: ['LVS012 fail credentialInValue high'],
  },
  // ------------------------------------------------------------------ LVS013
  {
    slug: 'lvs013-no-default-encryption',
    description: "The bucket's default encryption configuration is deleted.",
    async apply(g, c) {
      // AWS (since January 2023): the bucket falls back to SSE-S3, GetBucketEncryption answers AES256.
      // moto 5.2.1 answers ServerSideEncryptionConfigurationNotFoundError (the pre-2023 behaviour).
      // Either way LVS013 fails with noKmsEncryption; lvs treats both answers (lvs013-sse-s3-only).
      await c.s3.send(new DeleteBucketEncryptionCommand({ Bucket: g.bucket }));
    },
    expect: ['LVS013 fail noKmsEncryption medium'],
  },
  {
    slug: 'lvs013-sse-s3-only',
    description: "The bucket's default encryption is SSE-S3 (AES256).",
    async apply(g, c) {
      await c.s3.send(
        new PutBucketEncryptionCommand({
          Bucket: g.bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
          },
        }),
      );
    },
    expect: ['LVS013 fail noKmsEncryption medium'],
  },
  {
    slug: 'lvs013-no-public-access-block',
    description: 'The bucket has no Block Public Access configuration (nor the account).',
    async apply(g, c) {
      await c.s3.send(new DeletePublicAccessBlockCommand({ Bucket: g.bucket }));
    },
    expect: ['LVS013 fail publicAccessBlockIncomplete medium'],
  },
  {
    slug: 'lvs013-public-access-block-partial',
    description: 'The bucket blocks public ACLs but not public policies.',
    async apply(g, c) {
      await c.s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: g.bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: false,
            RestrictPublicBuckets: false,
          },
        }),
      );
    },
    expect: ['LVS013 fail publicAccessBlockIncomplete medium'],
  },
];
