import { PLACEHOLDER_PATTERN, placeholdersIn, type ApiCall, type Plan, type Step } from '../plan-model.js';
import { prettyText } from '../policy-merge.js';

/**
 * `lvs fix --format sh`: the plan as a bash script of AWS CLI commands, to read first and run
 * second. One command per API call, in plan order; policy documents are written to files through
 * quoted here-docs (nothing in them is expanded by the shell); values a previous command creates are
 * captured in variables. Manual steps are comments carrying their templates. Sourcing the file runs
 * nothing (everything is inside `main`, called only when the file is executed), and `main` refuses
 * to run with credentials of another account than the plan's.
 *
 * Calls with a reuse (plan-model Reuse: the KMS key LVS009 creates, found by its alias) get their
 * lookup before any change. `lvs fix --apply` reuses what it finds and merges the policy it writes
 * into the live one; a script cannot merge JSON documents with the AWS CLI alone, so when the lookup
 * finds something the script stops there, before any change, and says so. NotFound lets it go on;
 * any other error stops it too.
 */

const CLI_SERVICE: Record<ApiCall['service'], string> = {
  ec2: 'ec2',
  s3: 's3api',
  kms: 'kms',
  lambda: 'lambda',
  iam: 'iam',
};

/** Params sent as files (JSON documents). */
const DOCUMENT_PARAMS = new Set(['Policy', 'PolicyDocument']);

/** "VpcEndpointId" -> "vpc-endpoint-id", "KMSKeyArn" -> "kms-key-arn", "ModifyVpcEndpoint" -> "modify-vpc-endpoint". */
export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** The shell variable of a plan variable: "new-vpce-vpc-1" -> LVS_NEW_VPCE_VPC_1. */
export function shellVariable(name: string): string {
  return `LVS_${name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
}

const singleQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** A word for the shell: single-quoted, or double-quoted with ${VAR} where the text holds placeholders. */
function word(text: string): string {
  if (placeholdersIn(text).length === 0) {
    return /^[A-Za-z0-9_./:=,@+-]+$/.test(text) ? text : singleQuote(text);
  }
  const parts: string[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER_PATTERN)) {
    parts.push(text.slice(last, match.index).replace(/[\\"$`]/g, '\\$&'));
    parts.push(`\${${shellVariable(match[1] ?? '')}}`);
    last = (match.index ?? 0) + match[0].length;
  }
  parts.push(text.slice(last).replace(/[\\"$`]/g, '\\$&'));
  return `"${parts.join('')}"`;
}

/** A here-doc delimiter that does not occur in the text. */
function delimiter(text: string): string {
  let d = 'LVS_EOF';
  while (text.split('\n').includes(d)) d = `${d}_`;
  return d;
}

interface Rendered {
  lines: string[];
}

/** `aws <service> <operation> --region R --flag value…` for params without documents. */
function simpleCommand(
  service: ApiCall['service'],
  operation: string,
  region: string | null,
  params: Record<string, unknown>,
): string {
  const args = [`aws ${CLI_SERVICE[service]} ${kebab(operation)}`];
  if (region !== null) args.push(`--region ${region}`);
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string') args.push(`--${kebab(key)} ${word(value)}`);
    else args.push(`--${kebab(key)} ${word(JSON.stringify(value))}`);
  }
  return args.join(' ');
}

interface Lookup {
  call: ApiCall & { reuse: NonNullable<ApiCall['reuse']> };
  command: string;
  /** Paths of the answer worth showing: what the calls would capture and what reuse requires. */
  paths: string[];
}

/** The distinct reuse lookups of the automated steps, in plan order. */
function lookupsOf(plan: Plan): Lookup[] {
  const out = new Map<string, Lookup>();
  for (const step of plan.steps) {
    if (step.kind !== 'automated') continue;
    for (const call of step.api) {
      const reuse = call.reuse;
      if (reuse === undefined) continue;
      const command = simpleCommand(call.service, reuse.lookup.operation, call.region, reuse.lookup.params);
      const lookup = out.get(command) ?? { call: { ...call, reuse }, command, paths: [] };
      for (const path of [...Object.values(reuse.captures ?? {}), ...Object.keys(reuse.requires)])
        if (!lookup.paths.includes(path)) lookup.paths.push(path);
      out.set(command, lookup);
    }
  }
  return [...out.values()];
}

function renderLookup(lookup: Lookup, n: number): string[] {
  const { reuse } = lookup.call;
  const err = `"$files/lookup-${n}.err"`;
  const query =
    lookup.paths.length > 0 ? ` --query ${singleQuote(`[${lookup.paths.join(',')}]`)} --output text` : '';
  const where = lookup.call.region !== null ? ` in ${lookup.call.region}` : '';
  // The AWS CLI prints "An error occurred (NotFoundException) when calling …".
  const notFound = reuse.notFound.map((code) => `-e ${singleQuote(`(${code})`)}`).join(' ');
  return [
    ...comment(
      `Before any change: look for a ${reuse.label}${where}. lvs fix --apply would reuse it and merge the policies it writes onto it into the live ones; this script cannot merge policies, so it stops if there is one.`,
    ),
    `if found="$(${lookup.command}${query} 2>${err})"; then`,
    `  echo ${singleQuote(`lvs plan: found a ${reuse.label}${where}:`)}" $found" >&2`,
    `  echo ${singleQuote('lvs plan: nothing was changed. Run lvs fix --apply, which reuses it (or says what to do if it cannot), or lvs fix again for a fresh plan.')} >&2`,
    '  return 1',
    `elif ! grep -Fq ${notFound} ${err}; then`,
    `  cat ${err} >&2`,
    `  echo ${singleQuote(`lvs plan: cannot look up the ${reuse.label}${where}; nothing was changed`)} >&2`,
    '  return 1',
    'fi',
  ];
}

function renderCall(call: ApiCall, stepNumber: number, callNumber: number): Rendered {
  const lines: string[] = [];
  const args: string[] = [`aws ${CLI_SERVICE[call.service]} ${kebab(call.operation)}`];
  if (call.region !== null) args.push(`--region ${call.region}`);
  for (const [key, value] of Object.entries(call.params)) {
    const flag = `--${kebab(key)}`;
    if (DOCUMENT_PARAMS.has(key) && typeof value === 'string') {
      const file = `"$files/step-${stepNumber}-${callNumber}-${kebab(key)}.json"`;
      const text = prettyText(value);
      const end = delimiter(text);
      lines.push(`cat > ${file} <<'${end}'`, text, end);
      for (const name of placeholdersIn(text)) {
        lines.push(
          `doc="$(<${file})"; doc="\${doc//${singleQuote(`{{lvs:${name}}}`)}/\${${shellVariable(name)}}}"; printf '%s\\n' "$doc" > ${file}`,
        );
      }
      args.push(`${flag} "file://$files/step-${stepNumber}-${callNumber}-${kebab(key)}.json"`);
    } else if (typeof value === 'boolean') args.push(value ? flag : `--no-${kebab(key)}`);
    else if (typeof value === 'number') args.push(`${flag} ${value}`);
    else if (typeof value === 'string') args.push(`${flag} ${word(value)}`);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
      args.push(`${flag} ${value.map((v) => word(v)).join(' ')}`);
    else args.push(`${flag} ${word(JSON.stringify(value))}`);
  }
  if (call.reuse !== undefined)
    lines.push(
      ...comment(
        `lvs fix --apply skips this call if the ${call.reuse.label} exists (the lookup at the top stops this script then).`,
      ),
    );
  const captures = Object.entries(call.captures ?? {});
  const first = captures[0];
  if (first !== undefined) {
    const [name, path] = first;
    args.push(`--query ${singleQuote(path)} --output text`);
    lines.push(`${shellVariable(name)}="$(${args.join(' \\\n    ')})"`);
    lines.push(`echo "  ${shellVariable(name)}=\${${shellVariable(name)}}" >&2`);
  } else lines.push(args.join(' \\\n  '));
  if (call.service === 'lambda' && call.operation === 'UpdateFunctionConfiguration') {
    const fn = call.params.FunctionName;
    if (typeof fn === 'string')
      lines.push(
        `aws lambda wait function-updated${call.region !== null ? ` --region ${call.region}` : ''} --function-name ${word(fn)}`,
      );
  }
  return { lines };
}

const comment = (text: string) => text.split('\n').map((l) => (l === '' ? '#' : `# ${l}`));

function stepHeader(step: Step, n: number, numbers: Map<string, number>): string[] {
  return [
    ...comment(`Step ${n} (${step.kind}): ${step.title}`),
    ...comment(`id: ${step.id}`),
    ...step.resolves.map(
      (r) =>
        `#   resolves ${r.ruleId} ${r.reasonId}: ${r.functionArn}${r.resourceArn !== r.functionArn ? ` -> ${r.resourceArn}` : ''}${r.anticipated ? ' (once the routes change)' : ''}`,
    ),
    ...(step.dependsOn.length > 0
      ? [`#   after step(s) ${step.dependsOn.map((d) => numbers.get(d) ?? d).join(', ')}`]
      : []),
    ...step.preconditions.flatMap((p) => comment(`precondition: ${p}`)),
    ...step.risks.flatMap((r) => comment(`risk (${r.kind}): ${r.detail}`)),
  ];
}

export function renderPlanShell(plan: Plan): string {
  const numbers = new Map(plan.steps.map((s, i) => [s.id, i + 1]));
  const automated = plan.steps.filter((s) => s.kind === 'automated');
  const out: string[] = [
    '#!/usr/bin/env bash',
    `# lvs remediation plan for account ${plan.accountId}, generated ${plan.generatedAt}.`,
    `# ${automated.length} automated step(s) run below, in order; ${plan.steps.length - automated.length} manual step(s) are comments with templates.`,
    '# Read it before running it. Sourcing this file runs nothing; executing it runs main().',
    '# It stops at the first failing command (set -euo pipefail): what ran before stays done.',
    '',
    'main() {',
    'set -euo pipefail',
    `local expected_account=${singleQuote(plan.accountId)}`,
    'local account',
    'account="$(aws sts get-caller-identity --query Account --output text)"',
    'if [[ "$account" != "$expected_account" ]]; then',
    '  echo "lvs plan: the credentials are for account $account, the plan is for $expected_account" >&2',
    '  return 1',
    'fi',
    'local files doc found',
    'files="$(mktemp -d "${TMPDIR:-/tmp}/lvs-plan.XXXXXX")"',
    'echo "lvs plan: documents are written to $files" >&2',
    ...lookupsOf(plan).flatMap((lookup, i) => renderLookup(lookup, i + 1)),
  ];
  plan.steps.forEach((step, i) => {
    const n = i + 1;
    out.push('', ...stepHeader(step, n, numbers));
    if (step.kind === 'manual') {
      out.push(
        '# Manual: adapt and run by hand:',
        ...(step.template ?? '').split('\n').map((l) => `#   ${l}`),
      );
      return;
    }
    out.push(`echo ${singleQuote(`step ${n}: ${step.title}`)} >&2`);
    step.api.forEach((call, j) => out.push(...renderCall(call, n, j + 1).lines));
  });
  out.push(
    '',
    'echo "lvs plan: done. Run lvs audit again to check the result." >&2',
    '}',
    '',
    'if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then',
    '  main "$@"',
    'fi',
    '',
  );
  return out.join('\n');
}
