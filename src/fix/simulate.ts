import { s3ServiceName } from '../snapshot/arn.js';
import type {
  AccountSnapshot,
  EgressRule,
  LambdaFunction,
  RegionSnapshot,
  RouteTable,
  SecurityGroup,
  VpcEndpoint,
} from '../snapshot/schema.js';
import { fillPlaceholders, type ApiCall, type Plan, type Step } from './plan-model.js';
import { readPolicy, removeStatementsBySid } from './policy-merge.js';

/**
 * The effect of a plan's automated steps on a snapshot, computed in memory: what the account would
 * look like after `lvs fix --apply`, so that tests (and the planner itself, for the consequences of
 * its network steps) can audit it. Pure: the input snapshot is never modified. Manual steps have no
 * effect. Values AWS would generate (a new endpoint ID, a new key ARN) get deterministic stand-ins,
 * reported in `bindings`.
 */

export interface Simulation {
  snapshot: AccountSnapshot;
  /** Variable name -> the stand-in value given to it. */
  bindings: Record<string, string>;
}

export class SimulationError extends Error {
  constructor(call: ApiCall, detail: string) {
    super(`cannot simulate ${call.service}:${call.operation}: ${detail}`);
  }
}

type Params = Record<string, unknown>;

const str = (call: ApiCall, params: Params, key: string): string => {
  const value = params[key];
  if (typeof value !== 'string') throw new SimulationError(call, `${key} is not a string`);
  return value;
};
const strList = (params: Params, key: string): string[] => {
  const value = params[key];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};
const okList = <T>(call: ApiCall, fetched: { status: string; value?: T[] }, what: string): T[] => {
  if (fetched.status !== 'ok' || fetched.value === undefined)
    throw new SimulationError(call, `${what} of the region are not in the snapshot`);
  return fetched.value;
};

function regionOf(call: ApiCall, snapshot: AccountSnapshot): RegionSnapshot {
  const region = snapshot.regions.find((r) => r.region === call.region);
  if (!region) throw new SimulationError(call, `region ${call.region ?? '(none)'} is not in the snapshot`);
  return region;
}

function s3PrefixListId(call: ApiCall, region: RegionSnapshot): string {
  const lists = okList(call, region.prefixLists, 'prefix lists');
  const found = lists.find((p) => p.prefixListName === s3ServiceName(region.region));
  if (!found) throw new SimulationError(call, 'no S3 prefix list');
  return found.prefixListId;
}

function routeTable(call: ApiCall, region: RegionSnapshot, id: string): RouteTable {
  const table = okList(call, region.routeTables, 'route tables').find((t) => t.routeTableId === id);
  if (!table) throw new SimulationError(call, `route table ${id} not found`);
  return table;
}

function endpointOf(call: ApiCall, region: RegionSnapshot, id: string): VpcEndpoint {
  const endpoint = okList(call, region.vpcEndpoints, 'VPC endpoints').find((e) => e.vpcEndpointId === id);
  if (!endpoint) throw new SimulationError(call, `VPC endpoint ${id} not found`);
  return endpoint;
}

function groupOf(call: ApiCall, region: RegionSnapshot, id: string): SecurityGroup {
  const group = okList(call, region.securityGroups, 'security groups').find((g) => g.groupId === id);
  if (!group) throw new SimulationError(call, `security group ${id} not found`);
  return group;
}

function functionOf(call: ApiCall, snapshot: AccountSnapshot, name: string): LambdaFunction {
  for (const region of snapshot.regions) {
    if (call.region !== null && region.region !== call.region) continue;
    if (region.functions.status !== 'ok') continue;
    const fn = region.functions.value.find((f) => f.functionArn === name || f.functionName === name);
    if (fn) return fn;
  }
  throw new SimulationError(call, `function ${name} not found`);
}

function addEndpointRoutes(call: ApiCall, region: RegionSnapshot, endpointId: string, tableIds: string[]) {
  const prefixListId = s3PrefixListId(call, region);
  for (const id of tableIds) {
    const table = routeTable(call, region, id);
    if (table.routes.some((r) => r.destinationPrefixListId === prefixListId))
      throw new SimulationError(call, `${id} already has a route to ${prefixListId} (RouteAlreadyExists)`);
    table.routes.push({ destinationPrefixListId: prefixListId, gatewayId: endpointId, state: 'active' });
  }
}

function removeEndpointRoutes(call: ApiCall, region: RegionSnapshot, endpointId: string, tableIds: string[]) {
  for (const id of tableIds) {
    const table = routeTable(call, region, id);
    table.routes = table.routes.filter((r) => (r.gatewayId ?? r.vpcEndpointId) !== endpointId);
  }
}

interface Permission {
  IpProtocol?: unknown;
  FromPort?: unknown;
  ToPort?: unknown;
  IpRanges?: Array<{ CidrIp?: unknown }>;
  Ipv6Ranges?: Array<{ CidrIpv6?: unknown }>;
  PrefixListIds?: Array<{ PrefixListId?: unknown }>;
  UserIdGroupPairs?: Array<{ GroupId?: unknown }>;
}

const permissionsOf = (params: Params): Permission[] =>
  Array.isArray(params.IpPermissions) ? (params.IpPermissions as Permission[]) : [];
const portOf = (value: unknown): number | null => (typeof value === 'number' ? value : null);
const sameHead = (rule: EgressRule, p: Permission, protocolOnly: boolean): boolean =>
  rule.ipProtocol === p.IpProtocol &&
  (protocolOnly || (rule.fromPort === portOf(p.FromPort) && rule.toPort === portOf(p.ToPort)));

function authorizeEgress(call: ApiCall, group: SecurityGroup, params: Params) {
  for (const p of permissionsOf(params)) {
    group.egress.push({
      ipProtocol: String(p.IpProtocol),
      fromPort: portOf(p.FromPort),
      toPort: portOf(p.ToPort),
      ipv4Ranges: (p.IpRanges ?? []).map((r) => String(r.CidrIp)),
      ipv6Ranges: (p.Ipv6Ranges ?? []).map((r) => String(r.CidrIpv6)),
      prefixListIds: (p.PrefixListIds ?? []).map((r) => String(r.PrefixListId)),
      referencedGroupIds: (p.UserIdGroupPairs ?? []).map((r) => String(r.GroupId)),
    });
  }
  if (permissionsOf(params).length === 0) throw new SimulationError(call, 'no IpPermissions');
}

function revokeEgress(call: ApiCall, group: SecurityGroup, params: Params) {
  for (const p of permissionsOf(params)) {
    const protocolOnly = p.IpProtocol === '-1';
    const v4 = (p.IpRanges ?? []).map((r) => String(r.CidrIp));
    const v6 = (p.Ipv6Ranges ?? []).map((r) => String(r.CidrIpv6));
    const lists = (p.PrefixListIds ?? []).map((r) => String(r.PrefixListId));
    let matched = false;
    for (const rule of group.egress) {
      if (!sameHead(rule, p, protocolOnly)) continue;
      const before = rule.ipv4Ranges.length + rule.ipv6Ranges.length + rule.prefixListIds.length;
      rule.ipv4Ranges = rule.ipv4Ranges.filter((c) => !v4.includes(c));
      rule.ipv6Ranges = rule.ipv6Ranges.filter((c) => !v6.includes(c));
      rule.prefixListIds = rule.prefixListIds.filter((c) => !lists.includes(c));
      if (rule.ipv4Ranges.length + rule.ipv6Ranges.length + rule.prefixListIds.length < before)
        matched = true;
    }
    // EC2 answers InvalidPermission.NotFound when nothing matches.
    if (!matched)
      throw new SimulationError(call, `no egress rule of ${group.groupId} matches ${JSON.stringify(p)}`);
  }
  group.egress = group.egress.filter(
    (r) =>
      r.ipv4Ranges.length + r.ipv6Ranges.length + r.prefixListIds.length + r.referencedGroupIds.length > 0,
  );
}

/** A stand-in for a value AWS generates, deterministic from what the call names. */
function standIn(call: ApiCall, snapshot: AccountSnapshot, params: Params): string {
  if (call.operation === 'CreateVpcEndpoint') {
    const vpc = str(call, params, 'VpcId').replace(/^vpc-/, '');
    return `vpce-lvsnew${vpc}`;
  }
  if (call.operation === 'CreateKey') {
    return `arn:${snapshot.partition}:kms:${call.region ?? ''}:${snapshot.accountId}:key/lvs-new-${call.region ?? ''}`;
  }
  throw new SimulationError(call, 'captures a value the simulator cannot stand in for');
}

function applyCall(call: ApiCall, snapshot: AccountSnapshot, params: Params, created: string | undefined) {
  const op = `${call.service}:${call.operation}`;
  switch (op) {
    case 'ec2:CreateVpcEndpoint': {
      const region = regionOf(call, snapshot);
      const id = created ?? standIn(call, snapshot, params);
      const tables = strList(params, 'RouteTableIds');
      okList(call, region.vpcEndpoints, 'VPC endpoints').push({
        vpcEndpointId: id,
        vpcEndpointType: 'Gateway',
        serviceName: str(call, params, 'ServiceName'),
        state: 'available',
        vpcId: str(call, params, 'VpcId'),
        routeTableIds: [...tables],
        policyDocument: typeof params.PolicyDocument === 'string' ? params.PolicyDocument : null,
      });
      addEndpointRoutes(call, region, id, tables);
      return;
    }
    case 'ec2:ModifyVpcEndpoint': {
      const region = regionOf(call, snapshot);
      const endpoint = endpointOf(call, region, str(call, params, 'VpcEndpointId'));
      const remove = strList(params, 'RemoveRouteTableIds');
      const add = strList(params, 'AddRouteTableIds');
      removeEndpointRoutes(call, region, endpoint.vpcEndpointId, remove);
      endpoint.routeTableIds = endpoint.routeTableIds.filter((t) => !remove.includes(t));
      addEndpointRoutes(call, region, endpoint.vpcEndpointId, add);
      endpoint.routeTableIds.push(...add.filter((t) => !endpoint.routeTableIds.includes(t)));
      if (typeof params.PolicyDocument === 'string') endpoint.policyDocument = params.PolicyDocument;
      return;
    }
    case 'ec2:DeleteRoute': {
      const table = routeTable(call, regionOf(call, snapshot), str(call, params, 'RouteTableId'));
      const destination = params.DestinationPrefixListId ?? params.DestinationCidrBlock;
      const before = table.routes.length;
      table.routes = table.routes.filter(
        (r) => (r.destinationPrefixListId ?? r.destinationCidrBlock) !== destination,
      );
      if (table.routes.length === before) throw new SimulationError(call, 'no such route');
      return;
    }
    case 'ec2:AuthorizeSecurityGroupEgress':
      authorizeEgress(call, groupOf(call, regionOf(call, snapshot), str(call, params, 'GroupId')), params);
      return;
    case 'ec2:RevokeSecurityGroupEgress':
      revokeEgress(call, groupOf(call, regionOf(call, snapshot), str(call, params, 'GroupId')), params);
      return;
    case 's3:PutBucketPolicy':
    case 's3:PutBucketEncryption':
    case 's3:PutPublicAccessBlock': {
      const name = str(call, params, 'Bucket');
      const bucket = snapshot.s3.buckets[name];
      if (!bucket) throw new SimulationError(call, `bucket ${name} not in the snapshot`);
      if (call.operation === 'PutBucketPolicy')
        bucket.policy = { status: 'ok', value: str(call, params, 'Policy') };
      else if (call.operation === 'PutPublicAccessBlock') {
        const c = params.PublicAccessBlockConfiguration as Record<string, unknown>;
        bucket.publicAccessBlock = {
          status: 'ok',
          value: {
            blockPublicAcls: c.BlockPublicAcls === true,
            ignorePublicAcls: c.IgnorePublicAcls === true,
            blockPublicPolicy: c.BlockPublicPolicy === true,
            restrictPublicBuckets: c.RestrictPublicBuckets === true,
          },
        };
      } else {
        const config = params.ServerSideEncryptionConfiguration as {
          Rules: Array<{
            ApplyServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: string };
            BucketKeyEnabled?: boolean;
          }>;
        };
        bucket.encryption = {
          status: 'ok',
          value: {
            rules: config.Rules.map((r) => ({
              sseAlgorithm: r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? 'AES256',
              kmsMasterKeyId: r.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID ?? null,
              bucketKeyEnabled: r.BucketKeyEnabled === true,
            })),
          },
        };
      }
      return;
    }
    case 'kms:CreateKey': {
      const arn = created ?? standIn(call, snapshot, params);
      snapshot.kms.keys[arn] = {
        status: 'ok',
        value: {
          keyId: arn.slice(arn.lastIndexOf('/') + 1),
          keyArn: arn,
          keyManager: 'CUSTOMER',
          keyState: 'Enabled',
          rotationEnabled: { status: 'ok', value: false },
        },
      };
      return;
    }
    case 'kms:CreateAlias':
      // Aliases are not part of the snapshot; the key must exist.
      keyOf(call, snapshot, str(call, params, 'TargetKeyId'));
      return;
    case 'kms:PutKeyPolicy':
      // Key policies are not part of the snapshot; the key must exist.
      keyOf(call, snapshot, str(call, params, 'KeyId'));
      return;
    case 'kms:EnableKeyRotation':
      keyOf(call, snapshot, str(call, params, 'KeyId')).rotationEnabled = { status: 'ok', value: true };
      return;
    case 'kms:EnableKey':
      keyOf(call, snapshot, str(call, params, 'KeyId')).keyState = 'Enabled';
      return;
    case 'kms:CancelKeyDeletion':
      // AWS leaves a key whose deletion is cancelled Disabled.
      keyOf(call, snapshot, str(call, params, 'KeyId')).keyState = 'Disabled';
      return;
    case 'lambda:UpdateFunctionConfiguration': {
      const fn = functionOf(call, snapshot, str(call, params, 'FunctionName'));
      if (typeof params.KMSKeyArn === 'string') fn.kmsKeyArn = params.KMSKeyArn;
      const tracing = params.TracingConfig as { Mode?: unknown } | undefined;
      if (tracing?.Mode === 'Active' || tracing?.Mode === 'PassThrough') fn.tracingMode = tracing.Mode;
      return;
    }
    case 'lambda:UpdateFunctionUrlConfig': {
      const fn = functionOf(call, snapshot, str(call, params, 'FunctionName'));
      if (fn.urlConfig.status !== 'ok') throw new SimulationError(call, 'the function has no URL');
      const auth = str(call, params, 'AuthType');
      if (auth !== 'AWS_IAM' && auth !== 'NONE') throw new SimulationError(call, `AuthType ${auth}`);
      fn.urlConfig.value.authType = auth;
      return;
    }
    case 'lambda:RemovePermission': {
      const fn = functionOf(call, snapshot, str(call, params, 'FunctionName'));
      const sid = str(call, params, 'StatementId');
      if (fn.resourcePolicy.status !== 'ok') throw new SimulationError(call, 'the function has no policy');
      const read = readPolicy(fn.resourcePolicy.value);
      if (!read.ok) throw new SimulationError(call, `the function policy is ${read.problem}`);
      const result = removeStatementsBySid(read.policy, [sid]);
      if (!result.changed) throw new SimulationError(call, `no statement ${sid} (ResourceNotFoundException)`);
      fn.resourcePolicy =
        result.policy.Statement.length === 0
          ? { status: 'absent' }
          : { status: 'ok', value: JSON.stringify(result.policy) };
      return;
    }
    case 'iam:PutRolePolicy': {
      const name = str(call, params, 'RoleName');
      const role = Object.values(snapshot.iam.roles).find(
        (r) => r.status === 'ok' && r.value.roleName === name,
      );
      if (role?.status !== 'ok') throw new SimulationError(call, `role ${name} not in the snapshot`);
      const policyName = str(call, params, 'PolicyName');
      const document = str(call, params, 'PolicyDocument');
      const existing = role.value.inlinePolicies.find((p) => p.policyName === policyName);
      if (existing) existing.document = document;
      else role.value.inlinePolicies.push({ policyName, document });
      return;
    }
    default:
      throw new SimulationError(call, 'unsupported operation');
  }
}

function keyOf(call: ApiCall, snapshot: AccountSnapshot, keyId: string) {
  const entry =
    snapshot.kms.keys[keyId] ??
    Object.values(snapshot.kms.keys).find((k) => k.status === 'ok' && k.value.keyId === keyId);
  if (entry?.status !== 'ok') throw new SimulationError(call, `KMS key ${keyId} not in the snapshot`);
  return entry.value;
}

/** Applies the automated steps, in order, to a copy of `snapshot`. */
export function simulateSteps(steps: readonly Step[], snapshot: AccountSnapshot): Simulation {
  const copy = structuredClone(snapshot);
  const bindings: Record<string, string> = {};
  for (const step of steps) {
    if (step.kind !== 'automated') continue;
    for (const call of step.api) {
      const params = JSON.parse(fillPlaceholders(JSON.stringify(call.params), bindings)) as Params;
      const names = Object.keys(call.captures ?? {});
      const created = names.length > 0 ? standIn(call, copy, params) : undefined;
      for (const name of names) if (created !== undefined) bindings[name] = created;
      applyCall(call, copy, params, created);
    }
  }
  return { snapshot: copy, bindings };
}

/** The snapshot as it would be after `lvs fix --apply` carried out the plan's automated steps. */
export function applyPlanToSnapshot(plan: Plan, snapshot: AccountSnapshot): AccountSnapshot {
  return simulateSteps(plan.steps, snapshot).snapshot;
}
