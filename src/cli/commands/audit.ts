import { dirname, resolve } from 'node:path';
import { auditSnapshot, streamAudit } from '../../audit.js';
import { CHECKS } from '../../checks/registry.js';
import { LvsInputError } from '../../core/errors.js';
import { loadIamActionCatalog, servicesReferenced } from '../../iam/load-catalog.js';
import { chunkRenderers } from '../../report/index.js';
import { renderTerminalStreamChunks } from '../../report/terminal.js';
import type { SourceLocation } from '../../report/model.js';
import { loadSnapshot } from '../../snapshot/load.js';
import type { AccountSnapshot } from '../../snapshot/schema.js';
import { parseConfig, type LvsConfig } from '../../suppress/config.js';
import { chalkFor } from '../color.js';
import { exitCodeFor, exitCodeOf, type ExitCodeValue } from '../exit-code.js';
import type { CliIo } from '../io.js';
import { parseAuditFlags, resolveOutputs } from '../options.js';

export const DEFAULT_CONFIG_FILE = 'lvs.config.json';

/** --config FILE must exist; without it, ./lvs.config.json is used when present. */
export async function loadConfig(
  io: CliIo,
  flag: string | undefined,
): Promise<{ config: LvsConfig; dir: string } | undefined> {
  const file = resolve(io.cwd, flag ?? DEFAULT_CONFIG_FILE);
  if (!(await io.fileExists(file))) {
    if (flag !== undefined)
      throw new LvsInputError('config file not found', { flag: '--config', file: flag });
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(await io.readFile(file));
  } catch (error) {
    throw new LvsInputError(`not valid JSON (${(error as Error).message})`, { file });
  }
  return {
    config: parseConfig(
      json,
      file,
      CHECKS.map((c) => c.meta.id),
    ),
    dir: dirname(file),
  };
}

/** SARIF physical locations: the config maps CloudFormation stack names to template files. */
async function templateLocations(
  io: CliIo,
  snapshot: AccountSnapshot,
  loaded: { config: LvsConfig; dir: string } | undefined,
): Promise<Record<string, SourceLocation>> {
  const templates = loaded?.config.templates ?? {};
  const byStack: Record<string, { uri: string; text: string }> = {};
  for (const [stack, path] of Object.entries(templates)) {
    const file = resolve(loaded?.dir ?? io.cwd, path);
    if (!(await io.fileExists(file))) {
      throw new LvsInputError(`template for stack "${stack}" not found: ${path}`, {
        file: DEFAULT_CONFIG_FILE,
      });
    }
    byStack[stack] = { uri: path, text: await io.readFile(file) };
  }
  if (Object.keys(byStack).length === 0) return {};
  const functions = snapshot.regions.flatMap((r) => (r.functions.status === 'ok' ? r.functions.value : []));
  // The YAML parser is loaded only when there are templates to read: it was a tenth of startup.
  const { locateFunctions } = await import('../../report/locations.js');
  return locateFunctions(functions, byStack);
}

const noMatch = (globs: readonly string[]) =>
  new LvsInputError(`no function matches ${globs.join(', ')}`, { flag: '--function' });

async function loadSnapshotFlag(io: CliIo, path: string): Promise<AccountSnapshot> {
  try {
    return await loadSnapshot(resolve(io.cwd, path));
  } catch (error) {
    // Name the file as the user typed it, not as resolved.
    if (error instanceof LvsInputError)
      throw new LvsInputError(error.message, { file: path, jsonPath: error.jsonPath });
    throw error;
  }
}

export async function runAudit(rawFlags: unknown, io: CliIo, toolVersion: string): Promise<ExitCodeValue> {
  const flags = parseAuditFlags(rawFlags);
  const outputs = resolveOutputs(flags);
  const loadedConfig = await loadConfig(io, flags.config);
  const snapshot =
    flags.snapshot === undefined
      ? // Tags only serve to map functions to CloudFormation templates: read them only when mapped.
        await (
          await import('../live.js')
        ).collectLive(flags, io, {
          toolVersion,
          readTags: Object.keys(loadedConfig?.config.templates ?? {}).length > 0,
        })
      : await loadSnapshotFlag(io, flags.snapshot);
  const iam = await loadIamActionCatalog(servicesReferenced(snapshot));
  // Read (and checked) whatever the formats: a template the config names must exist.
  const locations = await templateLocations(io, snapshot, loadedConfig);
  const [only] = outputs;
  if (outputs.length === 1 && only?.format === 'terminal') {
    // The terminal report alone is drawn function by function as the audit goes (no report of every
    // result first); unless two functions share an ARN, which the report draws as one. Expired
    // suppressions are warned about first, as always; unused ones only once every result is seen.
    const stream = streamAudit(snapshot, iam, {
      checks: CHECKS,
      now: io.now(),
      failOn: flags.failOn,
      suppressions: loadedConfig?.config.suppressions ?? [],
      functionFilter: flags.function,
    });
    if (!stream.sharesArns) {
      if (flags.function.length > 0 && stream.functionCount === 0) throw noMatch(flags.function);
      for (const warning of stream.expiredWarnings) io.stderr(`lvs: warning: ${warning}\n`);
      const chunks = renderTerminalStreamChunks(stream, {
        chalk: chalkFor(io, flags.color, only.path !== undefined),
        verbose: flags.verbose,
      });
      if (only.path === undefined) await io.stdoutChunks(chunks);
      else await io.writeFile(resolve(io.cwd, only.path), chunks);
      for (const warning of stream.warnings().slice(stream.expiredWarnings.length))
        io.stderr(`lvs: warning: ${warning}\n`);
      return exitCodeOf(stream.outcome(), stream.errors);
    }
  }
  const report = auditSnapshot(snapshot, iam, {
    checks: CHECKS,
    toolVersion,
    now: io.now(),
    failOn: flags.failOn,
    suppressions: loadedConfig?.config.suppressions ?? [],
    functionFilter: flags.function,
    locations,
  });
  if (flags.function.length > 0 && report.dataPaths.length === 0) throw noMatch(flags.function);
  for (const warning of report.warnings) io.stderr(`lvs: warning: ${warning}\n`);
  for (const target of outputs) {
    const chalk = chalkFor(io, flags.color, target.path !== undefined);
    // Renderers end their output with a newline (test/report/index.test.ts).
    const chunks = chunkRenderers[target.format](report, { chalk, verbose: flags.verbose });
    if (target.path === undefined) await io.stdoutChunks(chunks);
    else await io.writeFile(resolve(io.cwd, target.path), chunks);
  }
  return exitCodeFor(report.results, report.errors, flags.failOn);
}
