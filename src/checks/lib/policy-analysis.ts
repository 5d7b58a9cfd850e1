import type { IamActionCatalog, IamActionInfo } from '../../iam/action-catalog.js';
import {
  baseOperator,
  statementLabel,
  type ConditionClause,
  type PolicyStatement,
} from '../../policy/document.js';
import { matchesWildcard } from '../../policy/wildcard.js';

/**
 * Pure questions about parsed policy statements that several rules ask: who the statement is for,
 * which actions and resources it covers, and what its conditions do. IAM action facts (wildcard
 * expansion, resource types) come from the action catalog; only SPEC-listed names are written here.
 */

// ---------------------------------------------------------------------------------------------
// Principals

/** Principal "*" or {"AWS": "*"} (also inside an array): the statement applies to anyone. */
export function isAnyonePrincipal(statement: PolicyStatement): boolean {
  return statement.principal?.any === true;
}

/**
 * Anyone, as far as an Allow is concerned: Principal "*" / {"AWS":"*"}, or an Allow with NotPrincipal
 * (which grants everyone except the principals it names).
 */
export function allowsAnyone(statement: PolicyStatement): boolean {
  return (
    statement.effect === 'Allow' && (isAnyonePrincipal(statement) || statement.notPrincipal !== undefined)
  );
}

// ---------------------------------------------------------------------------------------------
// Actions

/** True when the statement's Action (or the complement of its NotAction) matches `action` (case-insensitive). */
export function coversAction(statement: PolicyStatement, action: string): boolean {
  if (statement.actions !== undefined) return statement.actions.some((p) => matchesWildcard(p, action, true));
  if (statement.notActions !== undefined)
    return !statement.notActions.some((p) => matchesWildcard(p, action, true));
  return false;
}

/** Every catalogued action the statement names (Action patterns expanded, or the complement of NotAction). */
export function actionsOf(statement: PolicyStatement, catalog: IamActionCatalog): IamActionInfo[] {
  if (statement.actions !== undefined) {
    const seen = new Map<string, IamActionInfo>();
    for (const pattern of statement.actions) {
      for (const info of catalog.expand(pattern)) seen.set(info.action.toLowerCase(), info);
    }
    return [...seen.values()];
  }
  if (statement.notActions !== undefined) {
    const excluded = statement.notActions;
    return catalog.expand('*').filter((info) => !excluded.some((p) => matchesWildcard(p, info.action, true)));
  }
  return [];
}

/** An Action pattern split into its service and action parts ("s3:Get*" -> s3, Get*; "*" -> *, *). */
export function splitActionPattern(pattern: string): { service: string; action: string } {
  const colon = pattern.indexOf(':');
  if (colon < 0)
    return /^\*+$/.test(pattern) ? { service: '*', action: '*' } : { service: pattern, action: '' };
  return { service: pattern.slice(0, colon), action: pattern.slice(colon + 1) };
}

/** "*", "*:*": a pattern that matches every action of every service. */
export function isEveryActionPattern(pattern: string): boolean {
  const { service, action } = splitActionPattern(pattern);
  return /^\*+$/.test(service) && /^\*+$/.test(action);
}

/** "s3:*", "iam:*": a pattern that matches every action of the services its service part names. */
export function isServiceWidePattern(pattern: string): boolean {
  const { service, action } = splitActionPattern(pattern);
  return service !== '' && !isEveryActionPattern(pattern) && /^\*+$/.test(action);
}

// ---------------------------------------------------------------------------------------------
// Resources

/**
 * True when the statement's resources include `arn` in full: a Resource pattern matches it, or a
 * NotResource does not. Wildcards in `arn` are compared literally, so "arn:aws:s3:::b/*" is covered
 * by the patterns "arn:aws:s3:::b/*", "arn:aws:s3:::*" and "*", not by "arn:aws:s3:::b/logs/*".
 */
export function coversResource(statement: PolicyStatement, arn: string): boolean {
  if (statement.resources !== undefined) return statement.resources.some((p) => matchesWildcard(p, arn));
  if (statement.notResources !== undefined)
    return !statement.notResources.some((p) => matchesWildcard(p, arn));
  return false;
}

/** The literal part of a pattern before its first wildcard. */
function literalPrefix(pattern: string): string {
  const stop = pattern.search(/[*?]/);
  return stop < 0 ? pattern : pattern.slice(0, stop);
}

/** True when some string that starts with `prefix` could match the IAM wildcard `pattern` (over-approximated). */
export function mayMatchPrefix(pattern: string, prefix: string): boolean {
  const literal = literalPrefix(pattern);
  if (literal === pattern) return pattern.startsWith(prefix);
  return literal.startsWith(prefix) || prefix.startsWith(literal);
}

/**
 * True when every resource whose ARN starts with `prefix` is in the statement's resources: a
 * Resource pattern ends with "*" and matches the prefix itself (the part before that "*" matches
 * the start of the prefix, so the "*" takes the rest of the prefix and anything after it), or no
 * NotResource pattern can reach under it. Conservative: a pattern that covers everything under the
 * prefix some other way (ending "*?") and a NotResource that might exclude part of it both make the
 * answer false. Two probe strings (the prefix then "*", then a name) were not enough: "*a??" matches
 * both under "aa" but not "aa:aa".
 */
export function coversAllUnder(statement: PolicyStatement, prefix: string): boolean {
  if (statement.resources !== undefined) {
    return statement.resources.some((p) => p.endsWith('*') && matchesWildcard(p, prefix));
  }
  if (statement.notResources !== undefined)
    return !statement.notResources.some((p) => mayMatchPrefix(p, prefix));
  return false;
}

/** True when some resource whose ARN starts with `prefix` could be in the statement's resources. */
export function mayCoverUnder(statement: PolicyStatement, prefix: string): boolean {
  if (statement.resources !== undefined) return statement.resources.some((p) => mayMatchPrefix(p, prefix));
  // NotResource: everything but the listed resources, so (conservatively) yes.
  return statement.notResources !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Conditions

/** Keys that only describe the calling principal: conditions on them exempt principals from a Deny (SPEC 2.3). */
const PRINCIPAL_EXEMPTION_KEYS = new Set([
  'aws:principalarn',
  'aws:principalaccount',
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:userid',
  'aws:username',
  'aws:principalisawsservice',
  'aws:principalservicename',
  'aws:principalservicenameslist',
  'aws:principaltype',
  'aws:viaawsservice',
]);
const PRINCIPAL_EXEMPTION_PREFIXES = ['aws:principaltag/', 'aws:calledvia'];

export function isPrincipalKey(key: string): boolean {
  const k = key.toLowerCase();
  return PRINCIPAL_EXEMPTION_KEYS.has(k) || PRINCIPAL_EXEMPTION_PREFIXES.some((p) => k.startsWith(p));
}

/**
 * A condition AND-ed to a Deny that only carves principals out of it: a principal key compared
 * with a negated operator (StringNotEquals, StringNotLike, ArnNotEquals, ArnNotLike, with or without
 * IfExists / set qualifiers), `Bool … false` (aws:PrincipalIsAWSService, aws:ViaAWSService) or
 * `Null … true`. A positive comparison (StringEquals aws:PrincipalArn X) narrows the Deny to the
 * named principals instead, so it is not an exemption.
 */
export function isPrincipalExemption(clause: ConditionClause): boolean {
  if (!isPrincipalKey(clause.key)) return false;
  const base = baseOperator(clause.operator);
  if (base.startsWith('stringnot') || base.startsWith('arnnot')) return true;
  if (base === 'bool')
    return clause.values.length > 0 && clause.values.every((v) => v.toLowerCase() === 'false');
  if (base === 'null')
    return clause.values.length > 0 && clause.values.every((v) => v.toLowerCase() === 'true');
  return false;
}

/** Operators that require the key to equal / match one of the values (a restriction when the values are specific). */
const POSITIVE_MATCH = new Set([
  'stringequals',
  'stringequalsignorecase',
  'stringlike',
  'arnequals',
  'arnlike',
]);

/**
 * True when the clause, on its own, limits the statement to requests whose `key` matches specific
 * values: a positive string/ARN operator without IfExists (which would let requests without the key
 * through) and without ForAllValues (true for an absent key), with at least one value other than "*".
 */
export function isPositiveRestriction(clause: ConditionClause): boolean {
  if (/IfExists$/i.test(clause.operator) || /^ForAllValues:/i.test(clause.operator)) return false;
  if (!POSITIVE_MATCH.has(baseOperator(clause.operator))) return false;
  return clause.values.some((v) => v !== '' && !/^\*+$/.test(v));
}

/** "StringNotEquals aws:SourceVpce [vpce-1, vpce-2]": a clause as it reads in a policy. */
export function describeClause(clause: ConditionClause): string {
  return `${clause.operator} ${clause.key} ${clause.values.length === 1 ? clause.values[0] : `[${clause.values.join(', ')}]`}`;
}

// ---------------------------------------------------------------------------------------------
// Evidence text

function list(values: string[], max = 6): string {
  const shown = values.slice(0, max);
  const more = values.length > max ? `, … (${values.length - max} more)` : '';
  return values.length === 1 ? (values[0] ?? '') : `[${shown.join(', ')}${more}]`;
}

/** "Allow s3:PutObject on arn:aws:s3:::b/* when StringEquals aws:SourceVpce vpce-1": a statement in one line. */
export function describeStatement(statement: PolicyStatement): string {
  const principal =
    statement.principal === undefined
      ? ''
      : statement.principal.any
        ? ' Principal *'
        : ` Principal ${list([...statement.principal.aws, ...statement.principal.service, ...statement.principal.federated, ...statement.principal.canonicalUser])}`;
  const notPrincipal =
    statement.notPrincipal === undefined ? '' : ' NotPrincipal (everyone except the listed principals)';
  const actions =
    statement.actions !== undefined
      ? list(statement.actions)
      : `NotAction ${list(statement.notActions ?? [])}`;
  const resources =
    statement.resources !== undefined
      ? list(statement.resources)
      : statement.notResources !== undefined
        ? `NotResource ${list(statement.notResources)}`
        : '(no resource)';
  const conditions =
    statement.conditions.length === 0
      ? ''
      : ` when ${statement.conditions.map(describeClause).join(' and ')}`;
  return `${statement.effect}${principal}${notPrincipal} ${actions} on ${resources}${conditions}`;
}

/** "write-scores Sid \"WriteScores\"": where a statement is, for evidence fields. */
export function statementWhere(policyName: string, statement: PolicyStatement): string {
  return `${policyName} ${statementLabel(statement)}`;
}

/** A short list of names for messages and evidence: "a, b, c and 4 more". */
export function summarizeNames(names: readonly string[], max = 4): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
