import pLimit from 'p-limit';
import { LvsInputError } from '../core/errors.js';
import type { IamActionCatalog } from '../iam/action-catalog.js';
import { loadIamActionCatalog } from '../iam/load-catalog.js';
import { AuditIndex } from '../snapshot/derive.js';
import { absent, ok, type ApiError, type Fetched } from '../snapshot/fetched.js';
import {
  accountSnapshotSchema,
  SNAPSHOT_SCHEMA_VERSION,
  type AccountSnapshot,
  type Bucket,
  type LambdaFunction,
  type RegionSnapshot,
} from '../snapshot/schema.js';
import { toJsonPath } from '../core/errors.js';
import { ApiCaller, errorCode, errorMessage, type CallStats } from './call.js';
import {
  createAwsClients,
  globalRegion,
  partitionOf,
  type AwsClients,
  type ClientOptions,
  type Env,
} from './clients.js';
import type { CollectContext } from './context.js';
import { credentialError } from './credentials.js';
import { collectNetwork } from './ec2.js';
import { IamCollector, type IamPlanOption, type IamPlanReport } from './iam.js';
import { KmsCollector } from './kms.js';
import { collectFunctionDetails, listFunctions, type FunctionFilter } from './lambda.js';
import type { ListedFunction } from './normalize/lambda.js';
import { RateLimiter, type Clock, type Quota } from './rate-limit.js';
import { REGION_PATTERN } from './regions.js';
import { collectAccountPublicAccessBlock, collectBucket, listBucketNames } from './s3.js';
import { getCallerIdentity, type CallerIdentity } from './sts.js';

export { defaultRegion, enabledRegions, resolveRegions, type RegionOptions } from './regions.js';
export { credentialError } from './credentials.js';

/** identity (sts), functions (listing; per-function reads start), iam (roles settle), buckets, done. */
export type CollectPhase = 'identity' | 'functions' | 'iam' | 'buckets' | 'done';

/** Progress of a run, for a stderr progress line (the CLI decides whether and how to show it). */
export interface CollectProgress {
  phase: CollectPhase;
  regions: number;
  functionsListed: number;
  /** Functions whose own reads (policy, tags, URL) are done. */
  functionsDone: number;
  calls: number;
  throttles: number;
  retries: number;
  errors: number;
}

export interface CollectOptions {
  /** Resolved regions (resolveRegions), at least one; the first is where region-less reads go. */
  regions: readonly string[];
  profile?: string;
  endpointUrl?: string;
  /** The process environment, passed in (AWS_PROFILE, AWS_ENDPOINT_URL[_S3] for S3 path-style…). */
  env: Env;
  /** Injected clients (tests, benchmarks); by default built from profile/endpointUrl/env. */
  clients?: AwsClients;
  /** Options for the default clients (maxAttempts, retryMode, credentials override). */
  clientOptions?: Omit<ClientOptions, 'profile' | 'endpointUrl' | 'env'>;
  /** Only collect functions this accepts (the CLI's --function globs). Default: all. */
  functionFilter?: FunctionFilter;
  /**
   * Read each function's tags (lambda:ListTags, one call per function; default true). Tags only map
   * findings to CloudFormation templates: `lvs audit` without a stack -> template map may pass
   * false (tags are then recorded as {}); `lvs collect` should keep them.
   */
  readTags?: boolean;
  /**
   * How IAM is read (iam.ts): `auto` (default) chooses by expected cost between one read per role and
   * managed policy (`per-role`) and iam:GetAccountAuthorizationDetails (`account-details`). Every
   * plan yields the same snapshot; tests and benchmarks force one.
   */
  iamPlan?: IamPlanOption;
  /** Requests in flight at once (default 32). */
  concurrency?: number;
  /** Functions whose per-function reads may be queued at once (default 256). */
  functionConcurrency?: number;
  /** Fraction of AWS's documented quotas to use (default 0.9). */
  pace?: number;
  /** Quota overrides (accounts with raised quotas; benchmarks). */
  quotas?: Readonly<Record<string, Quota>>;
  /** Rounds of throttle retry after the SDK's own (default 8) and the first back-off (default 500 ms). */
  maxThrottleRetries?: number;
  throttleBackoffMs?: number;
  clock?: Clock;
  random?: () => number;
  /** IAM action data (only S3's is needed, to decide which statements grant bucket access). */
  iamCatalog?: IamActionCatalog;
  collector?: { name: string; version: string };
  now?: () => Date;
  onProgress?: (progress: CollectProgress) => void;
}

export interface CollectResult {
  snapshot: AccountSnapshot;
  identity: CallerIdentity;
  stats: CallStats;
  /** The IAM plan followed and why (undefined when no function named a role). */
  iamPlan: IamPlanReport | undefined;
}

/** Reads a live account into the snapshot model (SPEC 3, 4), validated. */
export async function collectAccount(options: CollectOptions): Promise<AccountSnapshot> {
  return (await collectAccountWithStats(options)).snapshot;
}

/** collectAccount, plus who lvs ran as and what the collection cost (calls, throttles, retries). */
export async function collectAccountWithStats(options: CollectOptions): Promise<CollectResult> {
  const regions = [...new Set(options.regions)];
  const home = regions[0];
  if (home === undefined) throw new LvsInputError('no AWS region to collect');
  for (const region of regions) {
    if (!REGION_PATTERN.test(region))
      throw new LvsInputError(`"${region}" is not an AWS region name`, { flag: '--region' });
  }
  const clients =
    options.clients ??
    createAwsClients({
      ...options.clientOptions,
      env: options.env,
      ...(options.profile !== undefined ? { profile: options.profile } : {}),
      ...(options.endpointUrl !== undefined ? { endpointUrl: options.endpointUrl } : {}),
    });
  try {
    return await run(options, regions, home, clients);
  } finally {
    if (options.clients === undefined) clients.destroy();
  }
}

async function run(
  options: CollectOptions,
  regions: string[],
  home: string,
  clients: AwsClients,
): Promise<CollectResult> {
  const progress: CollectProgress = {
    phase: 'identity',
    regions: regions.length,
    functionsListed: 0,
    functionsDone: 0,
    calls: 0,
    throttles: 0,
    retries: 0,
    errors: 0,
  };
  const report = (stats: CallStats) => {
    progress.calls = stats.calls;
    progress.throttles = stats.throttles;
    progress.retries = stats.retries;
    progress.errors = stats.errors;
    options.onProgress?.({ ...progress });
  };
  const limiter = new RateLimiter({
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
    ...(options.pace !== undefined ? { pace: options.pace } : {}),
    ...(options.quotas !== undefined ? { quotas: options.quotas } : {}),
  });
  const caller = new ApiCaller({
    limiter,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.maxThrottleRetries !== undefined ? { maxThrottleRetries: options.maxThrottleRetries } : {}),
    ...(options.throttleBackoffMs !== undefined ? { throttleBackoffMs: options.throttleBackoffMs } : {}),
    ...(options.random !== undefined ? { random: options.random } : {}),
    onCall: (_ctx, stats) => report(stats),
  });

  // Who are we? Proves the credentials before anything else; failure = nothing audited (exit 2).
  let identity: CallerIdentity;
  try {
    identity = await getCallerIdentity({ clients, caller }, home);
  } catch (error) {
    throw (
      credentialError(error, {
        ...(options.profile !== undefined ? { profile: options.profile } : {}),
        env: options.env,
      }) ??
      new LvsInputError(
        `cannot identify the AWS account (sts:GetCallerIdentity in ${home}: ${errorCode(error)}: ${errorMessage(error)})`,
      )
    );
  }
  const partition = identity.partition ?? partitionOf(home);
  const ctx: CollectContext = {
    clients,
    caller,
    errors: [],
    partition,
    homeRegion: home,
    globalRegion: globalRegion(partition),
  };
  const catalog =
    options.iamCatalog !== undefined ? Promise.resolve(options.iamCatalog) : loadIamActionCatalog(['s3']);

  // Account-wide reads that do not depend on functions start now.
  progress.phase = 'functions';
  const bucketNamesRead = listBucketNames(ctx);
  const bucketNameSet = bucketNamesRead.then((names) => new Set(names.status === 'ok' ? names.value : []));
  const accountPublicAccessBlock = collectAccountPublicAccessBlock(ctx, identity.accountId);
  const iam = new IamCollector(ctx, options.iamPlan);
  const kms = new KmsCollector(ctx);
  // Functions whose own reads are under way at once: enough to keep every Lambda quota busy, few
  // enough that 10,000 functions do not each hold pending requests in the token-bucket queues.
  const functionSlots = pLimit(options.functionConcurrency ?? 256);

  // 1. List every region's functions. Each function's own reads (policy, tags, URL), its role and
  //    its key start as soon as its page arrives; a region's network reads once its list is complete.
  const listings = await Promise.all(
    regions.map(async (region) => {
      const details: Array<Promise<LambdaFunction>> = [];
      const listed = await listFunctions(
        ctx,
        region,
        bucketNameSet,
        (fn: ListedFunction) => {
          progress.functionsListed += 1;
          iam.role(fn.role);
          if (fn.kmsKeyArn !== null) void kms.key(fn.kmsKeyArn, region);
          details.push(
            functionSlots(() =>
              collectFunctionDetails(ctx, region, fn, { readTags: options.readTags !== false }),
            ).then((full) => {
              progress.functionsDone += 1;
              report(caller.stats);
              return full;
            }),
          );
        },
        options.functionFilter,
      );
      const network = collectNetwork(ctx, region, listed.status === 'ok' ? listed.value : []);
      return { region, listed, details, network };
    }),
  );

  // 2. Once every role and managed policy is read, the buckets the functions reach are known (role
  //    grants and environment values come from ListFunctions and IAM alone): read them while the
  //    per-function Lambda reads, paced at their own quota, are still going.
  progress.phase = 'iam';
  report(caller.stats);
  const { roles, managedPolicies } = await iam.settled();
  const bucketNames = await bucketNamesRead;
  const head = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    collector: options.collector ?? { name: 'lvs', version: '0.0.0' },
    accountId: identity.accountId,
    partition,
  } as const;
  const none = <T>(): Fetched<T[]> => ok([]);
  const reachDraft: AccountSnapshot = {
    ...head,
    regions: listings.map(({ region, listed }): RegionSnapshot => {
      const functions: Fetched<LambdaFunction[]> =
        listed.status === 'ok'
          ? ok(listed.value.map((fn) => ({ ...fn, tags: {}, resourcePolicy: absent(), urlConfig: absent() })))
          : listed.status === 'error'
            ? listed
            : ok([]);
      return {
        region,
        functions,
        vpcs: none(),
        subnets: none(),
        routeTables: none(),
        vpcEndpoints: none(),
        securityGroups: none(),
        prefixLists: none(),
      };
    }),
    iam: { roles, managedPolicies },
    s3: { bucketNames, buckets: {}, accountPublicAccessBlock: absent() },
    kms: { keys: {} },
    errors: [],
  };
  progress.phase = 'buckets';
  report(caller.stats);
  // A name S3 could never have given a bucket (under 3 characters) is not read nor recorded: the
  // rules report it as a bucket missing from the snapshot.
  const reached = reachedBucketNames(reachDraft, await catalog).filter((name) => name.length >= 3);
  const bucketList = await Promise.all(reached.map((name) => collectBucket(ctx, name, bucketNames)));
  const buckets: Record<string, Bucket> = {};
  for (const bucket of bucketList) buckets[bucket.name] = bucket;

  // 3. Everything else settles.
  const regionSnapshots = await Promise.all(
    listings.map(async ({ region, listed, details, network }): Promise<RegionSnapshot> => {
      const full = await Promise.all(details);
      const functions: Fetched<LambdaFunction[]> =
        listed.status === 'ok' ? ok(full) : listed.status === 'error' ? listed : ok([]);
      return { region, functions, ...(await network) };
    }),
  );
  const snapshot: AccountSnapshot = {
    ...head,
    regions: regionSnapshots,
    iam: { roles, managedPolicies },
    s3: { bucketNames, buckets, accountPublicAccessBlock: await accountPublicAccessBlock },
    kms: { keys: await kms.settled() },
    errors: sortErrors(ctx.errors),
  };
  progress.phase = 'done';
  report(caller.stats);
  return { snapshot: validate(snapshot), identity, stats: caller.stats, iamPlan: iam.plan };
}

/** The union over all functions of the buckets each reaches (role S3 grants, env values). */
export function reachedBucketNames(draft: AccountSnapshot, catalog: IamActionCatalog): string[] {
  const index = new AuditIndex(draft, catalog);
  const names = new Set<string>();
  for (const entry of index.functions) {
    for (const bucket of index.bucketsReached(entry).buckets) names.add(bucket.name);
  }
  return [...names].sort();
}

function sortErrors(errors: readonly ApiError[]): ApiError[] {
  const key = (e: ApiError) =>
    [e.service, e.region ?? '', e.operation, e.resource ?? '', e.code].join('\u0000');
  return [...errors].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The collector must produce what the loader accepts; a failure here is a bug in lvs, reported with its path. */
function validate(snapshot: AccountSnapshot): AccountSnapshot {
  const parsed = accountSnapshotSchema.safeParse(snapshot);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(
    `collected snapshot is invalid at ${toJsonPath(issue?.path ?? [])}: ${issue?.message ?? 'unknown problem'}`,
  );
}
