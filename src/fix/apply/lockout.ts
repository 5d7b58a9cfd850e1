import { matchesWildcard } from '../../policy/wildcard.js';
import type { Plan, Step } from '../plan-model.js';
import { readPolicy, sameStatement, type JsonObject } from '../policy-merge.js';

/**
 * SPEC 6: `lvs fix --apply` never writes a bucket-policy Deny that would lock out the principal
 * running it, unless told to. The caller is who sts:GetCallerIdentity says; a Deny "would deny" it
 * when its principal covers the caller and none of its conditions exempts it. lvs cannot see the
 * network path of its own requests, so it assumes they do not come through the pinned endpoints
 * (aws:SourceVpce / aws:SourceVpc conditions hold); any other condition it does not understand is
 * assumed to hold too. A Deny passes when it exempts a principal (a --break-glass-arn, which the
 * plan writes into it) or when --allow-lockout is given.
 */

export interface CallerPrincipal {
  /** As GetCallerIdentity returns it (an assumed-role session ARN for roles). */
  arn: string;
  account: string;
  /** GetCallerIdentity's UserId ("AROA…:session" for roles), matched against aws:userid. */
  userId: string;
  /** The ARN IAM policies see as aws:PrincipalArn: the role ARN for an assumed-role session. */
  principalArn: string;
}

/**
 * arn:aws:sts::ACCT:assumed-role/ROLE/SESSION -> arn:aws:iam::ACCT:role/ROLE (the role's path is
 * not in the session ARN and cannot be recovered from it); users, root and federated users stay.
 */
export function principalArnOf(callerArn: string): string {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  if (m === null) return callerArn;
  return `arn:${m[1] ?? 'aws'}:iam::${m[2] ?? ''}:role/${m[3] ?? ''}`;
}

export function callerPrincipal(identity: {
  Arn?: string;
  Account?: string;
  UserId?: string;
}): CallerPrincipal {
  const arn = identity.Arn ?? '';
  return {
    arn,
    account: identity.Account ?? '',
    userId: identity.UserId ?? '',
    principalArn: principalArnOf(arn),
  };
}

/** True when an ARN pattern of a policy names the caller (a role ARN with a path names it too). */
export function patternMatchesCaller(pattern: string, caller: CallerPrincipal): boolean {
  for (const candidate of [caller.principalArn, caller.arn]) {
    if (matchesWildcard(pattern, candidate)) return true;
  }
  // arn:aws:iam::ACCT:role/some/path/ROLE names the session's role, whose path lvs does not know.
  const role = /^arn:([^:]+):iam::(\d{12}):role\/(.+)$/.exec(caller.principalArn);
  const named = /^arn:([^:]+):iam::(\d{12}|\*):role\/(?:.*\/)?([^/]+)$/.exec(pattern);
  return (
    role !== null &&
    named !== null &&
    named[1] === role[1] &&
    (named[2] === role[2] || named[2] === '*') &&
    matchesWildcard(named[3] ?? '', role[3] ?? '')
  );
}

const asList = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);

/** True when the statement's Principal / NotPrincipal covers the caller. */
function principalCovers(statement: JsonObject, caller: CallerPrincipal): boolean {
  const names = (value: unknown): string[] => {
    if (value === '*') return ['*'];
    if (typeof value !== 'object' || value === null) return asList(value);
    const aws = (value as Record<string, unknown>).AWS;
    return asList(aws);
  };
  const root = `arn:${caller.principalArn.split(':')[1] ?? 'aws'}:iam::${caller.account}:root`;
  const isCaller = (name: string) =>
    name === '*' || name === caller.account || name === root || patternMatchesCaller(name, caller);
  if (statement.NotPrincipal !== undefined) return !names(statement.NotPrincipal).some(isCaller);
  return names(statement.Principal).some(isCaller);
}

const NEGATED = /^(ArnNotLike|ArnNotEquals|StringNotLike|StringNotEquals)(IfExists)?$/i;
const POSITIVE = /^(ArnLike|ArnEquals|StringLike|StringEquals)(IfExists)?$/i;

/** Principals a Deny statement exempts: the values of its negated aws:PrincipalArn conditions. */
export function exemptPrincipals(statement: JsonObject): string[] {
  const condition = statement.Condition;
  if (typeof condition !== 'object' || condition === null) return [];
  const out: string[] = [];
  for (const [operator, byKey] of Object.entries(condition as Record<string, unknown>)) {
    if (!NEGATED.test(operator) || typeof byKey !== 'object' || byKey === null) continue;
    for (const [key, value] of Object.entries(byKey as Record<string, unknown>)) {
      if (key.toLowerCase() === 'aws:principalarn') out.push(...asList(value));
    }
  }
  return out;
}

/** True when the condition block, as far as lvs can tell, does not exempt the caller. */
function conditionsHold(statement: JsonObject, caller: CallerPrincipal): boolean {
  const condition = statement.Condition;
  if (typeof condition !== 'object' || condition === null) return true;
  for (const [operator, byKey] of Object.entries(condition as Record<string, unknown>)) {
    if (typeof byKey !== 'object' || byKey === null) continue;
    for (const [rawKey, value] of Object.entries(byKey as Record<string, unknown>)) {
      const key = rawKey.toLowerCase();
      const values = asList(value);
      const matches =
        key === 'aws:principalarn'
          ? values.some((v) => patternMatchesCaller(v, caller))
          : key === 'aws:principalaccount'
            ? values.includes(caller.account)
            : key === 'aws:userid'
              ? values.some((v) => matchesWildcard(v, caller.userId))
              : undefined;
      if (matches === undefined) continue; // aws:SourceVpce and the rest: assumed to hold for the caller
      if (NEGATED.test(operator) && matches) return false;
      if (POSITIVE.test(operator) && !matches) return false;
    }
  }
  return true;
}

/** True when a statement is a Deny that applies to the caller. */
export function denies(statement: JsonObject, caller: CallerPrincipal): boolean {
  return (
    statement.Effect === 'Deny' && principalCovers(statement, caller) && conditionsHold(statement, caller)
  );
}

export interface LockoutFinding {
  step: Step;
  bucket: string;
  /** The new Deny statements that refuse the caller. */
  statements: JsonObject[];
  /** Principals those statements exempt (break-glass). */
  exempt: string[];
  /** Those of the statements that exempt nobody: nobody could repair what they deny. */
  unexempted: JsonObject[];
  /** True when the Deny also covers the bucket itself (its policy), not only its objects. */
  coversBucket: boolean;
}

/** Deny statements a PutBucketPolicy call adds to the document it replaces. */
function newDenies(before: string | null, after: string): JsonObject[] {
  const next = readPolicy(after);
  if (!next.ok) return [];
  const previous = before === null ? undefined : readPolicy(before);
  const kept = previous?.ok === true ? previous.policy.Statement : [];
  return next.policy.Statement.filter((s) => s.Effect === 'Deny' && !kept.some((k) => sameStatement(k, s)));
}

/** The bucket-pin steps of a plan whose new Deny refuses the caller. */
export function lockoutFindings(plan: Plan, caller: CallerPrincipal): LockoutFinding[] {
  const out: LockoutFinding[] = [];
  for (const step of plan.steps) {
    if (step.kind !== 'automated') continue;
    for (const call of step.api) {
      if (call.service !== 's3' || call.operation !== 'PutBucketPolicy') continue;
      const bucket = typeof call.params.Bucket === 'string' ? call.params.Bucket : '';
      const policy = call.params.Policy;
      if (typeof policy !== 'string') continue;
      const doc = step.documents.find((d) => d.resourceArn.endsWith(`:::${bucket}`));
      const statements = newDenies(doc?.before ?? null, policy).filter((s) => denies(s, caller));
      if (statements.length === 0) continue;
      out.push({
        step,
        bucket,
        statements,
        exempt: [...new Set(statements.flatMap(exemptPrincipals))].sort(),
        unexempted: statements.filter((s) => exemptPrincipals(s).length === 0),
        coversBucket: statements.some((s) => asList(s.Resource).some((r) => !r.includes('/'))),
      });
    }
  }
  return out;
}
