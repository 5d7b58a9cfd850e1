import { matchesWildcard } from '../../policy/wildcard.js';
import { s3BucketPattern, type AuditIndex, type FunctionEntry } from '../../snapshot/derive.js';
import { compare } from './context.js';

/** How a principal reaches a bucket: by naming it, or through a grant on every bucket. */
export type Reach = 'named' | 'unbounded';

export interface FunctionReach {
  entry: FunctionEntry;
  reach: Reach;
}

/**
 * The functions that reach bucket `name` (SPEC 2.2): by name (role policy or environment), or
 * because their role allows S3 data actions on every bucket. Index order.
 */
export function functionsReaching(index: AuditIndex, name: string): FunctionReach[] {
  const out: FunctionReach[] = [];
  for (const entry of index.functions) {
    const reach = index.bucketsReached(entry);
    if (reach.buckets.some((b) => b.name === name)) out.push({ entry, reach: 'named' });
    else if (reach.unbounded !== undefined) out.push({ entry, reach: 'unbounded' });
  }
  return out;
}

export interface RoleReach {
  roleArn: string;
  reach: Reach;
}

/**
 * Every role of the snapshot whose identity policies allow S3 data actions on the bucket: by a
 * Resource naming it (wildcards matched against the name), or on every bucket. Sorted by ARN.
 */
export function rolesReaching(index: AuditIndex, name: string): RoleReach[] {
  const out: RoleReach[] = [];
  for (const roleArn of Object.keys(index.snapshot.iam.roles).sort(compare)) {
    const view = index.roleView(roleArn);
    if (!view.ok) continue;
    let found: Reach | undefined;
    for (const policy of view.value.policies) {
      if (!policy.parsed.ok) continue;
      for (const statement of policy.parsed.document.statements) {
        if (statement.effect !== 'Allow' || !index.grantsS3DataAccess(statement)) continue;
        if (statement.notResources !== undefined) {
          found ??= 'unbounded';
          continue;
        }
        for (const resource of statement.resources ?? []) {
          const pattern = s3BucketPattern(resource);
          if (pattern === undefined) continue;
          if (pattern === '*' || pattern === '') found ??= 'unbounded';
          else if (matchesWildcard(pattern, name)) found = 'named';
        }
      }
    }
    if (found !== undefined) out.push({ roleArn, reach: found });
  }
  return out;
}
