import { describe, expect, it } from 'vitest';
import check from '../../src/checks/lvs009-env-encrypted-with-cmk.js';
import type { AccountSnapshot, KmsKey } from '../../src/snapshot/schema.js';
import { expectOutcome, runCheck, summarize } from '../helpers/check-tester.js';
import { G, golden, goldenFunction, okValue } from '../helpers/golden.js';

const goldenKey = (s: AccountSnapshot): KmsKey => {
  const fetched = s.kms.keys[G.keyArn];
  if (!fetched) throw new Error('golden key missing');
  return okValue(fetched, 'golden key');
};
const denied = {
  service: 'kms',
  operation: 'GetKeyRotationStatus',
  resource: G.keyArn,
  code: 'AccessDeniedException',
  message: 'denied',
};

describe('LVS009 env-encrypted-with-cmk', () => {
  it('passes for the golden function, naming the key as the resource', async () => {
    const result = await expectOutcome(check, golden(), { status: 'pass', reasonId: 'customerKey' });
    expect(result.resourceArn).toBe(G.keyArn);
    expect(result.evidence.map((e) => e.field)).toEqual([
      'KMSKeyArn',
      'KeyMetadata.KeyManager',
      'KeyMetadata.KeyState',
      'KeyRotationEnabled',
    ]);
  });

  it('returns exactly one result per function', async () => {
    const snapshot = golden((s) => {
      goldenKey(s).keyManager = 'AWS';
      goldenKey(s).keyState = 'PendingDeletion';
    });
    expect(await runCheck(check, snapshot)).toHaveLength(1);
  });

  describe('noCustomerKey', () => {
    it('fails (medium) when KMSKeyArn is absent and the function has environment variables', async () => {
      const snapshot = golden((s) => {
        goldenFunction(s).kmsKeyArn = null;
      });
      const result = await expectOutcome(check, snapshot, {
        status: 'fail',
        reasonId: 'noCustomerKey',
        severity: 'medium',
      });
      expect(result.resourceArn).toBe(G.functionArn);
      expect(result.message).toContain('(3 variable(s))');
      expect(result.evidence[0]).toMatchObject({ resourceArn: G.functionArn, field: 'KMSKeyArn' });
    });

    it('is low when the function has no environment variables', async () => {
      const snapshot = golden((s) => {
        const fn = goldenFunction(s);
        fn.kmsKeyArn = null;
        fn.environment = [];
      });
      await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'noCustomerKey', severity: 'low' });
    });
  });

  it('fails with keyNotCustomerManaged when KMSKeyArn is an AWS managed key', async () => {
    const snapshot = golden((s) => {
      goldenKey(s).keyManager = 'AWS';
    });
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'keyNotCustomerManaged',
      severity: 'medium',
    });
    expect(result.resourceArn).toBe(G.keyArn);
  });

  it.each(['Disabled', 'PendingImport', 'Unavailable'])(
    'fails with keyNotEnabled when the key is %s',
    async (state) => {
      const snapshot = golden((s) => {
        goldenKey(s).keyState = state;
      });
      const result = await expectOutcome(check, snapshot, {
        status: 'fail',
        reasonId: 'keyNotEnabled',
        severity: 'medium',
      });
      expect(result.message).toContain(state);
    },
  );

  it.each(['PendingDeletion', 'PendingReplicaDeletion'])(
    'fails with keyPendingDeletion when the key is %s',
    async (state) => {
      const snapshot = golden((s) => {
        goldenKey(s).keyState = state;
      });
      await expectOutcome(check, snapshot, {
        status: 'fail',
        reasonId: 'keyPendingDeletion',
        severity: 'medium',
      });
    },
  );

  it('fails (low) with rotationDisabled when automatic rotation is off', async () => {
    const snapshot = golden((s) => {
      goldenKey(s).rotationEnabled = { status: 'ok', value: false };
    });
    await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'rotationDisabled', severity: 'low' });
  });

  it('reports the most severe finding and lists the others in evidence', async () => {
    const snapshot = golden((s) => {
      goldenKey(s).keyState = 'PendingDeletion';
      goldenKey(s).rotationEnabled = { status: 'ok', value: false };
    });
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'keyPendingDeletion',
      severity: 'medium',
    });
    expect(result.evidence.find((e) => e.field === 'other findings')?.observed).toBe('rotationDisabled');
  });

  it('keeps a medium key finding at low when the function has no environment variables', async () => {
    const snapshot = golden((s) => {
      goldenFunction(s).environment = [];
      goldenKey(s).keyState = 'Disabled';
    });
    await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'keyNotEnabled', severity: 'low' });
  });

  describe('an environment Lambda could not decrypt (Environment.Error) has variables', () => {
    const unreadable = (s: AccountSnapshot, errorCode = 'KMSAccessDeniedException') => {
      const fn = goldenFunction(s);
      fn.environment = [];
      fn.environmentError = { errorCode, message: 'Lambda was unable to decrypt the environment variables' };
    };

    it('stays medium without KMSKeyArn, and says the variables could not be decrypted', async () => {
      const snapshot = golden((s) => {
        unreadable(s);
        goldenFunction(s).kmsKeyArn = null;
      });
      const result = await expectOutcome(check, snapshot, {
        status: 'fail',
        reasonId: 'noCustomerKey',
        severity: 'medium',
      });
      expect(result.message).toContain('(undecryptable variable(s))');
      expect(result.evidence[0]?.note).toContain('KMSAccessDeniedException');
    });

    it('keeps a key finding medium (a disabled key is why Lambda cannot decrypt)', async () => {
      const snapshot = golden((s) => {
        unreadable(s, 'KMSDisabledException');
        goldenKey(s).keyState = 'Disabled';
      });
      await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'keyNotEnabled', severity: 'medium' });
    });

    it('judges the key itself: an Enabled, rotated customer key passes, the error in evidence', async () => {
      const snapshot = golden(unreadable);
      const result = await expectOutcome(check, snapshot, { status: 'pass', reasonId: 'customerKey' });
      expect(result.evidence[0]).toMatchObject({ field: 'KMSKeyArn' });
      expect(result.evidence[0]?.note).toContain('could not decrypt (KMSAccessDeniedException)');
    });
  });

  it('does not judge rotation of an AWS managed key', async () => {
    const snapshot = golden((s) => {
      goldenKey(s).keyManager = 'AWS';
      goldenKey(s).rotationEnabled = { status: 'ok', value: false };
    });
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'keyNotCustomerManaged',
    });
    expect(result.evidence.some((e) => e.field === 'other findings')).toBe(false);
  });

  describe('errors, never a pass', () => {
    it('errors with notInSnapshot when the key is not in the snapshot', async () => {
      const snapshot = golden((s) => {
        delete s.kms.keys[G.keyArn];
      });
      const result = await expectOutcome(check, snapshot, { status: 'error', reasonId: 'notInSnapshot' });
      expect(result.resourceArn).toBe(G.keyArn);
    });

    it('errors with readFailed when DescribeKey failed', async () => {
      const snapshot = golden((s) => {
        s.kms.keys[G.keyArn] = { status: 'error', error: { ...denied, operation: 'DescribeKey' } };
      });
      const result = await expectOutcome(check, snapshot, { status: 'error', reasonId: 'readFailed' });
      expect(result.message).toContain('DescribeKey');
    });

    it('errors with readFailed when GetKeyRotationStatus failed and nothing else fails', async () => {
      const snapshot = golden((s) => {
        goldenKey(s).rotationEnabled = { status: 'error', error: denied };
      });
      const result = await expectOutcome(check, snapshot, { status: 'error', reasonId: 'readFailed' });
      expect(result.message).toContain('GetKeyRotationStatus');
    });

    it('errors when the rotation status was not collected', async () => {
      const snapshot = golden((s) => {
        goldenKey(s).rotationEnabled = { status: 'absent' };
      });
      await expectOutcome(check, snapshot, { status: 'error', reasonId: 'notInSnapshot' });
    });

    it('still fails on a known finding when only the rotation read failed', async () => {
      const snapshot = golden((s) => {
        goldenKey(s).keyState = 'Disabled';
        goldenKey(s).rotationEnabled = { status: 'error', error: denied };
      });
      const results = await runCheck(check, snapshot);
      expect(summarize(results)).toEqual([{ status: 'fail', reasonId: 'keyNotEnabled', severity: 'medium' }]);
    });
  });
});
