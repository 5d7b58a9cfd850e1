import type { EvidenceStep } from '../../core/evidence.js';
import type { AuditIndex, FunctionEntry, ReachedBucket, ReachPath } from '../../snapshot/derive.js';
import type { Bucket } from '../../snapshot/schema.js';
import type { Outcome, ReasonMeta } from '../define-check.js';
import { error, notApplicable, unknown, withEvidence } from './outcome.js';

/** Reasons every per-bucket rule declares (spread into meta.reasons): SPEC 2.2's unknowable buckets. */
export const BUCKET_SCOPE_REASONS = {
  noBucketReached: {
    status: 'not-applicable',
    message: '{{function}} reaches no S3 bucket (none named in its role policies or environment).',
  },
  bucketSetUnbounded: {
    status: 'error',
    message:
      'Could not evaluate every bucket: the role allows S3 data actions on {{resource}} ({{policy}}, {{statement}}), so the set of buckets {{function}} reaches is unbounded.',
  },
  notInAuditedAccount: {
    status: 'error',
    message:
      'Could not evaluate bucket {{bucket}}: it is not in the audited account, so its settings were not read.',
  },
} as const satisfies Record<string, ReasonMeta>;

/** The hops that show why the function reaches a bucket: role policy statements and environment variables. */
export function reachEvidence(entry: FunctionEntry, reached: ReachedBucket): EvidenceStep[] {
  return reached.paths.map((path): EvidenceStep =>
    path.via === 'role'
      ? {
          resourceArn: path.policyArn,
          field: `${path.policyName} ${path.statement} Resource`,
          observed: path.resource,
          note: `role ${entry.fn.role} grants S3 data access to ${reached.name}`,
        }
      : {
          resourceArn: entry.fn.functionArn,
          field: `Environment.Variables.${path.variable}`,
          observed: `names bucket ${reached.name}`,
          note: 'bucket names are shown; other environment values never are',
        },
  );
}

/**
 * reachEvidence, its role hops made once per role and bucket: they name the role and its policies,
 * not the function, so every function of the role shows the same steps (objects a report can
 * recognise). A bucket's paths are the role's, in the role's order, then the function's
 * environment variables (SPEC 2.2): only the latter are made for the function.
 */
function reachSteps(entry: FunctionEntry, index: AuditIndex, reached: ReachedBucket): EvidenceStep[] {
  const { paths } = reached;
  let rolePaths = 0;
  while (rolePaths < paths.length && (paths[rolePaths] as ReachPath).via === 'role') rolePaths++;
  if (rolePaths === 0) return reachEvidence(entry, reached);
  const roleSteps = index.memo(['reach', entry.fn.role, reached.name], () =>
    reachEvidence(entry, rolePaths === paths.length ? reached : { ...reached, paths: paths.slice(0, rolePaths) }),
  );
  if (rolePaths === paths.length) return roleSteps;
  return roleSteps.concat(reachEvidence(entry, { ...reached, paths: paths.slice(rolePaths) }));
}

/**
 * Runs `evaluate` for each bucket the function reaches (SPEC 2.2) and turns what cannot be judged
 * into `error` results: an unbounded bucket set, a bucket of another account, a bucket absent from
 * the snapshot, a failed read. No bucket at all -> one `not-applicable` result.
 */
export function forEachReachedBucket(
  entry: FunctionEntry,
  index: AuditIndex,
  evaluate: (bucket: Bucket, reached: ReachedBucket, evidence: EvidenceStep[]) => Outcome,
): Outcome[] {
  const reach = index.bucketsReached(entry);
  const outcomes: Outcome[] = reach.problems.map((problem) => unknown(problem));
  if (reach.unbounded !== undefined) {
    const u = reach.unbounded;
    outcomes.push(
      error('bucketSetUnbounded', {
        resourceArn: `arn:${index.partition}:s3:::*`,
        data: { resource: u.resource, policy: u.policyName, statement: u.statement },
        evidence: [
          {
            resourceArn: u.policyArn,
            field: `${u.policyName} ${u.statement} Resource`,
            observed: u.resource,
            expected: 'named buckets',
          },
        ],
      }),
    );
  }
  for (const reached of reach.buckets) {
    const evidence = reachSteps(entry, index, reached);
    const bucket = index.bucket(reached.name);
    if (bucket === undefined) {
      outcomes.push(
        unknown(
          { kind: 'missing', what: 'bucket', id: reached.name },
          { resourceArn: reached.arn, evidence },
        ),
      );
    } else if (!bucket.ownedByAccount) {
      outcomes.push(
        error('notInAuditedAccount', { resourceArn: reached.arn, data: { bucket: reached.name }, evidence }),
      );
    } else {
      const judged = evaluate(bucket, reached, evidence);
      // An outcome that names no resource is about the bucket.
      outcomes.push(
        judged.resourceArn === undefined ? withEvidence(judged, judged.evidence, reached.arn) : judged,
      );
    }
  }
  if (outcomes.length === 0) outcomes.push(notApplicable('noBucketReached'));
  return outcomes;
}
