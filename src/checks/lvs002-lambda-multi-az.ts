import type { EvidenceStep } from '../core/evidence.js';
import { subnetArn } from '../snapshot/arn.js';
import type { Problem, RegionIndex } from '../snapshot/derive.js';
import { defineCheck, type Outcome } from './define-check.js';
import { NOT_IN_VPC_REASON, distinctProblems, functionVpc, listText } from './lib/network.js';
import { fail, notApplicable, pass, unknown, withHead } from './lib/outcome.js';

/** The rule's outcome for a set of subnets, without the function's own first evidence step. */
function judgeZones(region: RegionIndex, subnetIds: readonly string[]): Outcome {
  const evidence: EvidenceStep[] = [];
  const zones = new Set<string>();
  const problems: Problem[] = [];
  for (const subnetId of subnetIds) {
    const subnet = region.subnet(subnetId);
    if (!subnet.ok) {
      problems.push(subnet.problem);
      continue;
    }
    zones.add(subnet.value.availabilityZone);
    evidence.push({
      resourceArn: subnetArn(region.scope, subnetId),
      field: 'AvailabilityZone',
      observed: `${subnet.value.availabilityZone}${subnet.value.availabilityZoneId ? ` (${subnet.value.availabilityZoneId})` : ''}`,
    });
  }
  const zoneList = [...zones].sort();
  // Two known zones settle it whatever the unreadable subnets hold; fewer does not.
  if (zoneList.length >= 2) {
    return pass('multiAz', { data: { count: zoneList.length, zones: listText(zoneList) }, evidence });
  }
  const [problem] = distinctProblems(problems);
  if (problem !== undefined) return unknown(problem, { evidence });
  const expected = 'subnets in at least 2 distinct Availability Zones';
  return fail('singleAz', {
    data: {
      zones: zoneList[0] ?? '(none)',
      subnets: subnetIds.length,
      subnetIds: subnetIds.join(', '),
    },
    evidence: evidence.map((step) => ({ ...step, expected })),
  });
}

export default defineCheck({
  meta: {
    id: 'LVS002',
    name: 'lambda-multi-az',
    severity: 'medium',
    title: 'VPC Lambda function runs in subnets of at least two Availability Zones',
    description:
      'The subnets in the VpcConfig of a VPC-attached function lie in two or more distinct Availability Zones, so Lambda can place its network interfaces, and run the function, in more than one zone.',
    rationale:
      'Lambda creates a network interface per subnet and only runs a VPC function in the zones of its subnets. With every subnet in one Availability Zone, an outage of that zone (or IP exhaustion in its subnets) stops the function entirely, taking the data path down with it.',
    remediation:
      "Add a private subnet in a second Availability Zone to the function's VpcConfig (SubnetIds).",
    remediationDetails: [
      'Pick (or create) a private subnet of the same VPC in another Availability Zone, give it the same route table as the existing subnets (with the S3 gateway endpoint route), and add it to the function.',
      '',
      '```sh',
      'aws ec2 describe-subnets --filters Name=vpc-id,Values=VPC_ID --query "Subnets[].[SubnetId,AvailabilityZone]"',
      'aws lambda update-function-configuration --function-name FUNCTION \\',
      '  --vpc-config SubnetIds=subnet-aaa,subnet-bbb,SecurityGroupIds=sg-ccc',
      '```',
      '',
      'CloudFormation: list subnets of two or more zones in `VpcConfig.SubnetIds` of the `AWS::Lambda::Function`',
      '(for example `!Ref PrivateSubnetA` and `!Ref PrivateSubnetB`, each an `AWS::EC2::Subnet` with a different `AvailabilityZone`).',
    ].join('\n'),
    resourceType: 'function',
    references: [
      {
        title: 'Giving Lambda functions access to resources in an Amazon VPC',
        url: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html',
      },
      {
        title: 'Security Hub control Lambda.5',
        url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-5',
      },
      {
        title: 'Resilience in AWS Lambda',
        url: 'https://docs.aws.amazon.com/lambda/latest/dg/security-resilience.html',
      },
    ],
    securityHubControls: ['Lambda.5'],
    tags: ['network', 'vpc', 'availability'],
    reasons: {
      ...NOT_IN_VPC_REASON,
      multiAz: {
        status: 'pass',
        message: '{{function}} has subnets in {{count}} Availability Zones ({{zones}}).',
      },
      singleAz: {
        status: 'fail',
        message:
          '{{function}} runs only in Availability Zone {{zones}} ({{subnets}} subnet(s): {{subnetIds}}); an outage of that zone stops it.',
      },
    },
  },
  evaluate(entry, index) {
    const vpc = functionVpc(entry, index);
    if (vpc === undefined) return [notApplicable('notInVpc')];
    const { region } = entry;
    // Everything after the function's own step depends on the region and the subnets alone.
    const shared = vpc.bySubnets.get('LVS002', () => judgeZones(region, vpc.attachment.subnetIds));
    return [withHead(vpc.step, shared)];
  },
});
