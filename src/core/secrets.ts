/**
 * What makes an environment variable look like a secret. Shared by redaction (which must classify
 * the value before it is thrown away) and by LVS012 (which judges the classification).
 */

/** Names that suggest the value is a secret (SPEC 2, LVS012). Matched case-insensitively on the whole name. */
export const SECRET_NAME_PATTERN =
  /(passw(?:or)?d|passwd|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key|credential|auth[_-]?key|client[_-]?secret|conn(?:ection)?[_-]?str(?:ing)?|dsn)/i;

/** Patterns of live credentials, by name. The name is what a snapshot keeps, never the match. */
export const CREDENTIAL_PATTERNS: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'aws-access-key-id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'pem-private-key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  { name: 'slack-token', pattern: /\bxox[bpas]-[0-9A-Za-z-]{10,}/ },
  { name: 'github-token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { name: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
];

/**
 * A value that points at a secret instead of holding it: an ARN (Secrets Manager, SSM, KMS…),
 * a CloudFormation dynamic reference, or an SSM parameter path.
 */
export function isSecretReference(value: string): boolean {
  const v = value.trim();
  return (
    /^arn:aws[a-z-]*:[a-z0-9-]+:/.test(v) ||
    /^\{\{resolve:(?:secretsmanager|ssm|ssm-secure):/.test(v) ||
    /^\/[A-Za-z0-9_.\-/]+$/.test(v) ||
    /^ssm:\/?[A-Za-z0-9_.\-/]+$/.test(v)
  );
}

export function credentialPatternsIn(value: string): string[] {
  return CREDENTIAL_PATTERNS.filter(({ pattern }) => pattern.test(value)).map(({ name }) => name);
}

/**
 * Names that mention a secret but hold a setting about it or a pointer to it, never the secret:
 * the AWS Parameters and Secrets Lambda Extension's own settings (PARAMETERS_SECRETS_EXTENSION_HTTP_PORT,
 * SECRETS_MANAGER_TTL…), settings such as TOKEN_TTL_SECONDS or PASSWORD_MIN_LENGTH, identifiers of a
 * stored secret (DB_SECRET_ARN, DB_SECRET_NAME, API_KEY_ID), and token counts or tokenizers (MAX_TOKENS,
 * TOKENIZER_PATH). A credential in such a variable's value is still caught by CREDENTIAL_PATTERNS.
 */
export const NON_SECRET_NAME_PATTERN =
  /^parameters_secrets_extension_|(?:^|[_-])(?:ttl|timeout|expiry|expires|max_age|length|size|port|enabled)(?:[_-](?:s|ms|millis|seconds|minutes|hours|days))?$|[_-](?:arn|name|id)$|tokens(?![a-z0-9])|tokeni[sz]/i;

export function nameSuggestsSecret(name: string): boolean {
  return SECRET_NAME_PATTERN.test(name) && !NON_SECRET_NAME_PATTERN.test(name);
}
