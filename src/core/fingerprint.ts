import { hash } from 'node:crypto';

/**
 * Stable identity of a finding across runs, for SARIF partialFingerprints and JSON consumers.
 * Built only from identifiers (never from messages, timestamps or evidence) so rewording a message
 * or reordering results does not reopen alerts.
 */
export function fingerprint(parts: {
  ruleId: string;
  functionArn: string;
  resourceArn: string;
  reasonId: string;
}): string {
  const material = [parts.ruleId, parts.functionArn, parts.resourceArn, parts.reasonId].join('\u0000');
  return hash('sha256', material, 'hex').slice(0, 32);
}
