import { describe, expect, it } from 'vitest';
import check from '../../src/checks/lvs004-s3-only-via-endpoint.js';
import type { AccountSnapshot, EgressRule, Route } from '../../src/snapshot/schema.js';
import { expectOutcome, runCheck, summarize } from '../helpers/check-tester.js';
import { G, golden, goldenFunction, okValue, regionOf } from '../helpers/golden.js';

const table = (s: AccountSnapshot, id: string) => {
  const found = okValue(regionOf(s).routeTables, 'routeTables').find((t) => t.routeTableId === id);
  if (!found) throw new Error(`no route table ${id}`);
  return found;
};
const group = (s: AccountSnapshot) => {
  const found = okValue(regionOf(s).securityGroups, 'securityGroups')[0];
  if (!found) throw new Error('no security group');
  return found;
};
const addRoute = (tableId: string, route: Route) => (s: AccountSnapshot) => {
  table(s, tableId).routes.push(route);
};
const addEgress = (rule: Partial<EgressRule>) => (s: AccountSnapshot) => {
  group(s).egress.push({
    ipProtocol: 'tcp',
    fromPort: 443,
    toPort: 443,
    ipv4Ranges: [],
    ipv6Ranges: [],
    prefixListIds: [],
    referencedGroupIds: [],
    ...rule,
  });
};
const both =
  (...mutations: Array<(s: AccountSnapshot) => void>) =>
  (s: AccountSnapshot) => {
    for (const m of mutations) m(s);
  };

const NAT: Route = {
  destinationCidrBlock: '0.0.0.0/0',
  natGatewayId: 'nat-0a1b2c3d4e5f60051',
  state: 'active',
};
const IGW: Route = { destinationCidrBlock: '0.0.0.0/0', gatewayId: 'igw-0a1b2c3d4e5f60052', state: 'active' };
const HTTPS_ANYWHERE = addEgress({ ipv4Ranges: ['0.0.0.0/0'] });

describe('LVS004 s3-only-via-endpoint', () => {
  it('passes for the golden function: no default route', async () => {
    await expectOutcome(check, golden(), { status: 'pass', reasonId: 'noDefaultRoute' });
  });

  it('passes with a NAT default route when the security group only allows the S3 prefix list and the table routes it to the endpoint', async () => {
    const result = await expectOutcome(check, golden(addRoute(G.routeTableA, NAT)), {
      status: 'pass',
      reasonId: 'noPublicHttpsEgress',
    });
    expect(result.message).toContain('nat-0a1b2c3d4e5f60051');
  });

  it('passes with open HTTPS egress when no table has a default route', async () => {
    await expectOutcome(check, golden(HTTPS_ANYWHERE), { status: 'pass', reasonId: 'noDefaultRoute' });
  });

  it('fails with viaInternetGateway, noting that Lambda has no public IP', async () => {
    const result = await expectOutcome(check, golden(both(addRoute(G.routeTableA, IGW), HTTPS_ANYWHERE)), {
      status: 'fail',
      reasonId: 'viaInternetGateway',
      severity: 'medium',
    });
    expect(result.message).toContain('igw-0a1b2c3d4e5f60052');
    expect(result.message).toContain('0.0.0.0/0');
    expect(result.message).toContain(G.securityGroupId);
    expect(result.evidence.some((e) => e.note?.includes('public IP'))).toBe(true);
  });

  it('fails with viaNatGateway', async () => {
    const result = await expectOutcome(check, golden(both(addRoute(G.routeTableB, NAT), HTTPS_ANYWHERE)), {
      status: 'fail',
      reasonId: 'viaNatGateway',
      severity: 'medium',
    });
    expect(result.message).toContain(G.routeTableB);
    expect(result.message).toContain(G.subnetB);
  });

  it.each([
    [
      'transit gateway',
      { destinationCidrBlock: '0.0.0.0/0', transitGatewayId: 'tgw-0a1b2c3d4e5f60053', state: 'active' },
    ],
    [
      'VPC peering connection',
      { destinationCidrBlock: '0.0.0.0/0', vpcPeeringConnectionId: 'pcx-0a1b2c3d4e5f60054', state: 'active' },
    ],
    [
      'instance',
      {
        destinationCidrBlock: '0.0.0.0/0',
        instanceId: 'i-0a1b2c3d4e5f60055',
        networkInterfaceId: 'eni-0a1b2c3d4e5f60056',
        state: 'active',
      },
    ],
    [
      'network interface',
      { destinationCidrBlock: '0.0.0.0/0', networkInterfaceId: 'eni-0a1b2c3d4e5f60056', state: 'active' },
    ],
    [
      'virtual private gateway',
      { destinationCidrBlock: '0.0.0.0/0', gatewayId: 'vgw-0a1b2c3d4e5f60057', state: 'active' },
    ],
  ] satisfies Array<[string, Route]>)(
    'fails with viaOtherGateway for a default route to a %s',
    async (label, route) => {
      const result = await expectOutcome(
        check,
        golden(both(addRoute(G.routeTableA, route), HTTPS_ANYWHERE)),
        {
          status: 'fail',
          reasonId: 'viaOtherGateway',
          severity: 'medium',
        },
      );
      expect(result.message).toContain(label);
    },
  );

  it('fails with viaOtherGateway for ::/0 to an egress-only internet gateway when IPv6 HTTPS egress is public', async () => {
    const route: Route = {
      destinationIpv6CidrBlock: '::/0',
      egressOnlyInternetGatewayId: 'eigw-0a1b2c3d4e5f60058',
      state: 'active',
    };
    const result = await expectOutcome(
      check,
      golden(both(addRoute(G.routeTableA, route), addEgress({ ipv6Ranges: ['::/0'] }))),
      {
        status: 'fail',
        reasonId: 'viaOtherGateway',
      },
    );
    expect(result.message).toContain('egress-only internet gateway');
    expect(result.message).toContain('::/0');
  });

  it('names each hop once when a table has both an IPv4 and an IPv6 default route', async () => {
    const v6: Route = {
      destinationIpv6CidrBlock: '::/0',
      egressOnlyInternetGatewayId: 'eigw-0a1b2c3d4e5f60058',
      state: 'active',
    };
    const snapshot = golden(
      both(
        addRoute(G.routeTableA, NAT),
        addRoute(G.routeTableA, v6),
        addEgress({ ipv4Ranges: ['0.0.0.0/0'], ipv6Ranges: ['::/0'] }),
      ),
    );
    const results = await runCheck(check, snapshot);
    expect(summarize(results)).toEqual([{ status: 'fail', reasonId: 'viaNatGateway', severity: 'medium' }]);
    const evidence = results[0]?.evidence ?? [];
    expect(evidence.filter((e) => e.field === 'effective route table')).toHaveLength(1);
    expect(evidence.filter((e) => e.field === 'Routes')).toHaveLength(2);
    expect(results[0]?.message).toContain('eigw-0a1b2c3d4e5f60058');
  });

  it('pairs route and egress by IP family: an IPv6 default route with IPv4-only open egress passes', async () => {
    const route: Route = {
      destinationIpv6CidrBlock: '::/0',
      egressOnlyInternetGatewayId: 'eigw-0a1b2c3d4e5f60058',
      state: 'active',
    };
    await expectOutcome(check, golden(both(addRoute(G.routeTableA, route), HTTPS_ANYWHERE)), {
      status: 'pass',
      reasonId: 'noPublicHttpsEgress',
    });
    await expectOutcome(
      check,
      golden(both(addRoute(G.routeTableA, NAT), addEgress({ ipv6Ranges: ['::/0'] }))),
      {
        status: 'pass',
        reasonId: 'noPublicHttpsEgress',
      },
    );
  });

  it('ignores a blackhole default route', async () => {
    await expectOutcome(
      check,
      golden(both(addRoute(G.routeTableA, { ...NAT, state: 'blackhole' }), HTTPS_ANYWHERE)),
      {
        status: 'pass',
        reasonId: 'noDefaultRoute',
      },
    );
  });

  it.each([
    ['all traffic', { ipProtocol: '-1', fromPort: null, toPort: null, ipv4Ranges: ['0.0.0.0/0'] }, 'fail'],
    ['tcp 0-65535', { fromPort: 0, toPort: 65535, ipv4Ranges: ['0.0.0.0/0'] }, 'fail'],
    [
      'tcp 400-500 as protocol 6',
      { ipProtocol: '6', fromPort: 400, toPort: 500, ipv4Ranges: ['52.0.0.0/8'] },
      'fail',
    ],
    ['tcp 80 only', { fromPort: 80, toPort: 80, ipv4Ranges: ['0.0.0.0/0'] }, 'pass'],
    ['udp 443 only', { ipProtocol: 'udp', ipv4Ranges: ['0.0.0.0/0'] }, 'pass'],
    ['tcp 443 to private space outside the VPC', { ipv4Ranges: ['10.0.0.0/8'] }, 'pass'],
    ['tcp 443 to the VPC', { ipv4Ranges: ['10.20.0.0/16'] }, 'pass'],
    ['tcp 443 to another security group', { referencedGroupIds: ['sg-0a1b2c3d4e5f60049'] }, 'pass'],
  ] satisfies Array<[string, Partial<EgressRule>, string]>)(
    'with a NAT default route, egress %s -> %s',
    async (_, rule, status) => {
      const results = await runCheck(check, golden(both(addRoute(G.routeTableA, NAT), addEgress(rule))));
      expect(results).toHaveLength(1);
      expect(results[0]?.status).toBe(status);
    },
  );

  it('counts the S3 prefix-list rule when the table routes S3 by its default route instead of the endpoint', async () => {
    const snapshot = golden((s) => {
      const t = table(s, G.routeTableA);
      t.routes = t.routes.filter((r) => r.destinationPrefixListId !== G.s3PrefixListId);
      t.routes.push(NAT);
    });
    const result = await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'viaNatGateway' });
    expect(result.message).toContain(G.s3PrefixListId);
    expect(result.evidence.some((e) => e.note?.includes('no route to it'))).toBe(true);
  });

  it('reports the internet gateway first when tables use different gateways', async () => {
    const snapshot = golden(both(addRoute(G.routeTableA, NAT), addRoute(G.routeTableB, IGW), HTTPS_ANYWHERE));
    const result = await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'viaInternetGateway' });
    expect(result.message).toContain('nat-0a1b2c3d4e5f60051');
    expect(result.message).toContain('igw-0a1b2c3d4e5f60052');
  });

  it('uses the main route table when a subnet has no explicit association', async () => {
    const snapshot = golden(
      both(
        (s) => {
          table(s, G.routeTableB).associations = [];
        },
        addRoute(G.mainRouteTable, NAT),
        HTTPS_ANYWHERE,
      ),
    );
    const result = await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'viaNatGateway' });
    expect(result.message).toContain(G.mainRouteTable);
  });

  it('reports error when a security group cannot be read and a default route exists', async () => {
    const snapshot = golden(
      both(addRoute(G.routeTableA, NAT), (s) => {
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
      }),
    );
    await expectOutcome(check, snapshot, { status: 'error', reasonId: 'readFailed' });
  });

  it('passes when a security group cannot be read but no table has a default route (one half is known absent)', async () => {
    const snapshot = golden((s) => {
      regionOf(s).securityGroups = { status: 'ok', value: [] };
    });
    expect(summarize(await runCheck(check, snapshot))).toEqual([
      { status: 'pass', reasonId: 'noDefaultRoute', severity: 'medium' },
    ]);
  });

  it('reports error when route tables cannot be read and egress may leave', async () => {
    const snapshot = golden(
      both(HTTPS_ANYWHERE, (s) => {
        regionOf(s).routeTables = {
          status: 'error',
          error: {
            service: 'ec2',
            operation: 'DescribeRouteTables',
            code: 'UnauthorizedOperation',
            message: 'denied',
            region: G.region,
          },
        };
      }),
    );
    const result = await expectOutcome(check, snapshot, { status: 'error', reasonId: 'readFailed' });
    expect(result.message).toContain('DescribeRouteTables');
  });

  it('reports error when the VPC CIDRs are unknown and a non-private destination is open', async () => {
    const snapshot = golden(
      both(addRoute(G.routeTableA, NAT), addEgress({ ipv4Ranges: ['52.0.0.0/24'] }), (s) => {
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
      }),
    );
    await expectOutcome(check, snapshot, { status: 'error', reasonId: 'readFailed' });
  });

  it('is not-applicable when the function is not in a VPC', async () => {
    const snapshot = golden((s) => {
      goldenFunction(s).vpcConfig = null;
    });
    await expectOutcome(check, snapshot, { status: 'not-applicable', reasonId: 'notInVpc' });
  });
});
