import { createHash } from 'node:crypto';
import type { Bucket, BucketEncryption } from '../../../src/snapshot/schema.js';
import { answer } from '../state.js';
import {
  AwsError,
  notImplemented,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorState,
  type ServiceModule,
} from '../types.js';
import { escapeXml, xmlDocument, xmlResponse } from '../wire.js';
import { checkBucketPolicy } from './s3-policy.js';
import {
  malformedXml,
  parsePublicAccessBlock,
  publicAccessBlockXml,
  S3_XMLNS,
  s3ErrorResponse,
  verifyChecksum,
  xmlBoolean,
  xmlChild,
  xmlChildren,
  xmlRoot,
} from './s3-xml.js';

/**
 * S3's REST-XML API, path-style (`/{bucket}?policy`) as SDKs address a custom endpoint. A bucket
 * subresource in the query string names the operation. Buckets are the snapshot's: those in
 * `s3.buckets` with their settings, those only in `s3.bucketNames` with none known (absent), and a
 * bucket recorded as another account's answers AccessDenied, as S3 answers a stranger.
 */

/** Bucket subresource -> the operation name after Get/Put/Delete ("Bucket" + this, or itself). */
const SUBRESOURCES: Record<string, string> = {
  policy: 'BucketPolicy',
  encryption: 'BucketEncryption',
  publicAccessBlock: 'PublicAccessBlock',
  acl: 'BucketAcl',
  versioning: 'BucketVersioning',
  tagging: 'BucketTagging',
  ownershipControls: 'BucketOwnershipControls',
  policyStatus: 'BucketPolicyStatus',
  lifecycle: 'BucketLifecycleConfiguration',
  logging: 'BucketLogging',
  cors: 'BucketCors',
  website: 'BucketWebsite',
  notification: 'BucketNotificationConfiguration',
  replication: 'BucketReplication',
  accelerate: 'BucketAccelerateConfiguration',
  requestPayment: 'BucketRequestPayment',
  'object-lock': 'ObjectLockConfiguration',
};
const VERBS: Record<string, string> = { GET: 'Get', PUT: 'Put', DELETE: 'Delete' };
const OBJECT_OPERATIONS: Record<string, string> = {
  GET: 'GetObject',
  PUT: 'PutObject',
  HEAD: 'HeadObject',
  DELETE: 'DeleteObject',
};
const BUCKET_OPERATIONS: Record<string, string> = {
  HEAD: 'HeadBucket',
  PUT: 'CreateBucket',
  DELETE: 'DeleteBucket',
  POST: 'DeleteObjects',
};

/** `/{bucket}/{key}` -> the bucket name and the key (empty for bucket operations). */
function pathOf(req: EmulatorRequest): { bucket: string; key: string } {
  const [, bucket = '', ...key] = req.rawPath.split('/');
  return { bucket: decodeURIComponent(bucket), key: key.join('/') };
}

function operationOf(req: EmulatorRequest): string | undefined {
  const { bucket, key } = pathOf(req);
  if (bucket === '') return req.method === 'GET' ? 'ListBuckets' : undefined;
  if (key !== '') return OBJECT_OPERATIONS[req.method];
  if (req.query.has('location')) return req.method === 'GET' ? 'GetBucketLocation' : undefined;
  const sub = Object.keys(SUBRESOURCES).find((name) => req.query.has(name));
  if (sub !== undefined) {
    const verb = VERBS[req.method];
    return verb === undefined ? undefined : `${verb}${SUBRESOURCES[sub]}`;
  }
  if (req.method === 'GET') return req.query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
  return BUCKET_OPERATIONS[req.method];
}

const noSuchBucket = (name: string) =>
  new AwsError('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: name });
const accessDenied = () => new AwsError('AccessDenied', 403, 'Access Denied');

/** Region of a bucket whose GetBucketLocation the snapshot does not hold: the account's first region. */
const defaultRegion = (state: EmulatorState) => state.snapshot.regions[0]?.region ?? 'us-east-1';

/**
 * The bucket a request names: its snapshot entry, or undefined for an account bucket whose settings
 * the snapshot does not know.
 */
function bucketOf(state: EmulatorState, name: string): Bucket | undefined {
  const bucket = state.snapshot.s3.buckets[name];
  if (bucket !== undefined) {
    if (!bucket.ownedByAccount) throw accessDenied();
    return bucket;
  }
  const names = state.snapshot.s3.bucketNames;
  if (names.status === 'ok' && names.value.includes(name)) return undefined;
  throw noSuchBucket(name);
}

/** The bucket's entry for a write: an account bucket without one gets one (settings absent) first. */
function bucketForWrite(state: EmulatorState, name: string): Bucket {
  const known = bucketOf(state, name);
  if (known !== undefined) return known;
  const created: Bucket = {
    name,
    ownedByAccount: true,
    region: { status: 'ok', value: defaultRegion(state) },
    policy: { status: 'absent' },
    encryption: { status: 'absent' },
    publicAccessBlock: { status: 'absent' },
  };
  state.snapshot.s3.buckets[name] = created;
  return created;
}

function regionOfBucket(state: EmulatorState, bucket: Bucket | undefined): string {
  return bucket === undefined ? defaultRegion(state) : answer(bucket.region, () => accessDenied());
}

const xml = (body: string, headers: Record<string, string> = {}) =>
  xmlResponse(200, body, { 'content-type': 'application/xml', ...headers });
const noContent = (): EmulatorResponse => ({ status: 204, headers: {}, body: '' });

/** Canonical user ID of the account, stable per account as S3's is. */
const canonicalId = (accountId: string) =>
  createHash('sha256').update(`canonical:${accountId}`).digest('hex');

const encodeToken = (after: string) => Buffer.from(JSON.stringify({ after })).toString('base64');
function decodeToken(token: string): string {
  try {
    const { after } = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown };
    if (typeof after === 'string') return after;
  } catch {
    // answered below
  }
  throw new AwsError('InvalidArgument', 400, 'The continuation token provided is incorrect');
}

/**
 * ListBuckets. Without max-buckets S3 answers every bucket at once (accounts under the default
 * quota); with it, pages in name order joined by an opaque continuation token.
 */
function listBuckets(req: EmulatorRequest, state: EmulatorState): EmulatorResponse {
  const names = state.snapshot.s3.bucketNames;
  const all = names.status === 'absent' ? [] : answer(names, () => accessDenied());
  const prefix = req.query.get('prefix');
  const region = req.query.get('bucket-region');
  const rawMax = req.query.get('max-buckets');
  const token = req.query.get('continuation-token');
  const max = rawMax === null ? 10000 : Number(rawMax);
  if (!Number.isInteger(max) || max < 1 || max > 10000) {
    throw new AwsError('InvalidArgument', 400, 'Argument max-buckets must be an integer between 1 and 10000');
  }
  const after = token === null ? undefined : decodeToken(token);
  const regionOfName = (name: string) => {
    const region = state.snapshot.s3.buckets[name]?.region;
    return region?.status === 'ok' ? region.value : defaultRegion(state);
  };
  const matching = [...all]
    .sort()
    .filter((name) => prefix === null || name.startsWith(prefix))
    .filter((name) => region === null || regionOfName(name) === region)
    .filter((name) => after === undefined || name > after);
  const page = matching.slice(0, max);
  const more = matching.length > page.length;
  const created = new Date(state.snapshot.generatedAt).toISOString();
  return xml(
    xmlDocument(
      'ListAllMyBucketsResult',
      S3_XMLNS,
      {
        Owner: { ID: canonicalId(state.snapshot.accountId) },
        Buckets: page.map((name) => ({
          Name: name,
          CreationDate: created,
          BucketRegion: regionOfName(name),
        })),
        ContinuationToken: more ? encodeToken(page[page.length - 1] ?? '') : undefined,
        Prefix: prefix ?? undefined,
      },
      'Bucket',
    ),
  );
}

function encryptionXml(encryption: BucketEncryption): string {
  return xmlDocument(
    'ServerSideEncryptionConfiguration',
    S3_XMLNS,
    {
      Rule: encryption.rules.map((rule) => ({
        ApplyServerSideEncryptionByDefault: {
          SSEAlgorithm: rule.sseAlgorithm,
          KMSMasterKeyID: rule.kmsMasterKeyId ?? undefined,
        },
        BucketKeyEnabled: rule.bucketKeyEnabled,
      })),
    },
    null,
  );
}

const SSE_ALGORITHMS = new Set(['AES256', 'aws:kms', 'aws:kms:dsse']);

/** A PutBucketEncryption body: flattened <Rule> elements, each with its default encryption. */
function parseEncryption(body: string): BucketEncryption {
  const root = xmlRoot(body, 'ServerSideEncryptionConfiguration');
  const rules = xmlChildren(root, 'Rule').map((rule) => {
    const [byDefault] = xmlChildren(rule, 'ApplyServerSideEncryptionByDefault');
    const sseAlgorithm = byDefault === undefined ? undefined : xmlChild(byDefault, 'SSEAlgorithm');
    if (byDefault === undefined || sseAlgorithm === undefined || !SSE_ALGORITHMS.has(sseAlgorithm)) {
      throw malformedXml();
    }
    const kmsMasterKeyId = xmlChild(byDefault, 'KMSMasterKeyID') ?? null;
    if (kmsMasterKeyId !== null && sseAlgorithm === 'AES256') {
      throw new AwsError(
        'InvalidArgument',
        400,
        'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
      );
    }
    return { sseAlgorithm, kmsMasterKeyId, bucketKeyEnabled: xmlBoolean(rule, 'BucketKeyEnabled') };
  });
  if (rules.length === 0) throw malformedXml();
  return { rules };
}

const noPolicy = (name: string) =>
  new AwsError('NoSuchBucketPolicy', 404, 'The bucket policy does not exist', { BucketName: name });
const noEncryption = (name: string) =>
  new AwsError(
    'ServerSideEncryptionConfigurationNotFoundError',
    404,
    'The server side encryption configuration was not found',
    { BucketName: name },
  );
const noPublicAccessBlock = (name: string) =>
  new AwsError(
    'NoSuchPublicAccessBlockConfiguration',
    404,
    'The public access block configuration was not found',
    {
      BucketName: name,
    },
  );

/** Block Public Access refuses a public policy when the bucket's or the account's BlockPublicPolicy is on. */
function blocksPublicPolicy(state: EmulatorState, bucket: Bucket): boolean {
  const own = bucket.publicAccessBlock;
  const account = state.snapshot.s3.accountPublicAccessBlock;
  return (
    (own.status === 'ok' && own.value.blockPublicPolicy) ||
    (account.status === 'ok' && account.value.blockPublicPolicy)
  );
}

function handle(operation: string, req: EmulatorRequest, state: EmulatorState): EmulatorResponse {
  const { bucket: name } = pathOf(req);
  switch (operation) {
    case 'ListBuckets':
      return listBuckets(req, state);
    case 'HeadBucket':
      return {
        status: 200,
        headers: { 'x-amz-bucket-region': regionOfBucket(state, bucketOf(state, name)) },
        body: '',
      };
    case 'GetBucketLocation': {
      const region = regionOfBucket(state, bucketOf(state, name));
      // Buckets of us-east-1 answer an empty constraint (S3 API reference, GetBucketLocation).
      const constraint = region === 'us-east-1' ? '/>' : `>${escapeXml(region)}</LocationConstraint>`;
      return xml(
        `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_XMLNS}"${constraint}`,
      );
    }
    case 'GetBucketPolicy': {
      const bucket = bucketOf(state, name);
      if (bucket === undefined) throw noPolicy(name);
      // The policy is the body itself, the JSON text as stored, not an XML document.
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: answer(bucket.policy, () => noPolicy(name)),
      };
    }
    case 'PutBucketPolicy': {
      const bucket = bucketForWrite(state, name);
      verifyChecksum(req, true);
      const { isPublic } = checkBucketPolicy(req.body, name, state.snapshot.partition);
      if (isPublic && blocksPublicPolicy(state, bucket)) {
        throw new AwsError(
          'AccessDenied',
          403,
          'User is not authorized to perform: s3:PutBucketPolicy because public policies are blocked by the BlockPublicPolicy block public access setting.',
        );
      }
      bucket.policy = { status: 'ok', value: req.body };
      return noContent();
    }
    case 'DeleteBucketPolicy':
      bucketForWrite(state, name).policy = { status: 'absent' };
      return noContent();
    case 'GetBucketEncryption': {
      const bucket = bucketOf(state, name);
      if (bucket === undefined) throw noEncryption(name);
      return xml(encryptionXml(answer(bucket.encryption, () => noEncryption(name))));
    }
    case 'PutBucketEncryption': {
      const bucket = bucketForWrite(state, name);
      verifyChecksum(req, true);
      bucket.encryption = { status: 'ok', value: parseEncryption(req.body) };
      return { status: 200, headers: {}, body: '' };
    }
    case 'DeleteBucketEncryption':
      bucketForWrite(state, name).encryption = { status: 'absent' };
      return noContent();
    case 'GetPublicAccessBlock': {
      const bucket = bucketOf(state, name);
      if (bucket === undefined) throw noPublicAccessBlock(name);
      return xml(
        publicAccessBlockXml(
          answer(bucket.publicAccessBlock, () => noPublicAccessBlock(name)),
          S3_XMLNS,
        ),
      );
    }
    case 'PutPublicAccessBlock': {
      const bucket = bucketForWrite(state, name);
      verifyChecksum(req, true);
      bucket.publicAccessBlock = { status: 'ok', value: parsePublicAccessBlock(req.body) };
      return { status: 200, headers: {}, body: '' };
    }
    case 'DeletePublicAccessBlock':
      bucketForWrite(state, name).publicAccessBlock = { status: 'absent' };
      return noContent();
    default:
      throw notImplemented('s3', operation);
  }
}

export const s3Service: ServiceModule = {
  operationOf,
  handle,
  errorResponse: s3ErrorResponse,
};
