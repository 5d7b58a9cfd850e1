import {
  DescribePrefixListsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  type Filter,
} from '@aws-sdk/client-ec2';
import { failed, ok, type Fetched } from '../snapshot/fetched.js';
import type { RegionSnapshot } from '../snapshot/schema.js';
import type { CollectContext } from './context.js';
import { sortBy, uniqueBy } from './normalize/common.js';
import {
  normalizePrefixList,
  normalizeRouteTable,
  normalizeSecurityGroup,
  normalizeSubnet,
  normalizeVpc,
  normalizeVpcEndpoint,
} from './normalize/ec2.js';
import type { ListedFunction } from './normalize/lambda.js';

/** EC2 accepts at most 200 values per filter. */
export const EC2_FILTER_VALUES_MAX = 200;

export type NetworkSnapshot = Pick<
  RegionSnapshot,
  'vpcs' | 'subnets' | 'routeTables' | 'vpcEndpoints' | 'securityGroups' | 'prefixLists'
>;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The VPC, subnet and security-group IDs the functions use, each once, sorted. */
export function idsInUse(functions: readonly ListedFunction[]): {
  vpcIds: string[];
  subnetIds: string[];
  groupIds: string[];
} {
  const vpcIds = new Set<string>();
  const subnetIds = new Set<string>();
  const groupIds = new Set<string>();
  for (const fn of functions) {
    const vpc = fn.vpcConfig;
    if (vpc === null) continue;
    if (vpc.vpcId !== '') vpcIds.add(vpc.vpcId);
    for (const id of vpc.subnetIds) subnetIds.add(id);
    for (const id of vpc.securityGroupIds) groupIds.add(id);
  }
  const sorted = (s: Set<string>) => [...s].sort();
  return { vpcIds: sorted(vpcIds), subnetIds: sorted(subnetIds), groupIds: sorted(groupIds) };
}

interface Ec2Page {
  NextToken?: string | undefined;
}

/**
 * One Describe* over a list of IDs: the IDs split into filter chunks of 200, every chunk's pages
 * followed. Filters (not the *Ids parameters) so that an ID that no longer exists is simply not
 * returned instead of failing the whole batch. Any failed page fails the list: a partial list
 * would let rules judge subnets and tables that are not there.
 */
async function describeAll<P extends Ec2Page, R, T>(
  ctx: CollectContext,
  region: string,
  operation: string,
  filterName: string,
  ids: readonly string[],
  send: (filters: Filter[] | undefined, nextToken: string | undefined) => Promise<P>,
  items: (page: P) => R[] | undefined,
  normalize: (item: R) => T,
  key: (item: T) => string,
): Promise<Fetched<T[]>> {
  const out: T[] = [];
  const chunks = filterName === '' ? [undefined] : chunk(ids, EC2_FILTER_VALUES_MAX);
  const results = await Promise.all(
    chunks.map(async (values): Promise<Fetched<T[]>> => {
      const found: T[] = [];
      const filters = values === undefined ? undefined : [{ Name: filterName, Values: values }];
      let token: string | undefined;
      const seen = new Set<string>();
      do {
        const current = token;
        const page = await ctx.caller.fetch(
          {
            service: 'ec2',
            operation,
            region,
            ...(values !== undefined ? { resource: values.join(',').slice(0, 500) } : {}),
          },
          () => send(filters, current),
          (output) => ({ items: (items(output) ?? []).map(normalize), next: output.NextToken || undefined }),
          { errors: ctx.errors },
        );
        if (page.status !== 'ok') return page.status === 'error' ? failed(page.error) : ok(found);
        found.push(...page.value.items);
        token = page.value.next;
        if (token !== undefined && seen.has(token)) break;
        if (token !== undefined) seen.add(token);
      } while (token !== undefined);
      return ok(found);
    }),
  );
  for (const result of results) {
    if (result.status === 'error') return result;
    if (result.status === 'ok') out.push(...result.value);
  }
  return ok(sortBy(uniqueBy(out, key), key));
}

/**
 * The network model of one region, restricted to what the functions use (SPEC 3 plan):
 * DescribeVpcs / DescribeSubnets / DescribeSecurityGroups by ID filter; DescribeRouteTables and
 * DescribeVpcEndpoints by vpc-id (every table of those VPCs, so that the main table is there for
 * subnets without an explicit association); DescribePrefixLists once, unfiltered. A region whose
 * functions use no VPC needs no network read at all.
 */
export async function collectNetwork(
  ctx: CollectContext,
  region: string,
  functions: readonly ListedFunction[],
): Promise<NetworkSnapshot> {
  const { vpcIds, subnetIds, groupIds } = idsInUse(functions);
  const none = <T>(): Fetched<T[]> => ok([]);
  if (vpcIds.length === 0 && subnetIds.length === 0 && groupIds.length === 0) {
    return {
      vpcs: none(),
      subnets: none(),
      routeTables: none(),
      vpcEndpoints: none(),
      securityGroups: none(),
      prefixLists: none(),
    };
  }
  const ec2 = ctx.clients.ec2(region);
  const token = (t: string | undefined) => (t !== undefined ? { NextToken: t } : {});
  const when = <T>(ids: readonly string[], read: () => Promise<Fetched<T[]>>) =>
    ids.length === 0 ? Promise.resolve(none<T>()) : read();
  const [vpcs, subnets, routeTables, vpcEndpoints, securityGroups, prefixLists] = await Promise.all([
    when(vpcIds, () =>
      describeAll(
        ctx,
        region,
        'DescribeVpcs',
        'vpc-id',
        vpcIds,
        (Filters, t) => ec2.send(new DescribeVpcsCommand({ Filters, MaxResults: 1000, ...token(t) })),
        (p) => p.Vpcs,
        normalizeVpc,
        (v) => v.vpcId,
      ),
    ),
    when(subnetIds, () =>
      describeAll(
        ctx,
        region,
        'DescribeSubnets',
        'subnet-id',
        subnetIds,
        (Filters, t) => ec2.send(new DescribeSubnetsCommand({ Filters, MaxResults: 1000, ...token(t) })),
        (p) => p.Subnets,
        normalizeSubnet,
        (s) => s.subnetId,
      ),
    ),
    when(vpcIds, () =>
      describeAll(
        ctx,
        region,
        'DescribeRouteTables',
        'vpc-id',
        vpcIds,
        (Filters, t) => ec2.send(new DescribeRouteTablesCommand({ Filters, MaxResults: 100, ...token(t) })),
        (p) => p.RouteTables,
        normalizeRouteTable,
        (r) => r.routeTableId,
      ),
    ),
    when(vpcIds, () =>
      describeAll(
        ctx,
        region,
        'DescribeVpcEndpoints',
        'vpc-id',
        vpcIds,
        (Filters, t) => ec2.send(new DescribeVpcEndpointsCommand({ Filters, MaxResults: 1000, ...token(t) })),
        (p) => p.VpcEndpoints,
        normalizeVpcEndpoint,
        (e) => e.vpcEndpointId,
      ),
    ),
    when(groupIds, () =>
      describeAll(
        ctx,
        region,
        'DescribeSecurityGroups',
        'group-id',
        groupIds,
        (Filters, t) =>
          ec2.send(new DescribeSecurityGroupsCommand({ Filters, MaxResults: 1000, ...token(t) })),
        (p) => p.SecurityGroups,
        normalizeSecurityGroup,
        (g) => g.groupId,
      ),
    ),
    describeAll(
      ctx,
      region,
      'DescribePrefixLists',
      '',
      [],
      (_filters, t) => ec2.send(new DescribePrefixListsCommand({ ...token(t) })),
      (p) => p.PrefixLists,
      normalizePrefixList,
      (p) => p.prefixListId,
    ),
  ]);
  return { vpcs, subnets, routeTables, vpcEndpoints, securityGroups, prefixLists };
}
