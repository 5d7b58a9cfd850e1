import type { EvidenceStep } from '../../core/evidence.js';
import type { MessageData } from '../../core/message.js';
import type { Problem } from '../../snapshot/derive.js';
import type { Severity } from '../../core/severity.js';
import type { Outcome, OutcomeStatus } from '../define-check.js';

type Extra = { data?: MessageData; resourceArn?: string; severity?: Severity; evidence?: EvidenceStep[] };

/**
 * Every outcome has the same fields in the same order (absent ones undefined): the code that reads
 * outcomes (checks/run.ts, and every rule that passes one on) then sees one object shape rather than
 * one per combination of optional fields, which kept its compiled code from settling.
 */
const outcome = (status: OutcomeStatus, reasonId: string, extra: Extra): Outcome => ({
  status,
  reasonId,
  data: extra.data,
  resourceArn: extra.resourceArn,
  severity: extra.severity,
  evidence: extra.evidence ?? [],
});

export const pass = (reasonId: string, extra: Extra = {}): Outcome => outcome('pass', reasonId, extra);
export const fail = (reasonId: string, extra: Extra = {}): Outcome => outcome('fail', reasonId, extra);
export const notApplicable = (reasonId: string, extra: Extra = {}): Outcome =>
  outcome('not-applicable', reasonId, extra);
export const error = (reasonId: string, extra: Extra = {}): Outcome => outcome('error', reasonId, extra);

/** The one way an unknown input becomes a result: `error`, naming the failed read or the missing resource. */
export function unknown(problem: Problem, extra: Omit<Extra, 'data'> = {}): Outcome {
  if (problem.kind === 'api-error') {
    const e = problem.error;
    return error('readFailed', {
      ...extra,
      data: { service: e.service, operation: e.operation, resource: e.resource ?? '(account)', code: e.code },
      evidence: [
        ...(extra.evidence ?? []),
        {
          resourceArn: e.resource ?? extra.resourceArn ?? '',
          field: `${e.service}:${e.operation}`,
          observed: `${e.code}: ${e.message}`,
          expected: 'a successful read',
        },
      ],
    });
  }
  return error('notInSnapshot', { ...extra, data: { what: problem.what, id: problem.id } });
}

/**
 * The outcome with other evidence (and resource), its other fields shared. Built field by field
 * rather than spread: rules do this for every function and result, and a spread is a slow generic
 * copy; the fields and their order are those of every outcome (see `outcome` above).
 */
export function withEvidence(
  outcome: Outcome,
  evidence: EvidenceStep[],
  resourceArn: string | undefined = outcome.resourceArn,
): Outcome {
  return {
    status: outcome.status,
    reasonId: outcome.reasonId,
    data: outcome.data,
    resourceArn,
    severity: outcome.severity,
    evidence,
  };
}

/**
 * The outcome with `head` (a step naming the function) put before its evidence. Rules memoize the
 * rest of an outcome per shared resource (index.memo) and add the function's own step with this.
 */
export function withHead(head: EvidenceStep, outcome: Outcome): Outcome {
  const tail = outcome.evidence;
  const evidence = [head];
  for (let i = 0; i < tail.length; i++) evidence.push(tail[i] as EvidenceStep);
  return withEvidence(outcome, evidence);
}
