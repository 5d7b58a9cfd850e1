import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { STSClient } from '@aws-sdk/client-sts';
import { LvsInputError } from '../core/errors.js';
import { ApiCaller, errorCode, errorMessage } from './call.js';
import type { AwsClients, Env } from './clients.js';
import { credentialError } from './credentials.js';
import { RateLimiter } from './rate-limit.js';

/** us-east-1, eu-west-1, us-gov-west-1, cn-north-1, ap-southeast-5… */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** The region the SDK would use for a profile: its `region` in ~/.aws/config (and AWS_REGION, read by the SDK). */
export async function sdkProfileRegion(profile: string | undefined): Promise<string | undefined> {
  const client = new STSClient(profile !== undefined ? { profile } : {});
  try {
    const region = await client.config.region();
    return region === '' ? undefined : region;
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

export interface RegionOptions {
  /** --region values, in order; "all" means every enabled region. */
  regions?: readonly string[];
  /** --all-regions. */
  allRegions?: boolean;
  profile?: string;
  env: Env;
  /** Used for ec2:DescribeRegions when every enabled region is asked for. */
  clients?: AwsClients;
  /** Resolves a profile's configured region (default: the SDK's own config loader). */
  profileRegion?: (profile: string | undefined) => Promise<string | undefined>;
}

/** Region of last resort: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region. */
export async function defaultRegion(
  options: Pick<RegionOptions, 'profile' | 'env' | 'profileRegion'>,
): Promise<string | undefined> {
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const) {
    const value = options.env[name]?.trim();
    if (value !== undefined && value !== '') return value;
  }
  return (options.profileRegion ?? sdkProfileRegion)(options.profile);
}

/**
 * The account's enabled regions (ec2:DescribeRegions answers only those unless AllRegions is set;
 * opt-in regions that are not opted in are dropped in any case), sorted.
 */
export async function enabledRegions(
  clients: AwsClients,
  bootstrapRegion: string,
  caller?: ApiCaller,
): Promise<string[]> {
  const ec2 = clients.ec2(bootstrapRegion);
  const run = caller ?? new ApiCaller({ limiter: new RateLimiter() });
  const output = await run.send(
    { service: 'ec2', operation: 'DescribeRegions', region: bootstrapRegion },
    () => ec2.send(new DescribeRegionsCommand({ AllRegions: false })),
  );
  const names = (output.Regions ?? [])
    .filter(
      (r) =>
        r.OptInStatus === undefined ||
        r.OptInStatus === 'opt-in-not-required' ||
        r.OptInStatus === 'opted-in',
    )
    .map((r) => r.RegionName)
    .filter((name): name is string => typeof name === 'string' && REGION_PATTERN.test(name));
  return [...new Set(names)].sort();
}

/**
 * SPEC 3 region rules: the --region values (repeatable, de-duplicated, in the order given); with
 * --all-regions (or --region all) the account's enabled regions; otherwise AWS_REGION /
 * AWS_DEFAULT_REGION / the profile's region. No region at all is an input error (exit 2).
 */
export async function resolveRegions(options: RegionOptions): Promise<string[]> {
  const given = [...new Set((options.regions ?? []).map((r) => r.trim()).filter((r) => r !== ''))];
  const all = options.allRegions === true || given.includes('all');
  const explicit = given.filter((r) => r !== 'all');
  for (const region of explicit) {
    if (!REGION_PATTERN.test(region)) {
      throw new LvsInputError(`"${region}" is not an AWS region name (e.g. eu-west-1)`, { flag: '--region' });
    }
  }
  if (!all) {
    if (explicit.length > 0) return explicit;
    const fallback = await defaultRegion(options);
    if (fallback === undefined || !REGION_PATTERN.test(fallback)) {
      const where = options.profile ?? options.env.AWS_PROFILE;
      throw new LvsInputError(
        `no AWS region: pass --region (repeatable) or --all-regions, set AWS_REGION, or set a region in ${where ? `profile "${where}"` : 'your AWS profile'} ("aws configure set region eu-west-1${where ? ` --profile ${where}` : ''}")`,
      );
    }
    return [fallback];
  }
  if (options.clients === undefined) throw new Error('resolveRegions: --all-regions needs AWS clients');
  const bootstrap = explicit[0] ?? (await defaultRegion(options)) ?? 'us-east-1';
  try {
    return await enabledRegions(options.clients, bootstrap);
  } catch (error) {
    throw (
      credentialError(error, options) ??
      new LvsInputError(
        `cannot list the account's enabled regions (ec2:DescribeRegions in ${bootstrap}: ${errorCode(error)}: ${errorMessage(error)})`,
        {
          flag: '--all-regions',
        },
      )
    );
  }
}
