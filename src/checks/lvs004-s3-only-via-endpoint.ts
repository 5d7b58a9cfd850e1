import type { EvidenceStep } from '../core/evidence.js';
import type {
  AuditIndex,
  EffectiveRouteTable,
  FunctionEntry,
  Problem,
  RegionIndex,
} from '../snapshot/derive.js';
import type { EgressRule, Route } from '../snapshot/schema.js';
import { defineCheck, type Outcome } from './define-check.js';
import { classifyDestination, parseCidr, type DestinationClass, type IpVersion } from './lib/cidr.js';
import {
  NOT_IN_VPC_REASON,
  ROUTE_TARGET_LABEL,
  allowsTcpPort,
  describePorts,
  distinctProblems,
  egressStep,
  functionVpc,
  listText,
  routeDestination,
  routeStep,
  routeTarget,
  sameStep,
  subnetPaths,
  subnetTableStep,
  uniqueSteps,
  type RouteTargetKind,
  type VpcAttachment,
} from './lib/network.js';
import { fail, notApplicable, pass, unknown, withEvidence, withHead } from './lib/outcome.js';

const HTTPS = 443;

/** Three-valued: what is known about one half of the finding. */
type Tri = 'yes' | 'no' | 'unknown';
const or = (a: Tri, b: Tri): Tri =>
  a === 'yes' || b === 'yes' ? 'yes' : a === 'no' && b === 'no' ? 'no' : 'unknown';

/** Targets of a default route that keep the traffic inside the VPC or on the gateway endpoint. */
const STAYS_IN_VPC = new Set<RouteTargetKind>(['local', 'gateway-endpoint']);

const ROUTE_NOTES: Partial<Record<RouteTargetKind, string>> = {
  'internet-gateway':
    'Lambda never gives its network interfaces a public IP, so an internet gateway alone drops this traffic today; the path is still open to any change that adds NAT or a public address',
  'nat-gateway':
    'traffic to S3 addresses leaves through the NAT gateway over the public internet, not through the endpoint',
  'peering-connection':
    'AWS does not forward traffic from a peer to its internet or NAT gateway (no edge-to-edge routing), but the peer may host a proxy or appliance that does',
  'transit-gateway':
    'the transit gateway may forward the traffic to a shared egress VPC with NAT or internet access',
  'gateway-load-balancer-endpoint':
    'traffic is handed to an inspection appliance, which usually forwards it to the internet',
};

interface DefaultRoute {
  route: Route;
  version: IpVersion;
  kind: RouteTargetKind;
}

/** Active default routes (0.0.0.0/0, ::/0) that send traffic out of the VPC. Blackhole routes are ignored (SPEC 2.1). */
function defaultRoutes(effective: EffectiveRouteTable): DefaultRoute[] {
  const out: DefaultRoute[] = [];
  for (const route of effective.table.routes) {
    if (route.state !== 'active') continue;
    const destination = route.destinationCidrBlock ?? route.destinationIpv6CidrBlock ?? '';
    // Only a "/0" can parse to prefix 0: other routes are not default routes, whatever they parse to.
    if (!destination.trim().endsWith('/0')) continue;
    const cidr = parseCidr(destination);
    if (cidr === undefined || cidr.prefix !== 0) continue;
    const kind = routeTarget(route).kind;
    if (STAYS_IN_VPC.has(kind)) continue;
    out.push({ route, version: cidr.version, kind });
  }
  return out;
}

interface Offender {
  groupId: string;
  index: number;
  rule: EgressRule;
  destination: string;
}

/** What the function's security groups allow on tcp/443, split by destination kind. */
interface HttpsEgress {
  publicV4: Offender[];
  publicV6: Offender[];
  /** Rules to the region's S3 prefix list: public S3 addresses, reached through whatever route the table has for them. */
  s3PrefixList: Offender[];
  /** Whether public reach per family / via the S3 prefix list could not be decided. */
  unknownV4: boolean;
  unknownV6: boolean;
  unknownPrefixList: boolean;
  problems: Problem[];
}

function httpsEgress(entry: FunctionEntry, attachment: VpcAttachment, index: AuditIndex): HttpsEgress {
  const result: HttpsEgress = {
    publicV4: [],
    publicV6: [],
    s3PrefixList: [],
    unknownV4: false,
    unknownV6: false,
    unknownPrefixList: false,
    problems: [],
  };
  // Each group's part depends on that group alone: judged once per group, then added up in order.
  for (const groupId of attachment.securityGroupIds) {
    const group = index.memo(['LVS004:group', entry.region.region, groupId], () =>
      groupHttpsEgress(entry.region, groupId),
    );
    result.publicV4.push(...group.publicV4);
    result.publicV6.push(...group.publicV6);
    result.s3PrefixList.push(...group.s3PrefixList);
    result.unknownV4 ||= group.unknownV4;
    result.unknownV6 ||= group.unknownV6;
    result.unknownPrefixList ||= group.unknownPrefixList;
    result.problems.push(...group.problems);
  }
  return result;
}

/** What one security group allows on tcp/443, split by destination kind. */
function groupHttpsEgress(region: RegionIndex, groupId: string): HttpsEgress {
  const result: HttpsEgress = {
    publicV4: [],
    publicV6: [],
    s3PrefixList: [],
    unknownV4: false,
    unknownV6: false,
    unknownPrefixList: false,
    problems: [],
  };
  const s3PrefixListId = region.s3PrefixList.ok ? region.s3PrefixList.value.prefixListId : undefined;
  const group = region.securityGroup(groupId);
  if (!group.ok) {
    result.problems.push(group.problem);
    result.unknownV4 = result.unknownV6 = result.unknownPrefixList = true;
    return result;
  }
  const vpc = region.vpc(group.value.vpcId);
  const vpcCidrs = vpc.ok ? [...vpc.value.cidrBlocks, ...vpc.value.ipv6CidrBlocks] : undefined;
  group.value.egress.forEach((rule, index) => {
    if (!allowsTcpPort(rule, HTTPS)) return;
    const judge = (destination: string): DestinationClass => {
      const verdict = classifyDestination(destination, vpcCidrs);
      if (verdict === 'unknown' && !vpc.ok) result.problems.push(vpc.problem);
      return verdict;
    };
    for (const destination of rule.ipv4Ranges) {
      const verdict = judge(destination);
      if (verdict === 'public') result.publicV4.push({ groupId, index, rule, destination });
      if (verdict === 'unknown') result.unknownV4 = true;
    }
    for (const destination of rule.ipv6Ranges) {
      const verdict = judge(destination);
      if (verdict === 'public') result.publicV6.push({ groupId, index, rule, destination });
      if (verdict === 'unknown') result.unknownV6 = true;
    }
    for (const prefixListId of rule.prefixListIds) {
      if (s3PrefixListId === prefixListId)
        result.s3PrefixList.push({ groupId, index, rule, destination: prefixListId });
      else if (!region.s3PrefixList.ok) {
        result.problems.push(region.s3PrefixList.problem);
        result.unknownPrefixList = true;
      }
    }
  });
  return result;
}

interface Hit {
  subnets: string[];
  effective: EffectiveRouteTable;
  route: DefaultRoute;
  offenders: Offender[];
}

const REASON_BY_KIND = (kind: RouteTargetKind): 'viaInternetGateway' | 'viaNatGateway' | 'viaOtherGateway' =>
  kind === 'internet-gateway'
    ? 'viaInternetGateway'
    : kind === 'nat-gateway'
      ? 'viaNatGateway'
      : 'viaOtherGateway';

/**
 * The rule's outcome for a set of subnets and security groups, without the function's own first
 * evidence step: it depends on the region, the subnets and the security groups alone.
 */
function judgeEgress(entry: FunctionEntry, attachment: VpcAttachment, index: AuditIndex): Outcome {
  const { region } = entry;
  const egress = httpsEgress(entry, attachment, index);
  const problems: Problem[] = [...egress.problems];
  const s3PrefixListId = region.s3PrefixList.ok ? region.s3PrefixList.value.prefixListId : undefined;
  const sgV4: Tri = egress.publicV4.length > 0 ? 'yes' : egress.unknownV4 ? 'unknown' : 'no';
  const sgV6: Tri = egress.publicV6.length > 0 ? 'yes' : egress.unknownV6 ? 'unknown' : 'no';
  const sgPrefixList: Tri =
    egress.s3PrefixList.length > 0 ? 'yes' : egress.unknownPrefixList ? 'unknown' : 'no';
  const sgAny = or(or(sgV4, sgV6), sgPrefixList);

  const hits: Hit[] = [];
  const byTable = new Map<string, { effective: EffectiveRouteTable; subnets: string[] }>();
  let verdict: Tri = 'no';
  for (const { subnetId, table } of subnetPaths(entry, attachment)) {
    if (!table.ok) {
      // An unreadable table matters only if the security groups could let HTTPS out.
      if (sgAny !== 'no') {
        problems.push(table.problem);
        verdict = or(verdict, 'unknown');
      }
      continue;
    }
    const seen = byTable.get(table.value.table.routeTableId);
    if (seen) seen.subnets.push(subnetId);
    else byTable.set(table.value.table.routeTableId, { effective: table.value, subnets: [subnetId] });
  }

  const allDefaults: Array<{ tableId: string; route: DefaultRoute }> = [];
  for (const [tableId, { effective, subnets }] of byTable) {
    const routes = defaultRoutes(effective);
    allDefaults.push(...routes.map((route) => ({ tableId, route })));
    if (routes.length === 0) continue;
    // S3 prefix-list egress leaves by the default route only where the table has no route to the prefix list.
    let prefixListViaDefault: Tri;
    if (s3PrefixListId === undefined) prefixListViaDefault = sgPrefixList === 'no' ? 'no' : 'unknown';
    else {
      const hasS3Route = effective.table.routes.some(
        (r) => r.state === 'active' && r.destinationPrefixListId === s3PrefixListId,
      );
      prefixListViaDefault = hasS3Route ? 'no' : sgPrefixList;
    }
    for (const route of routes) {
      const reach: Tri = route.version === 4 ? or(sgV4, prefixListViaDefault) : sgV6;
      verdict = or(verdict, reach);
      if (reach !== 'yes') continue;
      const offenders =
        route.version === 6
          ? egress.publicV6
          : [...egress.publicV4, ...(prefixListViaDefault === 'yes' ? egress.s3PrefixList : [])];
      hits.push({ subnets, effective, route, offenders });
    }
  }
  if (verdict === 'unknown' && !region.s3PrefixList.ok) problems.push(region.s3PrefixList.problem);

  if (hits.length > 0) {
    const rank = (h: Hit) =>
      h.route.kind === 'internet-gateway' ? 0 : h.route.kind === 'nat-gateway' ? 1 : 2;
    hits.sort((a, b) => rank(a) - rank(b));
    const first = hits[0] as Hit;
    const evidence: EvidenceStep[] = [];
    const offenders = new Map<string, { offender: Offender; tables: string[] }>();
    const routeTexts: string[] = [];
    for (const hit of hits) {
      const tableId = hit.effective.table.routeTableId;
      for (const subnetId of hit.subnets) evidence.push(subnetTableStep(region, subnetId, hit.effective));
      const label = ROUTE_TARGET_LABEL[hit.route.kind];
      evidence.push(
        routeStep(region, tableId, hit.route.route, {
          expected: 'no default route out of the VPC (S3 through the gateway endpoint route only)',
          note: ROUTE_NOTES[hit.route.kind] ?? `traffic leaves the VPC through the ${label}`,
        }),
      );
      routeTexts.push(
        `${listText(hit.subnets)} via ${tableId}: ${routeDestination(hit.route.route)} -> ${routeTarget(hit.route.route).id} (${label})`,
      );
      for (const offender of hit.offenders) {
        const key = `${offender.groupId}/${offender.index}/${offender.destination}`;
        const known = offenders.get(key);
        if (known) known.tables.push(tableId);
        else offenders.set(key, { offender, tables: [tableId] });
      }
    }
    const ruleTexts: string[] = [];
    for (const { offender, tables } of offenders.values()) {
      const isPrefixList = offender.destination === s3PrefixListId;
      evidence.push(
        egressStep(region, offender.groupId, offender.index, offender.rule, offender.destination, {
          expected: isPrefixList
            ? `a route to ${offender.destination} through the S3 gateway endpoint in ${listText([...new Set(tables)])}`
            : 'tcp/443 only to the S3 prefix list, VPC CIDRs or security groups',
          note: isPrefixList
            ? `the S3 prefix list holds S3's public addresses; ${listText([...new Set(tables)])} has no route to it, so this traffic takes the default route`
            : 'a public destination',
        }),
      );
      ruleTexts.push(`${offender.groupId} allows ${describePorts(offender.rule)} to ${offender.destination}`);
    }
    return fail(REASON_BY_KIND(first.route.kind), {
      data: {
        routes: [...new Set(routeTexts)].join(', '),
        rules: [...new Set(ruleTexts)].join(', '),
        target: ROUTE_TARGET_LABEL[first.route.kind],
      },
      evidence: uniqueSteps(evidence),
    });
  }
  if (verdict === 'unknown') {
    const [problem] = distinctProblems(problems);
    if (problem === undefined) throw new Error('LVS004: undecided without a recorded problem');
    return unknown(problem);
  }

  const tableSteps = [...byTable.values()].flatMap(({ effective, subnets }) =>
    subnets.map((subnetId) => subnetTableStep(region, subnetId, effective)),
  );
  if (allDefaults.length === 0) {
    return pass('noDefaultRoute', {
      data: { tables: listText([...byTable.keys()]) },
      evidence: tableSteps,
    });
  }
  return pass('noPublicHttpsEgress', {
    data: {
      routes: allDefaults
        .map(
          ({ tableId, route }) =>
            `${tableId}: ${routeDestination(route.route)} -> ${routeTarget(route.route).id}`,
        )
        .join(', '),
    },
    evidence: [
      ...tableSteps,
      ...allDefaults.map(({ tableId, route }) => routeStep(region, tableId, route.route)),
    ],
  });
}

export default defineCheck({
  meta: {
    id: 'LVS004',
    name: 's3-only-via-endpoint',
    severity: 'medium',
    title: 'Function cannot reach S3 except through the gateway endpoint',
    description:
      "Fails when an effective route table of the function's subnets has an active default route (0.0.0.0/0 or ::/0) to a target outside the VPC (internet gateway, NAT gateway, egress-only internet gateway, transit gateway, peering connection, virtual private gateway, instance or network interface, Gateway Load Balancer endpoint) and a security group attached to the function allows egress on tcp/443 (protocol -1, or a tcp range that includes 443) to a public address of the same IP family. A rule to the region's S3 prefix list counts as public for a table that has no route of its own to that prefix list.",
    rationale:
      'The gateway endpoint, its policy (LVS006) and the bucket pin (LVS007) only protect traffic that takes the endpoint route. A default route plus HTTPS egress to public addresses gives the function a second path to S3 through a NAT or other gateway: to buckets in other regions, to foreign buckets the endpoint policy would refuse, and around aws:SourceVpce conditions. Lambda network interfaces never get a public IP, so a route that only reaches an internet gateway drops the traffic today; it is still reported, because one NAT or address change turns it into a working path.',
    remediation:
      "Remove the default route from the function's route tables, or restrict its security-group egress to the S3 prefix list.",
    remediationDetails: [
      'Either half is enough; doing both is defence in depth. If the function really needs the internet, keep the NAT route and scope the security group to the destinations it needs (never 0.0.0.0/0 on 443), and rely on the endpoint policy and bucket pin for S3.',
      '',
      '```sh',
      '# remove the default route from a private route table the function uses',
      'aws ec2 delete-route --route-table-id rtb-aaa --destination-cidr-block 0.0.0.0/0',
      'aws ec2 delete-route --route-table-id rtb-aaa --destination-ipv6-cidr-block ::/0',
      '# or replace the open HTTPS egress with the S3 prefix list',
      'aws ec2 revoke-security-group-egress --group-id sg-ccc --ip-permissions IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=0.0.0.0/0}]',
      'aws ec2 authorize-security-group-egress --group-id sg-ccc --ip-permissions IpProtocol=tcp,FromPort=443,ToPort=443,PrefixListIds=[{PrefixListId=pl-xxx}]',
      '```',
      '',
      'CloudFormation: drop the `AWS::EC2::Route` with `DestinationCidrBlock: 0.0.0.0/0` from the private route tables, and write the egress as',
      '`SecurityGroupEgress: [{ IpProtocol: tcp, FromPort: 443, ToPort: 443, DestinationPrefixListId: pl-xxx }]`.',
    ].join('\n'),
    resourceType: 'function',
    references: [
      {
        title: 'Gateway endpoints for Amazon S3',
        url: 'https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html',
      },
      {
        title: 'Enable internet access for VPC-connected Lambda functions',
        url: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html',
      },
      {
        title: 'Configure route tables',
        url: 'https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html',
      },
      {
        title: 'Security group rules',
        url: 'https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html',
      },
    ],
    securityHubControls: [],
    tags: ['network', 'vpc-endpoint', 's3', 'exfiltration'],
    reasons: {
      ...NOT_IN_VPC_REASON,
      noDefaultRoute: {
        status: 'pass',
        message:
          'No effective route table of {{function}} ({{tables}}) has an active default route out of the VPC, so S3 is reachable only through the gateway endpoint.',
      },
      noPublicHttpsEgress: {
        status: 'pass',
        message:
          '{{function}} has a default route ({{routes}}) but no attached security group allows tcp/443 to a public address over it, so S3 is reachable only through the gateway endpoint.',
      },
      viaInternetGateway: {
        status: 'fail',
        message:
          '{{function}} can reach S3 around the gateway endpoint through an internet gateway: {{routes}}; {{rules}}.',
      },
      viaNatGateway: {
        status: 'fail',
        message:
          '{{function}} can reach S3 around the gateway endpoint through a NAT gateway: {{routes}}; {{rules}}.',
      },
      viaOtherGateway: {
        status: 'fail',
        message:
          '{{function}} can reach S3 around the gateway endpoint through a {{target}}: {{routes}}; {{rules}}.',
      },
    },
  },
  evaluate(entry, index) {
    const vpc = functionVpc(entry, index);
    if (vpc === undefined) return [notApplicable('notInVpc')];
    // Everything after the function's own step depends on the region, the subnets and the groups.
    const shared = vpc.bySubnets.get(['LVS004', ...vpc.attachment.securityGroupIds], () =>
      judgeEgress(entry, vpc.attachment, index),
    );
    const fnStep = vpc.step;
    if (shared.status !== 'fail') return [withHead(fnStep, shared)];
    // A finding's chain went through uniqueSteps: a later step equal to the first is not repeated.
    return [
      withHead(
        fnStep,
        withEvidence(
          shared,
          shared.evidence.filter((s) => !sameStep(s, fnStep)),
        ),
      ),
    ];
  },
});
