import { classifyDestination, parseCidr } from '../../checks/lib/cidr.js';
import { securityGroupArn, vpcArn } from '../../snapshot/arn.js';
import type { FunctionEntry } from '../../snapshot/derive.js';
import type { Route, RouteTable } from '../../snapshot/schema.js';
import type { Step } from '../plan-model.js';
import {
  entryOf,
  listText,
  makeStep,
  shellQuote,
  stepsOf,
  type Finding,
  type PlanContext,
  type Planner,
} from '../lib/context.js';
import { allowsTcp, subnetsOf } from '../lib/network.js';

/**
 * LVS004 has no step of its own when other steps of the plan remove both halves of the bypass: the
 * LVS005 step revokes the security groups' public HTTPS egress, and the LVS003 step gives every table
 * with a default route a route to the S3 prefix list (so HTTPS to S3 addresses takes the endpoint).
 * The finding is then listed under those steps. Otherwise it is a manual step: removing a default
 * route or an egress rule the function may need for other destinations is a person's decision.
 */

/** An active default route that leaves the VPC (not local, not a gateway endpoint). */
function defaultRouteOut(route: Route): boolean {
  if (route.state !== 'active') return false;
  const cidr = parseCidr(route.destinationCidrBlock ?? route.destinationIpv6CidrBlock ?? '');
  if (cidr === undefined || cidr.prefix !== 0) return false;
  return route.gatewayId !== 'local' && !(route.gatewayId ?? '').startsWith('vpce-');
}

interface Needs {
  /** Security groups whose public HTTPS egress must go (LVS005 steps). */
  groups: string[];
  /** Tables with a default route out and no route to the S3 prefix list (LVS003 steps). */
  tables: RouteTable[];
}

function needsOf(entry: FunctionEntry): Needs {
  const { region, fn } = entry;
  const groups: string[] = [];
  for (const groupId of fn.vpcConfig?.securityGroupIds ?? []) {
    const group = region.securityGroup(groupId);
    if (!group.ok) continue;
    const vpc = region.vpc(group.value.vpcId);
    const cidrs = vpc.ok ? [...vpc.value.cidrBlocks, ...vpc.value.ipv6CidrBlocks] : undefined;
    const open = group.value.egress.some(
      (r) =>
        allowsTcp(r, 443) &&
        [...r.ipv4Ranges, ...r.ipv6Ranges].some((d) => classifyDestination(d, cidrs) !== 'internal'),
    );
    if (open) groups.push(groupId);
  }
  const prefixListId = region.s3PrefixList.ok ? region.s3PrefixList.value.prefixListId : undefined;
  const tables = new Map<string, RouteTable>();
  for (const subnetId of subnetsOf(entry)) {
    const effective = region.s3Path(subnetId).table;
    if (!effective.ok) continue;
    const table = effective.value.table;
    const hasS3Route = table.routes.some(
      (r) => r.state === 'active' && r.destinationPrefixListId === prefixListId,
    );
    if (!hasS3Route && table.routes.some(defaultRouteOut)) tables.set(table.routeTableId, table);
  }
  return { groups, tables: [...tables.values()] };
}

/** The steps of the plan that remove the function's bypass, or undefined when some half is not covered. */
function coveringSteps(finding: Finding, ctx: PlanContext): string[] | undefined {
  const entry = entryOf(ctx.index, finding.functionArn);
  if (entry === undefined) return undefined;
  const needs = needsOf(entry);
  const ids: string[] = [];
  for (const groupId of needs.groups) {
    const id = `LVS005:${securityGroupArn(entry.region.scope, groupId)}`;
    const step = stepsOf(ctx.steps, 'LVS005', (s) => s.id === id && s.kind === 'automated')[0];
    if (step === undefined) return undefined;
    ids.push(step.id);
  }
  if (needs.tables.length > 0) {
    const vpcId = entry.fn.vpcConfig?.vpcId ?? '';
    const step = stepsOf(
      ctx.steps,
      'LVS003',
      (s) => s.id === `LVS003:${vpcArn(entry.region.scope, vpcId)}` && s.kind === 'automated',
    )[0];
    const routed = new Set(
      (step?.api ?? []).flatMap((c) => {
        const list =
          c.params.AddRouteTableIds ??
          (c.operation === 'CreateVpcEndpoint' ? c.params.RouteTableIds : undefined);
        return Array.isArray(list) ? list.map(String) : [];
      }),
    );
    if (step === undefined || !needs.tables.every((t) => routed.has(t.routeTableId))) return undefined;
    ids.push(step.id);
  }
  return ids.length > 0 ? ids : undefined;
}

function manualStep(finding: Finding, ctx: PlanContext): Step[] {
  const entry = entryOf(ctx.index, finding.functionArn);
  if (entry === undefined) return [];
  const { fn, region } = entry;
  const needs = needsOf(entry);
  const r = region.region;
  const prefixListId = region.s3PrefixList.ok ? region.s3PrefixList.value.prefixListId : 'PL_S3_ID';
  const lines = [
    `# ${fn.functionName} can reach S3 around the gateway endpoint. Close either path (both is defence in depth):`,
    ...(needs.tables.length > 0
      ? [
          '# a) route S3 through the endpoint on the tables with a default route (or remove that route if nothing needs it):',
          ...needs.tables.map(
            (t) =>
              `aws ec2 modify-vpc-endpoint --region ${r} --vpc-endpoint-id VPCE_ID --add-route-table-ids ${t.routeTableId}`,
          ),
          ...needs.tables.flatMap((t) =>
            t.routes
              .filter(defaultRouteOut)
              .map((route) =>
                route.destinationCidrBlock !== undefined
                  ? `# aws ec2 delete-route --region ${r} --route-table-id ${t.routeTableId} --destination-cidr-block ${route.destinationCidrBlock}`
                  : `# aws ec2 delete-route --region ${r} --route-table-id ${t.routeTableId} --destination-ipv6-cidr-block ${route.destinationIpv6CidrBlock ?? '::/0'}`,
              ),
          ),
        ]
      : []),
    '# b) replace public HTTPS egress of the security groups by the S3 prefix list:',
    ...(needs.groups.length > 0 ? needs.groups : ['SG_ID']).flatMap((g) => [
      `aws ec2 authorize-security-group-egress --region ${r} --group-id ${g} --ip-permissions ${shellQuote(`[{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"PrefixListIds":[{"PrefixListId":"${prefixListId}"}]}]`)}`,
      `aws ec2 revoke-security-group-egress --region ${r} --group-id ${g} --ip-permissions ${shellQuote('[{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]')}`,
    ]),
  ];
  return [
    makeStep({
      id: `LVS004:${fn.functionArn}`,
      kind: 'manual',
      title: `Close the path from ${fn.functionName} to S3 that bypasses the gateway endpoint`,
      service: 'ec2',
      region: r,
      resourceArn: fn.functionArn,
      findings: [finding],
      template: lines.join('\n'),
      risks: [
        {
          kind: 'connectivity',
          detail: `A default route or HTTPS egress may be what ${fn.functionName} (or other workloads of ${listText(needs.tables.map((t) => t.routeTableId)) || 'its subnets'}) uses for other services: check before removing it.`,
          resources: [fn.functionArn],
        },
      ],
      notes: ['Other steps of this plan do not remove both halves of the bypass, so it needs a decision.'],
    }),
  ];
}

export const planner: Planner = {
  ruleId: 'LVS004',
  resolvedElsewhere(findings, ctx) {
    return findings.flatMap((finding) => {
      const stepIds = coveringSteps(finding, ctx);
      return stepIds === undefined ? [] : [{ finding, stepIds }];
    });
  },
  plan(findings, ctx) {
    return findings.flatMap((f) => manualStep(f, ctx));
  },
};
