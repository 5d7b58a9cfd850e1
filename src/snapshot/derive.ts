import type { IamActionCatalog } from '../iam/action-catalog.js';
import { parsePolicy, type ParsedPolicy, type PolicyStatement } from '../policy/document.js';
import { hasWildcard, matchesWildcard } from '../policy/wildcard.js';
import { bucketArn, s3ServiceName, type ArnScope } from './arn.js';
import type { ApiError, Fetched } from './fetched.js';
import type {
  AccountSnapshot,
  Bucket,
  IamRole,
  KmsKey,
  LambdaFunction,
  PrefixList,
  RegionSnapshot,
  Route,
  RouteTable,
  SecurityGroup,
  Subnet,
  Vpc,
  VpcEndpoint,
} from './schema.js';

/**
 * The joins the rules need, computed once per run from an immutable snapshot (SPEC 2.1, 2.2):
 * lookups by ID, the effective route table of each subnet, the S3 gateway endpoint behind each table,
 * the policies of each role, and the buckets each function reaches. Nothing here mutates the snapshot.
 */

/** Why a lookup has no answer: the read failed, or the thing is not in the snapshot. */
export type Problem = { kind: 'api-error'; error: ApiError } | { kind: 'missing'; what: string; id: string };

export type Resolved<T> = { ok: true; value: T } | { ok: false; problem: Problem };

const resolved = <T>(value: T): Resolved<T> => ({ ok: true, value });
const missing = <T>(what: string, id: string): Resolved<T> => ({
  ok: false,
  problem: { kind: 'missing', what, id },
});
const apiError = <T>(error: ApiError): Resolved<T> => ({ ok: false, problem: { kind: 'api-error', error } });

function byId<T>(list: Fetched<T[]>, key: (item: T) => string): Resolved<Map<string, T>> {
  if (list.status === 'error') return apiError(list.error);
  const items = list.status === 'ok' ? list.value : [];
  return resolved(new Map(items.map((item) => [key(item), item])));
}

function lookup<T>(table: Resolved<Map<string, T>>, what: string, id: string): Resolved<T> {
  if (!table.ok) return table;
  const value = table.value.get(id);
  return value === undefined ? missing(what, id) : resolved(value);
}

export interface EffectiveRouteTable {
  table: RouteTable;
  /** SPEC 2.1: explicitly associated, or the VPC's main table by default. */
  association: 'explicit' | 'main';
}

export interface S3RouteTarget {
  /** The active route to the region's S3 prefix list, if any. */
  route: Route | undefined;
  /** The endpoint the route targets, when it is in the snapshot. */
  endpoint: VpcEndpoint | undefined;
  /** True when the route targets an `available` Gateway endpoint for com.amazonaws.<region>.s3. */
  usable: boolean;
  /** Blackhole routes to the S3 prefix list, ignored per SPEC 2.1 but worth showing. */
  blackholeRoutes: Route[];
}

/** A subnet's way to S3 (SPEC 2.1, LVS003): its effective route table, that table's S3 route, the endpoint. */
export interface SubnetS3Path {
  subnetId: string;
  /** The effective route table, or why it is unknown. */
  table: Resolved<EffectiveRouteTable>;
  /** The S3 route of that table; when the table is unknown, the same problem. */
  target: Resolved<S3RouteTarget>;
  /** The usable S3 gateway endpoint the route leads to, if any: the endpoint that serves the subnet. */
  endpoint: VpcEndpoint | undefined;
}

export class RegionIndex {
  readonly region: string;
  readonly scope: ArnScope;
  readonly vpcs: Resolved<Map<string, Vpc>>;
  readonly subnets: Resolved<Map<string, Subnet>>;
  readonly routeTables: Resolved<Map<string, RouteTable>>;
  readonly vpcEndpoints: Resolved<Map<string, VpcEndpoint>>;
  readonly securityGroups: Resolved<Map<string, SecurityGroup>>;
  readonly s3PrefixList: Resolved<PrefixList>;
  private readonly explicitTableBySubnet = new Map<string, RouteTable>();
  private readonly mainTableByVpc = new Map<string, RouteTable>();
  private readonly s3RouteTargets = new Map<RouteTable, Resolved<S3RouteTarget>>();
  private readonly s3Paths = new Map<string, SubnetS3Path>();

  constructor(
    readonly snapshot: RegionSnapshot,
    account: { accountId: string; partition: string },
  ) {
    this.region = snapshot.region;
    this.scope = { partition: account.partition, region: snapshot.region, accountId: account.accountId };
    this.vpcs = byId(snapshot.vpcs, (v) => v.vpcId);
    this.subnets = byId(snapshot.subnets, (s) => s.subnetId);
    this.routeTables = byId(snapshot.routeTables, (t) => t.routeTableId);
    this.vpcEndpoints = byId(snapshot.vpcEndpoints, (e) => e.vpcEndpointId);
    this.securityGroups = byId(snapshot.securityGroups, (g) => g.groupId);
    if (this.routeTables.ok) {
      for (const table of this.routeTables.value.values()) {
        for (const association of table.associations) {
          if (association.main) this.mainTableByVpc.set(table.vpcId, table);
          if (association.subnetId !== undefined) this.explicitTableBySubnet.set(association.subnetId, table);
        }
      }
    }
    const name = s3ServiceName(snapshot.region);
    const prefixLists = snapshot.prefixLists;
    if (prefixLists.status === 'error') this.s3PrefixList = apiError(prefixLists.error);
    else {
      const found = (prefixLists.status === 'ok' ? prefixLists.value : []).find(
        (p) => p.prefixListName === name,
      );
      this.s3PrefixList = found ? resolved(found) : missing('prefix list', name);
    }
  }

  subnet(id: string): Resolved<Subnet> {
    return lookup(this.subnets, 'subnet', id);
  }
  vpc(id: string): Resolved<Vpc> {
    return lookup(this.vpcs, 'VPC', id);
  }
  securityGroup(id: string): Resolved<SecurityGroup> {
    return lookup(this.securityGroups, 'security group', id);
  }
  vpcEndpoint(id: string): Resolved<VpcEndpoint> {
    return lookup(this.vpcEndpoints, 'VPC endpoint', id);
  }

  /** SPEC 2.1: the explicitly associated table, else the main table of the subnet's VPC. */
  effectiveRouteTable(subnetId: string): Resolved<EffectiveRouteTable> {
    if (!this.routeTables.ok) return this.routeTables;
    const explicit = this.explicitTableBySubnet.get(subnetId);
    if (explicit) return resolved({ table: explicit, association: 'explicit' });
    const subnet = this.subnet(subnetId);
    if (!subnet.ok) return subnet;
    const main = this.mainTableByVpc.get(subnet.value.vpcId);
    return main
      ? resolved({ table: main, association: 'main' })
      : missing('main route table of', subnet.value.vpcId);
  }

  /**
   * The subnet -> effective route table -> S3 route -> endpoint walk that every network rule, the
   * data path and the fix planners take; once per subnet, since many functions share subnets.
   */
  s3Path(subnetId: string): SubnetS3Path {
    let path = this.s3Paths.get(subnetId);
    if (path === undefined) {
      const table = this.effectiveRouteTable(subnetId);
      const target = table.ok ? this.s3RouteTarget(table.value.table) : table;
      const endpoint = target.ok && target.value.usable ? target.value.endpoint : undefined;
      path = { subnetId, table, target, endpoint };
      this.s3Paths.set(subnetId, path);
    }
    return path;
  }

  /** The S3 gateway route of a table (SPEC LVS003), judged against the region's S3 prefix list; once per table. */
  s3RouteTarget(table: RouteTable): Resolved<S3RouteTarget> {
    let target = this.s3RouteTargets.get(table);
    if (target === undefined) {
      target = this.computeS3RouteTarget(table);
      this.s3RouteTargets.set(table, target);
    }
    return target;
  }

  private computeS3RouteTarget(table: RouteTable): Resolved<S3RouteTarget> {
    if (!this.s3PrefixList.ok) return this.s3PrefixList;
    const prefixListId = this.s3PrefixList.value.prefixListId;
    const toS3 = table.routes.filter((r) => r.destinationPrefixListId === prefixListId);
    const route = toS3.find((r) => r.state === 'active');
    const blackholeRoutes = toS3.filter((r) => r.state === 'blackhole');
    if (route === undefined) return resolved({ route, endpoint: undefined, usable: false, blackholeRoutes });
    const endpointId = route.gatewayId ?? route.vpcEndpointId;
    if (endpointId === undefined || !endpointId.startsWith('vpce-')) {
      return resolved({ route, endpoint: undefined, usable: false, blackholeRoutes });
    }
    const endpoint = this.vpcEndpoint(endpointId);
    if (!endpoint.ok && endpoint.problem.kind === 'api-error') return endpoint;
    const found = endpoint.ok ? endpoint.value : undefined;
    const usable =
      found !== undefined &&
      found.vpcEndpointType === 'Gateway' &&
      found.serviceName === s3ServiceName(this.region) &&
      found.state.toLowerCase() === 'available';
    return resolved({ route, endpoint: found, usable, blackholeRoutes });
  }
}

export interface FunctionEntry {
  fn: LambdaFunction;
  region: RegionIndex;
  /**
   * What was derived about this function alone (AuditIndex.forFunction, bucketsReached), kept on
   * the entry so that asking again is a field read rather than a lookup in a table of every
   * function; AuditIndex.forgetFunction empties it.
   */
  derived: FunctionDerived;
}

/** See FunctionEntry.derived. */
export interface FunctionDerived {
  reach: BucketReach | undefined;
  /** forFunction's values, by FunctionSlot index; NOT_DERIVED where not asked yet. */
  values: unknown[] | undefined;
}

const NOT_DERIVED: unique symbol = Symbol('not derived');
let slotCount = 0;

/**
 * Names one value that several rules derive alike from a function (AuditIndex.forFunction), such
 * as its VPC attachment: made once per module, it is an index into the function's own array of
 * values, so that asking is an element read rather than a lookup by name in a table per function.
 */
export class FunctionSlot<T> {
  readonly index = slotCount++;
  declare private readonly valueType: T;
  constructor(readonly name: string) {}
}

/** A policy that applies to a role, with its document parsed once. */
export interface RolePolicy {
  kind: 'inline' | 'managed';
  name: string;
  /** Managed policy ARN, or `<roleArn>/inline/<name>` for inline policies (evidence only). */
  arn: string;
  parsed: ParsedPolicy;
}

export interface RoleView {
  role: IamRole;
  trustPolicy: ParsedPolicy;
  policies: RolePolicy[];
}

export type ReachPath =
  | { via: 'role'; policyArn: string; policyName: string; statement: string; resource: string }
  | { via: 'environment'; variable: string };

export interface ReachedBucket {
  name: string;
  arn: string;
  paths: ReachPath[];
}

export interface BucketReach {
  buckets: ReachedBucket[];
  /** SPEC 2.2: the role allows S3 data actions on every bucket (Resource "*" or a NotResource). */
  unbounded: { policyArn: string; policyName: string; statement: string; resource: string } | undefined;
  /** What could not be determined (role unreadable, bucket list unreadable for a wildcard…). */
  problems: Problem[];
}

/** One level of a Memo's cache for keys given as parts. */
interface MemoNode {
  done: boolean;
  value: unknown;
  next: Map<string, MemoNode> | undefined;
}

/**
 * Pure computations cached for the run (see AuditIndex.memo). The index keeps one for everything
 * shared; an object that stands for one shared thing (a function, the subnets of the functions that
 * use them) can keep its own, so asking about it starts from a small table of its own entries rather
 * than from the index's tree of every resource.
 */
export class Memo {
  private readonly byString = new Map<string, unknown>();
  private readonly tree = new Map<string, MemoNode>();

  /**
   * `key` must name everything the result depends on (beyond the owner of this Memo): a string, or
   * its parts, which are looked up level by level without being joined into a new string.
   */
  get<T>(key: string | readonly string[], compute: () => T): T {
    if (typeof key === 'string') {
      const known = this.byString.get(key);
      if (known !== undefined || this.byString.has(key)) return known as T;
      const value = compute();
      this.byString.set(key, value);
      return value;
    }
    let level = this.tree;
    let node: MemoNode | undefined;
    for (let i = 0; i < key.length; i++) {
      const part = key[i] as string;
      if (node !== undefined) level = node.next ??= new Map<string, MemoNode>();
      node = level.get(part);
      if (node === undefined) {
        node = { done: false, value: undefined, next: undefined };
        level.set(part, node);
      }
    }
    if (node === undefined) throw new Error('memo: a key needs at least one part');
    if (node.done) return node.value as T;
    const value = compute();
    node.value = value;
    node.done = true;
    return value;
  }
}

export class AuditIndex {
  readonly regions: RegionIndex[];
  readonly functions: FunctionEntry[];
  readonly functionListProblems: Array<{ region: string; error: ApiError }>;
  private readonly policyCache = new Map<string, ParsedPolicy>();
  private readonly roleViews = new Map<string, Resolved<RoleView>>();
  private readonly roleReachCache = new Map<string, { reach: BucketReach; unsorted: ReachedBucket[] }>();
  private readonly s3DataAccess = new WeakMap<PolicyStatement, boolean>();
  private readonly bucketMatches = new Map<string, string[]>();
  private readonly functionsByRole = new Map<string, LambdaFunction[]>();
  private readonly memos = new Memo();

  constructor(
    readonly snapshot: AccountSnapshot,
    readonly iam: IamActionCatalog,
  ) {
    const account = { accountId: snapshot.accountId, partition: snapshot.partition };
    this.regions = snapshot.regions.map((r) => new RegionIndex(r, account));
    this.functions = [];
    this.functionListProblems = [];
    for (const region of this.regions) {
      const list = region.snapshot.functions;
      if (list.status === 'error')
        this.functionListProblems.push({ region: region.region, error: list.error });
      for (const fn of list.status === 'ok' ? list.value : []) {
        this.functions.push({ fn, region, derived: { reach: undefined, values: undefined } });
        const users = this.functionsByRole.get(fn.role) ?? [];
        users.push(fn);
        this.functionsByRole.set(fn.role, users);
      }
    }
  }

  get accountId(): string {
    return this.snapshot.accountId;
  }
  get partition(): string {
    return this.snapshot.partition;
  }

  /** Parses a policy document once per distinct text. */
  policy(text: string): ParsedPolicy {
    let parsed = this.policyCache.get(text);
    if (parsed === undefined) {
      parsed = parsePolicy(text);
      this.policyCache.set(text, parsed);
    }
    return parsed;
  }

  /**
   * Caches a pure computation about a shared resource (a role, a bucket policy) for this run, so a
   * resource used by many functions is analysed once. `key` must name everything the result depends
   * on: a string, or its parts (the rule, then the resource IDs, as many as there are: a function's
   * subnet IDs), which are looked up without being joined into a new string on every call.
   */
  memo<T>(key: string | readonly string[], compute: () => T): T {
    return this.memos.get(key, compute);
  }

  /**
   * Caches a pure computation about one function for this run, for what several rules derive alike
   * from it (its VPC attachment and the evidence step that shows it). `slot` names the computation.
   */
  forFunction<T>(entry: FunctionEntry, slot: FunctionSlot<T>, compute: () => T): T {
    const values = (entry.derived.values ??= []);
    const i = slot.index;
    if (i < values.length && values[i] !== NOT_DERIVED) return values[i] as T;
    while (values.length < i) values.push(NOT_DERIVED);
    const value = compute();
    values[i] = value;
    return value;
  }

  /**
   * Drops what was cached about one function alone (its bucket reach, forFunction values), for a
   * caller that is done with it: a streamed audit would otherwise keep every function's caches to
   * the end, and the garbage collector copy them meanwhile. Asking again recomputes them.
   */
  forgetFunction(entry: FunctionEntry): void {
    entry.derived.reach = undefined;
    entry.derived.values = undefined;
  }

  functionsUsingRole(roleArn: string): LambdaFunction[] {
    return this.functionsByRole.get(roleArn) ?? [];
  }

  /** Every function (any region) attached to the security group. */
  functionsUsingSecurityGroup(region: string, groupId: string): LambdaFunction[] {
    return this.functions
      .filter((e) => e.region.region === region && e.fn.vpcConfig?.securityGroupIds.includes(groupId))
      .map((e) => e.fn);
  }

  bucket(name: string): Bucket | undefined {
    return this.snapshot.s3.buckets[name];
  }

  kmsKey(keyArn: string): Resolved<KmsKey> {
    const key = this.snapshot.kms.keys[keyArn];
    if (key === undefined) return missing('KMS key', keyArn);
    if (key.status === 'error') return apiError(key.error);
    if (key.status === 'absent') return missing('KMS key (does not exist)', keyArn);
    return resolved(key.value);
  }

  /** The role with its trust policy and every inline and attached policy, documents parsed (SPEC 2.4). */
  roleView(roleArn: string): Resolved<RoleView> {
    const cached = this.roleViews.get(roleArn);
    if (cached) return cached;
    const view = this.buildRoleView(roleArn);
    this.roleViews.set(roleArn, view);
    return view;
  }

  private buildRoleView(roleArn: string): Resolved<RoleView> {
    const fetched = this.snapshot.iam.roles[roleArn];
    if (fetched === undefined) return missing('IAM role', roleArn);
    if (fetched.status === 'error') return apiError(fetched.error);
    if (fetched.status === 'absent') return missing('IAM role (does not exist)', roleArn);
    const role = fetched.value;
    const policies: RolePolicy[] = role.inlinePolicies.map((p) => ({
      kind: 'inline',
      name: p.policyName,
      arn: `${roleArn}/inline/${p.policyName}`,
      parsed: this.policy(p.document),
    }));
    for (const attached of role.attachedPolicies) {
      const managed = this.snapshot.iam.managedPolicies[attached.policyArn];
      if (managed === undefined) return missing('managed policy', attached.policyArn);
      if (managed.status === 'error') return apiError(managed.error);
      if (managed.status === 'absent') return missing('managed policy (does not exist)', attached.policyArn);
      policies.push({
        kind: 'managed',
        name: managed.value.policyName,
        arn: attached.policyArn,
        parsed: this.policy(managed.value.document),
      });
    }
    return resolved({ role, trustPolicy: this.policy(role.assumeRolePolicyDocument), policies });
  }

  /** SPEC 2.2: buckets named by the role's S3 Allow statements, plus buckets named by environment values. */
  bucketsReached(entry: FunctionEntry): BucketReach {
    return (entry.derived.reach ??= this.computeReach(entry.fn, entry.region.region));
  }

  private computeReach(fn: LambdaFunction, region: string): BucketReach {
    const { reach: role, unsorted } = this.roleReach(fn.role);
    const envPaths: Array<{ name: string; path: ReachPath }> = [];
    for (const variable of fn.environment) {
      if (variable.bucketName !== null)
        envPaths.push({ name: variable.bucketName, path: { via: 'environment', variable: variable.name } });
    }
    // Variables Lambda could not decrypt may name buckets (SPEC 2.2 b): the set is incomplete, not empty.
    const unreadable = environmentReadError(fn, region);
    const problems: Problem[] =
      unreadable === undefined ? role.problems : [...role.problems, { kind: 'api-error', error: unreadable }];
    // Without environment buckets the role's (sorted) list is the answer, shared by the role's functions.
    if (envPaths.length === 0) return problems === role.problems ? role : { ...role, problems };
    const found = new Map<string, ReachedBucket>();
    for (const bucket of unsorted) found.set(bucket.name, { ...bucket, paths: [...bucket.paths] });
    for (const { name, path } of envPaths) {
      let bucket = found.get(name);
      if (!bucket) {
        bucket = { name, arn: bucketArn(this.partition, name), paths: [] };
        found.set(name, bucket);
      }
      bucket.paths.push(path);
    }
    const buckets = [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
    return { buckets, unbounded: role.unbounded, problems };
  }

  /**
   * The role's part of SPEC 2.2 (buckets its S3 Allow statements name), once per role; `unsorted`
   * keeps the order in which the buckets were found, for merging a function's environment buckets.
   * Nothing in it names a function, so the role's functions share it.
   */
  private roleReach(roleArn: string): { reach: BucketReach; unsorted: ReachedBucket[] } {
    let cached = this.roleReachCache.get(roleArn);
    if (cached !== undefined) return cached;
    const found = new Map<string, ReachedBucket>();
    const problems: Problem[] = [];
    let unbounded: BucketReach['unbounded'];
    const add = (name: string, path: ReachPath) => {
      let bucket = found.get(name);
      if (!bucket) {
        bucket = { name, arn: bucketArn(this.partition, name), paths: [] };
        found.set(name, bucket);
      }
      bucket.paths.push(path);
    };

    const view = this.roleView(roleArn);
    if (!view.ok) problems.push(view.problem);
    else {
      for (const policy of view.value.policies) {
        if (!policy.parsed.ok) continue;
        for (const statement of policy.parsed.document.statements) {
          if (statement.effect !== 'Allow' || !this.grantsS3DataAccess(statement)) continue;
          const where = {
            policyArn: policy.arn,
            policyName: policy.name,
            statement: statement.sid ?? `#${statement.index}`,
          };
          if (statement.notResources !== undefined) {
            unbounded ??= { ...where, resource: `NotResource ${statement.notResources.join(', ')}` };
            continue;
          }
          for (const resource of statement.resources ?? []) {
            const name = s3BucketPattern(resource);
            if (name === undefined) continue;
            if (name === '*' || name === '') {
              unbounded ??= { ...where, resource };
              continue;
            }
            if (!hasWildcard(name)) {
              add(name, { via: 'role', ...where, resource });
              continue;
            }
            const names = this.snapshot.s3.bucketNames;
            if (names.status === 'error') {
              problems.push({ kind: 'api-error', error: names.error });
              continue;
            }
            for (const bucketName of this.bucketNamesMatching(name))
              add(bucketName, { via: 'role', ...where, resource });
          }
        }
      }
    }
    const unsorted = [...found.values()];
    const buckets = [...unsorted].sort((a, b) => a.name.localeCompare(b.name));
    cached = { reach: { buckets, unbounded, problems }, unsorted };
    this.roleReachCache.set(roleArn, cached);
    return cached;
  }

  /**
   * The account's bucket names a wildcard pattern matches, in listing order; once per pattern, as
   * roles repeat patterns and each match is a scan of every bucket name.
   */
  private bucketNamesMatching(pattern: string): string[] {
    let matched = this.bucketMatches.get(pattern);
    if (matched === undefined) {
      const names = this.snapshot.s3.bucketNames;
      matched = (names.status === 'ok' ? names.value : []).filter((n) => matchesWildcard(pattern, n));
      this.bucketMatches.set(pattern, matched);
    }
    return matched;
  }

  /** True when the statement's actions include an S3 action on objects (GetObject, PutObject…). */
  grantsS3DataAccess(statement: PolicyStatement): boolean {
    let grants = this.s3DataAccess.get(statement);
    if (grants === undefined) {
      grants = this.computeS3DataAccess(statement);
      this.s3DataAccess.set(statement, grants);
    }
    return grants;
  }

  private computeS3DataAccess(statement: PolicyStatement): boolean {
    const isData = (action: string) => {
      const info = this.iam.lookup(action);
      return info !== undefined && info.service === 's3' && info.resourceTypes.includes('object');
    };
    if (statement.actions !== undefined) {
      return statement.actions.some((pattern) =>
        this.iam.expand(pattern).some((info) => isData(info.action)),
      );
    }
    if (statement.notActions !== undefined) {
      const excluded = statement.notActions;
      return this.iam
        .expand('s3:*')
        .some((info) => isData(info.action) && !excluded.some((p) => matchesWildcard(p, info.action, true)));
    }
    return false;
  }
}

/**
 * The failed read behind a function's `environmentError` (Lambda could not decrypt its variables), as
 * collection records it in snapshot.errors: lambda:ListFunctions on the function, Lambda's error code.
 * Undefined when the environment was readable.
 */
export function environmentReadError(
  fn: Pick<LambdaFunction, 'functionArn' | 'environmentError'>,
  region: string,
): ApiError | undefined {
  const e = fn.environmentError;
  if (e === null) return undefined;
  return {
    service: 'lambda',
    operation: 'ListFunctions',
    region,
    resource: fn.functionArn,
    code: e.errorCode || 'EnvironmentError',
    message: `environment variables not readable: ${e.message}`.slice(0, 1000),
  };
}

/**
 * The bucket-name part of an S3 resource ARN: "arn:aws:s3:::name/key*" -> "name"; "*" -> "*";
 * undefined for resources that are not S3 buckets or objects (access points, other services).
 */
export function s3BucketPattern(resource: string): string | undefined {
  if (resource === '*') return '*';
  const match = /^arn:aws[a-z-]*:s3:::([^/]*)(?:\/.*)?$/.exec(resource);
  return match ? match[1] : undefined;
}

export function buildIndex(snapshot: AccountSnapshot, iam: IamActionCatalog): AuditIndex {
  return new AuditIndex(snapshot, iam);
}
