import type { EvidenceStep } from '../core/evidence.js';
import { prefixListArn, routeTableArn, s3ServiceName, subnetArn, vpcEndpointArn } from '../snapshot/arn.js';
import type {
  EffectiveRouteTable,
  FunctionEntry,
  Problem,
  RegionIndex,
  S3RouteTarget,
} from '../snapshot/derive.js';
import { defineCheck, type Outcome } from './define-check.js';
import {
  NOT_IN_VPC_REASON,
  describeTable,
  distinctProblems,
  functionVpc,
  listText,
  problemText,
  routeStep,
  routeTarget,
  subnetPaths,
  subnetTableStep,
  type VpcAttachment,
} from './lib/network.js';
import { fail, notApplicable, pass, unknown, withHead } from './lib/outcome.js';

type Verdict = { kind: 'routed'; endpointId: string } | { kind: 'noRoute' | 'notUsable'; why: string };

/** Why the S3 route of a table does not lead to a usable gateway endpoint (SPEC LVS003). */
function unusableWhy(region: RegionIndex, target: S3RouteTarget): string {
  const route = target.route;
  if (route === undefined) return 'no route';
  const endpoint = target.endpoint;
  if (endpoint === undefined) {
    const to = routeTarget(route);
    return to.id.startsWith('vpce-')
      ? `its route targets ${to.id}, which is not among the VPC endpoints of the region (deleted, or in another account)`
      : `its route targets ${to.id}, which is not a VPC endpoint`;
  }
  const wrong: string[] = [];
  if (endpoint.vpcEndpointType !== 'Gateway') wrong.push(`type ${endpoint.vpcEndpointType}, not Gateway`);
  if (endpoint.serviceName !== s3ServiceName(region.region)) {
    wrong.push(`service ${endpoint.serviceName}, not ${s3ServiceName(region.region)}`);
  }
  if (endpoint.state.toLowerCase() !== 'available') wrong.push(`state ${endpoint.state}, not available`);
  return `its route targets ${endpoint.vpcEndpointId} (${wrong.join('; ')})`;
}

function judge(region: RegionIndex, target: S3RouteTarget, prefixListId: string): Verdict {
  if (target.usable && target.endpoint !== undefined)
    return { kind: 'routed', endpointId: target.endpoint.vpcEndpointId };
  if (target.route === undefined) {
    const ignored = target.blackholeRoutes.length;
    return {
      kind: 'noRoute',
      why: `no active route to ${prefixListId}${ignored > 0 ? ` (${ignored} blackhole route(s) to it ignored)` : ''}`,
    };
  }
  return { kind: 'notUsable', why: unusableWhy(region, target) };
}

/** The hops route table -> S3 route -> endpoint for one table. */
function tableEvidence(
  region: RegionIndex,
  effective: EffectiveRouteTable,
  target: S3RouteTarget,
  prefixListId: string,
): EvidenceStep[] {
  const tableId = effective.table.routeTableId;
  const expected = `an active route ${prefixListId} -> an available Gateway endpoint for ${s3ServiceName(region.region)}`;
  const steps: EvidenceStep[] = target.blackholeRoutes.map((r) =>
    routeStep(region, tableId, r, {
      note: 'blackhole route: ignored (SPEC 2.1), its target no longer exists',
    }),
  );
  if (target.route === undefined) {
    steps.push({
      resourceArn: routeTableArn(region.scope, tableId),
      field: 'Routes',
      observed: `no active route to ${prefixListId} (${effective.table.routes.length} route(s))`,
      expected,
    });
    return steps;
  }
  steps.push(routeStep(region, tableId, target.route, target.usable ? {} : { expected }));
  const endpoint = target.endpoint;
  if (endpoint !== undefined) {
    steps.push({
      resourceArn: vpcEndpointArn(region.scope, endpoint.vpcEndpointId),
      field: 'VpcEndpointType, ServiceName, State',
      observed: `${endpoint.vpcEndpointType}, ${endpoint.serviceName}, ${endpoint.state}`,
      ...(target.usable ? {} : { expected: `Gateway, ${s3ServiceName(region.region)}, available` }),
    });
  }
  return steps;
}

/** The rule's outcome for a set of subnets, without the function's own first evidence step. */
function judgeSubnets(entry: FunctionEntry, attachment: VpcAttachment): Outcome {
  const { region } = entry;
  const prefixList = region.s3PrefixList;
  if (!prefixList.ok) return unknown(prefixList.problem);
  const prefixListId = prefixList.value.prefixListId;

  const evidence: EvidenceStep[] = [
    {
      resourceArn: prefixListArn(region.scope, prefixListId),
      field: 'PrefixListName',
      observed: prefixList.value.prefixListName,
      note: "the region's S3 prefix list: a gateway endpoint route has it as destination",
    },
  ];
  const problems: Problem[] = [];
  const endpoints = new Set<string>();
  const seenTables = new Set<string>();
  // Failing tables, each with the subnets that use it (several subnets may share one table).
  const failing = new Map<
    string,
    { kind: 'noRoute' | 'notUsable'; why: string; effective: EffectiveRouteTable; subnets: string[] }
  >();

  for (const { subnetId, table, target } of subnetPaths(entry, attachment)) {
    if (!table.ok) {
      problems.push(table.problem);
      evidence.push({
        resourceArn: subnetArn(region.scope, subnetId),
        field: 'effective route table',
        observed: `unknown: ${problemText(table.problem)}`,
      });
      continue;
    }
    if (!target.ok) {
      problems.push(target.problem);
      continue;
    }
    const verdict = judge(region, target.value, prefixListId);
    evidence.push(subnetTableStep(region, subnetId, table.value));
    const tableId = table.value.table.routeTableId;
    if (seenTables.has(tableId)) {
      failing.get(tableId)?.subnets.push(subnetId);
      continue;
    }
    seenTables.add(tableId);
    evidence.push(...tableEvidence(region, table.value, target.value, prefixListId));
    if (verdict.kind === 'routed') endpoints.add(verdict.endpointId);
    else failing.set(tableId, { ...verdict, effective: table.value, subnets: [subnetId] });
  }

  if (failing.size > 0) {
    const groups = [...failing.values()];
    const details = groups
      .map(
        (g) =>
          `${listText(g.subnets)} ${g.subnets.length > 1 ? 'use' : 'uses'} route table ${describeTable(g.effective)}: ${g.why}`,
      )
      .join('; ');
    const reason = groups.some((g) => g.kind === 'noRoute') ? 'noS3Route' : 'endpointNotUsable';
    return fail(reason, {
      data: { prefixList: prefixListId, service: s3ServiceName(region.region), details },
      evidence,
    });
  }
  const [problem] = distinctProblems(problems);
  if (problem !== undefined) return unknown(problem, { evidence });
  return pass('allSubnetsRouted', {
    data: {
      subnets: listText(attachment.subnetIds),
      prefixList: prefixListId,
      endpoints: listText([...endpoints]),
    },
    evidence,
  });
}

export default defineCheck({
  meta: {
    id: 'LVS003',
    name: 's3-gateway-endpoint-route',
    severity: 'high',
    title: 'Every subnet of the function routes S3 traffic to an available S3 gateway endpoint',
    description:
      "For each subnet of the function, the effective route table (the explicitly associated table, else the VPC's main table) has an active route whose destination is the region's S3 prefix list (com.amazonaws.<region>.s3) and whose target is an `available` Gateway VPC endpoint for that service. One result per function names every subnet and route table that misses it.",
    rationale:
      'Without the gateway endpoint route, traffic to S3 follows the default route (a NAT gateway or internet gateway) over the public internet, or goes nowhere. The endpoint route is also what makes aws:SourceVpce pinning in the bucket policy (LVS007) and the endpoint policy (LVS006) take effect. Route tables are per subnet, so one subnet without the route is enough for some invocations to bypass the endpoint.',
    remediation:
      'Associate the S3 gateway endpoint with the effective route table of every subnet of the function.',
    remediationDetails: [
      'Find the effective route table of each subnet (explicit association, else the main table), then add those tables to the S3 gateway endpoint, or create the endpoint if the VPC has none. The endpoint adds the prefix-list route itself.',
      '',
      '```sh',
      'aws ec2 describe-route-tables --filters Name=association.subnet-id,Values=SUBNET_ID',
      'aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-xxx --add-route-table-ids rtb-aaa rtb-bbb',
      '# or, when the VPC has no S3 gateway endpoint yet:',
      'aws ec2 create-vpc-endpoint --vpc-endpoint-type Gateway --vpc-id VPC_ID \\',
      '  --service-name com.amazonaws.REGION.s3 --route-table-ids rtb-aaa rtb-bbb',
      '```',
      '',
      'A route that is `blackhole` points at a deleted endpoint: remove it (`aws ec2 delete-route --route-table-id rtb-aaa --destination-prefix-list-id pl-xxx`) before associating the new endpoint. A route to an endpoint that is not `available` (pending, failed, deleting) is repaired by fixing or recreating the endpoint.',
      '',
      'CloudFormation:',
      '',
      '```yaml',
      'S3GatewayEndpoint:',
      '  Type: AWS::EC2::VPCEndpoint',
      '  Properties:',
      '    VpcEndpointType: Gateway',
      '    VpcId: !Ref Vpc',
      "    ServiceName: !Sub 'com.amazonaws.${AWS::Region}.s3'",
      '    RouteTableIds: [!Ref PrivateRouteTableA, !Ref PrivateRouteTableB]',
      '```',
      '',
      'Give every subnet of the function an explicit `AWS::EC2::SubnetRouteTableAssociation` to one of those tables rather than relying on the main table.',
    ].join('\n'),
    resourceType: 'function',
    references: [
      {
        title: 'Gateway endpoints for Amazon S3',
        url: 'https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html',
      },
      {
        title: 'Gateway endpoints (routing)',
        url: 'https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html',
      },
      {
        title: 'Configure route tables (main and custom route tables)',
        url: 'https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html',
      },
    ],
    securityHubControls: [],
    tags: ['network', 'vpc-endpoint', 's3', 'data-path'],
    reasons: {
      ...NOT_IN_VPC_REASON,
      allSubnetsRouted: {
        status: 'pass',
        message:
          'Every subnet of {{function}} ({{subnets}}) routes the S3 prefix list {{prefixList}} to an available gateway endpoint ({{endpoints}}).',
      },
      noS3Route: {
        status: 'fail',
        message:
          '{{function}} has subnet(s) whose effective route table has no active route to the S3 prefix list {{prefixList}}, so their S3 traffic cannot go through a gateway endpoint: {{details}}.',
      },
      endpointNotUsable: {
        status: 'fail',
        message:
          '{{function}} has subnet(s) whose route to the S3 prefix list {{prefixList}} does not lead to an available Gateway endpoint for {{service}}: {{details}}.',
      },
    },
  },
  evaluate(entry, index) {
    const vpc = functionVpc(entry, index);
    if (vpc === undefined) return [notApplicable('notInVpc')];
    // Everything after the function's own step depends on the region and the subnets alone.
    const shared = vpc.bySubnets.get('LVS003', () => judgeSubnets(entry, vpc.attachment));
    return [withHead(vpc.step, shared)];
  },
});
