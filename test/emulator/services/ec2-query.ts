import type { Fetched } from '../../../src/snapshot/fetched.js';
import { answer } from '../state.js';
import { AwsError } from '../types.js';
import { invalidValue, type Ec2Params } from './ec2-wire.js';

/** What every EC2 Describe* shares: ID lists, filters, MaxResults/NextToken pages. */

/** EC2's limit on filter values in one request (lvs chunks its ID filters to it). */
export const FILTER_VALUES_MAX = 200;

/** A resource's values for one filter name; the resource matches when any of them matches. */
export type FilterFields<T> = Readonly<Record<string, (item: T) => ReadonlyArray<string | undefined>>>;

/** The list a read answers from: a recorded read error is answered again as that error. */
export function listOf<T>(fetched: Fetched<T[]>): T[] {
  // EC2 lists are never "absent" (an empty list is []), so absent can only be a broken state.
  return answer(fetched, () => new AwsError('InternalError', 500, 'EC2 lists are never absent'));
}

/** EC2 filter values: `*` any run, `?` one character, `\` escapes; otherwise exact and case-sensitive. */
function wildcard(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern.charAt(i);
    if (c === '\\' && i + 1 < pattern.length) {
      i += 1;
      source += pattern.charAt(i).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/**
 * The items every `Filter.N` matches (filters AND, values OR). A filter name the operation does not
 * know is rejected as AWS rejects it; tag filters are known but match nothing, since the snapshot
 * holds no tags.
 */
export function applyFilters<T>(items: readonly T[], params: Ec2Params, fields: FilterFields<T>): T[] {
  const filters = params
    .structs('Filter')
    .map((f) => ({ name: f.required('Name'), values: f.strings('Value') }));
  const count = filters.reduce((n, f) => n + f.values.length, 0);
  if (count > FILTER_VALUES_MAX) {
    throw new AwsError(
      'FilterLimitExceeded',
      400,
      `The maximum number of filter values specified on a single call is ${FILTER_VALUES_MAX}`,
    );
  }
  const matchers = filters.map(({ name, values }) => {
    const isTag = name.startsWith('tag:') || name === 'tag-key' || name === 'tag-value';
    const field = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (field === undefined && !isTag) {
      throw new AwsError('InvalidParameterValue', 400, `The filter '${name}' is invalid`);
    }
    if (values.length === 0) {
      throw new AwsError('InvalidParameterValue', 400, `The filter '${name}' has no values`);
    }
    const patterns = values.map(wildcard);
    return (item: T) =>
      field !== undefined && field(item).some((v) => v !== undefined && patterns.some((p) => p.test(v)));
  });
  return items.filter((item) => matchers.every((m) => m(item)));
}

/**
 * The items an ID list (`VpcId.N`…) names, in the account's order. Unlike a filter, an unknown ID
 * fails the whole request: `notFound` gets every missing ID.
 */
export function selectByIds<T>(
  items: readonly T[],
  ids: readonly string[],
  idOf: (item: T) => string,
  notFound: (missing: string[]) => AwsError,
): readonly T[] {
  if (ids.length === 0) return items;
  const wanted = new Set(ids);
  const missing = [...wanted].filter((id) => !items.some((item) => idOf(item) === id));
  if (missing.length > 0) throw notFound(missing);
  return items.filter((item) => wanted.has(idOf(item)));
}

/** "The vpc ID 'vpc-1' does not exist" / "The vpc IDs 'vpc-1, vpc-2' do not exist", as EC2 words it. */
export function notFoundError(code: string, noun: string) {
  return (missing: string[]) =>
    new AwsError(
      code,
      400,
      missing.length === 1
        ? `The ${noun} ID '${missing[0] ?? ''}' does not exist`
        : `The ${noun} IDs '${missing.join(', ')}' do not exist`,
    );
}

export interface PageLimits {
  /** Smallest MaxResults accepted. */
  min: number;
  /** Largest MaxResults accepted (or, with `clamp`, the most returned whatever is asked). */
  max: number;
  /** True where EC2 answers a larger MaxResults with `max` items instead of an error (DescribeVpcEndpoints). */
  clamp?: boolean;
  /** Page size without MaxResults; everything when undefined. */
  defaultSize?: number;
}

interface Token {
  scope: string;
  offset: number;
}

function decodeToken(token: string, scope: string): number {
  let parsed: Partial<Token> | undefined;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Token>;
  } catch {
    parsed = undefined;
  }
  if (parsed?.scope !== scope || typeof parsed.offset !== 'number' || !Number.isInteger(parsed.offset)) {
    throw new AwsError(
      'InvalidParameterValue',
      400,
      `Value ( ${token} ) for parameter NextToken is invalid. The token is invalid.`,
    );
  }
  return parsed.offset;
}

/**
 * One page of `items` per MaxResults/NextToken. Tokens are opaque to the client and bound to the
 * operation that issued them, as EC2's are; a token from another operation is invalid.
 */
export function paginate<T>(
  items: readonly T[],
  params: Ec2Params,
  scope: string,
  limits: PageLimits,
): { page: T[]; nextToken: string | undefined } {
  const asked = params.integer('MaxResults');
  if (asked !== undefined && (asked < limits.min || (!limits.clamp && asked > limits.max))) {
    throw invalidValue(
      'MaxResults',
      String(asked),
      `Parameter must be between ${limits.min} and ${limits.max}.`,
    );
  }
  const size = asked !== undefined ? Math.min(asked, limits.max) : (limits.defaultSize ?? items.length);
  const token = params.string('NextToken');
  const offset = token === undefined || token === '' ? 0 : decodeToken(token, scope);
  if (offset > items.length) {
    throw new AwsError(
      'InvalidParameterValue',
      400,
      `Value ( ${token ?? ''} ) for parameter NextToken is invalid.`,
    );
  }
  const end = offset + Math.max(size, 0);
  const nextToken =
    end < items.length
      ? Buffer.from(JSON.stringify({ scope, offset: end } satisfies Token)).toString('base64url')
      : undefined;
  return { page: items.slice(offset, end), nextToken };
}
