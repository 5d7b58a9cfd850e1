import { collectAccount, createAwsClients, resolveRegions, type CollectProgress } from '../collect/index.js';
import { matchesWildcard } from '../policy/wildcard.js';
import type { AccountSnapshot } from '../snapshot/schema.js';
import type { CliIo } from './io.js';
import type { LiveFlags } from './options.js';

/** Progress goes to stderr, and only for a person watching a terminal: never in CI, never on stdout. */
function progressReporter(io: CliIo): ((p: CollectProgress) => void) | undefined {
  if (!io.stderrIsTTY || (io.env.CI ?? '') !== '') return undefined;
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (p.phase !== 'done' && now - last < 100) return;
    last = now;
    const line = `lvs: ${p.phase}: ${p.functionsDone}/${p.functionsListed} functions, ${p.calls} calls in ${p.regions} region(s)${p.throttles > 0 ? `, ${p.throttles} throttled` : ''}`;
    io.stderr(p.phase === 'done' ? `\r\u001b[2K` : `\r\u001b[2K${line}`);
  };
}

/**
 * Reads a live account (SPEC 3) through read-only clients: credentials from --profile / AWS_PROFILE
 * / the default chain, regions from --region / --all-regions / AWS_REGION / the profile, endpoints
 * from --endpoint-url or AWS_ENDPOINT_URL[_<SERVICE>].
 */
export async function collectLive(
  flags: LiveFlags & { function: readonly string[] },
  io: CliIo,
  options: { toolVersion: string; readTags: boolean },
): Promise<AccountSnapshot> {
  const clients = createAwsClients({ profile: flags.profile, endpointUrl: flags.endpointUrl, env: io.env });
  try {
    const regions = await resolveRegions({
      regions: flags.region,
      allRegions: flags.allRegions,
      profile: flags.profile,
      env: io.env,
      clients,
    });
    const globs = flags.function;
    return await collectAccount({
      regions,
      profile: flags.profile,
      endpointUrl: flags.endpointUrl,
      env: io.env,
      clients,
      functionFilter:
        globs.length === 0
          ? undefined
          : (fn) =>
              globs.some((g) => matchesWildcard(g, fn.functionName) || matchesWildcard(g, fn.functionArn)),
      readTags: options.readTags,
      collector: { name: 'lvs', version: options.toolVersion },
      now: () => io.now(),
      onProgress: progressReporter(io),
    });
  } finally {
    clients.destroy();
  }
}
