import type { EvidenceStep } from '../core/evidence.js';
import { severityRank, type Severity } from '../core/severity.js';
import type { KmsKey } from '../snapshot/schema.js';
import { defineCheck, type CheckMeta } from './define-check.js';
import { fail, pass, unknown } from './lib/outcome.js';

/** Key states in which the key is scheduled to disappear, taking every ciphertext with it. */
const PENDING_DELETION = new Set(['PendingDeletion', 'PendingReplicaDeletion']);

const meta: CheckMeta = {
  id: 'LVS009',
  name: 'env-encrypted-with-cmk',
  severity: 'medium',
  title: 'Lambda environment variables are encrypted with an enabled, rotated customer-managed KMS key',
  description:
    'The function sets KMSKeyArn to a customer-managed AWS KMS key that is Enabled, not pending deletion, and has automatic key rotation turned on. Without KMSKeyArn, Lambda encrypts the environment with the AWS managed key aws/lambda.',
  rationale:
    'With the AWS managed key, anyone allowed lambda:GetFunctionConfiguration reads the decrypted variables, and the key policy cannot be narrowed or audited per function. A customer-managed key adds a second gate (kms:Decrypt in a key policy you control) and CloudTrail records of each use. A disabled key, or one pending deletion, makes the variables undecryptable and the function unable to start; an unrotated key keeps the same key material in use indefinitely.',
  remediation:
    'Set KMSKeyArn to an Enabled customer-managed KMS key with rotation on, after granting the role kms:Decrypt.',
  remediationDetails: [
    'Create (or choose) a symmetric customer-managed key, allow the execution role `kms:Decrypt` on it in the key policy, turn on automatic rotation, then point the function at it. Update the key policy **before** setting `KMSKeyArn`, or the function cannot decrypt its variables.',
    '',
    '```sh',
    'aws kms create-key --description "lvs: Lambda environment" --key-usage ENCRYPT_DECRYPT',
    'aws kms enable-key-rotation --key-id KEY_ID',
    'aws lambda update-function-configuration --function-name FUNCTION --kms-key-arn arn:aws:kms:REGION:ACCOUNT:key/KEY_ID',
    '```',
    '',
    'A key that is `Disabled`: `aws kms enable-key`. A key `PendingDeletion`: `aws kms cancel-key-deletion --key-id KEY_ID`, then `aws kms enable-key`.',
    '',
    'CloudFormation: an `AWS::KMS::Key` with `EnableKeyRotation: true` and a `KeyPolicy` granting the role `kms:Decrypt`, and `KmsKeyArn: !GetAtt Key.Arn` on the `AWS::Lambda::Function`.',
  ].join('\n'),
  resourceType: 'kms-key',
  references: [
    {
      title: 'Securing Lambda environment variables',
      url: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html',
    },
    {
      title: 'Key states of AWS KMS keys',
      url: 'https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html',
    },
    {
      title: 'Rotate AWS KMS keys',
      url: 'https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html',
    },
    {
      title: 'Security Hub controls for AWS KMS (KMS.3, KMS.4)',
      url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html',
    },
  ],
  securityHubControls: ['KMS.3', 'KMS.4'],
  tags: ['data-protection', 'encryption', 'kms', 'lambda'],
  reasons: {
    customerKey: {
      status: 'pass',
      message:
        '{{function}} encrypts its environment with customer-managed key {{key}}, which is Enabled and rotated automatically.',
    },
    noCustomerKey: {
      status: 'fail',
      message:
        '{{function}} sets no KMSKeyArn: Lambda encrypts its environment ({{variables}} variable(s)) with the AWS managed key aws/lambda, whose key policy you cannot restrict.',
    },
    keyNotCustomerManaged: {
      status: 'fail',
      message:
        '{{function}} encrypts its environment with {{key}}, an AWS managed key whose key policy you cannot restrict.',
    },
    keyNotEnabled: {
      status: 'fail',
      message:
        'KMS key {{key}}, which encrypts the environment of {{function}}, is {{keyState}} instead of Enabled: Lambda cannot decrypt the variables with it.',
    },
    keyPendingDeletion: {
      status: 'fail',
      message:
        'KMS key {{key}}, which encrypts the environment of {{function}}, is {{keyState}}: once it is deleted, the variables it encrypts can never be decrypted.',
    },
    rotationDisabled: {
      status: 'fail',
      severity: 'low',
      message:
        'Automatic rotation is off for KMS key {{key}}, which encrypts the environment of {{function}}.',
    },
  },
};

interface Finding {
  reasonId: 'keyPendingDeletion' | 'keyNotEnabled' | 'keyNotCustomerManaged' | 'rotationDisabled';
  severity: Severity;
}

/** Tie-break between findings of equal severity: the one that hurts soonest first. */
const PRIORITY: Finding['reasonId'][] = [
  'keyPendingDeletion',
  'keyNotEnabled',
  'keyNotCustomerManaged',
  'rotationDisabled',
];

function mostSevereFinding(findings: Finding[]): Finding | undefined {
  return [...findings].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      PRIORITY.indexOf(a.reasonId) - PRIORITY.indexOf(b.reasonId),
  )[0];
}

function keyEvidence(
  key: KmsKey,
  keyArn: string,
): { findings: Finding[]; evidence: EvidenceStep[]; rotationProblem: boolean } {
  const findings: Finding[] = [];
  const evidence: EvidenceStep[] = [];
  const customer = key.keyManager === 'CUSTOMER';
  if (!customer) findings.push({ reasonId: 'keyNotCustomerManaged', severity: 'medium' });
  evidence.push({
    resourceArn: keyArn,
    field: 'KeyMetadata.KeyManager',
    observed: key.keyManager,
    expected: 'CUSTOMER',
  });

  if (PENDING_DELETION.has(key.keyState))
    findings.push({ reasonId: 'keyPendingDeletion', severity: 'medium' });
  else if (key.keyState !== 'Enabled') findings.push({ reasonId: 'keyNotEnabled', severity: 'medium' });
  evidence.push({
    resourceArn: keyArn,
    field: 'KeyMetadata.KeyState',
    observed: key.keyState,
    expected: 'Enabled',
  });

  let rotationProblem = false;
  const rotation = key.rotationEnabled;
  if (!customer) {
    evidence.push({
      resourceArn: keyArn,
      field: 'KeyRotationEnabled',
      observed: rotation.status === 'ok' ? String(rotation.value) : 'not evaluated',
      note: 'AWS rotates AWS managed keys itself; rotation is judged only for customer-managed keys',
    });
  } else if (rotation.status === 'ok') {
    if (!rotation.value) findings.push({ reasonId: 'rotationDisabled', severity: 'low' });
    evidence.push({
      resourceArn: keyArn,
      field: 'KeyRotationEnabled',
      observed: String(rotation.value),
      expected: 'true',
    });
  } else {
    rotationProblem = true;
    evidence.push({
      resourceArn: keyArn,
      field: 'KeyRotationEnabled',
      observed:
        rotation.status === 'error'
          ? `unknown (${rotation.error.operation}: ${rotation.error.code})`
          : 'unknown (not collected)',
      expected: 'true',
    });
  }
  return { findings, evidence, rotationProblem };
}

/** The key's findings and evidence (after the function's own step), the most severe finding first. */
function judgeKey(
  key: KmsKey,
  keyArn: string,
): { worst: Finding | undefined; evidence: EvidenceStep[]; rotationProblem: boolean } {
  const { findings, evidence, rotationProblem } = keyEvidence(key, keyArn);
  const worst = mostSevereFinding(findings);
  if (worst !== undefined) {
    const others = findings.filter((f) => f !== worst).map((f) => f.reasonId);
    if (others.length > 0) {
      evidence.push({
        resourceArn: keyArn,
        field: 'other findings',
        observed: others.join(', '),
        note: 'reported under the most severe one',
      });
    }
  }
  return { worst, evidence, rotationProblem };
}

export default defineCheck({
  meta,
  evaluate({ fn }, index) {
    // Variables Lambda could not decrypt (Environment.Error) exist all the same: the key protects them.
    const unreadable = fn.environmentError;
    const variables = unreadable !== null ? 'undecryptable' : String(fn.environment.length);
    // SPEC: the rule is medium, low when the function has no environment variables to protect.
    const withoutVariables =
      unreadable === null && fn.environment.length === 0 ? { severity: 'low' as const } : {};
    const keyArn = fn.kmsKeyArn;
    const functionStep: EvidenceStep = {
      resourceArn: fn.functionArn,
      field: 'KMSKeyArn',
      observed: keyArn ?? 'absent (AWS managed key aws/lambda)',
      expected: 'a customer-managed KMS key ARN',
      note:
        unreadable !== null
          ? `environment variables Lambda could not decrypt (${unreadable.errorCode}); judged as present`
          : `${variables} environment variable(s)`,
    };
    if (keyArn === null) {
      return [fail('noCustomerKey', { data: { variables }, evidence: [functionStep], ...withoutVariables })];
    }

    const resolved = index.kmsKey(keyArn);
    if (!resolved.ok) return [unknown(resolved.problem, { resourceArn: keyArn, evidence: [functionStep] })];
    const key = resolved.value;
    // What the key's own state says is the same for every function that uses it.
    const judged = index.memo(['LVS009', keyArn], () => judgeKey(key, keyArn));
    const chain = [functionStep, ...judged.evidence];
    const worst = judged.worst;
    if (worst !== undefined) {
      // A low-severity reason stays low; medium ones drop to low without variables to protect.
      return [
        fail(worst.reasonId, {
          resourceArn: keyArn,
          data: { key: keyArn, keyState: key.keyState },
          evidence: chain,
          ...(worst.severity === 'medium' ? withoutVariables : {}),
        }),
      ];
    }
    if (judged.rotationProblem) {
      const rotation = key.rotationEnabled;
      const problem =
        rotation.status === 'error'
          ? ({ kind: 'api-error', error: rotation.error } as const)
          : ({ kind: 'missing', what: 'rotation status of KMS key', id: keyArn } as const);
      return [unknown(problem, { resourceArn: keyArn, evidence: chain })];
    }
    return [pass('customerKey', { resourceArn: keyArn, data: { key: keyArn }, evidence: chain })];
  },
});
