import type { LambdaFunction } from '../../../src/snapshot/schema.js';
import { answer } from '../state.js';
import { AwsError, type EmulatorState } from '../types.js';
import { checkRevision, metaOf, touch, validation } from './lambda-functions.js';

/**
 * A function's resource-based policy: GetPolicy, AddPermission, RemovePermission. The snapshot
 * holds the policy as Lambda returned it (JSON text), absent when there is none; a GetPolicy that
 * failed in the snapshot is answered with the same error, and so is a write that has to merge into
 * that unknown policy.
 */

interface PolicyDocument {
  Version: string;
  Id: string;
  Statement: Record<string, unknown>[];
}

function noPolicy(): AwsError {
  return new AwsError('ResourceNotFoundException', 404, 'The resource you requested does not exist.');
}

function currentPolicy(fn: LambdaFunction): PolicyDocument {
  const text = answer(fn.resourcePolicy, noPolicy);
  let parsed: Partial<PolicyDocument>;
  try {
    parsed = JSON.parse(text) as Partial<PolicyDocument>;
  } catch {
    // Only a hand-made snapshot holds such a policy: Lambda itself only stores policies it wrote.
    throw new AwsError('ServiceException', 500, 'the stored resource-based policy is not JSON');
  }
  const statements = parsed.Statement;
  return {
    Version: parsed.Version ?? '2012-10-17',
    Id: parsed.Id ?? 'default',
    Statement: Array.isArray(statements) ? statements : statements === undefined ? [] : [statements],
  };
}

export function getPolicy(state: EmulatorState, fn: LambdaFunction): Record<string, unknown> {
  return { Policy: answer(fn.resourcePolicy, noPolicy), RevisionId: metaOf(state, fn).revisionId };
}

export function removePermission(
  state: EmulatorState,
  fn: LambdaFunction,
  sid: string,
  revisionId: string | null,
): void {
  if (fn.resourcePolicy.status === 'absent') {
    throw new AwsError('ResourceNotFoundException', 404, 'No policy is associated with the given resource.');
  }
  checkRevision(state, fn, revisionId ?? undefined);
  const policy = currentPolicy(fn);
  const kept = policy.Statement.filter((s) => s.Sid !== sid);
  if (kept.length === policy.Statement.length) {
    throw new AwsError('ResourceNotFoundException', 404, `Statement ${sid} is not found in resource policy.`);
  }
  // Lambda deletes the policy with its last statement: GetPolicy then answers ResourceNotFoundException.
  fn.resourcePolicy =
    kept.length === 0
      ? { status: 'absent' }
      : { status: 'ok', value: JSON.stringify({ ...policy, Statement: kept }) };
  touch(state, fn);
}

const ACTION = /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/;
const STATEMENT_ID = /^([a-zA-Z0-9-_.]+)$/;

/** Principal as Lambda writes it into the statement: a service, an account (as its root), an ARN, or anyone. */
function principalOf(principal: string, partition: string): unknown {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:${partition}:iam::${principal}:root` };
  if (principal.endsWith('.amazonaws.com') || principal.endsWith('.amazonaws.com.cn'))
    return { Service: principal };
  return { AWS: principal };
}

const optionalString = (body: Record<string, unknown>, key: string): string | undefined => {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validation(`${key} must be a string`);
  return value;
};

/** AddPermission: one statement built from the request, as Lambda builds it; answers the statement. */
export function addPermission(
  state: EmulatorState,
  fn: LambdaFunction,
  body: Record<string, unknown>,
): string {
  const sid = optionalString(body, 'StatementId');
  const action = optionalString(body, 'Action');
  const principal = optionalString(body, 'Principal');
  if (sid === undefined || action === undefined || principal === undefined) {
    throw validation('StatementId, Action and Principal are required.');
  }
  if (!STATEMENT_ID.test(sid) || sid.length > 100) {
    throw validation(
      `1 validation error detected: Value '${sid}' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)`,
    );
  }
  if (!ACTION.test(action)) {
    throw validation(
      `1 validation error detected: Value '${action}' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])`,
    );
  }
  checkRevision(state, fn, body.RevisionId);
  const policy: PolicyDocument =
    fn.resourcePolicy.status === 'absent'
      ? { Version: '2012-10-17', Id: 'default', Statement: [] }
      : currentPolicy(fn);
  if (policy.Statement.some((s) => s.Sid === sid)) {
    throw new AwsError(
      'ResourceConflictException',
      409,
      `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
    );
  }
  const condition: Record<string, Record<string, string>> = {};
  const add = (operator: string, key: string, value: string | undefined) => {
    if (value !== undefined) condition[operator] = { ...condition[operator], [key]: value };
  };
  add('StringEquals', 'AWS:SourceAccount', optionalString(body, 'SourceAccount'));
  add('StringEquals', 'aws:PrincipalOrgID', optionalString(body, 'PrincipalOrgID'));
  add('StringEquals', 'lambda:EventSourceToken', optionalString(body, 'EventSourceToken'));
  add('StringEquals', 'lambda:FunctionUrlAuthType', optionalString(body, 'FunctionUrlAuthType'));
  add('ArnLike', 'AWS:SourceArn', optionalString(body, 'SourceArn'));
  if (body.InvokedViaFunctionUrl === true) add('Bool', 'lambda:InvokedViaFunctionUrl', 'true');
  const statement = {
    Sid: sid,
    Effect: 'Allow',
    Principal: principalOf(principal, state.snapshot.partition),
    Action: action,
    Resource: fn.functionArn,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
  policy.Statement.push(statement);
  fn.resourcePolicy = { status: 'ok', value: JSON.stringify(policy) };
  touch(state, fn);
  return JSON.stringify(statement);
}
