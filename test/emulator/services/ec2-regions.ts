import { AwsError, type EmulatorResponse, type EmulatorState } from '../types.js';
import { applyFilters } from './ec2-query.js';
import { ec2Response, type Ec2Params } from './ec2-wire.js';

/**
 * ec2:DescribeRegions. The account has every region of its partition: those enabled by default,
 * plus the opt-in regions, which count as opted in when the snapshot holds them and as not opted in
 * otherwise (listed only with AllRegions=true, as AWS does).
 */

const ENABLED_BY_DEFAULT: Readonly<Record<string, readonly string[]>> = {
  aws: [
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ap-south-1',
    'ap-southeast-1',
    'ap-southeast-2',
    'ca-central-1',
    'eu-central-1',
    'eu-north-1',
    'eu-west-1',
    'eu-west-2',
    'eu-west-3',
    'sa-east-1',
    'us-east-1',
    'us-east-2',
    'us-west-1',
    'us-west-2',
  ],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
};

const OPT_IN: Readonly<Record<string, readonly string[]>> = {
  aws: [
    'af-south-1',
    'ap-east-1',
    'ap-south-2',
    'ap-southeast-3',
    'ap-southeast-4',
    'ap-southeast-5',
    'ap-southeast-7',
    'ca-west-1',
    'eu-central-2',
    'eu-south-1',
    'eu-south-2',
    'il-central-1',
    'me-central-1',
    'me-south-1',
    'mx-central-1',
  ],
  'aws-cn': [],
  'aws-us-gov': [],
};

interface RegionInfo {
  regionName: string;
  regionEndpoint: string;
  optInStatus: 'opt-in-not-required' | 'opted-in' | 'not-opted-in';
}

export function accountRegions(state: EmulatorState): RegionInfo[] {
  const partition = state.snapshot.partition;
  const dns = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  const inSnapshot = new Set(state.snapshot.regions.map((r) => r.region));
  const byDefault = ENABLED_BY_DEFAULT[partition] ?? [];
  const optIn = new Set([
    ...(OPT_IN[partition] ?? []),
    ...[...inSnapshot].filter((r) => !byDefault.includes(r)),
  ]);
  const info = (regionName: string, optInStatus: RegionInfo['optInStatus']): RegionInfo => ({
    regionName,
    regionEndpoint: `ec2.${regionName}.${dns}`,
    optInStatus,
  });
  return [
    ...byDefault.map((r) => info(r, 'opt-in-not-required')),
    ...[...optIn].map((r) => info(r, inSnapshot.has(r) ? 'opted-in' : 'not-opted-in')),
  ].sort((a, b) => a.regionName.localeCompare(b.regionName));
}

export function describeRegions(params: Ec2Params, state: EmulatorState): EmulatorResponse {
  const all = accountRegions(state);
  const names = params.strings('RegionName');
  let chosen: RegionInfo[];
  if (names.length > 0) {
    const unknown = names.filter((n) => !all.some((r) => r.regionName === n));
    if (unknown.length > 0)
      throw new AwsError('InvalidParameterValue', 400, `Invalid region(s): ${unknown.join(', ')}`);
    chosen = all.filter((r) => names.includes(r.regionName));
  } else {
    chosen =
      params.boolean('AllRegions') === true ? all : all.filter((r) => r.optInStatus !== 'not-opted-in');
  }
  const matched = applyFilters(chosen, params, {
    'region-name': (r) => [r.regionName],
    endpoint: (r) => [r.regionEndpoint],
    'opt-in-status': (r) => [r.optInStatus],
  });
  return ec2Response('DescribeRegions', { regionInfo: matched.map((r) => ({ ...r })) });
}
