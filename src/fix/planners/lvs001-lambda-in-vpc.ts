import {
  compare,
  entryOf,
  makeStep,
  roleNameOf,
  shellQuote,
  type Finding,
  type PlanContext,
  type Planner,
} from '../lib/context.js';
import { onePerZone, s3RoutedSubnets, type CandidateSubnet } from '../lib/network.js';

/**
 * LVS001 (manual): which subnets and security group a function should use is a design decision.
 * The template proposes the VPC of the region with the most zones already routed to an S3 gateway
 * endpoint, one subnet per zone, and a new security group allowing only HTTPS to S3.
 */

/** The best-covered VPC's candidate subnets (most zones, then lowest VPC ID). */
function bestPlacement(candidates: readonly CandidateSubnet[]): CandidateSubnet[] {
  const byVpc = new Map<string, CandidateSubnet[]>();
  for (const c of candidates) byVpc.set(c.vpcId, [...(byVpc.get(c.vpcId) ?? []), c]);
  const ranked = [...byVpc.entries()]
    .map(([vpcId, list]) => ({ vpcId, picks: onePerZone(list) }))
    .sort((a, b) => b.picks.length - a.picks.length || compare(a.vpcId, b.vpcId));
  return ranked[0]?.picks ?? [];
}

function planFunction(finding: Finding, ctx: PlanContext) {
  const entry = entryOf(ctx.index, finding.functionArn);
  if (entry === undefined) return [];
  const { fn, region } = entry;
  const r = region.region;
  const picks = bestPlacement(s3RoutedSubnets(region));
  const vpcId = picks[0]?.vpcId ?? 'VPC_ID';
  const subnets = picks.length > 0 ? picks.map((p) => p.subnetId) : ['SUBNET_A', 'SUBNET_B'];
  const prefixListId = region.s3PrefixList.ok ? region.s3PrefixList.value.prefixListId : 'PL_S3_ID';
  const template = [
    `# ${fn.functionName} is not attached to a VPC. Attach it to private subnets in two or more zones whose`,
    '# route tables send S3 traffic to a gateway endpoint, with a security group of its own.',
    ...(picks.length > 0
      ? [
          `# Candidate subnets in ${vpcId} (effective route table -> S3 gateway endpoint):`,
          ...picks.map(
            (p) => `#   ${p.subnetId}  ${p.availabilityZone}  ${p.routeTableId} -> ${p.endpointId}`,
          ),
        ]
      : [`# No subnet of ${r} routes S3 to a gateway endpoint yet: create them first (see LVS003).`]),
    `aws iam attach-role-policy --role-name ${roleNameOf(fn.role)} --policy-arn arn:${ctx.index.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole`,
    `SG_ID="$(aws ec2 create-security-group --region ${r} --vpc-id ${vpcId} --group-name ${shellQuote(`${fn.functionName}-lvs`)} --description ${shellQuote(`${fn.functionName}: HTTPS to S3 only`)} --query GroupId --output text)"`,
    `aws ec2 revoke-security-group-egress --region ${r} --group-id "$SG_ID" --ip-permissions ${shellQuote('[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]')}`,
    `aws ec2 authorize-security-group-egress --region ${r} --group-id "$SG_ID" --ip-permissions ${shellQuote(`[{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"PrefixListIds":[{"PrefixListId":"${prefixListId}"}]}]`)}`,
    `aws lambda update-function-configuration --region ${r} --function-name ${fn.functionArn} --vpc-config "SubnetIds=${subnets.join(',')},SecurityGroupIds=$SG_ID"`,
  ].join('\n');
  return [
    makeStep({
      id: `LVS001:${fn.functionArn}`,
      kind: 'manual',
      title: `Attach ${fn.functionName} to private subnets of a VPC`,
      service: 'lambda',
      region: r,
      resourceArn: fn.functionArn,
      findings: [finding],
      template,
      risks: [
        {
          kind: 'connectivity',
          detail: `In a VPC, ${fn.functionName} reaches only what its subnets route to: the internet and AWS APIs other than S3 need a NAT gateway or interface endpoints. Check what it calls before attaching it.`,
          resources: [fn.functionArn],
        },
      ],
      notes: [
        'Once attached, the network rules (LVS002 to LVS007) apply to the function: run lvs fix again.',
      ],
    }),
  ];
}

export const planner: Planner = {
  ruleId: 'LVS001',
  plan(findings, ctx) {
    return findings.flatMap((f) => planFunction(f, ctx));
  },
};
