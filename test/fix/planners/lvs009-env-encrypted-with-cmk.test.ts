import { describe, expect, it } from 'vitest';
import { placeholder } from '../../../src/fix/plan-model.js';
import {
  DECRYPT_SID,
  KEY_ALIAS,
  keyPolicyOf,
} from '../../../src/fix/planners/lvs009-env-encrypted-with-cmk.js';
import type { AccountSnapshot } from '../../../src/snapshot/schema.js';
import { G, golden, okValue, regionOf } from '../../helpers/golden.js';
import { GOLDEN_STEPS, applied, auditResults, demoSnapshot, failing, planOf, stepById } from '../helpers.js';

const keyOf = (s: AccountSnapshot) => {
  const key = s.kms.keys[G.keyArn];
  if (key?.status !== 'ok') throw new Error('golden key');
  return key.value;
};

describe('LVS009 planner', () => {
  it('creates one key per account and region whose policy keeps the account statement and lets every role decrypt', async () => {
    const { plan } = await planOf(demoSnapshot());
    const keySteps = plan.steps.filter((s) => s.id.endsWith(':key/new'));
    expect(keySteps.map((s) => s.region)).toEqual(['eu-west-1', 'us-east-1']);
    const eu = stepById(plan, 'LVS009:arn:aws:kms:eu-west-1:111122223333:key/new');
    expect(eu.api.map((c) => c.operation)).toEqual([
      'CreateKey',
      'CreateAlias',
      'PutKeyPolicy',
      'EnableKeyRotation',
    ]);
    expect(eu.resolves).toEqual([]);
    const policy = keyPolicyOf(eu);
    expect(policy?.Statement[0]).toMatchObject({
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 'kms:*',
    });
    expect(policy?.Statement[1]).toEqual({
      Sid: DECRYPT_SID,
      Effect: 'Allow',
      Principal: {
        AWS: [
          'arn:aws:iam::111122223333:role/iot-ingest-role',
          'arn:aws:iam::111122223333:role/public-api-role',
          'arn:aws:iam::111122223333:role/records-sync-role',
        ],
      },
      Action: 'kms:Decrypt',
      Resource: '*',
    });
    const fn = stepById(plan, 'LVS009:arn:aws:lambda:eu-west-1:111122223333:function:medical-records-sync');
    expect(fn.api[0]?.params).toEqual({
      FunctionName: 'arn:aws:lambda:eu-west-1:111122223333:function:medical-records-sync',
      KMSKeyArn: placeholder('new-key-eu-west-1'),
    });
    expect(fn.dependsOn).toEqual([eu.id]);
  });

  it('names the new key with a fixed alias and declares how a re-run finds and reuses it', async () => {
    const { plan } = await planOf(demoSnapshot());
    for (const region of ['eu-west-1', 'us-east-1']) {
      const step = stepById(plan, `LVS009:arn:aws:kms:${region}:111122223333:key/new`);
      const key = placeholder(`new-key-${region}`);
      // The captured value is the key's full ARN: the step's resource and its policy document name it as is.
      expect(step.resourceArn).toBe(key);
      expect(step.documents.map((d) => d.resourceArn)).toEqual([key]);
      const [create, alias, put, rotate] = step.api;
      expect(create?.captures).toEqual({ [`new-key-${region}`]: 'KeyMetadata.Arn' });
      expect(alias).toMatchObject({
        service: 'kms',
        operation: 'CreateAlias',
        region,
        params: { AliasName: KEY_ALIAS, TargetKeyId: key },
      });
      expect(alias?.captures).toBeUndefined();
      expect(put?.params.KeyId).toBe(key);
      expect(rotate?.params).toEqual({ KeyId: key });
      const reuse = {
        lookup: { operation: 'DescribeKey', params: { KeyId: 'alias/lvs/lambda-environment' } },
        notFound: ['NotFoundException'],
        requires: { 'KeyMetadata.KeyManager': ['CUSTOMER'], 'KeyMetadata.KeyState': ['Enabled'] },
        label: 'key from a previous run (alias/lvs/lambda-environment)',
      };
      expect(create?.reuse).toMatchObject({
        ...reuse,
        captures: { [`new-key-${region}`]: 'KeyMetadata.Arn' },
      });
      expect(alias?.reuse).toMatchObject(reuse);
      expect(alias?.reuse?.captures).toBeUndefined();
      expect(create?.reuse?.otherwise).toContain(
        `aws kms delete-alias --region ${region} --alias-name alias/lvs/lambda-environment`,
      );
      // The plan no longer warns that a re-run creates another key; only a failed CreateAlias can.
      const risks = step.risks.map((r) => r.detail).join('\n');
      expect(risks).not.toMatch(/Re-running the plan .* creates another key/);
      expect(risks).toContain('Only if kms:CreateAlias itself fails');
      expect(step.notes.join('\n')).toContain('Safe to re-run');
      expect(step.preconditions.join('\n')).toContain('kms:CreateAlias');
    }
  });

  it.each([
    ['Disabled', ['EnableKey']],
    ['PendingDeletion', ['CancelKeyDeletion', 'EnableKey']],
  ])('repairs a customer-managed key that is %s in place', async (state, operations) => {
    const snapshot = golden((s) => {
      keyOf(s).keyState = state;
      keyOf(s).rotationEnabled = { status: 'ok', value: false };
    });
    const { plan } = await planOf(snapshot);
    const step = stepById(plan, `LVS009:${G.keyArn}`);
    expect(step.api.map((c) => c.operation)).toEqual([...operations, 'EnableKeyRotation']);
    expect(step.api.every((c) => c.params.KeyId === G.keyArn)).toBe(true);
    expect(plan.steps.some((s) => s.id.endsWith(':key/new'))).toBe(false);
    const after = applied(plan, snapshot);
    expect(keyOf(after)).toMatchObject({
      keyState: 'Enabled',
      rotationEnabled: { status: 'ok', value: true },
    });
    expect(failing(await auditResults(after), 'LVS009')).toEqual([]);
  });

  it('leaves a key in a state one call cannot fix to a person', async () => {
    const { plan } = await planOf(golden((s) => (keyOf(s).keyState = 'PendingImport')));
    const step = stepById(plan, `LVS009:${G.keyArn}`);
    expect(step.kind).toBe('manual');
    expect(step.template).toContain('describe-key');
  });

  it('gives a function without a key the new key of its region', async () => {
    const snapshot = golden((s) => {
      const fn = okValue(regionOf(s).functions, 'functions')[0];
      if (fn) fn.kmsKeyArn = null;
    });
    const { plan } = await planOf(snapshot);
    expect(plan.steps.map((s) => s.id)).toEqual([
      `LVS009:arn:aws:kms:${G.region}:${G.accountId}:key/new`,
      GOLDEN_STEPS.function('LVS009'),
    ]);
    const after = applied(plan, snapshot);
    const fn = okValue(regionOf(after).functions, 'functions')[0];
    expect(after.kms.keys[fn?.kmsKeyArn ?? '']).toMatchObject({
      status: 'ok',
      value: { keyManager: 'CUSTOMER' },
    });
    const step = stepById(plan, GOLDEN_STEPS.function('LVS009'));
    expect(step.risks.map((r) => r.kind)).toEqual(['availability']);
  });

  it('does not set KMSKeyArn blindly on a function whose environment Lambda cannot decrypt', async () => {
    const snapshot = golden((s) => {
      const fn = okValue(regionOf(s).functions, 'functions')[0];
      if (!fn) throw new Error('golden function');
      fn.kmsKeyArn = null;
      fn.environment = [];
      fn.environmentError = {
        errorCode: 'KMSAccessDeniedException',
        message: 'Lambda was unable to decrypt',
      };
    });
    const { plan } = await planOf(snapshot);
    const step = stepById(plan, GOLDEN_STEPS.function('LVS009'));
    const risk = step.risks.find((r) => r.kind === 'unknown-state');
    expect(risk?.detail).toContain('KMSAccessDeniedException: Lambda was unable to decrypt');
    expect(risk?.detail).toContain('Restore access to the current key first');
    expect(risk?.resources).toEqual([G.functionArn]);
    expect(step.preconditions.some((p) => p.includes('can decrypt the current environment'))).toBe(true);
  });
});
