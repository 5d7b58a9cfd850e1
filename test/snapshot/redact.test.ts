import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_PATTERNS } from '../../src/core/secrets.js';
import { redactEnvironment } from '../../src/snapshot/redact.js';
import { environmentVariableSchema, REDACTED } from '../../src/snapshot/schema.js';

const BUCKETS = new Set(['lvs-golden-scores-111122223333', 'lvs-golden-artifacts-111122223333']);
const ACCESS_KEY_ID = ['AKIA', 'Z7Q2X4W6E8R0T1Y3'].join('');

/** True when `value` shows up in `json`, raw or JSON-escaped. */
function leaks(json: string, value: string): boolean {
  return json.includes(value) || json.includes(JSON.stringify(value).slice(1, -1));
}

describe('redactEnvironment', () => {
  it('replaces every value by the marker and keeps the facts the rules need', () => {
    const out = redactEnvironment(
      {
        RESULTS_BUCKET: 'lvs-golden-scores-111122223333',
        DB_PASSWORD: 'correct-horse-battery-staple',
        UPLOADER_ID: ACCESS_KEY_ID,
        API_TOKEN_ARN: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:api-AbCdEf',
        EMPTY_SECRET: '   ',
      },
      BUCKETS,
    );
    expect(out).toEqual([
      {
        name: 'API_TOKEN_ARN',
        value: REDACTED,
        isEmpty: false,
        isReference: true,
        credentialPatterns: [],
        bucketName: null,
      },
      {
        name: 'DB_PASSWORD',
        value: REDACTED,
        isEmpty: false,
        isReference: false,
        credentialPatterns: [],
        bucketName: null,
      },
      {
        name: 'EMPTY_SECRET',
        value: REDACTED,
        isEmpty: true,
        isReference: false,
        credentialPatterns: [],
        bucketName: null,
      },
      {
        name: 'RESULTS_BUCKET',
        value: REDACTED,
        isEmpty: false,
        isReference: false,
        credentialPatterns: [],
        bucketName: 'lvs-golden-scores-111122223333',
      },
      {
        name: 'UPLOADER_ID',
        value: REDACTED,
        isEmpty: false,
        isReference: false,
        credentialPatterns: ['aws-access-key-id'],
        bucketName: null,
      },
    ]);
    for (const variable of out) expect(environmentVariableSchema.safeParse(variable).success).toBe(true);
  });

  it('keeps a bucket name only when the whole (trimmed) value is a bucket of the account', () => {
    const [padded, partial, foreign] = redactEnvironment(
      {
        A: '  lvs-golden-scores-111122223333 ',
        B: 'lvs-golden-scores-111122223333/prefix',
        C: 'someone-elses-bucket',
      },
      BUCKETS,
    );
    expect(padded?.bucketName).toBe('lvs-golden-scores-111122223333');
    expect(partial?.bucketName).toBeNull();
    expect(foreign?.bucketName).toBeNull();
  });

  it('returns nothing for no variables', () => {
    expect(redactEnvironment({}, BUCKETS)).toEqual([]);
  });

  describe('never keeps a value (property)', () => {
    const name = fc.constantFrom('DB_PASSWORD', 'API_TOKEN', 'CONFIG', 'X');
    /** Values worth trying: arbitrary text, credential shapes, references, bucket-like names. */
    const value = fc.oneof(
      fc.string({ minLength: 8 }),
      fc.string({ minLength: 8, unit: 'grapheme' }),
      fc.stringMatching(/^(AKIA|ASIA)[0-9A-Z]{16}$/),
      fc.stringMatching(/^gh[pousr]_[A-Za-z0-9]{36}$/),
      fc.stringMatching(/^-----BEGIN (RSA |EC )?PRIVATE KEY-----\n[A-Za-z0-9+/=\n]{8,40}$/),
      fc.stringMatching(/^arn:aws:secretsmanager:[a-z0-9-]{4,12}:\d{12}:secret:[A-Za-z0-9/_-]{1,20}$/),
      fc.stringMatching(/^[a-z0-9][a-z0-9.-]{7,40}$/),
    );
    /**
     * Text the output always carries whatever the value is (property names, the marker, the
     * variable name, pattern names): a value that is part of it is not a leak of the value.
     */
    const structural = (n: string) =>
      JSON.stringify(redactEnvironment({ [n]: '' }, new Set())) +
      CREDENTIAL_PATTERNS.map((p) => p.name).join(' ');

    it('for any single value of length >= 8 that is not a bucket name', () => {
      fc.assert(
        fc.property(
          name,
          value,
          fc.array(fc.string({ minLength: 3 }), { maxLength: 3 }),
          (n, v, extraBuckets) => {
            const buckets = new Set([...BUCKETS, ...extraBuckets]);
            fc.pre(!buckets.has(v.trim()));
            fc.pre(!structural(n).includes(v));
            const json = JSON.stringify(redactEnvironment({ [n]: v }, buckets));
            expect(leaks(json, v)).toBe(false);
          },
        ),
        { numRuns: 500 },
      );
    });

    it('for every value among several variables', () => {
      fc.assert(
        fc.property(
          fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,15}$/), value, { minKeys: 1, maxKeys: 6 }),
          (env) => {
            const out = redactEnvironment(env, BUCKETS);
            const json = JSON.stringify(out);
            const names = Object.keys(env).join(' ');
            const kept = out.map((v) => v.bucketName ?? '').join(' ');
            for (const v of Object.values(env)) {
              if (BUCKETS.has(v.trim()) || names.includes(v) || kept.includes(v)) continue;
              if (Object.keys(env).some((n) => structural(n).includes(v))) continue;
              expect(leaks(json, v)).toBe(false);
            }
            expect(out.every((v) => v.value === REDACTED)).toBe(true);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('classifies the real secret shapes it is given', () => {
      fc.assert(
        fc.property(fc.stringMatching(/^(AKIA|ASIA)[0-9A-Z]{16}$/), (key) => {
          const [variable] = redactEnvironment({ ID: key }, BUCKETS);
          expect(variable?.credentialPatterns).toEqual(['aws-access-key-id']);
        }),
      );
    });
  });
});
