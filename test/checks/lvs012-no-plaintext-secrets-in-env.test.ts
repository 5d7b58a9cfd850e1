import { describe, expect, it } from 'vitest';
import check from '../../src/checks/lvs012-no-plaintext-secrets-in-env.js';
import { redactEnvironment } from '../../src/snapshot/redact.js';
import type { AccountSnapshot, EnvironmentVariable } from '../../src/snapshot/schema.js';
import { expectOutcome, runCheck, summarize } from '../helpers/check-tester.js';
import { G, golden, goldenFunction } from '../helpers/golden.js';

const BUCKETS = new Set(['lvs-golden-scores-111122223333', 'lvs-golden-artifacts-111122223333']);

/** Builds the snapshot form of raw variables exactly as collection does, and appends them to the golden function. */
function withRawEnv(raw: Record<string, string>): AccountSnapshot {
  return golden((s) => {
    goldenFunction(s).environment.push(...redactEnvironment(raw, BUCKETS));
  });
}
const variable = (name: string, facts: Partial<EnvironmentVariable> = {}): EnvironmentVariable => ({
  name,
  value: '<redacted>',
  isEmpty: false,
  isReference: false,
  credentialPatterns: [],
  bucketName: null,
  ...facts,
});

// Assembled at run time so that no scanner mistakes the fixtures for real credentials.
const ACCESS_KEY_ID = ['AKIA', 'Z7Q2X4W6E8R0T1Y3'].join('');
const PASSWORD = 'correct-horse-battery-staple';

describe('LVS012 no-plaintext-secrets-in-env', () => {
  it('passes for the golden function', async () => {
    const result = await expectOutcome(check, golden(), { status: 'pass', reasonId: 'noPlaintextSecrets' });
    expect(result.message).toContain('3 environment variable(s)');
  });

  it('is not applicable without environment variables', async () => {
    const snapshot = golden((s) => {
      goldenFunction(s).environment = [];
    });
    await expectOutcome(check, snapshot, { status: 'not-applicable', reasonId: 'noEnvironment' });
  });

  it('fails with secretNamedPlaintext for a secret-named variable holding a literal', async () => {
    const result = await expectOutcome(check, withRawEnv({ DB_PASSWORD: PASSWORD }), {
      status: 'fail',
      reasonId: 'secretNamedPlaintext',
      severity: 'high',
    });
    expect(result.message).toContain('DB_PASSWORD');
    expect(result.evidence).toHaveLength(1);
    expect(result.evidence[0]).toMatchObject({ field: 'Environment.Variables.DB_PASSWORD' });
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it('fails with credentialInValue naming the pattern and the variable, never the value', async () => {
    const result = await expectOutcome(check, withRawEnv({ UPLOADER_ID: ACCESS_KEY_ID }), {
      status: 'fail',
      reasonId: 'credentialInValue',
      severity: 'high',
    });
    expect(result.message).toContain('UPLOADER_ID');
    expect(result.message).toContain('aws-access-key-id');
    expect(JSON.stringify(result)).not.toContain(ACCESS_KEY_ID);
  });

  it('reports both kinds in one credentialInValue result', async () => {
    const results = await runCheck(
      check,
      withRawEnv({ API_TOKEN: 'tok3n-plain-value', LEGACY: ACCESS_KEY_ID }),
    );
    expect(summarize(results)).toEqual([{ status: 'fail', reasonId: 'credentialInValue', severity: 'high' }]);
    const [result] = results;
    expect(result?.evidence.map((e) => e.field)).toEqual([
      'Environment.Variables.LEGACY',
      'Environment.Variables.API_TOKEN',
    ]);
    expect(result?.message).toContain('API_TOKEN');
  });

  it('lists every pattern once, sorted', async () => {
    const snapshot = golden((s) => {
      goldenFunction(s).environment.push(
        variable('A', { credentialPatterns: ['jwt'] }),
        variable('B', { credentialPatterns: ['aws-access-key-id', 'jwt'] }),
      );
    });
    const result = await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'credentialInValue' });
    expect(result.message).toContain('aws-access-key-id, jwt');
  });

  describe('environmentUnreadable: Lambda could not decrypt the variables', () => {
    const KMS_DENIED = {
      errorCode: 'KMSAccessDeniedException',
      message: 'Lambda was unable to decrypt the environment variables because KMS access was denied.',
    };

    it('errors, never passes nor is not-applicable, naming the error code and message', async () => {
      const snapshot = golden((s) => {
        const fn = goldenFunction(s);
        fn.environment = [];
        fn.environmentError = KMS_DENIED;
      });
      const results = await runCheck(check, snapshot);
      expect(summarize(results)).toEqual([
        { status: 'error', reasonId: 'environmentUnreadable', severity: 'high' },
      ]);
      const [result] = results;
      expect(result?.message).toMatch(/^Could not evaluate/);
      expect(result?.message).toContain('KMSAccessDeniedException');
      expect(result?.message).toContain(KMS_DENIED.message);
      expect(result?.evidence).toEqual([
        expect.objectContaining({
          resourceArn: G.functionArn,
          field: 'Environment.Error',
          observed: `KMSAccessDeniedException: ${KMS_DENIED.message}`,
        }),
      ]);
    });

    it('errors when the variables it did show hold no secret: the others were never seen', async () => {
      const snapshot = golden((s) => {
        goldenFunction(s).environmentError = { errorCode: 'KMSDisabledException', message: 'key disabled' };
      });
      await expectOutcome(check, snapshot, {
        status: 'error',
        reasonId: 'environmentUnreadable',
        severity: 'high',
      });
    });

    it('still fails on a secret among the variables it did show (a known failure wins)', async () => {
      const snapshot = golden((s) => {
        const fn = goldenFunction(s);
        fn.environment.push(...redactEnvironment({ DB_PASSWORD: PASSWORD }, BUCKETS));
        fn.environmentError = KMS_DENIED;
      });
      const results = await runCheck(check, snapshot);
      expect(summarize(results)).toEqual([
        { status: 'fail', reasonId: 'secretNamedPlaintext', severity: 'high' },
      ]);
    });
  });

  describe('accepted values', () => {
    it.each([
      ['a Secrets Manager ARN', 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-password-AbCdEf'],
      ['an SSM parameter ARN', 'arn:aws:ssm:eu-west-1:111122223333:parameter/prod/db/password'],
      ['a CloudFormation dynamic reference', '{{resolve:ssm:/prod/db/password}}'],
      ['a Secrets Manager dynamic reference', '{{resolve:secretsmanager:prod/db:SecretString:password}}'],
      ['an SSM parameter path', '/prod/db/password'],
      ['an empty value', ''],
      ['a bucket name of the account', 'lvs-golden-artifacts-111122223333'],
    ])('passes for a secret-named variable holding %s', async (_what, value) => {
      const result = await expectOutcome(check, withRawEnv({ DB_PASSWORD: value }), {
        status: 'pass',
        reasonId: 'noPlaintextSecrets',
      });
      expect(result.evidence.map((e) => e.field)).toEqual(['Environment.Variables.DB_PASSWORD']);
    });

    it('passes for the settings of the Parameters and Secrets extension and secret identifiers', async () => {
      const snapshot = withRawEnv({
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2773',
        SECRETS_MANAGER_TTL: '300',
        DB_SECRET_NAME: 'prod/scorer/db',
        MAX_TOKENS: '512',
      });
      await expectOutcome(check, snapshot, { status: 'pass', reasonId: 'noPlaintextSecrets' });
    });

    it('passes for a literal in a variable whose name suggests no secret', async () => {
      await expectOutcome(check, withRawEnv({ LOG_LEVEL: 'debug-verbose' }), {
        status: 'pass',
        reasonId: 'noPlaintextSecrets',
      });
    });

    it('still fails a reference-shaped value that carries a credential', async () => {
      const snapshot = golden((s) => {
        goldenFunction(s).environment.push(
          variable('SECRET_REF', { isReference: true, credentialPatterns: ['aws-access-key-id'] }),
        );
      });
      await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'credentialInValue' });
    });
  });

  it.each([
    'PASSWORD',
    'db_passwd',
    'CLIENT_SECRET',
    'GITHUB_TOKEN',
    'STRIPE_API_KEY',
    'apikey',
    'PRIVATE_KEY',
    'AWS_SECRET_ACCESS_KEY',
    'GOOGLE_CREDENTIALS',
  ])('treats %s as a secret name', async (name) => {
    await expectOutcome(check, withRawEnv({ [name]: 'plain-literal-value' }), {
      status: 'fail',
      reasonId: 'secretNamedPlaintext',
    });
  });
});
