import { resolve } from 'node:path';
import { LvsInputError } from '../../core/errors.js';
import { collectLive } from '../live.js';
import type { CliIo } from '../io.js';
import { parseCollectFlags } from '../options.js';
import { ExitCode, type ExitCodeValue } from '../exit-code.js';

/**
 * `lvs collect`: read the live account into a snapshot file (environment values already redacted),
 * to audit later, elsewhere, with `lvs audit --snapshot`. Exit 3 when some reads failed.
 */
export async function runCollect(rawFlags: unknown, io: CliIo, toolVersion: string): Promise<ExitCodeValue> {
  const flags = parseCollectFlags(rawFlags);
  const snapshot = await collectLive(flags, io, { toolVersion, readTags: true });
  const text = `${JSON.stringify(snapshot, null, 2)}\n`;
  if (flags.output === undefined) io.stdout(text);
  else {
    try {
      await io.writeFile(resolve(io.cwd, flags.output), text);
    } catch (error) {
      throw new LvsInputError(`cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
        flag: '--output',
        file: flags.output,
      });
    }
    const functions = snapshot.regions.reduce(
      (n, r) => n + (r.functions.status === 'ok' ? r.functions.value.length : 0),
      0,
    );
    io.stderr(
      `lvs: wrote ${flags.output}: ${functions} function(s) in ${snapshot.regions.length} region(s) of account ${snapshot.accountId}, ${snapshot.errors.length} failed read(s)\n`,
    );
  }
  for (const e of snapshot.errors.slice(0, 5)) {
    io.stderr(`lvs: warning: ${e.service}:${e.operation} ${e.resource ?? e.region ?? ''}: ${e.code}\n`);
  }
  if (snapshot.errors.length > 5)
    io.stderr(`lvs: warning: … and ${snapshot.errors.length - 5} more failed read(s)\n`);
  return snapshot.errors.length > 0 ? ExitCode.Incomplete : ExitCode.Ok;
}
