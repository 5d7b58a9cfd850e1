import { iamError } from './iam-model.js';

/**
 * The checks IAM makes of an identity policy before storing it (PutRolePolicy), with IAM's own
 * MalformedPolicyDocument messages, so that a fix writing a bad document fails here as it would on
 * AWS instead of passing silently.
 */

const malformed = (message: string) => iamError('MalformedPolicyDocument', message);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function checkIdentityPolicy(text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw malformed('Syntax errors in policy.');
  }
  if (!isObject(parsed)) throw malformed('Syntax errors in policy.');
  if (parsed.Version !== undefined && parsed.Version !== '2012-10-17' && parsed.Version !== '2008-10-17')
    throw malformed('The policy failed legacy parsing');
  if (parsed.Statement === undefined) throw malformed('Missing required field Statement');
  const statements = Array.isArray(parsed.Statement) ? (parsed.Statement as unknown[]) : [parsed.Statement];
  for (const statement of statements) {
    if (!isObject(statement)) throw malformed('Syntax errors in policy.');
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny')
      throw malformed('Syntax errors in policy.');
    if (statement.Principal !== undefined || statement.NotPrincipal !== undefined)
      throw malformed('Policy document should not specify a principal.');
    if (statement.Action === undefined && statement.NotAction === undefined)
      throw malformed('Policy statement must contain actions.');
    if (statement.Resource === undefined && statement.NotResource === undefined)
      throw malformed('Policy statement must contain resources.');
  }
}

/** What IAM counts against the role policy size quota: characters other than white space. */
export const policySize = (text: string): number => text.replace(/\s/g, '').length;

/** IAM's aggregate quota of a role's inline policies (RolePolicySizeQuota). */
export const ROLE_POLICY_SIZE_QUOTA = 10_240;
