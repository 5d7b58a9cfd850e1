/**
 * The process environment of a user who runs lvs against an AWS-compatible endpoint: the SDK reads
 * the endpoint and the credentials from process.env itself, so the end-to-end tests set them there.
 */

export const ENDPOINT_ENV_KEYS = [
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_PROFILE',
  'AWS_EC2_METADATA_DISABLED',
] as const;

export function endpointEnv(
  url: string,
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Sets the endpoint variables of process.env to `env`; those `env` lacks (a profile, a session token) are removed. */
export function useEndpointEnv(env: Readonly<Record<string, string>>): void {
  for (const key of ENDPOINT_ENV_KEYS) {
    const value = env[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}

/** Remembers the endpoint variables of process.env; the returned function puts them back. */
export function saveEndpointEnv(): () => void {
  const saved = Object.fromEntries(ENDPOINT_ENV_KEYS.map((k) => [k, process.env[k]]));
  return () => {
    for (const key of ENDPOINT_ENV_KEYS) {
      const value = saved[key];
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
