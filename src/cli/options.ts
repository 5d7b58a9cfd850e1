import * as z from 'zod';
import { LvsInputError } from '../core/errors.js';
import { SEVERITIES, severitySchema } from '../core/severity.js';

export const REPORT_FORMATS = ['terminal', 'json', 'sarif'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Where one rendered format goes: a file, or stdout when `path` is undefined. */
export interface OutputTarget {
  format: ReportFormat;
  path: string | undefined;
}

/** Flags that choose and reach a live account (SPEC 3). */
const liveFlagsShape = {
  profile: z.string().min(1).optional(),
  region: z
    .array(
      z
        .string()
        .regex(/^([a-z]{2}(-[a-z]+)+-\d|all)$/, { error: 'expected an AWS region name such as eu-west-1' }),
    )
    .default([]),
  allRegions: z.boolean().default(false),
  endpointUrl: z.url({ error: 'expected a URL such as http://127.0.0.1:4566' }).optional(),
};

const auditFlagsSchema = z.object({
  ...liveFlagsShape,
  snapshot: z.string().min(1).optional(),
  format: z
    .array(z.enum(REPORT_FORMATS, { error: `expected one of ${REPORT_FORMATS.join(', ')}` }))
    .default([]),
  output: z.array(z.string().min(1)).default([]),
  failOn: severitySchema.default('low'),
  config: z.string().min(1).optional(),
  function: z.array(z.string().min(1)).default([]),
  verbose: z.boolean().default(false),
  quiet: z.boolean().default(false),
  color: z.boolean().optional(),
});
export type AuditFlags = z.infer<typeof auditFlagsSchema>;

const FLAG_NAMES: Record<string, string> = {
  profile: '--profile',
  region: '--region',
  allRegions: '--all-regions',
  endpointUrl: '--endpoint-url',
  snapshot: '--snapshot',
  format: '--format',
  output: '--output',
  failOn: '--fail-on',
  config: '--config',
  function: '--function',
  dryRun: '--dry-run',
  apply: '--apply',
  yes: '--yes',
  only: '--only',
  breakGlassArn: '--break-glass-arn',
  allowLockout: '--allow-lockout',
  backupDir: '--backup-dir',
};

const collectFlagsSchema = z.object({
  ...liveFlagsShape,
  output: z.string().min(1).optional(),
  function: z.array(z.string().min(1)).default([]),
});
export type CollectFlags = z.infer<typeof collectFlagsSchema>;
export type LiveFlags = Pick<AuditFlags, 'profile' | 'region' | 'allRegions' | 'endpointUrl'>;

/** Commander's untyped opts() -> typed flags; a bad value names its flag. */
function parseFlags<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = String(issue?.path[0] ?? '');
  const hint = key === 'failOn' ? ` (one of ${SEVERITIES.join(', ')})` : '';
  throw new LvsInputError(`${issue?.message ?? 'invalid value'}${hint}`, {
    flag: FLAG_NAMES[key] ?? `--${key}`,
  });
}

function checkRegionFlags(flags: LiveFlags): void {
  if (flags.allRegions && flags.region.length > 0) {
    throw new LvsInputError('give either --region or --all-regions, not both', { flag: '--all-regions' });
  }
}

export function parseAuditFlags(raw: unknown): AuditFlags {
  const flags = parseFlags(auditFlagsSchema, raw);
  const live =
    flags.profile !== undefined ||
    flags.endpointUrl !== undefined ||
    flags.region.length > 0 ||
    flags.allRegions;
  if (flags.snapshot !== undefined && live) {
    throw new LvsInputError(
      'audits a file: --profile, --region, --all-regions and --endpoint-url are for live accounts',
      { flag: '--snapshot' },
    );
  }
  checkRegionFlags(flags);
  return flags;
}

export function parseCollectFlags(raw: unknown): CollectFlags {
  const flags = parseFlags(collectFlagsSchema, raw);
  checkRegionFlags(flags);
  return flags;
}

function formatFromExtension(path: string): ReportFormat | undefined {
  if (/\.sarif(\.json)?$/i.test(path)) return 'sarif';
  if (/\.json$/i.test(path)) return 'json';
  if (/\.(txt|log)$/i.test(path)) return 'terminal';
  return undefined;
}

/**
 * Pairs formats with outputs by position (`--format sarif --output lvs.sarif`); an output with no
 * format of its own takes it from its extension; formats with no output go to stdout (at most one).
 * When every format goes to a file, stdout still gets the terminal report unless --quiet, so a CI
 * log shows the findings that the files carry.
 */
export function resolveOutputs(flags: Pick<AuditFlags, 'format' | 'output' | 'quiet'>): OutputTarget[] {
  const targets: OutputTarget[] = [];
  const count = Math.max(flags.format.length, flags.output.length);
  for (let i = 0; i < count; i++) {
    const path = flags.output[i];
    const format = flags.format[i] ?? (path !== undefined ? formatFromExtension(path) : undefined);
    if (format === undefined) {
      throw new LvsInputError(`cannot tell the format of "${path}": add --format for it`, {
        flag: '--output',
      });
    }
    targets.push({ format, path });
  }
  const toStdout = targets.filter((t) => t.path === undefined);
  if (toStdout.length > 1) {
    throw new LvsInputError(
      `${toStdout.map((t) => t.format).join(' and ')} would both go to stdout: give all but one an --output file`,
      { flag: '--format' },
    );
  }
  const paths = targets.flatMap((t) => (t.path === undefined ? [] : [t.path]));
  const duplicate = paths.find((p, i) => paths.indexOf(p) !== i);
  if (duplicate !== undefined) throw new LvsInputError(`"${duplicate}" is given twice`, { flag: '--output' });
  if (toStdout.length === 0 && !flags.quiet) targets.push({ format: 'terminal', path: undefined });
  return targets;
}

/** Formats of a remediation plan (lvs fix). */
export const PLAN_FORMATS = ['terminal', 'json', 'sh'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

/** An IAM or STS principal ARN (wildcards allowed, as in an ArnNotLike condition). */
const PRINCIPAL_ARN = /^arn:aws(-[a-z]+)*:(iam|sts)::(\d{12}|\*):\S+$/;

const fixFlagsSchema = z.object({
  ...liveFlagsShape,
  snapshot: z.string().min(1).optional(),
  dryRun: z.boolean().default(false),
  apply: z.boolean().default(false),
  yes: z.boolean().default(false),
  format: z.enum(PLAN_FORMATS, { error: `expected one of ${PLAN_FORMATS.join(', ')}` }).default('terminal'),
  output: z.string().min(1).optional(),
  only: z.array(z.string()).default([]),
  function: z.array(z.string().min(1)).default([]),
  breakGlassArn: z
    .array(
      z.string().regex(PRINCIPAL_ARN, {
        error: 'expected an IAM principal ARN such as arn:aws:iam::111122223333:role/break-glass',
      }),
    )
    .default([]),
  allowLockout: z.boolean().default(false),
  backupDir: z.string().min(1).optional(),
  config: z.string().min(1).optional(),
  color: z.boolean().optional(),
});
export type FixFlags = Omit<z.infer<typeof fixFlagsSchema>, 'only'> & {
  /** Rule IDs of --only (comma-separated and repeatable), validated, de-duplicated, in order. */
  only: string[];
};

/**
 * `lvs fix` flags. --only takes comma-separated rule IDs (repeatable) that must be rules of the
 * catalogue; --snapshot excludes the live flags and --apply (changes need a live account); --dry-run
 * and --apply exclude each other.
 */
export function parseFixFlags(raw: unknown, ruleIds: readonly string[]): FixFlags {
  const flags = parseFlags(fixFlagsSchema, raw);
  const only: string[] = [];
  for (const id of flags.only.flatMap((v) => v.split(',')).map((v) => v.trim().toUpperCase())) {
    if (id === '') continue;
    if (!ruleIds.includes(id))
      throw new LvsInputError(`unknown rule "${id}" (rules: ${ruleIds.join(', ')})`, { flag: '--only' });
    if (!only.includes(id)) only.push(id);
  }
  if (flags.dryRun && flags.apply)
    throw new LvsInputError('give either --dry-run or --apply, not both', { flag: '--apply' });
  const live =
    flags.profile !== undefined ||
    flags.endpointUrl !== undefined ||
    flags.region.length > 0 ||
    flags.allRegions;
  if (flags.snapshot !== undefined && flags.apply) {
    throw new LvsInputError(
      'apply needs a live account: a snapshot can only be planned (--dry-run); pass --profile/--region instead',
      { flag: '--snapshot' },
    );
  }
  if (flags.snapshot !== undefined && live) {
    throw new LvsInputError(
      'plans from a file: --profile, --region, --all-regions and --endpoint-url are for live accounts',
      { flag: '--snapshot' },
    );
  }
  checkRegionFlags(flags);
  return { ...flags, only };
}
