import type { EvidenceStep } from '../core/evidence.js';
import { securityGroupArn, vpcArn } from '../snapshot/arn.js';
import type { Problem, RegionIndex } from '../snapshot/derive.js';
import type { EgressRule } from '../snapshot/schema.js';
import { defineCheck, type Outcome } from './define-check.js';
import { PRIVATE_RANGES, classifyDestination } from './lib/cidr.js';
import {
  NOT_IN_VPC_REASON,
  coversAllPorts,
  describePorts,
  egressStep,
  functionVpc,
  isAllTraffic,
  protocolName,
} from './lib/network.js';
import { fail, notApplicable, pass, unknown, withHead } from './lib/outcome.js';

interface Offender {
  index: number;
  rule: EgressRule;
  destination: string;
}

/** SPEC LVS005 "all protocols/ports": protocol -1, or every tcp port and every udp port to public addresses. */
function opensAllTraffic(offenders: readonly Offender[]): boolean {
  if (offenders.some((o) => isAllTraffic(o.rule))) return true;
  const allPortsOf = (protocol: string) =>
    offenders.some((o) => protocolName(o.rule) === protocol && coversAllPorts(o.rule));
  return allPortsOf('tcp') && allPortsOf('udp');
}

const isAwsDefaultRule = (o: Offender) =>
  isAllTraffic(o.rule) && (o.destination === '0.0.0.0/0' || o.destination === '::/0');

/** The rule's outcome for one security group, without the function's own first evidence step. */
function judgeGroup(region: RegionIndex, groupId: string): Outcome {
  const resourceArn = securityGroupArn(region.scope, groupId);
  const found = region.securityGroup(groupId);
  if (!found.ok) return unknown(found.problem, { resourceArn });
  const group = found.value;
  const label = `${group.groupId} (${group.groupName})`;

  const vpc = region.vpc(group.vpcId);
  const vpcCidrs = vpc.ok ? [...vpc.value.cidrBlocks, ...vpc.value.ipv6CidrBlocks] : undefined;
  const internal = `a prefix list, a security group, or a CIDR inside ${vpcCidrs ? `the VPC (${vpcCidrs.join(', ')})` : 'the VPC'} or private address space`;
  const offenders: Offender[] = [];
  let undecided: Problem | undefined;
  group.egress.forEach((rule, index) => {
    for (const destination of [...rule.ipv4Ranges, ...rule.ipv6Ranges]) {
      const verdict = classifyDestination(destination, vpcCidrs);
      if (verdict === 'public') offenders.push({ index, rule, destination });
      else if (verdict === 'unknown' && !vpc.ok) undecided ??= vpc.problem;
    }
  });

  if (offenders.length > 0) {
    const evidence: EvidenceStep[] = [
      ...offenders.map((o) =>
        egressStep(region, group.groupId, o.index, o.rule, o.destination, {
          expected: internal,
          note: isAwsDefaultRule(o)
            ? 'the allow-all egress rule AWS adds to every new security group'
            : `public: outside the VPC's CIDRs and outside private ranges (${PRIVATE_RANGES.join(', ')})`,
        }),
      ),
    ];
    const rules = offenders.map((o) => `${describePorts(o.rule)} to ${o.destination}`).join(', ');
    return fail(opensAllTraffic(offenders) ? 'allTrafficToPublic' : 'portsToPublic', {
      resourceArn,
      data: { group: label, rules },
      evidence,
    });
  }
  if (undecided !== undefined) {
    return unknown(undecided, {
      resourceArn,
      evidence: [
        {
          resourceArn: vpcArn(region.scope, group.vpcId),
          field: 'CidrBlockAssociationSet',
          observed: 'unknown',
        },
      ],
    });
  }
  const destinations = group.egress.flatMap((rule, index) => {
    const targets = [
      ...rule.ipv4Ranges,
      ...rule.ipv6Ranges,
      ...rule.prefixListIds,
      ...rule.referencedGroupIds.map((g) => `security group ${g}`),
    ];
    return targets.map((t) => egressStep(region, group.groupId, index, rule, t));
  });
  return pass('egressScoped', {
    resourceArn,
    data: { group: label, rules: group.egress.length },
    evidence: destinations,
  });
}

export default defineCheck({
  meta: {
    id: 'LVS005',
    name: 'sg-egress-scoped',
    severity: 'high',
    title: "Function's security groups allow egress only to internal destinations",
    description:
      "Every security group attached to the function allows egress only to managed prefix lists, other security groups, CIDRs inside the VPC's own CIDR blocks, or private address space (10/8, 172.16/12, 192.168/16, 100.64/10, 127/8, 169.254/16, fc00::/7, fe80::/10, ::1). A rule to any other CIDR (0.0.0.0/0, ::/0, 8.8.8.8/32…) fails: high when it opens all traffic (protocol -1, or every tcp and udp port), medium for specific protocols and ports. One result per attached security group.",
    rationale:
      'Security-group egress is the last control on where a compromised function can send data. Open egress lets it exfiltrate to any internet host over any route that exists now or later (a NAT gateway added for another workload), and reach S3 outside the gateway endpoint. Every new security group starts with an allow-all egress rule to 0.0.0.0/0, so this is the default state unless someone removed it. Private ranges outside the VPC (on-premises, peered VPCs) are a routing decision rather than an internet exposure, so they pass.',
    remediation:
      'Replace public egress rules with the S3 prefix list (tcp/443), security-group references or VPC CIDRs.',
    remediationDetails: [
      'Revoke the offending rules (including the default allow-all rule) and authorize only what the function needs, ideally tcp/443 to the S3 prefix list.',
      '',
      '```sh',
      'aws ec2 describe-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.REGION.s3',
      'aws ec2 revoke-security-group-egress --group-id sg-ccc --ip-permissions IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0}]',
      'aws ec2 authorize-security-group-egress --group-id sg-ccc \\',
      '  --ip-permissions IpProtocol=tcp,FromPort=443,ToPort=443,PrefixListIds=[{PrefixListId=pl-xxx}]',
      '```',
      '',
      'CloudFormation: an explicit `SecurityGroupEgress` list replaces the default allow-all rule:',
      '',
      '```yaml',
      'FunctionSecurityGroup:',
      '  Type: AWS::EC2::SecurityGroup',
      '  Properties:',
      '    GroupDescription: scorer function',
      '    VpcId: !Ref Vpc',
      '    SecurityGroupEgress:',
      '      - { IpProtocol: tcp, FromPort: 443, ToPort: 443, DestinationPrefixListId: pl-xxx }',
      '```',
      '',
      'Check first whether the group is shared with other network interfaces (`aws ec2 describe-network-interfaces --filters Name=group-id,Values=sg-ccc`).',
    ].join('\n'),
    resourceType: 'security-group',
    references: [
      {
        title: 'Security group rules',
        url: 'https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html',
      },
      {
        title: 'Control traffic to your AWS resources using security groups',
        url: 'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html',
      },
      {
        title: 'Gateway endpoints for Amazon S3',
        url: 'https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html',
      },
    ],
    securityHubControls: [],
    tags: ['network', 'security-group', 'exfiltration'],
    reasons: {
      ...NOT_IN_VPC_REASON,
      egressScoped: {
        status: 'pass',
        message:
          'Security group {{group}} of {{function}} allows egress only to prefix lists, security groups, its VPC or private address space ({{rules}} rule(s)).',
      },
      allTrafficToPublic: {
        status: 'fail',
        severity: 'high',
        message:
          'Security group {{group}} of {{function}} allows all traffic to public addresses: {{rules}}.',
      },
      portsToPublic: {
        status: 'fail',
        severity: 'medium',
        message: 'Security group {{group}} of {{function}} allows egress to public addresses: {{rules}}.',
      },
    },
  },
  evaluate(entry, index) {
    const vpc = functionVpc(entry, index);
    if (vpc === undefined) return [notApplicable('notInVpc')];
    const { region } = entry;
    // Everything after the function's own step depends on the security group alone.
    return vpc.attachment.securityGroupIds.map((groupId) =>
      withHead(
        vpc.step,
        index.memo(['LVS005', region.region, groupId], () => judgeGroup(region, groupId)),
      ),
    );
  },
});
