import { LvsInputError } from '../core/errors.js';
import { errorCode, errorMessage } from './call.js';
import type { Env } from './clients.js';

/**
 * Credential failures as the one line a user can act on (SPEC 5: exit 2, never a stack trace).
 * Returns undefined when the error is not about credentials.
 */
export function credentialError(
  error: unknown,
  where: { profile?: string; env: Env },
): LvsInputError | undefined {
  const profile = where.profile ?? where.env.AWS_PROFILE;
  const named = profile !== undefined && profile !== '' ? `profile "${profile}"` : undefined;
  const code = errorCode(error);
  const message = errorMessage(error);
  const login = named !== undefined ? `aws sso login --profile ${profile}` : 'aws sso login';

  if (/sso/i.test(message) && /(expired|invalid|refresh|token)/i.test(message)) {
    return new LvsInputError(
      `the AWS SSO session${named ? ` of ${named}` : ''} has expired or is invalid: run "${login}" and retry`,
    );
  }
  if (
    /profile/i.test(message) &&
    /(could not be found|not found|could not resolve|does not exist)/i.test(message)
  ) {
    return new LvsInputError(
      `AWS ${named ?? 'profile'} was not found in ~/.aws/config or ~/.aws/credentials: check the name ("aws configure list-profiles") or run "aws configure${profile ? ` --profile ${profile}` : ''}"`,
    );
  }
  if (code === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new LvsInputError(
      named
        ? `no usable AWS credentials for ${named} (${message.split('\n')[0] ?? ''}): check the profile ("aws configure list --profile ${profile}")`
        : 'no AWS credentials found: pass --profile, set AWS_PROFILE, run "aws configure" or "aws sso login", or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY',
    );
  }
  if (['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired'].includes(code)) {
    return new LvsInputError(
      `the AWS credentials${named ? ` of ${named}` : ''} have expired (${code}): refresh them (e.g. "${login}" or new temporary credentials) and retry`,
    );
  }
  if (
    [
      'InvalidClientTokenId',
      'UnrecognizedClientException',
      'SignatureDoesNotMatch',
      'InvalidAccessKeyId',
      'AuthFailure',
      'InvalidToken',
    ].includes(code)
  ) {
    return new LvsInputError(
      `AWS rejected the credentials${named ? ` of ${named}` : ''} (${code}): check the access key and secret, or the profile's configuration`,
    );
  }
  return undefined;
}
