import { defineCheck } from './define-check.js';
import { fail, pass } from './lib/outcome.js';

export default defineCheck({
  meta: {
    id: 'LVS001',
    name: 'lambda-in-vpc',
    severity: 'high',
    title: 'Lambda function is attached to a VPC',
    description:
      'The function has a VpcConfig with a VPC ID, at least one subnet and at least one security group, so its network traffic leaves from elastic network interfaces in your VPC.',
    rationale:
      'A function outside a VPC reaches S3 and every other service over the public internet from AWS-owned address space. None of the private-path controls (gateway endpoint route, bucket policy pinned to the endpoint, security-group egress) can apply to it.',
    remediation:
      'Attach the function to private subnets in two or more AZs with a scoped security group (VpcConfig).',
    remediationDetails: [
      'Give the function private subnets in at least two Availability Zones and a dedicated security group, and grant its role the ENI permissions of `AWSLambdaVPCAccessExecutionRole`.',
      '',
      '```sh',
      'aws lambda update-function-configuration --function-name FUNCTION \\',
      '  --vpc-config SubnetIds=subnet-aaa,subnet-bbb,SecurityGroupIds=sg-ccc',
      '```',
      '',
      'CloudFormation: set `VpcConfig: { SubnetIds: [...], SecurityGroupIds: [...] }` on the `AWS::Lambda::Function`.',
    ].join('\n'),
    resourceType: 'function',
    references: [
      {
        title: 'Giving Lambda functions access to resources in an Amazon VPC',
        url: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html',
      },
      {
        title: 'Security Hub control Lambda.3',
        url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-3',
      },
    ],
    securityHubControls: ['Lambda.3'],
    tags: ['network', 'vpc'],
    reasons: {
      inVpc: {
        status: 'pass',
        message:
          '{{function}} runs in {{vpcId}} with {{subnets}} subnet(s) and {{groups}} security group(s).',
      },
      noVpcConfig: {
        status: 'fail',
        message: '{{function}} is not attached to a VPC: its traffic to S3 leaves over the public internet.',
      },
      incompleteVpcConfig: {
        status: 'fail',
        message: '{{function}} has a VpcConfig with no {{missing}}, so it is not attached to a VPC.',
      },
    },
  },
  evaluate({ fn }) {
    const vpc = fn.vpcConfig;
    if (vpc === null) {
      return [
        fail('noVpcConfig', {
          evidence: [
            {
              resourceArn: fn.functionArn,
              field: 'VpcConfig',
              observed: 'absent',
              expected: 'VpcId, SubnetIds, SecurityGroupIds',
            },
          ],
        }),
      ];
    }
    const missingParts = [
      vpc.vpcId === '' ? 'VpcId' : undefined,
      vpc.subnetIds.length === 0 ? 'SubnetIds' : undefined,
      vpc.securityGroupIds.length === 0 ? 'SecurityGroupIds' : undefined,
    ].filter((part): part is string => part !== undefined);
    const evidence = [
      {
        resourceArn: fn.functionArn,
        field: 'VpcConfig',
        observed: `VpcId=${vpc.vpcId || '""'}, SubnetIds=[${vpc.subnetIds.join(', ')}], SecurityGroupIds=[${vpc.securityGroupIds.join(', ')}]`,
        expected: 'a VpcId, at least one subnet and at least one security group',
      },
    ];
    if (missingParts.length > 0)
      return [fail('incompleteVpcConfig', { data: { missing: missingParts.join(', ') }, evidence })];
    return [
      pass('inVpc', {
        data: { vpcId: vpc.vpcId, subnets: vpc.subnetIds.length, groups: vpc.securityGroupIds.length },
        evidence,
      }),
    ];
  },
});
