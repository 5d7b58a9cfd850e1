import { describe, expect, it } from 'vitest';
import check from '../../src/checks/lvs005-sg-egress-scoped.js';
import type { AccountSnapshot, EgressRule } from '../../src/snapshot/schema.js';
import { expectOutcome, runCheck, summarize } from '../helpers/check-tester.js';
import { G, golden, goldenFunction, okValue, regionOf } from '../helpers/golden.js';

const SG_ARN = `arn:aws:ec2:${G.region}:${G.accountId}:security-group/${G.securityGroupId}`;
const OTHER_SG = 'sg-0a1b2c3d4e5f60042';
const OTHER_SG_ARN = `arn:aws:ec2:${G.region}:${G.accountId}:security-group/${OTHER_SG}`;

const rule = (r: Partial<EgressRule>): EgressRule => ({
  ipProtocol: 'tcp',
  fromPort: 443,
  toPort: 443,
  ipv4Ranges: [],
  ipv6Ranges: [],
  prefixListIds: [],
  referencedGroupIds: [],
  ...r,
});
const AWS_DEFAULT_EGRESS = rule({
  ipProtocol: '-1',
  fromPort: null,
  toPort: null,
  ipv4Ranges: ['0.0.0.0/0'],
});

const group = (s: AccountSnapshot) => {
  const found = okValue(regionOf(s).securityGroups, 'securityGroups')[0];
  if (!found) throw new Error('no security group');
  return found;
};
const withEgress =
  (...rules: EgressRule[]) =>
  (s: AccountSnapshot) => {
    group(s).egress.push(...rules);
  };
const vpcError = (s: AccountSnapshot) => {
  regionOf(s).vpcs = {
    status: 'error',
    error: {
      service: 'ec2',
      operation: 'DescribeVpcs',
      code: 'UnauthorizedOperation',
      message: 'denied',
      region: G.region,
    },
  };
};

describe('LVS005 sg-egress-scoped', () => {
  it('passes for the golden security group (tcp/443 to the S3 prefix list), one result about the group', async () => {
    const results = await runCheck(check, golden());
    expect(summarize(results)).toEqual([{ status: 'pass', reasonId: 'egressScoped', severity: 'high' }]);
    expect(results[0]?.resourceArn).toBe(SG_ARN);
  });

  it('fails with allTrafficToPublic (high) for the default allow-all egress rule', async () => {
    const result = await expectOutcome(check, golden(withEgress(AWS_DEFAULT_EGRESS)), {
      status: 'fail',
      reasonId: 'allTrafficToPublic',
      severity: 'high',
    });
    expect(result.message).toContain('all traffic to 0.0.0.0/0');
    expect(result.resourceArn).toBe(SG_ARN);
    expect(result.evidence.some((e) => e.note?.includes('every new security group'))).toBe(true);
  });

  it('fails with allTrafficToPublic when every tcp and udp port is open to public addresses', async () => {
    const snapshot = golden(
      withEgress(
        rule({ fromPort: 0, toPort: 65535, ipv4Ranges: ['0.0.0.0/0'] }),
        rule({ ipProtocol: 'udp', fromPort: 0, toPort: 65535, ipv6Ranges: ['::/0'] }),
      ),
    );
    await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'allTrafficToPublic',
      severity: 'high',
    });
  });

  it.each([
    ['tcp 443 to 0.0.0.0/0', rule({ ipv4Ranges: ['0.0.0.0/0'] }), 'tcp 443 to 0.0.0.0/0'],
    ['tcp 443 to ::/0', rule({ ipv6Ranges: ['::/0'] }), 'tcp 443 to ::/0'],
    [
      'tcp 5432 to one public host',
      rule({ fromPort: 5432, toPort: 5432, ipv4Ranges: ['8.8.8.8/32'] }),
      'tcp 5432 to 8.8.8.8/32',
    ],
    [
      'every tcp port (but no udp)',
      rule({ fromPort: 0, toPort: 65535, ipv4Ranges: ['0.0.0.0/0'] }),
      'tcp all ports',
    ],
    [
      'icmp to anywhere',
      rule({ ipProtocol: 'icmp', fromPort: -1, toPort: -1, ipv4Ranges: ['0.0.0.0/0'] }),
      'icmp (all types)',
    ],
    ['a public IPv6 block', rule({ ipv6Ranges: ['2001:db8::/32'] }), '2001:db8::/32'],
  ])('fails with portsToPublic (medium) for %s, listing the rule', async (_, egress, listed) => {
    const result = await expectOutcome(check, golden(withEgress(egress)), {
      status: 'fail',
      reasonId: 'portsToPublic',
      severity: 'medium',
    });
    expect(result.message).toContain(listed);
  });

  it.each([
    ['private space outside the VPC (10.0.0.0/8)', rule({ ipv4Ranges: ['10.0.0.0/8'] })],
    ['192.168.0.0/16', rule({ ipv4Ranges: ['192.168.0.0/16'] })],
    [
      "the VPC's own CIDR",
      rule({ ipProtocol: '-1', fromPort: null, toPort: null, ipv4Ranges: ['10.20.0.0/16'] }),
    ],
    [
      'a security group',
      rule({ ipProtocol: '-1', fromPort: null, toPort: null, referencedGroupIds: [OTHER_SG] }),
    ],
    ['another managed prefix list', rule({ prefixListIds: ['pl-6fa54006'] })],
    ['unique-local IPv6', rule({ ipv6Ranges: ['fd00::/8'] })],
  ])('passes for egress to %s', async (_, egress) => {
    await expectOutcome(check, golden(withEgress(egress)), { status: 'pass', reasonId: 'egressScoped' });
  });

  it("treats CIDRs inside the VPC's IPv6 block as internal", async () => {
    const snapshot = golden((s) => {
      const vpc = okValue(regionOf(s).vpcs, 'vpcs')[0];
      if (vpc) vpc.ipv6CidrBlocks = ['2600:1f18:abcd:ef00::/56'];
      withEgress(rule({ ipv6Ranges: ['2600:1f18:abcd:ef00::/56'] }))(s);
    });
    await expectOutcome(check, snapshot, { status: 'pass', reasonId: 'egressScoped' });
  });

  it('gives one result per attached security group', async () => {
    const snapshot = golden((s) => {
      const groups = okValue(regionOf(s).securityGroups, 'securityGroups');
      groups.push({ groupId: OTHER_SG, groupName: 'default', vpcId: G.vpcId, egress: [AWS_DEFAULT_EGRESS] });
      goldenFunction(s).vpcConfig?.securityGroupIds.push(OTHER_SG);
    });
    const results = await runCheck(check, snapshot);
    expect(results.map((r) => [r.resourceArn, r.status, r.reasonId, r.severity])).toEqual([
      [SG_ARN, 'pass', 'egressScoped', 'high'],
      [OTHER_SG_ARN, 'fail', 'allTrafficToPublic', 'high'],
    ]);
  });

  it('reports error (notInSnapshot) for the missing group only', async () => {
    const snapshot = golden((s) => {
      goldenFunction(s).vpcConfig?.securityGroupIds.push(OTHER_SG);
    });
    const results = await runCheck(check, snapshot);
    expect(results.map((r) => [r.resourceArn, r.status, r.reasonId])).toEqual([
      [SG_ARN, 'pass', 'egressScoped'],
      [OTHER_SG_ARN, 'error', 'notInSnapshot'],
    ]);
  });

  it('reports error (readFailed) when DescribeSecurityGroups failed', async () => {
    const snapshot = golden((s) => {
      regionOf(s).securityGroups = {
        status: 'error',
        error: {
          service: 'ec2',
          operation: 'DescribeSecurityGroups',
          code: 'UnauthorizedOperation',
          message: 'denied',
          region: G.region,
        },
      };
    });
    const result = await expectOutcome(check, snapshot, { status: 'error', reasonId: 'readFailed' });
    expect(result.resourceArn).toBe(SG_ARN);
  });

  it('reports error when the VPC CIDRs are unknown and a destination outside private space might be the VPC', async () => {
    const snapshot = golden((s) => {
      vpcError(s);
      withEgress(rule({ ipv4Ranges: ['52.0.0.0/24'] }))(s);
    });
    await expectOutcome(check, snapshot, { status: 'error', reasonId: 'readFailed' });
  });

  it('still decides without the VPC CIDRs when the answer does not depend on them', async () => {
    await expectOutcome(check, golden(vpcError), { status: 'pass', reasonId: 'egressScoped' });
    await expectOutcome(
      check,
      golden((s) => {
        vpcError(s);
        withEgress(AWS_DEFAULT_EGRESS)(s);
      }),
      {
        status: 'fail',
        reasonId: 'allTrafficToPublic',
      },
    );
  });

  it('is not-applicable when the function is not in a VPC', async () => {
    const snapshot = golden((s) => {
      goldenFunction(s).vpcConfig = null;
    });
    await expectOutcome(check, snapshot, { status: 'not-applicable', reasonId: 'notInVpc' });
  });
});
