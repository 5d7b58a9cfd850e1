import { AwsError } from '../types.js';

/**
 * What S3 checks in a PutBucketPolicy body before storing it verbatim: JSON, the required members,
 * resources of this bucket only, and (when Block Public Access says so) no public grant.
 */

function malformed(message: string): AwsError {
  return new AwsError('MalformedPolicy', 400, message);
}

type Statement = Record<string, unknown>;

function statementsOf(text: string): Statement[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw malformed("Policies must be valid JSON and the first byte must be '{'");
  }
  if (
    typeof document !== 'object' ||
    document === null ||
    Array.isArray(document) ||
    !text.trimStart().startsWith('{')
  ) {
    throw malformed("Policies must be valid JSON and the first byte must be '{'");
  }
  const statement = (document as Record<string, unknown>).Statement;
  if (statement === undefined) throw malformed('Missing required field Statement');
  const list: unknown[] = Array.isArray(statement) ? statement : [statement];
  if (list.some((s) => typeof s !== 'object' || s === null || Array.isArray(s))) {
    throw malformed('Statement is not well-formed');
  }
  return list as Statement[];
}

const asList = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

/** Checks the policy as S3 does for bucket `bucket`; answers whether it grants anyone access (S3's "public"). */
export function checkBucketPolicy(text: string, bucket: string, partition: string): { isPublic: boolean } {
  const base = `arn:${partition}:s3:::${bucket}`;
  let isPublic = false;
  for (const statement of statementsOf(text)) {
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
      throw malformed(`Invalid effect: ${String(statement.Effect)}`);
    }
    if (statement.Principal === undefined && statement.NotPrincipal === undefined) {
      throw malformed('Missing required field Principal');
    }
    if (statement.Action === undefined && statement.NotAction === undefined) {
      throw malformed('Missing required field Action');
    }
    const resources = [...asList(statement.Resource), ...asList(statement.NotResource)];
    if (resources.length === 0) throw malformed('Missing required field Resource');
    if (resources.some((r) => typeof r !== 'string' || (r !== base && !r.startsWith(`${base}/`)))) {
      throw malformed('Policy has invalid resource');
    }
    // S3 counts an Allow to every principal as public unless conditions pin it to fixed values;
    // the emulator takes any condition as pinning, which is enough for lvs's deny-only changes.
    const principal = statement.Principal;
    const anyone =
      principal === '*' ||
      (typeof principal === 'object' &&
        principal !== null &&
        asList((principal as Statement).AWS).includes('*'));
    if (statement.Effect === 'Allow' && anyone && statement.Condition === undefined) isPublic = true;
  }
  return { isPublic };
}
