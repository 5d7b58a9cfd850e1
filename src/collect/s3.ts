import {
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  type ListBucketsCommandOutput,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { failed, ok, type ApiError, type Fetched } from '../snapshot/fetched.js';
import type { Bucket, PublicAccessBlock } from '../snapshot/schema.js';
import type { CollectContext } from './context.js';
import {
  normalizeAccountPublicAccessBlock,
  normalizeBucketEncryption,
  normalizeBucketNames,
  normalizeBucketPolicy,
  normalizeBucketPublicAccessBlock,
  normalizeBucketRegion,
} from './normalize/s3.js';

/** ListBuckets' largest page (MaxBuckets accepts 1-10,000). */
const LIST_BUCKETS_PAGE = 10_000;

/** S3's answers meaning "this bucket has none" (absent), per setting. */
export const ABSENT = {
  policy: ['NoSuchBucketPolicy'],
  encryption: ['ServerSideEncryptionConfigurationNotFoundError'],
  publicAccessBlock: ['NoSuchPublicAccessBlockConfiguration'],
} as const;

/**
 * s3:ListBuckets, every page: the account's bucket names (wildcard expansion, env-value matching).
 * MaxBuckets is always sent: S3 pages (returns a ContinuationToken) only when it is, and accounts
 * whose bucket quota was raised above 10,000 must page.
 */
export async function listBucketNames(ctx: CollectContext): Promise<Fetched<string[]>> {
  const s3 = ctx.clients.s3(ctx.homeRegion);
  const pages: ListBucketsCommandOutput[] = [];
  let token: string | undefined;
  const seen = new Set<string>();
  do {
    const current = token;
    const page = await ctx.caller.fetch(
      { service: 's3', operation: 'ListBuckets', region: ctx.homeRegion },
      () =>
        s3.send(
          new ListBucketsCommand({
            MaxBuckets: LIST_BUCKETS_PAGE,
            ...(current !== undefined ? { ContinuationToken: current } : {}),
          }),
        ),
      (output) => output,
      { errors: ctx.errors, priority: 'high' },
    );
    if (page.status !== 'ok') return page.status === 'error' ? failed(page.error) : ok([]);
    pages.push(page.value);
    token = page.value.ContinuationToken || undefined;
    if (token !== undefined && seen.has(token)) break;
    if (token !== undefined) seen.add(token);
  } while (token !== undefined);
  return ok(normalizeBucketNames(pages));
}

/** Settings of a bucket that is not the audited account's: not read (SPEC 2.2), and not an error of the collection. */
function notInAccount<T>(name: string): Fetched<T> {
  const error: ApiError = {
    service: 's3',
    operation: 'ListBuckets',
    resource: name,
    code: 'NotInAuditedAccount',
    message: "the bucket is not one of the audited account's (s3:ListBuckets), so its settings were not read",
  };
  return failed(error);
}

/**
 * One reached bucket, read once: GetBucketLocation first, then its policy, default encryption and
 * Block Public Access through a client of the bucket's own region (a bucket in another region is
 * read there, not through a redirect). Buckets not in ListBuckets are another account's: recorded
 * with ownedByAccount false and not read. When ListBuckets itself failed, ownership is unknown and
 * the bucket is read (a foreign bucket then answers AccessDenied, which is recorded).
 */
export async function collectBucket(
  ctx: CollectContext,
  name: string,
  accountBuckets: Fetched<string[]>,
): Promise<Bucket> {
  if (accountBuckets.status === 'ok' && !accountBuckets.value.includes(name)) {
    return {
      name,
      ownedByAccount: false,
      region: notInAccount(name),
      policy: notInAccount(name),
      encryption: notInAccount(name),
      publicAccessBlock: notInAccount(name),
    };
  }
  const home = ctx.clients.s3(ctx.homeRegion);
  const resource = `arn:${ctx.partition}:s3:::${name}`;
  const region = await ctx.caller.fetch(
    { service: 's3', operation: 'GetBucketLocation', region: ctx.homeRegion, resource },
    () => home.send(new GetBucketLocationCommand({ Bucket: name })),
    normalizeBucketRegion,
    { errors: ctx.errors },
  );
  const where = region.status === 'ok' ? region.value : ctx.homeRegion;
  const s3 = ctx.clients.s3(where);
  const at = (operation: string) => ({ service: 's3', operation, region: where, resource });
  const [policy, encryption, publicAccessBlock] = await Promise.all([
    ctx.caller.fetch(
      at('GetBucketPolicy'),
      () => s3.send(new GetBucketPolicyCommand({ Bucket: name })),
      normalizeBucketPolicy,
      {
        absentCodes: ABSENT.policy,
        errors: ctx.errors,
      },
    ),
    ctx.caller.fetch(
      at('GetBucketEncryption'),
      () => s3.send(new GetBucketEncryptionCommand({ Bucket: name })),
      normalizeBucketEncryption,
      {
        absentCodes: ABSENT.encryption,
        errors: ctx.errors,
      },
    ),
    ctx.caller.fetch(
      at('GetPublicAccessBlock'),
      () => s3.send(new GetPublicAccessBlockCommand({ Bucket: name })),
      normalizeBucketPublicAccessBlock,
      { absentCodes: ABSENT.publicAccessBlock, errors: ctx.errors },
    ),
  ]);
  return { name, ownedByAccount: true, region, policy, encryption, publicAccessBlock };
}

/** s3control:GetPublicAccessBlock for the account (each flag also protects every bucket). */
export function collectAccountPublicAccessBlock(
  ctx: CollectContext,
  accountId: string,
): Promise<Fetched<PublicAccessBlock>> {
  const client = ctx.clients.s3control(ctx.homeRegion);
  return ctx.caller.fetch(
    {
      service: 's3control',
      operation: 'GetPublicAccessBlock',
      region: ctx.homeRegion,
      resource: `arn:${ctx.partition}:s3:${ctx.homeRegion}:${accountId}:account`,
    },
    () => client.send(new GetAccountPublicAccessBlockCommand({ AccountId: accountId })),
    normalizeAccountPublicAccessBlock,
    { absentCodes: ABSENT.publicAccessBlock, errors: ctx.errors },
  );
}
