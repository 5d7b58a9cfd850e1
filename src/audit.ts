import type { Check } from './checks/define-check.js';
import { evaluateAll } from './checks/run.js';
import type { CheckResult } from './core/result.js';
import { isAtLeast, type Severity } from './core/severity.js';
import type { IamActionCatalog } from './iam/action-catalog.js';
import { matchesWildcard } from './policy/wildcard.js';
import type { AuditReport, FunctionDataPath, SourceLocation } from './report/model.js';
import { buildDataPaths, dataPathOf } from './snapshot/data-path.js';
import { buildIndex, type AuditIndex, type FunctionEntry } from './snapshot/derive.js';
import type { ApiError } from './snapshot/fetched.js';
import type { AccountSnapshot } from './snapshot/schema.js';
import { applySuppressions, Suppressor } from './suppress/apply.js';
import type { Suppression } from './suppress/config.js';

export interface AuditOptions {
  checks: readonly Check[];
  toolVersion: string;
  now: Date;
  failOn: Severity;
  suppressions: readonly Suppression[];
  /** Name or ARN globs; a function is audited when any matches. Empty = every function. */
  functionFilter: readonly string[];
  /** functionArn -> template location (resolved by the CLI from the config's stack -> template map). */
  locations: Record<string, SourceLocation>;
}

/** snapshot -> index -> every check on every selected function -> suppressions -> the report renderers take. */
export function auditSnapshot(
  snapshot: AccountSnapshot,
  iam: IamActionCatalog,
  options: AuditOptions,
): AuditReport {
  const index = buildIndex(snapshot, iam);
  const selected = selectedFunctions(index, options.functionFilter);
  const evaluated = evaluateAll(index, options.checks, selected);
  const { results, warnings } = applySuppressions(evaluated, options.suppressions, options.now);
  const selectedArns = new Set(selected.map((e) => e.fn.functionArn));
  return {
    tool: { name: 'lvs', version: options.toolVersion },
    generatedAt: options.now.toISOString(),
    accounts: [{ accountId: snapshot.accountId, regions: snapshot.regions.map((r) => r.region) }],
    results,
    errors: snapshot.errors,
    dataPaths: buildDataPaths(index).filter((p) => selectedArns.has(p.functionArn)),
    checks: options.checks.map((c) => c.meta),
    warnings,
    locations: options.locations,
    failOn: options.failOn,
  };
}

function selectedFunctions(index: AuditIndex, filter: readonly string[]): FunctionEntry[] {
  return index.functions.filter(
    ({ fn }) =>
      filter.length === 0 ||
      filter.some((g) => matchesWildcard(g, fn.functionName) || matchesWildcard(g, fn.functionArn)),
  );
}

/** One function's part of the audit: its data path and its results, suppressions applied. */
export interface FunctionAudit {
  path: FunctionDataPath;
  results: CheckResult[];
}

/**
 * auditSnapshot made one function at a time, for a report written as it is made (the terminal
 * report): each function's results can be dropped once drawn, where the whole report keeps every
 * result (~14 per function) to the end, and the garbage collector copies all of them meanwhile.
 * `functions()` evaluates as it is iterated; iterate it once, then `warnings()` and `outcome()`.
 */
export interface AuditStream {
  failOn: Severity;
  errors: ApiError[];
  /** Selected functions, in index order. */
  functionCount: number;
  /**
   * Two selected functions share an ARN (a snapshot that lists a function twice): the terminal
   * report merges them into one block, which needs their results together, so use auditSnapshot.
   */
  sharesArns: boolean;
  /** Warnings known before any result: expired suppressions. */
  expiredWarnings: readonly string[];
  functions(): Generator<FunctionAudit>;
  /** Every warning, as AuditReport.warnings, once functions() has been consumed. */
  warnings(): string[];
  /** Once functions() has been consumed: whether a result fails at or above failOn, whether one is an error. */
  outcome(): { failing: boolean; errored: boolean };
}

export function streamAudit(
  snapshot: AccountSnapshot,
  iam: IamActionCatalog,
  options: Omit<AuditOptions, 'toolVersion' | 'locations'>,
): AuditStream {
  const index = buildIndex(snapshot, iam);
  const selected = selectedFunctions(index, options.functionFilter);
  const suppressor = new Suppressor(options.suppressions, options.now);
  let failing = false;
  let errored = false;
  return {
    failOn: options.failOn,
    errors: snapshot.errors,
    functionCount: selected.length,
    sharesArns: new Set(selected.map((e) => e.fn.functionArn)).size !== selected.length,
    expiredWarnings: suppressor.expiredWarnings,
    *functions() {
      for (let e = 0; e < selected.length; e++) {
        const entry = selected[e] as FunctionEntry;
        const results = suppressor.apply(evaluateAll(index, options.checks, [entry]));
        for (let i = 0; i < results.length; i++) {
          const r = results[i] as CheckResult;
          if (r.status === 'fail' && isAtLeast(r.severity, options.failOn)) failing = true;
          else if (r.status === 'error') errored = true;
        }
        const path = dataPathOf(entry, index);
        index.forgetFunction(entry);
        yield { path, results };
      }
    },
    warnings: () => suppressor.warnings(),
    outcome: () => ({ failing, errored }),
  };
}
