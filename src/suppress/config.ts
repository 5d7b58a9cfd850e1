import * as z from 'zod';
import { LvsInputError, toJsonPath } from '../core/errors.js';

/**
 * lvs.config.json (SPEC 5): suppressions and the CloudFormation templates that define functions.
 * The known rule IDs are a parameter so that this module does not depend on the check registry.
 */

/** `YYYY-MM-DD` that is a real calendar date. */
const isoDate = z.iso.date({ error: 'expected a date as YYYY-MM-DD' });

function ruleIdSchema(knownRuleIds: readonly string[]) {
  const known = new Set(knownRuleIds);
  return z.string().superRefine((id, ctx) => {
    if (!known.has(id)) {
      const list = [...known].sort().join(', ');
      ctx.addIssue({
        code: 'custom',
        message: `unknown rule ID "${id}"${list ? ` (known: ${list})` : ''}`,
        input: id,
      });
    }
  });
}

/** An ARN glob: `*` matches any run of characters (including ':' and '/'), `?` exactly one. */
export const arnGlobSchema = z
  .string()
  .min(1)
  .refine((p) => p.startsWith('arn:') || p.startsWith('*'), {
    error:
      'expected an ARN glob starting with "arn:" (or "*"), e.g. "arn:aws:lambda:*:111122223333:function:scorer-*"',
  });

export function configSchema(knownRuleIds: readonly string[]) {
  return z.strictObject({
    $schema: z.string().optional(),
    suppressions: z.array(
      z.strictObject({
        rule: ruleIdSchema(knownRuleIds),
        resource: arnGlobSchema,
        reason: z
          .string()
          .trim()
          .min(10, { error: 'a suppression needs a reason of at least 10 characters' }),
        expires: isoDate.optional(),
      }),
    ),
    /** CloudFormation stack name -> template path, for SARIF locations. */
    templates: z.record(z.string().min(1), z.string().min(1)).optional(),
  });
}

export type LvsConfig = z.infer<ReturnType<typeof configSchema>>;
export type Suppression = LvsConfig['suppressions'][number];

/** Validates already-parsed JSON; throws LvsInputError with the JSON path of the first problem. */
export function parseConfig(json: unknown, file: string, knownRuleIds: readonly string[]): LvsConfig {
  const parsed = configSchema(knownRuleIds).safeParse(json);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  throw new LvsInputError(`invalid config: ${first?.message ?? 'invalid value'}`, {
    file,
    jsonPath: first ? toJsonPath(first.path) : '$',
  });
}

/** Parses the file's text as JSON first: a syntax error is an input error naming the file. */
export function parseConfigText(text: string, file: string, knownRuleIds: readonly string[]): LvsConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LvsInputError(`not valid JSON (${(error as Error).message})`, { file });
  }
  return parseConfig(json, file, knownRuleIds);
}
