import { classifyDestination } from '../../checks/lib/cidr.js';
import { securityGroupArn } from '../../snapshot/arn.js';
import type { EgressRule, SecurityGroup } from '../../snapshot/schema.js';
import type { ApiCall, Risk, Step } from '../plan-model.js';
import { prettyJson } from '../policy-merge.js';
import {
  entryOf,
  groupBy,
  idOfArn,
  listText,
  makeStep,
  uniqueSorted,
  type Finding,
  type PlanContext,
  type Planner,
} from '../lib/context.js';
import { allowsTcp, describeRule, permissionHead } from '../lib/network.js';

/**
 * LVS005: one step per security group. First authorize tcp/443 to the region's S3 prefix list (unless
 * a rule already allows it), then revoke exactly the public destinations of the offending rules, so
 * the group is never without its S3 path and every scoped destination (prefix lists, security
 * groups, VPC and private ranges) of the same rules stays.
 */

const HTTPS = 443;

interface Offender {
  rule: EgressRule;
  v4: string[];
  v6: string[];
}

/** The public destinations of each rule (LVS005's classification, shared with the check). */
export function publicDestinations(
  group: SecurityGroup,
  vpcCidrs: readonly string[] | undefined,
): Offender[] {
  const out: Offender[] = [];
  for (const rule of group.egress) {
    const v4 = rule.ipv4Ranges.filter((d) => classifyDestination(d, vpcCidrs) === 'public');
    const v6 = rule.ipv6Ranges.filter((d) => classifyDestination(d, vpcCidrs) === 'public');
    if (v4.length + v6.length > 0) out.push({ rule, v4, v6 });
  }
  return out;
}

/** True when some rule already allows tcp/443 to the prefix list. */
export function allowsHttpsTo(group: SecurityGroup, prefixListId: string): boolean {
  return group.egress.some((r) => r.prefixListIds.includes(prefixListId) && allowsTcp(r, HTTPS));
}

/** The group's egress rules as the EC2 API lists them, for the before/after view. */
function egressDocument(rules: readonly EgressRule[]): string {
  return prettyJson(
    rules.map((r) => ({
      ...permissionHead(r),
      ...(r.ipv4Ranges.length > 0 ? { IpRanges: r.ipv4Ranges.map((c) => ({ CidrIp: c })) } : {}),
      ...(r.ipv6Ranges.length > 0 ? { Ipv6Ranges: r.ipv6Ranges.map((c) => ({ CidrIpv6: c })) } : {}),
      ...(r.prefixListIds.length > 0
        ? { PrefixListIds: r.prefixListIds.map((p) => ({ PrefixListId: p })) }
        : {}),
      ...(r.referencedGroupIds.length > 0
        ? { UserIdGroupPairs: r.referencedGroupIds.map((g) => ({ GroupId: g })) }
        : {}),
    })),
  );
}

function planGroup(resourceArn: string, findings: Finding[], ctx: PlanContext): Step[] {
  const first = findings[0];
  const entry = first && entryOf(ctx.index, first.functionArn);
  if (first === undefined || entry === undefined) return [];
  const region = entry.region;
  const groupId = idOfArn(resourceArn);
  const found = region.securityGroup(groupId);
  if (!found.ok) return [];
  const group = found.value;
  const vpc = region.vpc(group.vpcId);
  const vpcCidrs = vpc.ok ? [...vpc.value.cidrBlocks, ...vpc.value.ipv6CidrBlocks] : undefined;
  const offenders = publicDestinations(group, vpcCidrs);
  if (offenders.length === 0) return [];
  const arn = securityGroupArn(region.scope, groupId);
  const base = {
    id: `LVS005:${arn}`,
    service: 'ec2' as const,
    region: region.region,
    resourceArn: arn,
    findings,
  };
  const revoke = offenders.map((o) => ({
    ...permissionHead(o.rule),
    ...(o.v4.length > 0 ? { IpRanges: o.v4.map((c) => ({ CidrIp: c })) } : {}),
    ...(o.v6.length > 0 ? { Ipv6Ranges: o.v6.map((c) => ({ CidrIpv6: c })) } : {}),
  }));
  const revoked = offenders.map((o) => `${describeRule(o.rule)} to ${listText([...o.v4, ...o.v6])}`);

  const users = ctx.index.functionsUsingSecurityGroup(region.region, groupId);
  const affected = users.map((f) => f.functionName);
  const risks: Risk[] = [
    {
      kind: 'connectivity',
      detail: `${listText(affected)} lose${affected.length === 1 ? 's' : ''} egress to ${listText(revoked)}: the internet and AWS APIs reached through a NAT gateway (SQS, STS, Secrets Manager…) stop answering unless interface endpoints serve them. DNS to the VPC resolver is not filtered by security groups.`,
      resources: users.map((f) => f.functionArn),
    },
    {
      kind: 'unseen-network-interfaces',
      detail: `Network interfaces of other resources (instances, databases, containers, other Lambda functions outside the audited regions) may use ${groupId}; they are not in the snapshot. Check with: aws ec2 describe-network-interfaces --region ${region.region} --filters Name=group-id,Values=${groupId}`,
      resources: [arn],
    },
  ];
  if (users.length > 1) {
    risks.unshift({
      kind: 'shared-security-group',
      detail: `${groupId} is attached to ${users.length} functions (${listText(affected)}): the change applies to all of them.`,
      resources: users.map((f) => f.functionArn),
    });
  }

  const prefixList = region.s3PrefixList;
  if (!prefixList.ok) {
    return [
      makeStep({
        ...base,
        kind: 'manual',
        title: `Restrict the egress of security group ${groupId} (S3 prefix list unknown)`,
        risks,
        template: [
          `aws ec2 describe-prefix-lists --region ${region.region} --filters Name=prefix-list-name,Values=com.amazonaws.${region.region}.s3`,
          `aws ec2 authorize-security-group-egress --region ${region.region} --group-id ${groupId} --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,PrefixListIds=[{PrefixListId=PL_ID}]'`,
          `aws ec2 revoke-security-group-egress --region ${region.region} --group-id ${groupId} --ip-permissions '${JSON.stringify(revoke)}'`,
        ].join('\n'),
        notes: ["The region's S3 prefix list could not be read, so the replacement rule cannot be written."],
      }),
    ];
  }
  const prefixListId = prefixList.value.prefixListId;
  const api: ApiCall[] = [];
  const afterRules: EgressRule[] = group.egress
    .map((r) => {
      const o = offenders.find((x) => x.rule === r);
      return o === undefined
        ? r
        : {
            ...r,
            ipv4Ranges: r.ipv4Ranges.filter((c) => !o.v4.includes(c)),
            ipv6Ranges: r.ipv6Ranges.filter((c) => !o.v6.includes(c)),
          };
    })
    .filter(
      (r) =>
        r.ipv4Ranges.length + r.ipv6Ranges.length + r.prefixListIds.length + r.referencedGroupIds.length > 0,
    );
  const notes: string[] = [];
  if (!allowsHttpsTo(group, prefixListId)) {
    api.push({
      service: 'ec2',
      operation: 'AuthorizeSecurityGroupEgress',
      region: region.region,
      params: {
        GroupId: groupId,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: HTTPS,
            ToPort: HTTPS,
            PrefixListIds: [{ PrefixListId: prefixListId, Description: 'lvs: HTTPS to Amazon S3' }],
          },
        ],
      },
      purpose: `allow tcp/443 to the S3 prefix list ${prefixListId} before the open rules go`,
    });
    afterRules.push({
      ipProtocol: 'tcp',
      fromPort: HTTPS,
      toPort: HTTPS,
      ipv4Ranges: [],
      ipv6Ranges: [],
      prefixListIds: [prefixListId],
      referencedGroupIds: [],
    });
  } else notes.push(`${groupId} already allows tcp/443 to the S3 prefix list ${prefixListId}.`);
  api.push({
    service: 'ec2',
    operation: 'RevokeSecurityGroupEgress',
    region: region.region,
    params: { GroupId: groupId, IpPermissions: revoke },
    purpose: `revoke ${listText(revoked)}`,
  });
  const keptRules = afterRules.length - (api.length > 1 ? 1 : 0);
  if (keptRules > 0)
    notes.push(
      `${keptRules} egress rule(s) to prefix lists, security groups or private and VPC ranges are kept.`,
    );
  if (!vpc.ok) {
    risks.push({
      kind: 'unknown-state',
      detail: `The CIDR blocks of ${group.vpcId} could not be read: only destinations that are public whatever the VPC's ranges are revoked.`,
    });
  }
  return [
    makeStep({
      ...base,
      kind: 'automated',
      title: `Restrict the egress of security group ${groupId} (${group.groupName}) to HTTPS to S3 and internal destinations`,
      api,
      documents: [
        {
          resourceArn: arn,
          label: 'security group egress rules',
          before: egressDocument(group.egress),
          after: egressDocument(afterRules),
        },
      ],
      preconditions: [
        `the egress rules of ${groupId} are still those shown as "before"`,
        `${prefixListId} is the prefix list com.amazonaws.${region.region}.s3`,
        `nothing that uses ${groupId} needs the revoked destinations (${uniqueSorted(offenders.flatMap((o) => [...o.v4, ...o.v6])).join(', ')})`,
      ],
      risks,
      notes,
    }),
  ];
}

export const planner: Planner = {
  ruleId: 'LVS005',
  plan(findings, ctx) {
    return groupBy(findings, (f) => f.resourceArn).flatMap(([arn, group]) => planGroup(arn, group, ctx));
  },
};
