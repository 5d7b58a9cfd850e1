import { describe, expect, it } from 'vitest';
import {
  CREDENTIAL_PATTERNS,
  credentialPatternsIn,
  isSecretReference,
  nameSuggestsSecret,
} from '../../src/core/secrets.js';

// Credential-shaped fixtures are assembled at run time so that secret scanners do not flag this file.
const join = (...parts: string[]) => parts.join('');
const SAMPLES = {
  'aws-access-key-id': [
    join('AKIA', 'Z7Q2X4W6E8R0T1Y3'),
    join('ASIA', 'Q4W6E8R0T2Y4U6I8'),
    `key=${join('AKIA', 'Z7Q2X4W6E8R0T1Y3')};`,
  ],
  'pem-private-key': [
    join('-----BEGIN ', 'PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----'),
    join('-----BEGIN ', 'RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA'),
    join('-----BEGIN ', 'OPENSSH PRIVATE KEY-----'),
    join('-----BEGIN ', 'ENCRYPTED PRIVATE KEY-----'),
  ],
  'slack-token': [join('xo', 'xb-', '1234567890-abcdefghij'), join('xo', 'xp-', '0987654321-ZYXWVUTSRQ')],
  'github-token': [join('gh', 'p_', 'A'.repeat(36)), join('gh', 's_', 'b1'.repeat(18))],
  jwt: [
    join(
      'ey',
      'JhbGciOiJIUzI1NiJ9',
      '.',
      'ey',
      'JzdWIiOiIxMjM0NTY3ODkwIn0',
      '.',
      'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    ),
  ],
} as const satisfies Record<(typeof CREDENTIAL_PATTERNS)[number]['name'], readonly string[]>;

describe('credential patterns', () => {
  it('has a sample for every pattern', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(CREDENTIAL_PATTERNS.map((p) => p.name).sort());
  });

  for (const [name, samples] of Object.entries(SAMPLES)) {
    it.each(samples.map((s) => [s.slice(0, 12), s]))(`${name} matches %s…`, (_label, sample) => {
      expect(credentialPatternsIn(sample)).toEqual([name]);
    });
  }

  it.each([
    ['a short AKIA prefix', join('AKIA', 'SHORT')],
    ['a lower-case key-id lookalike', join('akia', 'z7q2x4w6e8r0t1y3')],
    ['a key ID glued to a longer word', join('AKIA', 'Z7Q2X4W6E8R0T1Y3', 'EXTRA')],
    ['a public key', join('-----BEGIN ', 'PUBLIC KEY-----')],
    ['a certificate', join('-----BEGIN ', 'CERTIFICATE-----')],
    ['a short xoxb token', join('xo', 'xb-', '123')],
    ['a one-part base64 JSON', 'eyJhbGciOiJIUzI1NiJ9'],
    ['an ordinary value', 'scores/2026/11/'],
    ['a bucket name', 'lvs-golden-scores-111122223333'],
    ['an empty value', ''],
  ])('does not match %s', (_what, value) => {
    expect(credentialPatternsIn(value)).toEqual([]);
  });

  it('reports every pattern a value matches, in catalogue order', () => {
    const value = `${SAMPLES.jwt[0]} ${SAMPLES['aws-access-key-id'][0]}`;
    expect(credentialPatternsIn(value)).toEqual(['aws-access-key-id', 'jwt']);
  });

  it('is stateless between calls (no global-flag lastIndex carry-over)', () => {
    const sample = SAMPLES['aws-access-key-id'][0];
    expect(credentialPatternsIn(sample)).toEqual(credentialPatternsIn(sample));
    for (const { pattern } of CREDENTIAL_PATTERNS) expect(pattern.global).toBe(false);
  });
});

describe('isSecretReference', () => {
  it.each([
    'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf',
    'arn:aws:ssm:eu-west-1:111122223333:parameter/prod/db/password',
    'arn:aws-us-gov:secretsmanager:us-gov-west-1:111122223333:secret:x-AbCdEf',
    'arn:aws-cn:kms:cn-north-1:111122223333:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
    '{{resolve:secretsmanager:prod/db:SecretString:password}}',
    '{{resolve:ssm:/prod/db/password}}',
    '{{resolve:ssm-secure:/prod/db/password:1}}',
    '/prod/db/password',
    'ssm:/prod/db/password',
    '  arn:aws:secretsmanager:eu-west-1:111122223333:secret:padded-AbCdEf  ',
  ])('accepts %s', (value) => {
    expect(isSecretReference(value)).toBe(true);
  });

  it.each([
    'hunter2-but-longer',
    'correct horse battery staple',
    '',
    'arn:',
    'arn:azure:secrets:x',
    '{{resolve:unknown:thing}}',
    'prefix {{resolve:ssm:/prod/db/password}}',
    '/path with spaces/x',
    'postgres://user:pass@db.internal:5432/app',
  ])('rejects %j', (value) => {
    expect(isSecretReference(value)).toBe(false);
  });
});

describe('nameSuggestsSecret', () => {
  it.each([
    'PASSWORD',
    'DB_PASSWORD',
    'db_passwd',
    'PWD_HASH',
    'CLIENT_SECRET',
    'secretKey',
    'SLACK_TOKEN',
    'API_KEY',
    'api-key',
    'APIKEY',
    'PRIVATE_KEY',
    'private-key',
    'AWS_SECRET_ACCESS_KEY',
    'ACCESS_KEY',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'SERVICE_CREDENTIAL',
    'AUTH_KEY',
    'DB_CONNECTION_STRING',
    'SENTRY_DSN',
  ])('flags %s', (name) => {
    expect(nameSuggestsSecret(name)).toBe(true);
  });

  it.each([
    'RESULTS_BUCKET',
    'MODEL_VERSION',
    'RESULTS_PREFIX',
    'LOG_LEVEL',
    'AWS_REGION',
    'TIMEOUT_MS',
    'KEYSPACE',
  ])('does not flag %s', (name) => {
    expect(nameSuggestsSecret(name)).toBe(false);
  });

  it.each([
    // Settings of the AWS Parameters and Secrets Lambda Extension, which the LVS012 remediation recommends.
    'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT',
    'PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED',
    'PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL',
    'SECRETS_MANAGER_TTL',
    'SECRETS_MANAGER_TIMEOUT_MILLIS',
    // Settings about a secret, not the secret.
    'TOKEN_TTL_SECONDS',
    'PASSWORD_MIN_LENGTH',
    'SESSION_TOKEN_EXPIRY',
    // Identifiers of a stored secret: pointers, not values.
    'DB_SECRET_ARN',
    'DB_SECRET_NAME',
    'API_KEY_ID',
    'AWS_ACCESS_KEY_ID',
    // Token counts and tokenizers of an ML model.
    'MAX_TOKENS',
    'MAX_NEW_TOKENS_LIMIT',
    'TOKENIZER_PATH',
  ])('does not flag %s, which names a setting or a pointer, not a secret', (name) => {
    expect(nameSuggestsSecret(name)).toBe(false);
  });

  it('still flags the secret itself next to those settings', () => {
    for (const name of [
      'DB_SECRET',
      'SESSION_TOKEN',
      'SECRET_NAMESPACE_PASSWORD',
      'TOKEN_IDENTITY',
      'ID_TOKEN',
      'PORT_PASSWORD',
    ]) {
      expect(nameSuggestsSecret(name), name).toBe(true);
    }
  });
});
