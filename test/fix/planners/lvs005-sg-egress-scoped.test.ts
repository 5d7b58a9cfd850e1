import { describe, expect, it } from 'vitest';
import type { AccountSnapshot } from '../../../src/snapshot/schema.js';
import { G, golden, okValue, regionOf } from '../../helpers/golden.js';
import { GOLDEN_STEPS, applied, auditResults, planOf, replicaOf, stepById, worsened } from '../helpers.js';

describe('LVS005 planner', () => {
  const openGroup = (s: AccountSnapshot) =>
    okValue(regionOf(s).securityGroups, 'groups')[0]?.egress.push({
      ipProtocol: '-1',
      fromPort: null,
      toPort: null,
      ipv4Ranges: ['0.0.0.0/0', '10.20.0.0/16', '192.168.0.0/16'],
      ipv6Ranges: ['::/0'],
      prefixListIds: [],
      referencedGroupIds: [],
    });

  it('revokes only the public destinations, keeps scoped ones, and needs no new rule when S3 is allowed', async () => {
    const snapshot = golden(openGroup);
    const { plan, results } = await planOf(snapshot);
    const step = stepById(plan, GOLDEN_STEPS.securityGroup);
    expect(step.api).toEqual([
      expect.objectContaining({
        operation: 'RevokeSecurityGroupEgress',
        params: {
          GroupId: G.securityGroupId,
          IpPermissions: [
            { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
          ],
        },
      }),
    ]);
    const after = applied(plan, snapshot);
    expect(okValue(regionOf(after).securityGroups, 'groups')[0]?.egress).toEqual([
      expect.objectContaining({ prefixListIds: [G.s3PrefixListId] }),
      expect.objectContaining({
        ipProtocol: '-1',
        ipv4Ranges: ['10.20.0.0/16', '192.168.0.0/16'],
        ipv6Ranges: [],
      }),
    ]);
    expect(worsened(results, await auditResults(after))).toEqual([]);
  });

  it('authorizes HTTPS to the S3 prefix list before revoking, when no rule allows it', async () => {
    const snapshot = golden((s) => {
      const group = okValue(regionOf(s).securityGroups, 'groups')[0];
      if (group) group.egress = [];
      openGroup(s);
    });
    const { plan } = await planOf(snapshot);
    expect(stepById(plan, GOLDEN_STEPS.securityGroup).api.map((c) => c.operation)).toEqual([
      'AuthorizeSecurityGroupEgress',
      'RevokeSecurityGroupEgress',
    ]);
  });

  it('says when the group is shared with other functions, and that other interfaces are not in the snapshot', async () => {
    const snapshot = golden((s) => {
      openGroup(s);
      okValue(regionOf(s).functions, 'functions').push(replicaOf(s, 'lvs-golden-scorer-replica'));
    });
    const { plan } = await planOf(snapshot);
    const step = stepById(plan, GOLDEN_STEPS.securityGroup);
    const shared = step.risks.find((r) => r.kind === 'shared-security-group');
    expect(shared?.resources).toEqual([
      G.functionArn,
      `arn:aws:lambda:${G.region}:${G.accountId}:function:lvs-golden-scorer-replica`,
    ]);
    expect(step.risks.find((r) => r.kind === 'unseen-network-interfaces')?.detail).toContain(
      `describe-network-interfaces --region ${G.region} --filters Name=group-id,Values=${G.securityGroupId}`,
    );
    // Both functions' findings are resolved by the one step.
    expect(step.resolves.map((r) => r.functionArn)).toHaveLength(2);
  });

  it('has no shared-group risk for a group only one function uses', async () => {
    const { plan } = await planOf(golden(openGroup));
    expect(stepById(plan, GOLDEN_STEPS.securityGroup).risks.map((r) => r.kind)).not.toContain(
      'shared-security-group',
    );
  });
});
