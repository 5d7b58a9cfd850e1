import { describe, expect, it } from 'vitest';
import { credentialError } from '../../src/collect/credentials.js';

const err = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('credential errors as one actionable line', () => {
  it.each([
    [
      err(
        'CredentialsProviderError',
        'Could not resolve credentials using profile: [prod] in configuration/credentials file(s).',
      ),
      { profile: 'prod', env: {} },
      /AWS profile "prod" was not found in ~\/\.aws\/config or ~\/\.aws\/credentials/,
    ],
    [
      err(
        'CredentialsProviderError',
        'Profile prod could not be found or parsed in shared credentials file.',
      ),
      { profile: 'prod', env: {} },
      /profile "prod" was not found/,
    ],
    [
      err(
        'CredentialsProviderError',
        'The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.',
      ),
      { profile: 'prod', env: {} },
      /SSO session of profile "prod" has expired or is invalid: run "aws sso login --profile prod"/,
    ],
    [
      err('CredentialsProviderError', 'Could not load credentials from any providers'),
      { env: {} },
      /^no AWS credentials found: pass --profile, set AWS_PROFILE/,
    ],
    [
      err('CredentialsProviderError', 'Could not load credentials from any providers'),
      { env: { AWS_PROFILE: 'ci' } },
      /no usable AWS credentials for profile "ci"/,
    ],
    [
      err('ExpiredToken', 'The security token included in the request is expired'),
      { env: {} },
      /credentials have expired \(ExpiredToken\)/,
    ],
    [
      err('InvalidClientTokenId', 'The security token included in the request is invalid.'),
      { profile: 'x', env: {} },
      /AWS rejected the credentials of profile "x" \(InvalidClientTokenId\)/,
    ],
    [
      err('SignatureDoesNotMatch', 'bad signature'),
      { env: {} },
      /AWS rejected the credentials \(SignatureDoesNotMatch\)/,
    ],
  ])('%s', (error, where, expected) => {
    const mapped = credentialError(error, where);
    expect(mapped?.message).toMatch(expected);
    expect(mapped?.message).not.toContain('\n');
  });

  it('leaves other errors alone', () => {
    expect(credentialError(err('AccessDenied', 'no'), { env: {} })).toBeUndefined();
    expect(
      credentialError(err('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:4566'), { env: {} }),
    ).toBeUndefined();
  });
});
