import { createHash, randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import type { PublicAccessBlock } from '../../../src/snapshot/schema.js';
import { AwsError, type EmulatorRequest, type EmulatorResponse } from '../types.js';
import { escapeXml, xmlElement, xmlResponse } from '../wire.js';

/**
 * What S3 and S3 Control share: their XML request bodies (fixed, shallow shapes, read with a small
 * tag reader), the Block Public Access document, body checksums, and the <Error> document.
 */

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const UNESCAPES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return UNESCAPES[entity] ?? '';
  });
}

export function malformedXml(): AwsError {
  return new AwsError(
    'MalformedXML',
    400,
    'The XML you provided was not well-formed or did not validate against our published schema',
  );
}

/** Inner XML of every `<tag>` element (also `<tag/>` and prefixed or attributed forms); the shapes read here do not nest a tag in itself. */
export function xmlChildren(xml: string, tag: string): string[] {
  const pattern = new RegExp(
    `<(?:[\\w-]+:)?${tag}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</(?:[\\w-]+:)?${tag}>)`,
    'g',
  );
  return [...xml.matchAll(pattern)].map((m) => m[1] ?? '');
}

export function xmlChild(xml: string, tag: string): string | undefined {
  const [first] = xmlChildren(xml, tag);
  return first === undefined ? undefined : unescapeXml(first.trim());
}

/** The document's root element must be `root`; otherwise S3 answers MalformedXML. */
export function xmlRoot(body: string, root: string): string {
  const inner = xmlChildren(body.replace(/^\s*<\?xml[^>]*\?>/, ''), root);
  if (inner.length !== 1) throw malformedXml();
  return inner[0] ?? '';
}

export function xmlBoolean(xml: string, tag: string): boolean {
  const value = xmlChild(xml, tag);
  if (value === undefined) return false;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw malformedXml();
}

const FLAGS = [
  ['BlockPublicAcls', 'blockPublicAcls'],
  ['IgnorePublicAcls', 'ignorePublicAcls'],
  ['BlockPublicPolicy', 'blockPublicPolicy'],
  ['RestrictPublicBuckets', 'restrictPublicBuckets'],
] as const;

/** A PutPublicAccessBlock body (S3 or S3 Control): a flag left out is off. */
export function parsePublicAccessBlock(body: string): PublicAccessBlock {
  const inner = xmlRoot(body, 'PublicAccessBlockConfiguration');
  const read = Object.fromEntries(FLAGS.map(([tag, key]) => [key, xmlBoolean(inner, tag)]));
  return read as unknown as PublicAccessBlock;
}

export function publicAccessBlockXml(pab: PublicAccessBlock, xmlns: string): string {
  const flags = FLAGS.map(([tag, key]) => xmlElement(tag, pab[key], null)).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<PublicAccessBlockConfiguration xmlns="${xmlns}">${flags}</PublicAccessBlockConfiguration>`;
}

const CRC32 = (body: Buffer) => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(zlib.crc32(body) >>> 0);
  return buffer.toString('base64');
};
const DIGESTS: [header: string, name: string, digest: (body: Buffer) => string][] = [
  ['content-md5', 'Content-MD5', (b) => createHash('md5').update(b).digest('base64')],
  ['x-amz-checksum-crc32', 'CRC32', CRC32],
  ['x-amz-checksum-sha256', 'SHA256', (b) => createHash('sha256').update(b).digest('base64')],
  ['x-amz-checksum-sha1', 'SHA1', (b) => createHash('sha1').update(b).digest('base64')],
];

/**
 * The body checksums the SDK sends with S3's configuration writes (they require one): S3 refuses
 * a body that does not match, and a write that carries none.
 */
export function verifyChecksum(req: EmulatorRequest, required: boolean): void {
  const body = Buffer.from(req.body, 'utf8');
  let checked = false;
  for (const [header, name, digest] of DIGESTS) {
    const sent = req.headers[header];
    if (sent === undefined) continue;
    checked = true;
    if (sent !== digest(body)) {
      throw new AwsError(
        'BadDigest',
        400,
        header === 'content-md5'
          ? 'The Content-MD5 you specified did not match what we received.'
          : `The ${name} you specified did not match the calculated checksum.`,
      );
    }
  }
  const other = Object.keys(req.headers).find(
    (h) =>
      h.startsWith('x-amz-checksum-') &&
      !DIGESTS.some(([header]) => header === h) &&
      h !== 'x-amz-checksum-type',
  );
  if (other !== undefined) checked = true;
  if (required && !checked) {
    throw new AwsError(
      'InvalidRequest',
      400,
      'Missing required header for this request: Content-MD5 OR x-amz-checksum-*',
    );
  }
}

/**
 * S3's error document, a flat <Error>; S3 Control nests it in <ErrorResponse> (`wrapped`), with the
 * request ID beside it. The request ID is also in x-amz-request-id. HEAD answers carry no body.
 */
export function s3ErrorResponse(error: AwsError, req: EmulatorRequest, wrapped = false): EmulatorResponse {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const headers = { 'content-type': 'application/xml', 'x-amz-request-id': requestId };
  if (req.method === 'HEAD') return { status: error.status, headers, body: '' };
  const extra = Object.entries(error.extra)
    .map(([key, value]) => xmlElement(key, value, null))
    .join('');
  const fields = `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>${extra}`;
  const ids = `<RequestId>${requestId}</RequestId><HostId>${randomBytes(24).toString('base64')}</HostId>`;
  const document = wrapped
    ? `<ErrorResponse><Error>${fields}</Error>${ids}</ErrorResponse>`
    : `<Error>${fields}${ids}</Error>`;
  return xmlResponse(error.status, `<?xml version="1.0" encoding="UTF-8"?>\n${document}`, headers);
}
