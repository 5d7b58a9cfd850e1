import { credentialPatternsIn, isSecretReference } from '../core/secrets.js';
import { REDACTED, type EnvironmentVariable } from './schema.js';

/**
 * Turns a function's raw environment into its snapshot form: the value is replaced by a marker and
 * only the facts the rules need survive (empty? a reference? which credential patterns matched?
 * exactly one of the account's bucket names?). Runs at collection time, before anything is written.
 */
export function redactEnvironment(
  variables: Readonly<Record<string, string>>,
  accountBucketNames: ReadonlySet<string>,
): EnvironmentVariable[] {
  return Object.entries(variables)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({
      name,
      value: REDACTED,
      isEmpty: value.trim() === '',
      isReference: isSecretReference(value),
      credentialPatterns: credentialPatternsIn(value),
      bucketName: accountBucketNames.has(value.trim()) ? value.trim() : null,
    }));
}
