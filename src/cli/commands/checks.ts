import type { ChalkInstance } from 'chalk';
import * as z from 'zod';
import { CHECKS } from '../../checks/registry.js';
import { LvsInputError } from '../../core/errors.js';
import { renderRuleTable } from '../../report/catalogue.js';
import type { CliIo } from '../io.js';

const checksFlagsSchema = z.object({ format: z.enum(['terminal', 'json', 'markdown']).default('terminal') });

/** `lvs checks`: the rule catalogue, from the same metadata as SARIF rule help and docs/rules. */
export function runChecks(rawFlags: unknown, io: CliIo, chalk: ChalkInstance): void {
  const parsed = checksFlagsSchema.safeParse(rawFlags);
  if (!parsed.success)
    throw new LvsInputError('expected one of terminal, json, markdown', { flag: '--format' });
  const metas = CHECKS.map((c) => c.meta);
  if (parsed.data.format === 'json') {
    io.stdout(`${JSON.stringify(metas, null, 2)}\n`);
    return;
  }
  if (parsed.data.format === 'markdown') {
    io.stdout(`${renderRuleTable(metas)}\n`);
    return;
  }
  const idWidth = 7;
  const sevWidth = Math.max(...metas.map((m) => m.severity.length)) + 1;
  const nameWidth = Math.max(...metas.map((m) => m.name.length)) + 2;
  const lines = metas.map(
    (m) =>
      `${chalk.bold(m.id.padEnd(idWidth))}${m.severity.padEnd(sevWidth)} ${chalk.cyan(m.name.padEnd(nameWidth))}${m.title}`,
  );
  io.stdout(
    `${lines.join('\n')}\n\n${metas.length} rules. Details: docs/rules/<ID>-<name>.md or lvs checks --format json\n`,
  );
}
