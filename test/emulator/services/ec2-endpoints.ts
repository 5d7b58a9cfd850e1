import type { PrefixList, RegionSnapshot, RouteTable, VpcEndpoint } from '../../../src/snapshot/schema.js';
import { regionOf, writableList } from '../state.js';
import { AwsError, notImplemented, type EmulatorResponse, type EmulatorState } from '../types.js';
import { scopeOf } from './ec2-describe.js';
import { notFoundError } from './ec2-query.js';
import { vpcEndpointItem } from './ec2-shapes.js';
import { checkIds, ec2Response, invalidValue, missingParameter, type Ec2Params } from './ec2-wire.js';

/**
 * Gateway VPC endpoints and the routes they own: CreateVpcEndpoint, ModifyVpcEndpoint, DeleteRoute.
 * As at AWS, attaching a gateway endpoint to a route table adds a route to the service's prefix
 * list whose target (gatewayId) is the endpoint, and detaching it removes that route.
 * Writes look regions up with regionOf, not regionForWrite: every one of them needs a VPC, table or
 * endpoint that exists, so a region the snapshot lacks can only fail, and must not be added by it.
 */

/** The policy AWS gives a gateway endpoint created without one (and restores on ResetPolicy). */
export const DEFAULT_ENDPOINT_POLICY =
  '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}';

const GATEWAY_SERVICES = ['s3', 'dynamodb'];

function checkPolicy(document: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch (error) {
    throw new AwsError(
      'InvalidPolicyDocument',
      400,
      `The Policy Document is not valid. ${(error as Error).message}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsError(
      'InvalidPolicyDocument',
      400,
      'The Policy Document is not valid. Expected a JSON object.',
    );
  }
  return document;
}

const tableNotFound = notFoundError('InvalidRouteTableID.NotFound', 'routeTable');

/** The route tables named (each once), all checked before any is changed: a request fails whole or not at all. */
function tablesOf(region: RegionSnapshot, ids: readonly string[]): RouteTable[] {
  checkIds(ids, 'rtb', 'InvalidRouteTableId.Malformed');
  const tables = region.routeTables.status === 'ok' ? region.routeTables.value : [];
  const missing = ids.filter((id) => !tables.some((t) => t.routeTableId === id));
  if (missing.length > 0) throw tableNotFound(missing);
  return tables.filter((t) => ids.includes(t.routeTableId));
}

function tablesInVpc(region: RegionSnapshot, ids: readonly string[], vpcId: string): RouteTable[] {
  const tables = tablesOf(region, ids);
  const elsewhere = tables.find((t) => t.vpcId !== vpcId);
  if (elsewhere !== undefined) {
    throw new AwsError(
      'InvalidParameter',
      400,
      `route table ${elsewhere.routeTableId} is not in vpc ${vpcId}`,
    );
  }
  return tables;
}

/** The service's AWS-managed prefix list; one the snapshot lacks is made up and kept, as AWS always has it. */
function prefixListOf(region: RegionSnapshot, serviceName: string, state: EmulatorState): string {
  const known = region.prefixLists.status === 'ok' ? region.prefixLists.value : undefined;
  const found = known?.find((p) => p.prefixListName === serviceName);
  if (found !== undefined) return found.prefixListId;
  const made: PrefixList = { prefixListId: state.nextId('pl-'), prefixListName: serviceName, cidrs: [] };
  known?.push(made);
  return made.prefixListId;
}

/** A table holds one route per destination: one to the prefix list already (a blackhole too) blocks the endpoint's. */
function checkFree(tables: readonly RouteTable[], prefixListId: string): void {
  const taken = tables.find((t) => t.routes.some((r) => r.destinationPrefixListId === prefixListId));
  if (taken !== undefined) {
    throw new AwsError(
      'RouteAlreadyExists',
      400,
      `route table ${taken.routeTableId} already has a route with destination-prefix-list-id ${prefixListId}`,
    );
  }
}

function attach(table: RouteTable, prefixListId: string, endpointId: string): void {
  table.routes.push({ destinationPrefixListId: prefixListId, gatewayId: endpointId, state: 'active' });
}

function detach(table: RouteTable, endpointId: string): void {
  table.routes = table.routes.filter((r) => (r.gatewayId ?? r.vpcEndpointId) !== endpointId);
}

export function createVpcEndpoint(
  params: Ec2Params,
  state: EmulatorState,
  regionName: string,
): EmulatorResponse {
  const vpcId = params.required('VpcId');
  const serviceName = params.required('ServiceName');
  const type = params.string('VpcEndpointType') ?? 'Gateway';
  if (type !== 'Gateway') {
    // lvs only creates gateway endpoints; interface endpoints (ENIs, DNS) are not emulated.
    throw notImplemented('ec2', `CreateVpcEndpoint with VpcEndpointType=${type}`);
  }
  checkIds([vpcId], 'vpc', 'InvalidVpcId.Malformed');
  const region = regionOf(state, regionName);
  if (region.vpcs.status === 'ok' && !region.vpcs.value.some((v) => v.vpcId === vpcId)) {
    throw notFoundError('InvalidVpcID.NotFound', 'vpc')([vpcId]);
  }
  const service = new RegExp(`^com\\.amazonaws\\.${regionName}\\.(${GATEWAY_SERVICES.join('|')})$`);
  if (!service.test(serviceName)) {
    throw new AwsError('InvalidServiceName', 400, `The Vpc Endpoint Service '${serviceName}' does not exist`);
  }
  const policy = checkPolicy(params.string('PolicyDocument') ?? DEFAULT_ENDPOINT_POLICY);
  const tables = tablesInVpc(region, params.strings('RouteTableId'), vpcId);
  const prefixListId = prefixListOf(region, serviceName, state);
  checkFree(tables, prefixListId);
  const endpoint: VpcEndpoint = {
    vpcEndpointId: state.nextId('vpce-'),
    vpcEndpointType: 'Gateway',
    serviceName,
    state: 'available',
    vpcId,
    routeTableIds: tables.map((t) => t.routeTableId),
    policyDocument: policy,
  };
  for (const table of tables) attach(table, prefixListId, endpoint.vpcEndpointId);
  writableList<VpcEndpoint>(region, 'vpcEndpoints').push(endpoint);
  return ec2Response('CreateVpcEndpoint', {
    vpcEndpoint: vpcEndpointItem(endpoint, scopeOf(state, regionName)),
    clientToken: params.string('ClientToken'),
  });
}

function endpointOf(region: RegionSnapshot, id: string): VpcEndpoint {
  checkIds([id], 'vpce', 'InvalidVpcEndpointId.Malformed');
  const known = region.vpcEndpoints.status === 'ok' ? region.vpcEndpoints.value : [];
  const endpoint = known.find((e) => e.vpcEndpointId === id);
  if (endpoint === undefined) throw notFoundError('InvalidVpcEndpointId.NotFound', 'VpcEndpoint')([id]);
  return endpoint;
}

export function modifyVpcEndpoint(
  params: Ec2Params,
  state: EmulatorState,
  regionName: string,
): EmulatorResponse {
  const region = regionOf(state, regionName);
  const endpoint = endpointOf(region, params.required('VpcEndpointId'));
  const document = params.string('PolicyDocument');
  const reset = params.boolean('ResetPolicy') === true;
  if (reset && document !== undefined) {
    throw new AwsError(
      'InvalidParameterCombination',
      400,
      'ResetPolicy and PolicyDocument cannot be used together',
    );
  }
  const adding = params.strings('AddRouteTableId');
  const removing = params.strings('RemoveRouteTableId');
  if ((adding.length > 0 || removing.length > 0) && endpoint.vpcEndpointType !== 'Gateway') {
    throw new AwsError(
      'InvalidParameter',
      400,
      `${endpoint.vpcEndpointId} is not a gateway endpoint: it has no route tables`,
    );
  }
  const both = adding.filter((id) => removing.includes(id));
  if (both.length > 0) {
    throw invalidValue('RouteTableIds', both.join(', '), 'A route table cannot be both added and removed.');
  }
  const toAdd = tablesInVpc(region, adding, endpoint.vpcId).filter(
    (t) => !endpoint.routeTableIds.includes(t.routeTableId),
  );
  const toRemove = tablesInVpc(region, removing, endpoint.vpcId);
  const policy = document !== undefined ? checkPolicy(document) : reset ? DEFAULT_ENDPOINT_POLICY : undefined;
  const prefixListId = toAdd.length > 0 ? prefixListOf(region, endpoint.serviceName, state) : '';
  checkFree(toAdd, prefixListId);
  for (const table of toAdd) attach(table, prefixListId, endpoint.vpcEndpointId);
  for (const table of toRemove) detach(table, endpoint.vpcEndpointId);
  endpoint.routeTableIds = [
    ...endpoint.routeTableIds.filter((id) => !removing.includes(id)),
    ...toAdd.map((t) => t.routeTableId),
  ];
  if (policy !== undefined) endpoint.policyDocument = policy;
  return ec2Response('ModifyVpcEndpoint', { return: true });
}

const DESTINATIONS = [
  ['DestinationCidrBlock', 'destinationCidrBlock', 'destination-cidr-block'],
  ['DestinationIpv6CidrBlock', 'destinationIpv6CidrBlock', 'destination-ipv6-cidr-block'],
  ['DestinationPrefixListId', 'destinationPrefixListId', 'destination-prefix-list-id'],
] as const;

export function deleteRoute(params: Ec2Params, state: EmulatorState, regionName: string): EmulatorResponse {
  const tableId = params.required('RouteTableId');
  const given = DESTINATIONS.flatMap(([param, member, label]) => {
    const value = params.string(param);
    return value === undefined ? [] : [{ member, label, value }];
  });
  const destination = given[0];
  if (destination === undefined) throw missingParameter('DestinationCidrBlock');
  if (given.length > 1) {
    throw new AwsError(
      'InvalidParameterCombination',
      400,
      'Only one of DestinationCidrBlock, DestinationIpv6CidrBlock or DestinationPrefixListId may be given',
    );
  }
  const region = regionOf(state, regionName);
  const [table] = tablesOf(region, [tableId]);
  const where = `${destination.label} ${destination.value} in route table ${tableId}`;
  const route = table?.routes.find((r) => r[destination.member] === destination.value);
  if (table === undefined || route === undefined) {
    throw new AwsError('InvalidRoute.NotFound', 400, `no route with ${where}`);
  }
  if (route.gatewayId === 'local') {
    throw new AwsError(
      'InvalidParameterValue',
      400,
      `cannot remove local route ${destination.value} in route table ${tableId}`,
    );
  }
  table.routes = table.routes.filter((r) => r !== route);
  // The endpoint whose route this was no longer serves the table (its RouteTableIds follow the routes).
  const target = route.gatewayId ?? route.vpcEndpointId;
  if (region.vpcEndpoints.status === 'ok') {
    for (const endpoint of region.vpcEndpoints.value) {
      if (endpoint.vpcEndpointId === target) {
        endpoint.routeTableIds = endpoint.routeTableIds.filter((id) => id !== tableId);
      }
    }
  }
  return ec2Response('DeleteRoute', { return: true });
}
