import type { EgressRule, SecurityGroup } from '../../../src/snapshot/schema.js';
import { regionOf } from '../state.js';
import { AwsError, type EmulatorResponse, type EmulatorState } from '../types.js';
import { derivedId } from './ec2-shapes.js';
import { checkIds, ec2Response, missingParameter, type Ec2Params } from './ec2-wire.js';

/**
 * AuthorizeSecurityGroupEgress / RevokeSecurityGroupEgress. EC2 holds one rule per (protocol, ports,
 * peer) and groups them by protocol and ports when it describes a group; the snapshot keeps that
 * grouped form, so writes split IpPermissions into single rules and merge them back.
 */

type PeerKind = 'ipv4Ranges' | 'ipv6Ranges' | 'prefixListIds' | 'referencedGroupIds';

interface Rule {
  protocol: string;
  fromPort: number | null;
  toPort: number | null;
  kind: PeerKind;
  peer: string;
  description?: string;
}

const PROTOCOL_NUMBERS: Readonly<Record<string, string>> = {
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '58': 'icmpv6',
};

/** The protocol as EC2 stores it: names for tcp/udp/icmp/icmpv6, -1 for all, a number otherwise. */
function canonicalProtocol(given: string): string {
  const lower = given.toLowerCase();
  if (['tcp', 'udp', 'icmp', 'icmpv6', '-1'].includes(lower)) return lower;
  if (lower === 'all') return '-1';
  const named = PROTOCOL_NUMBERS[lower];
  if (named !== undefined) return named;
  if (/^\d+$/.test(lower) && Number(lower) <= 255) return String(Number(lower));
  throw new AwsError(
    'InvalidParameterValue',
    400,
    `Invalid value '${given}' for IP protocol. Unknown protocol.`,
  );
}

/** Ports as EC2 keeps them: a range for tcp/udp, type and code for ICMP, none otherwise. */
function portsOf(
  protocol: string,
  from: number | undefined,
  to: number | undefined,
): [number | null, number | null] {
  if (protocol === 'tcp' || protocol === 'udp') {
    if (from === undefined || to === undefined) {
      throw new AwsError('InvalidParameterValue', 400, 'Must specify both from and to ports with TCP/UDP.');
    }
    if (from < 0 || to > 65535 || from > to) {
      throw new AwsError('InvalidParameterValue', 400, `Invalid port range ${from}-${to}.`);
    }
    return [from, to];
  }
  if (protocol === 'icmp' || protocol === 'icmpv6') return [from ?? -1, to ?? -1];
  return [null, null];
}

const sameSlot = (rule: EgressRule, r: Rule) =>
  canonicalProtocol(rule.ipProtocol) === r.protocol &&
  (r.fromPort === null || (rule.fromPort === r.fromPort && rule.toPort === r.toPort));

const ruleKey = (r: Rule) => `${r.protocol}|${r.fromPort}|${r.toPort}|${r.kind}|${r.peer}`;

/** The single rules of a group's grouped egress, as EC2 holds them. */
function rulesOf(group: SecurityGroup): Rule[] {
  return group.egress.flatMap((rule) => {
    const protocol = canonicalProtocol(rule.ipProtocol);
    const [fromPort, toPort] = protocol === '-1' ? [null, null] : [rule.fromPort, rule.toPort];
    const kinds: PeerKind[] = ['ipv4Ranges', 'ipv6Ranges', 'prefixListIds', 'referencedGroupIds'];
    return kinds.flatMap((kind) => rule[kind].map((peer) => ({ protocol, fromPort, toPort, kind, peer })));
  });
}

const CIDR_V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function checkCidr(cidr: string, v6: boolean): string {
  const ok = v6 ? /^[0-9a-fA-F:]+\/\d{1,3}$/.test(cidr) && cidr.includes(':') : CIDR_V4.test(cidr);
  if (!ok) throw new AwsError('InvalidParameterValue', 400, `CIDR block ${cidr} is malformed`);
  return cidr;
}

/** IpPermissions (or the legacy top-level IpProtocol/FromPort/ToPort/CidrIp) -> single rules. */
function requestedRules(params: Ec2Params): Rule[] {
  const permissions = params.structs('IpPermissions');
  if (permissions.length === 0 && params.string('IpProtocol') !== undefined) permissions.push(params);
  const rules = permissions.flatMap((p) => {
    const protocol = canonicalProtocol(p.required('IpProtocol'));
    const [fromPort, toPort] = portsOf(protocol, p.integer('FromPort'), p.integer('ToPort'));
    const peers: Array<{ kind: PeerKind; peer: string; description?: string | undefined }> = [
      ...p.structs('IpRanges').map((r) => ({
        kind: 'ipv4Ranges' as const,
        peer: checkCidr(r.required('CidrIp'), false),
        description: r.string('Description'),
      })),
      ...(p.string('CidrIp') !== undefined
        ? [{ kind: 'ipv4Ranges' as const, peer: checkCidr(p.required('CidrIp'), false) }]
        : []),
      ...p.structs('Ipv6Ranges').map((r) => ({
        kind: 'ipv6Ranges' as const,
        peer: checkCidr(r.required('CidrIpv6'), true),
        description: r.string('Description'),
      })),
      ...p.structs('PrefixListIds').map((r) => ({
        kind: 'prefixListIds' as const,
        peer: r.required('PrefixListId'),
        description: r.string('Description'),
      })),
      ...p.structs('Groups').map((r) => ({
        kind: 'referencedGroupIds' as const,
        peer: r.required('GroupId'),
        description: r.string('Description'),
      })),
    ];
    if (peers.length === 0) {
      throw new AwsError(
        'InvalidParameterValue',
        400,
        'Each IpPermission needs a destination: IpRanges, Ipv6Ranges, PrefixListIds or UserIdGroupPairs',
      );
    }
    return peers.map(({ kind, peer, description }) => ({
      protocol,
      fromPort,
      toPort,
      kind,
      peer,
      ...(description !== undefined ? { description } : {}),
    }));
  });
  const keys = rules.map(ruleKey);
  if (new Set(keys).size !== keys.length) {
    throw new AwsError('InvalidParameterValue', 400, 'The same permission must not appear multiple times');
  }
  return rules;
}

/** How EC2 names a rule in its errors: `peer: pl-1, TCP, from port: 443, to port: 443, ALLOW`. */
function ruleText(r: Rule): string {
  const protocol = r.protocol === '-1' ? 'ALL' : r.protocol.toUpperCase();
  const ports = r.fromPort === null ? '' : `, from port: ${r.fromPort}, to port: ${r.toPort}`;
  return `peer: ${r.peer}, ${protocol}${ports}, ALLOW`;
}

function groupOf(params: Ec2Params, state: EmulatorState, region: string): SecurityGroup {
  const groupId = params.string('GroupId');
  if (groupId === undefined) throw missingParameter('GroupId');
  checkIds([groupId], 'sg', 'InvalidGroupId.Malformed');
  const groups = regionOf(state, region).securityGroups;
  const group = groups.status === 'ok' ? groups.value.find((g) => g.groupId === groupId) : undefined;
  if (group === undefined)
    throw new AwsError('InvalidGroup.NotFound', 400, `The security group '${groupId}' does not exist`);
  return group;
}

function ruleItem(group: SecurityGroup, r: Rule, accountId: string, revoked: boolean) {
  const peer =
    r.kind === 'ipv4Ranges'
      ? { cidrIpv4: r.peer }
      : r.kind === 'ipv6Ranges'
        ? { cidrIpv6: r.peer }
        : r.kind === 'prefixListIds'
          ? { prefixListId: r.peer }
          : revoked
            ? { referencedGroupId: r.peer }
            : { referencedGroupInfo: { groupId: r.peer, userId: accountId } };
  return {
    securityGroupRuleId: derivedId('sgr', group.groupId, ruleKey(r)),
    groupId: group.groupId,
    ...(revoked ? {} : { groupOwnerId: accountId }),
    isEgress: true,
    ipProtocol: r.protocol,
    fromPort: r.fromPort ?? -1,
    toPort: r.toPort ?? -1,
    ...peer,
    description: r.description,
  };
}

export function authorizeSecurityGroupEgress(
  params: Ec2Params,
  state: EmulatorState,
  region: string,
): EmulatorResponse {
  const group = groupOf(params, state, region);
  const rules = requestedRules(params);
  if (rules.length === 0) throw missingParameter('IpPermissions');
  const existing = new Set(rulesOf(group).map(ruleKey));
  const duplicate = rules.find((r) => existing.has(ruleKey(r)));
  if (duplicate !== undefined) {
    throw new AwsError(
      'InvalidPermission.Duplicate',
      400,
      `the specified rule "${ruleText(duplicate)}" already exists`,
    );
  }
  for (const r of rules) {
    let slot = group.egress.find((rule) => sameSlot(rule, r));
    if (slot === undefined) {
      slot = {
        ipProtocol: r.protocol,
        fromPort: r.fromPort,
        toPort: r.toPort,
        ipv4Ranges: [],
        ipv6Ranges: [],
        prefixListIds: [],
        referencedGroupIds: [],
      };
      group.egress.push(slot);
    }
    slot[r.kind].push(r.peer);
  }
  const accountId = state.snapshot.accountId;
  return ec2Response('AuthorizeSecurityGroupEgress', {
    return: true,
    securityGroupRuleSet: rules.map((r) => ruleItem(group, r, accountId, false)),
  });
}

export function revokeSecurityGroupEgress(
  params: Ec2Params,
  state: EmulatorState,
  region: string,
): EmulatorResponse {
  const group = groupOf(params, state, region);
  const current = rulesOf(group);
  const byId = params.strings('SecurityGroupRuleId').map((id) => {
    const found = current.find((r) => derivedId('sgr', group.groupId, ruleKey(r)) === id);
    if (found === undefined) {
      throw new AwsError(
        'InvalidSecurityGroupRuleId.NotFound',
        400,
        `The security group rule ID '${id}' does not exist`,
      );
    }
    return found;
  });
  const rules = [...requestedRules(params), ...byId];
  if (rules.length === 0) throw missingParameter('IpPermissions');
  // Outside a default VPC, EC2 revokes all or nothing: one rule it does not have fails the request.
  const existing = new Set(current.map(ruleKey));
  if (rules.some((r) => !existing.has(ruleKey(r)))) {
    throw new AwsError(
      'InvalidPermission.NotFound',
      400,
      'The specified rule does not exist in this security group.',
    );
  }
  for (const r of rules) {
    for (const rule of group.egress.filter((x) => sameSlot(x, r))) {
      rule[r.kind] = rule[r.kind].filter((peer) => peer !== r.peer);
    }
  }
  group.egress = group.egress.filter(
    (r) =>
      r.ipv4Ranges.length + r.ipv6Ranges.length + r.prefixListIds.length + r.referencedGroupIds.length > 0,
  );
  const accountId = state.snapshot.accountId;
  return ec2Response('RevokeSecurityGroupEgress', {
    return: true,
    revokedSecurityGroupRuleSet: rules.map((r) => ruleItem(group, r, accountId, true)),
  });
}
