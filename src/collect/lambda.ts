import {
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  ListFunctionsCommand,
  ListTagsCommand,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import { parsePolicy } from '../policy/document.js';
import { matchesWildcard } from '../policy/wildcard.js';
import { environmentReadError } from '../snapshot/derive.js';
import { absent, failed, ok, type Fetched } from '../snapshot/fetched.js';
import type { LambdaFunction } from '../snapshot/schema.js';
import type { CollectContext } from './context.js';
import {
  normalizeFunction,
  normalizeTags,
  normalizeUrlConfig,
  type ListedFunction,
} from './normalize/lambda.js';

/** ListFunctions page size: the API's maximum (SPEC 3 plan: ceil(N/50) pages). */
export const LIST_FUNCTIONS_PAGE_SIZE = 50;

/** Which listed functions to collect (the CLI's --function glob); all by default. */
export type FunctionFilter = (fn: { functionName: string; functionArn: string }) => boolean;

/**
 * lambda:ListFunctions across every page. Each page's functions are handed to `onFunction` as soon
 * as the page arrives, so that per-function reads start while later pages are still being listed.
 * Environment values are redacted on arrival, against the account's bucket names.
 */
export async function listFunctions(
  ctx: CollectContext,
  region: string,
  bucketNames: Promise<ReadonlySet<string>>,
  onFunction: (fn: ListedFunction) => void,
  filter: FunctionFilter = () => true,
): Promise<Fetched<ListedFunction[]>> {
  const client = ctx.clients.lambda(region);
  const functions: ListedFunction[] = [];
  let marker: string | undefined;
  const seenMarkers = new Set<string>();
  do {
    const input = { MaxItems: LIST_FUNCTIONS_PAGE_SIZE, ...(marker !== undefined ? { Marker: marker } : {}) };
    const page = await ctx.caller.fetch(
      { service: 'lambda', operation: 'ListFunctions', region },
      () => client.send(new ListFunctionsCommand(input)),
      (output) => output,
      { errors: ctx.errors, priority: 'high' },
    );
    if (page.status !== 'ok') return page.status === 'error' ? failed(page.error) : ok(functions);
    const names = await bucketNames;
    for (const raw of page.value.Functions ?? []) {
      const listed = listedFunction(ctx, region, raw, names);
      if (listed === undefined || !filter(listed)) continue;
      functions.push(listed);
      onFunction(listed);
    }
    marker = page.value.NextMarker || undefined;
    // An emulator that repeats a marker would loop forever: treat it as the last page.
    if (marker !== undefined && seenMarkers.has(marker)) break;
    if (marker !== undefined) seenMarkers.add(marker);
  } while (marker !== undefined);
  return ok(functions);
}

function listedFunction(
  ctx: CollectContext,
  region: string,
  raw: FunctionConfiguration,
  names: ReadonlySet<string>,
): ListedFunction | undefined {
  try {
    const fn = normalizeFunction(raw, names);
    const unreadable = environmentReadError(fn, region);
    if (unreadable !== undefined) {
      // Lambda could not show the environment (e.g. no kms:Decrypt on its key): kept on the function
      // (environmentError) and recorded as a failed read, the same record the rules report.
      ctx.caller.failure(
        { service: unreadable.service, operation: unreadable.operation, region, resource: fn.functionArn },
        { name: unreadable.code, message: unreadable.message },
        ctx.errors,
      );
    }
    return fn;
  } catch (error) {
    ctx.caller.failure(
      {
        service: 'lambda',
        operation: 'ListFunctions',
        region,
        resource: raw.FunctionArn ?? raw.FunctionName ?? '(unnamed function)',
      },
      error,
      ctx.errors,
    );
    return undefined;
  }
}

const INVOKE_URL = 'lambda:InvokeFunctionUrl';

/**
 * Whether GetFunctionUrlConfig is worth a call. A function URL only answers principals that the
 * resource-based policy grants lambda:InvokeFunctionUrl (an AuthType NONE URL with no such grant
 * rejects every request, and since October 2025 AWS also requires lambda:InvokeFunction with
 * lambda:InvokedViaFunctionUrl). So the URL is read when the policy has an Allow that can cover
 * InvokeFunctionUrl (by Action pattern, NotAction, or a function-URL condition key), or when the
 * policy could not be read. Without a policy there is no URL anyone can call: `absent`.
 * This keeps the plan at one GetPolicy per function, plus one read per function that has URL grants.
 */
export function needsUrlConfig(policy: Fetched<string>): boolean {
  if (policy.status === 'error') return true;
  if (policy.status === 'absent') return false;
  const parsed = parsePolicy(policy.value);
  if (!parsed.ok) return true;
  return parsed.document.statements.some(
    (s) =>
      s.effect === 'Allow' &&
      (s.notActions !== undefined ||
        (s.actions ?? []).some((a) => matchesWildcard(a, INVOKE_URL, true)) ||
        s.conditions.some((c) => /^lambda:(FunctionUrlAuthType|InvokedViaFunctionUrl)$/i.test(c.key))),
  );
}

/**
 * GetPolicy, ListTags and (when needed) GetFunctionUrlConfig of one function. ListFunctions carries
 * no tags; they only serve to map findings to CloudFormation templates (SARIF locations), so a
 * caller with no stack -> template map may skip them (`readTags: false`: one call per function
 * less, tags recorded as {}).
 */
export async function collectFunctionDetails(
  ctx: CollectContext,
  region: string,
  fn: ListedFunction,
  options: { readTags?: boolean } = {},
): Promise<LambdaFunction> {
  const client = ctx.clients.lambda(region);
  const resource = fn.functionArn;
  const noTags: Fetched<Record<string, string>> = ok({});
  const [resourcePolicy, tags] = await Promise.all([
    ctx.caller.fetch(
      { service: 'lambda', operation: 'GetPolicy', region, resource },
      () => client.send(new GetPolicyCommand({ FunctionName: fn.functionArn })),
      (output) => {
        if (typeof output.Policy !== 'string') throw new Error('the answer has no Policy');
        return output.Policy;
      },
      { absentCodes: ['ResourceNotFoundException'], errors: ctx.errors },
    ),
    options.readTags === false
      ? noTags
      : ctx.caller.fetch(
          { service: 'lambda', operation: 'ListTags', region, resource },
          () => client.send(new ListTagsCommand({ Resource: fn.functionArn })),
          normalizeTags,
          { errors: ctx.errors },
        ),
  ]);
  const urlConfig = needsUrlConfig(resourcePolicy)
    ? await ctx.caller.fetch(
        { service: 'lambda', operation: 'GetFunctionUrlConfig', region, resource },
        () => client.send(new GetFunctionUrlConfigCommand({ FunctionName: fn.functionArn })),
        normalizeUrlConfig,
        { absentCodes: ['ResourceNotFoundException'], errors: ctx.errors },
      )
    : absent<ReturnType<typeof normalizeUrlConfig>>();
  // The schema has no place for unreadable tags (they only map findings to templates): the read
  // failure is in snapshot.errors and the function carries no tags.
  return { ...fn, tags: tags.status === 'ok' ? tags.value : {}, resourcePolicy, urlConfig };
}
