import type { Check } from './checks/define-check.js';
import { evaluateAll } from './checks/run.js';
import type { Severity } from './core/severity.js';
import type { IamActionCatalog } from './iam/action-catalog.js';
import { matchesWildcard } from './policy/wildcard.js';
import type { AuditReport, SourceLocation } from './report/model.js';
import { buildDataPaths } from './snapshot/data-path.js';
import { buildIndex } from './snapshot/derive.js';
import type { AccountSnapshot } from './snapshot/schema.js';
import { applySuppressions } from './suppress/apply.js';
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
  const selected = index.functions.filter(
    ({ fn }) =>
      options.functionFilter.length === 0 ||
      options.functionFilter.some(
        (g) => matchesWildcard(g, fn.functionName) || matchesWildcard(g, fn.functionArn),
      ),
  );
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
