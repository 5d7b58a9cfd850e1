import { entryOf, makeStep, type Finding, type PlanContext, type Planner } from '../lib/context.js';
import { onePerZone, s3RoutedSubnets, subnetsOf } from '../lib/network.js';

/**
 * LVS002 (manual): adding a subnet changes where the function's network interfaces live and which
 * addresses it uses. The template proposes subnets of the same VPC in other zones, preferring those
 * already routed to the S3 gateway endpoint, and keeps the function's subnets and security groups.
 */

function planFunction(finding: Finding, ctx: PlanContext) {
  const entry = entryOf(ctx.index, finding.functionArn);
  const vpc = entry?.fn.vpcConfig;
  if (entry === undefined || vpc == null) return [];
  const { fn, region } = entry;
  const r = region.region;
  const current = subnetsOf(entry);
  const zones = new Set(
    current.flatMap((id) => {
      const s = region.subnet(id);
      return s.ok ? [s.value.availabilityZone] : [];
    }),
  );
  const routed = onePerZone(
    s3RoutedSubnets(region, vpc.vpcId).filter(
      (c) => !zones.has(c.availabilityZone) && !current.includes(c.subnetId),
    ),
    2,
  );
  const others = region.subnets.ok
    ? [...region.subnets.value.values()]
        .filter(
          (s) => s.vpcId === vpc.vpcId && !zones.has(s.availabilityZone) && !current.includes(s.subnetId),
        )
        .sort((a, b) => (a.subnetId < b.subnetId ? -1 : 1))
    : [];
  const added = routed.length > 0 ? routed.map((c) => c.subnetId) : others.slice(0, 1).map((s) => s.subnetId);
  const template = [
    `# ${fn.functionName} runs in ${[...zones].join(', ') || 'one zone'} only. Add a private subnet of ${vpc.vpcId} in another zone.`,
    ...(routed.length > 0
      ? [
          '# Candidates already routed to the S3 gateway endpoint:',
          ...routed.map(
            (c) => `#   ${c.subnetId}  ${c.availabilityZone}  ${c.routeTableId} -> ${c.endpointId}`,
          ),
        ]
      : others.length > 0
        ? [
            `# ${others[0]?.subnetId ?? ''} (${others[0]?.availabilityZone ?? ''}) has no S3 endpoint route yet: associate its route table with the endpoint too (LVS003).`,
          ]
        : [
            '# The VPC has no subnet in another zone: create one and give it the route table of the current subnets:',
            `SUBNET_ID="$(aws ec2 create-subnet --region ${r} --vpc-id ${vpc.vpcId} --availability-zone ZONE --cidr-block CIDR --query Subnet.SubnetId --output text)"`,
            `aws ec2 associate-route-table --region ${r} --subnet-id "$SUBNET_ID" --route-table-id RTB_ID`,
          ]),
    `aws lambda update-function-configuration --region ${r} --function-name ${fn.functionArn} --vpc-config "SubnetIds=${[...current, ...(added.length > 0 ? added : ['$SUBNET_ID'])].join(',')},SecurityGroupIds=${vpc.securityGroupIds.join(',')}"`,
  ].join('\n');
  return [
    makeStep({
      id: `LVS002:${fn.functionArn}`,
      kind: 'manual',
      title: `Give ${fn.functionName} subnets in a second Availability Zone`,
      service: 'lambda',
      region: r,
      resourceArn: fn.functionArn,
      findings: [finding],
      template,
      risks: [
        {
          kind: 'connectivity',
          detail: `The new subnet must reach what ${fn.functionName} uses (same route table, S3 endpoint route, network ACLs), or invocations placed in it fail.`,
          resources: [fn.functionArn],
        },
      ],
    }),
  ];
}

export const planner: Planner = {
  ruleId: 'LVS002',
  plan(findings, ctx) {
    return findings.flatMap((f) => planFunction(f, ctx));
  },
};
