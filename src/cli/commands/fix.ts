import { join, resolve } from 'node:path';
import { auditSnapshot } from '../../audit.js';
import { CHECKS } from '../../checks/registry.js';
import { evaluateAll } from '../../checks/run.js';
import { createAwsClients } from '../../collect/index.js';
import { LvsInputError } from '../../core/errors.js';
import type { CheckResult } from '../../core/result.js';
import { applyPlan, type ApplyResult, type Touched } from '../../fix/apply.js';
import { createWriteClients } from '../../fix/apply/clients.js';
import type { Plan } from '../../fix/plan-model.js';
import { planFixes } from '../../fix/plan.js';
import { renderPlanJson } from '../../fix/render/json.js';
import { renderPlanShell } from '../../fix/render/shell.js';
import { renderPlanTerminal } from '../../fix/render/terminal.js';
import { loadIamActionCatalog, servicesReferenced } from '../../iam/load-catalog.js';
import { matchesWildcard } from '../../policy/wildcard.js';
import { buildIndex } from '../../snapshot/derive.js';
import { loadSnapshot } from '../../snapshot/load.js';
import type { AccountSnapshot } from '../../snapshot/schema.js';
import { applySuppressions } from '../../suppress/apply.js';
import type { Suppression } from '../../suppress/config.js';
import { chalkFor } from '../color.js';
import { ExitCode, type ExitCodeValue } from '../exit-code.js';
import type { CliIo } from '../io.js';
import { collectLive } from '../live.js';
import { parseFixFlags, type FixFlags } from '../options.js';
import { loadConfig } from './audit.js';

/**
 * `lvs fix` (SPEC 6): collect (or load a snapshot) -> audit -> plan -> render. --dry-run (the
 * default) stops there: exit 0 when the plan is empty, 1 when it has steps. --apply (live only)
 * hands the plan to src/fix/apply.ts, then re-collects and re-audits what it touched:
 * exit 0 when the applied steps' findings are gone, 1 when a step failed or the change was not
 * confirmed, 2 when the plan is refused before any change (lockout, wrong account), 3 when the
 * re-audit still shows failures or errors for the rules of the applied steps.
 *
 * The whole account (of the regions) is collected even with --function: a bucket pin must see every
 * function and role that uses the bucket. --function only narrows which findings are planned.
 */

async function loadSnapshotFile(io: CliIo, path: string): Promise<AccountSnapshot> {
  try {
    return await loadSnapshot(resolve(io.cwd, path));
  } catch (error) {
    if (error instanceof LvsInputError)
      throw new LvsInputError(error.message, { file: path, jsonPath: error.jsonPath });
    throw error;
  }
}

/** ".lvs-backup/2026-11-21T10-00-00Z": a name that sorts by time and holds no ':' (Windows). */
export function defaultBackupDir(now: Date): string {
  return join(
    '.lvs-backup',
    now
      .toISOString()
      .replace(/\.\d+Z$/, 'Z')
      .replace(/:/g, '-'),
  );
}

function renderPlan(plan: Plan, flags: FixFlags, io: CliIo): string {
  if (flags.format === 'json') return renderPlanJson(plan);
  if (flags.format === 'sh') return renderPlanShell(plan);
  return renderPlanTerminal(plan, { chalk: chalkFor(io, flags.color, flags.output !== undefined) });
}

const failingOf = (results: readonly CheckResult[]) => results.filter((r) => r.status === 'fail');
const erroredOf = (results: readonly CheckResult[]) => results.filter((r) => r.status === 'error');

export async function runFix(rawFlags: unknown, io: CliIo, toolVersion: string): Promise<ExitCodeValue> {
  const flags = parseFixFlags(
    rawFlags,
    CHECKS.map((c) => c.meta.id),
  );
  if (flags.apply && !flags.yes && !io.stdinIsTTY) {
    throw new LvsInputError(
      'stdin is not a terminal, so lvs cannot ask for confirmation: review the plan with --dry-run, then add --yes',
      { flag: '--apply' },
    );
  }
  const loadedConfig = await loadConfig(io, flags.config);
  const suppressions = loadedConfig?.config.suppressions ?? [];
  const snapshot =
    flags.snapshot === undefined
      ? await collectLive({ ...flags, function: [] }, io, { toolVersion, readTags: false })
      : await loadSnapshotFile(io, flags.snapshot);
  const iam = await loadIamActionCatalog(servicesReferenced(snapshot));
  const now = io.now();
  const report = auditSnapshot(snapshot, iam, {
    checks: CHECKS,
    toolVersion,
    now,
    failOn: 'low',
    suppressions,
    functionFilter: [],
    locations: {},
  });
  for (const warning of report.warnings) io.stderr(`lvs: warning: ${warning}\n`);
  if (
    flags.function.length > 0 &&
    !report.dataPaths.some((p) =>
      flags.function.some((g) => matchesWildcard(g, p.functionName) || matchesWildcard(g, p.functionArn)),
    )
  ) {
    throw new LvsInputError(`no function matches ${flags.function.join(', ')}`, { flag: '--function' });
  }
  const plan = planFixes(report.results, buildIndex(snapshot, iam), {
    now,
    only: flags.only,
    functionFilter: flags.function,
    breakGlassPrincipalArns: flags.breakGlassArn,
    reevaluate: (index) => applySuppressions(evaluateAll(index, CHECKS), suppressions, now).results,
  });

  const text = renderPlan(plan, flags, io);
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
    io.stderr(`lvs: wrote the plan (${plan.steps.length} step(s)) to ${flags.output}\n`);
  }
  const errors = erroredOf(report.results).length;
  if (errors > 0)
    io.stderr(
      `lvs: warning: ${errors} result(s) are errors (reads that failed): the plan cannot cover what lvs could not see\n`,
    );
  if (!flags.apply) return plan.steps.length === 0 ? ExitCode.Ok : ExitCode.Failed;

  const automated = plan.steps.filter((s) => s.kind === 'automated');
  if (automated.length === 0) {
    io.stderr(
      `lvs: nothing to apply${plan.steps.length > 0 ? `: the ${plan.steps.length} step(s) of the plan are manual` : ''}\n`,
    );
    return ExitCode.Ok;
  }
  const backupDir = flags.backupDir ?? defaultBackupDir(now);
  const clientOptions = { profile: flags.profile, endpointUrl: flags.endpointUrl, env: io.env };
  const read = createAwsClients(clientOptions);
  const write = createWriteClients(clientOptions);
  let result: ApplyResult;
  try {
    result = await applyPlan(
      plan,
      {
        backupDir: resolve(io.cwd, backupDir),
        backupDirLabel: backupDir,
        yes: flags.yes,
        allowLockout: flags.allowLockout,
        homeRegion: snapshot.regions[0]?.region ?? 'us-east-1',
        toolVersion,
        now,
      },
      { read, write },
      {
        log: (line) => io.stderr(line),
        writeFile: (path, content) => io.writeFile(path, content),
        mkdir: (path) => io.mkdir(path),
        fileExists: (path) => io.fileExists(path),
        confirm: (question) => io.confirm(question),
      },
    );
  } finally {
    read.destroy();
    write.destroy();
  }
  return reportApply(result, { flags, io, toolVersion, suppressions, before: report.results });
}

async function reportApply(
  result: ApplyResult,
  ctx: {
    flags: FixFlags;
    io: CliIo;
    toolVersion: string;
    suppressions: readonly Suppression[];
    before: readonly CheckResult[];
  },
): Promise<ExitCodeValue> {
  const { io } = ctx;
  switch (result.status) {
    case 'nothing':
      io.stderr('lvs: nothing to apply\n');
      return ExitCode.Ok;
    case 'declined':
      io.stderr('lvs: not confirmed: nothing was changed\n');
      return ExitCode.Failed;
    case 'refused':
      for (const reason of result.reasons) io.stderr(`lvs: refused: ${reason}\n`);
      io.stderr('lvs: nothing was changed\n');
      return ExitCode.InputError;
    case 'failed': {
      io.stderr(`lvs: ${result.error}\n`);
      const done = result.reports.filter((r) => r.status === 'done');
      const notRun = result.reports.filter((r) => r.status === 'not-run');
      if (!result.changed) {
        io.stderr('lvs: nothing was changed\n');
        return ExitCode.Failed;
      }
      io.stderr(
        done.length === 0
          ? 'lvs: no step was completed before the failure\n'
          : `lvs: done before the failure:\n${done.map((r) => `  ${r.number}. ${r.step.title} (${r.step.id})\n`).join('')}`,
      );
      if (notRun.length > 0)
        io.stderr(`lvs: not run:\n${notRun.map((r) => `  ${r.number}. ${r.step.title}\n`).join('')}`);
      io.stderr(`lvs: calls sent: ${result.sent.map((c) => `${c.service}:${c.operation}`).join(', ')}\n`);
      io.stderr(
        `lvs: to put back what was changed: bash ${join(result.backupDir ?? '.', 'restore.sh')} (backups and manifest.json in ${result.backupDir ?? '?'})\n`,
      );
      return ExitCode.Failed;
    }
    case 'applied':
      io.stderr(
        `lvs: applied ${result.reports.length} step(s) (${result.sent.length} call(s)); backup in ${result.backupDir} (restore: bash ${join(result.backupDir, 'restore.sh')})\n`,
      );
      return reaudit(result.touched, ctx);
  }
}

/** Re-collects the touched functions and re-audits them: exit 0 when the applied rules now pass there. */
async function reaudit(
  touched: Touched,
  ctx: {
    flags: FixFlags;
    io: CliIo;
    toolVersion: string;
    suppressions: readonly Suppression[];
    before: readonly CheckResult[];
  },
): Promise<ExitCodeValue> {
  const { io, flags } = ctx;
  if (touched.functionArns.length === 0) return ExitCode.Ok;
  io.stderr(
    `lvs: re-auditing ${touched.functionArns.length} function(s) in ${touched.regions.join(', ')}…\n`,
  );
  const snapshot = await collectLive(
    {
      profile: flags.profile,
      endpointUrl: flags.endpointUrl,
      region: touched.regions,
      allRegions: false,
      function: touched.functionArns,
    },
    io,
    { toolVersion: ctx.toolVersion, readTags: false },
  );
  const iam = await loadIamActionCatalog(servicesReferenced(snapshot));
  const after = auditSnapshot(snapshot, iam, {
    checks: CHECKS,
    toolVersion: ctx.toolVersion,
    now: io.now(),
    failOn: 'low',
    suppressions: ctx.suppressions,
    functionFilter: touched.functionArns,
    locations: {},
  }).results;
  const functions = new Set(touched.functionArns);
  const rules = new Set(touched.ruleIds);
  const before = ctx.before.filter((r) => functions.has(r.functionArn));
  const planned = (results: readonly CheckResult[]) => results.filter((r) => rules.has(r.ruleId));
  io.stderr(
    `lvs: re-audit: failing results ${failingOf(before).length} -> ${failingOf(after).length} (rules of the applied steps: ${failingOf(planned(before)).length} -> ${failingOf(planned(after)).length}); errors ${erroredOf(before).length} -> ${erroredOf(after).length}\n`,
  );
  const left = planned(after).filter((r) => r.status === 'fail' || r.status === 'error');
  if (left.length > 0) {
    io.stderr(
      `lvs: still not passing after the fix:\n${left.map((r) => `  ${r.ruleId} ${r.status} ${r.reasonId} · ${r.functionName} · ${r.resourceArn}\n`).join('')}`,
    );
    return ExitCode.Incomplete;
  }
  const others = failingOf(after).length;
  io.stderr(
    `lvs: the applied rules pass on every touched function${others > 0 ? `; ${others} other failing result(s) remain (manual steps, other rules)` : ''}\n`,
  );
  return ExitCode.Ok;
}
