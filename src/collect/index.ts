/**
 * Live collection (SPEC 3, 4): what the CLI calls. Everything here is read-only by construction
 * (read-only-guard.ts on every client) and never touches `process`: the CLI passes env, profile,
 * endpoint and regions in, and shows progress from `onProgress` (on stderr, when it is a TTY and CI
 * is unset).
 */
export {
  collectAccount,
  collectAccountWithStats,
  reachedBucketNames,
  type CollectOptions,
  type CollectPhase,
  type CollectProgress,
  type CollectResult,
} from './collect-account.js';
export {
  defaultRegion,
  enabledRegions,
  REGION_PATTERN,
  resolveRegions,
  type RegionOptions,
} from './regions.js';
export {
  createAwsClients,
  globalRegion,
  partitionOf,
  s3UsesCustomEndpoint,
  type AwsClients,
  type ClientOptions,
  type Env,
} from './clients.js';
export { credentialError } from './credentials.js';
export {
  OPERATION_ACTIONS,
  permissionsPolicy,
  permissionsPolicyJson,
  requiredActions,
} from './permissions.js';
export { isReadOnlyOperation, ReadOnlyViolationError } from './read-only-guard.js';
export { QUOTAS, type Quota } from './rate-limit.js';
export {
  accountDetailsCalls,
  choosePlan,
  perRoleCalls,
  type AccountSummaryCounts,
  type IamPlan,
  type IamPlanOption,
  type IamPlanReport,
} from './iam.js';
export type { CallStats } from './call.js';
export type { CallerIdentity } from './sts.js';
export type { FunctionFilter } from './lambda.js';
