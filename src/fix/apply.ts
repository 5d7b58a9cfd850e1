import { join } from 'node:path';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { errorCode, errorMessage } from '../collect/call.js';
import { globalRegion, partitionOf, type AwsClients } from '../collect/clients.js';
import { listText } from './lib/context.js';
import {
  fillPlaceholders,
  placeholdersIn,
  planSchema,
  type ApiCall,
  type Plan,
  type Step,
} from './plan-model.js';
import {
  fileEntry,
  renderManifest,
  renderPlanCopy,
  renderRestoreScript,
  stepFolder,
  type BackupState,
  type BackupStep,
} from './apply/backup.js';
import type { WriteClients } from './apply/clients.js';
import { commandFor, lookupCommandFor, sendCall, sendLookup } from './apply/commands.js';
import {
  actsOnCreatedResource,
  droppedStatements,
  mergedIntoLive,
  readCallState,
  verifyStep,
  type LiveItem,
} from './apply/live-state.js';
import { callerPrincipal, lockoutFindings, type CallerPrincipal } from './apply/lockout.js';
import { restoreCommands, reusedRestoreCommands } from './apply/restore.js';

/**
 * `lvs fix --apply` (SPEC 6): the only module of lvs that changes an AWS account. In order:
 *
 * 1. every call of the plan must map to an SDK command (else nothing is sent);
 * 2. who is running it (sts:GetCallerIdentity), in the plan's account;
 * 3. no new bucket Deny may refuse that principal unless the Deny exempts a break-glass principal
 *    or --allow-lockout is given (apply/lockout.ts);
 * 4. confirmation, unless --yes;
 * 5. the reuse lookups (plan-model Reuse): what an interrupted earlier run created (a KMS key,
 *    found by its alias) is reused instead of created again, or the run stops if it cannot be;
 *    then the backup directory: what every step replaces, read live, with manifest.json and
 *    restore.sh (apply/backup.ts), after checking that each document is still the plan's "before"
 *    and that no new policy document drops a statement of the live one; all before the first change;
 * 6. the steps in order: "before" verified again, placeholders filled from earlier captures, each
 *    call sent through the write clients (apply/clients.ts) or skipped when its resource is reused,
 *    Lambda configuration updates waited for; the first failure stops everything and says how to
 *    restore.
 *
 * Re-collecting and re-auditing what was touched is the caller's (src/cli/commands/fix.ts) job.
 * Reads go through the read-only clients; only the plan's own calls use the write clients.
 */

export interface ApplyIo {
  /** Progress and outcome, line by line (the CLI writes them to stderr). */
  log(text: string): void;
  writeFile(path: string, text: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  fileExists(path: string): Promise<boolean>;
  confirm(question: string): Promise<boolean>;
}

export interface ApplyOptions {
  /** Absolute path of the backup directory (created; must not hold a previous backup). */
  backupDir: string;
  /** The backup directory as the user should see it in messages (default: backupDir). */
  backupDirLabel?: string;
  /** Skip the confirmation (--yes). */
  yes: boolean;
  /** Apply a bucket Deny that refuses the principal running the fix (--allow-lockout). */
  allowLockout: boolean;
  /** Region for STS, and for calls without one; IAM goes to its partition's home region. */
  homeRegion: string;
  toolVersion: string;
  now: Date;
  /** Longest wait for a Lambda configuration update to finish (default 5 minutes). */
  lambdaUpdateTimeoutMs?: number;
  /** Longest pause between two polls of a function's LastUpdateStatus (default 2 s; the first is 0.2 s). */
  pollIntervalMs?: number;
}

export interface ApplyDeps {
  /** Read-only clients (createAwsClients): identity, backups, verification, waits. */
  read: AwsClients;
  /** The write clients (apply/clients.ts): only the plan's calls. */
  write: WriteClients;
  sleep?: (ms: number) => Promise<void>;
}

export interface SentCall {
  stepId: string;
  service: string;
  operation: string;
  region: string;
  /** The params as sent (placeholders filled). */
  params: Record<string, unknown>;
}

export interface StepReport {
  /** The step's number in the plan (1-based, as the plan renderers number it). */
  number: number;
  step: Step;
  status: 'done' | 'failed' | 'not-run';
}

export interface Touched {
  regions: string[];
  /** Functions whose findings the applied steps resolve. */
  functionArns: string[];
  /** Rules of those findings. */
  ruleIds: string[];
}

export type ApplyResult =
  | { status: 'nothing' }
  /** Nothing was changed: the plan cannot be applied as it is, or not by this principal. */
  | { status: 'refused'; reasons: string[] }
  /** Nothing was changed: the person said no. */
  | { status: 'declined' }
  | {
      status: 'failed';
      /** False when the failure came before the first change. */
      changed: boolean;
      reports: StepReport[];
      sent: SentCall[];
      error: string;
      backupDir?: string;
    }
  | { status: 'applied'; reports: StepReport[]; sent: SentCall[]; backupDir: string; touched: Touched };

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_POLL_MS = 2_000;

class StepFailure extends Error {
  constructor(
    message: string,
    readonly call?: ApiCall,
  ) {
    super(message);
  }
}

const describeError = (error: unknown): string =>
  error instanceof StepFailure ? error.message : `${errorCode(error)}: ${errorMessage(error)}`;

/** `params` with every `{{lvs:NAME}}` replaced by what an earlier call captured. */
export function fillParams(params: Record<string, unknown>, values: Readonly<Record<string, string>>) {
  const fill = (value: unknown): unknown => {
    if (typeof value === 'string') return fillPlaceholders(value, values);
    if (Array.isArray(value)) return value.map(fill);
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  return fill(params) as Record<string, unknown>;
}

/** The value at a dotted path of a response ("VpcEndpoint.VpcEndpointId"). */
export function valueAt(output: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined),
      output,
    );
}

const callName = (call: Pick<ApiCall, 'service' | 'operation'>) => `${call.service}:${call.operation}`;

/** The functions, regions and rules the given steps resolve findings of. */
export function touchedBy(steps: readonly Step[]): Touched {
  const functions = new Set<string>();
  const rules = new Set<string>();
  const regions = new Set<string>();
  for (const step of steps) {
    for (const r of step.resolves) {
      functions.add(r.functionArn);
      rules.add(r.ruleId);
      const region = r.functionArn.split(':')[3];
      if (region !== undefined && region !== '') regions.add(region);
    }
  }
  return { regions: [...regions].sort(), functionArns: [...functions].sort(), ruleIds: [...rules].sort() };
}

export async function applyPlan(
  input: Plan,
  options: ApplyOptions,
  deps: ApplyDeps,
  io: ApplyIo,
): Promise<ApplyResult> {
  const plan = planSchema.parse(input);
  const numbered = plan.steps.map((step, i) => ({ step, number: i + 1 }));
  const automated = numbered.filter((s) => s.step.kind === 'automated');
  const manual = plan.steps.length - automated.length;
  if (automated.length === 0) return { status: 'nothing' };
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const label = options.backupDirLabel ?? options.backupDir;
  const iamRegion = globalRegion(partitionOf(options.homeRegion));
  const regionOf = (call: ApiCall) =>
    call.region ?? (call.service === 'iam' ? iamRegion : options.homeRegion);

  // 1. Every call maps to a command, and every reuse lookup to a read.
  const unknown = automated.flatMap(({ step }) =>
    step.api.flatMap((c) => [
      ...(commandFor(c) === undefined ? [`${step.id}: ${callName(c)}`] : []),
      ...(c.reuse !== undefined && lookupCommandFor(c) === undefined
        ? [`${step.id}: ${c.service}:${c.reuse.lookup.operation} (the lookup of ${callName(c)})`]
        : []),
    ]),
  );
  if (unknown.length > 0)
    return {
      status: 'refused',
      reasons: [`lvs cannot send these calls, so it sends none: ${unknown.join('; ')}`],
    };

  // 2. Who is running the fix.
  let caller: CallerPrincipal;
  try {
    caller = callerPrincipal(await deps.read.sts(options.homeRegion).send(new GetCallerIdentityCommand({})));
  } catch (error) {
    return {
      status: 'refused',
      reasons: [`cannot identify the caller (sts:GetCallerIdentity: ${describeError(error)})`],
    };
  }
  if (caller.account !== plan.accountId)
    return {
      status: 'refused',
      reasons: [
        `the credentials are for account ${caller.account} (${caller.arn}); the plan is for ${plan.accountId}`,
      ],
    };

  // 3. Lockout.
  const refusals: string[] = [];
  const warnings: string[] = [];
  for (const finding of lockoutFindings(plan, caller)) {
    const number = numbered.find((n) => n.step === finding.step)?.number ?? 0;
    const scope = finding.coversBucket
      ? `bucket ${finding.bucket} and its objects, its policy included`
      : `the objects of bucket ${finding.bucket} (its policy stays manageable)`;
    const who = `${caller.principalArn}${caller.principalArn !== caller.arn ? ` (${caller.arn})` : ''}`;
    if (finding.unexempted.length === 0) {
      warnings.push(
        `step ${number} (${finding.step.id}): ${who}, which runs this fix, loses access to ${scope} from outside the pinned endpoints; ${listText(finding.exempt)} stay${finding.exempt.length === 1 ? 's' : ''} exempt.`,
      );
    } else if (options.allowLockout) {
      warnings.push(
        `step ${number} (${finding.step.id}): --allow-lockout: ${who} loses access to ${scope} from outside the pinned endpoints, and no principal is exempt.`,
      );
    } else {
      refusals.push(
        `step ${number} (${finding.step.id}) adds a Deny that refuses ${who}, which runs this fix, access to ${scope} from anywhere but the pinned endpoints. Re-run with --break-glass-arn ARN (a principal the Deny then exempts, e.g. ${caller.principalArn}) or, to accept it, --allow-lockout.`,
      );
    }
  }
  if (refusals.length > 0) return { status: 'refused', reasons: refusals };

  // 4. Confirmation.
  const summary = [
    `lvs fix --apply: ${automated.length} automated step(s) for account ${plan.accountId}, as ${caller.arn}:`,
    ...automated.map(
      ({ step, number }) =>
        `  ${number}. ${step.title} — ${step.api.map(callName).join(', ')}${step.risks.length > 0 ? ` [risks: ${[...new Set(step.risks.map((r) => r.kind))].join(', ')}]` : ''}`,
    ),
    ...(manual > 0
      ? [`  ${manual} manual step(s) are not applied: they are in the plan above, to do by hand.`]
      : []),
    ...warnings.map((w) => `  warning: ${w}`),
    `  Backups (before any change) go to ${label}.`,
  ];
  io.log(`${summary.join('\n')}\n`);
  if (!options.yes) {
    const yes = await io.confirm(
      `Apply these ${automated.length} step(s) to account ${plan.accountId}? [y/N] `,
    );
    if (!yes) return { status: 'declined' };
  }

  // 5. Backups, verified against the plan, before the first change.
  const reports: StepReport[] = automated.map(({ step, number }) => ({ step, number, status: 'not-run' }));
  const sent: SentCall[] = [];
  const itemsByCall = new Map<ApiCall, LiveItem[]>();
  const state: BackupState = {
    dir: label,
    createdAt: options.now.toISOString(),
    toolVersion: options.toolVersion,
    accountId: plan.accountId,
    caller: caller.arn,
    steps: [],
  };
  const failBeforeChange = (error: string): ApplyResult => ({
    status: 'failed',
    changed: false,
    reports,
    sent,
    error,
  });

  // 5a. Reuse lookups, before any change: a call whose lookup finds what an earlier, interrupted
  // run created is skipped, its variables taken from the lookup's answer.
  /** Skipped calls -> the values their reuse captured. */
  const reused = new Map<ApiCall, Record<string, string>>();
  const reusedValues: Record<string, string> = {};
  const lookups = new Map<string, Promise<Record<string, unknown> | undefined>>();
  const lookupRefusals = new Map<string, string>();
  for (const { step, number } of automated) {
    for (const call of step.api) {
      const reuse = call.reuse;
      if (reuse === undefined) continue;
      const region = regionOf(call);
      const key = JSON.stringify([call.service, region, reuse.lookup.operation, reuse.lookup.params]);
      const lookup = `${call.service}:${reuse.lookup.operation} ${JSON.stringify(reuse.lookup.params)} in ${region}`;
      let found: Record<string, unknown> | undefined;
      try {
        let pending = lookups.get(key);
        if (pending === undefined) {
          pending = sendLookup(deps.read, call, region).catch((error: unknown) => {
            if (reuse.notFound.includes(errorCode(error))) return undefined;
            throw error;
          });
          lookups.set(key, pending);
        }
        found = await pending;
      } catch (error) {
        return failBeforeChange(
          `cannot look up the ${reuse.label} of step ${number} (${step.id}): ${lookup}: ${describeError(error)}; nothing was changed`,
        );
      }
      if (found === undefined) continue;
      const values: Record<string, string> = {};
      const problems: string[] = [];
      for (const [name, path] of Object.entries(reuse.captures ?? {})) {
        const value = valueAt(found, path);
        if (typeof value === 'string' && value !== '') values[name] = value;
        else problems.push(`no ${path}`);
      }
      for (const [path, accepted] of Object.entries(reuse.requires)) {
        const value = valueAt(found, path);
        if (typeof value !== 'string' || !accepted.includes(value))
          problems.push(
            `${path} ${typeof value === 'string' ? value : 'missing'} (reused only with ${accepted.join(' or ')})`,
          );
      }
      if (problems.length > 0) {
        const what = Object.values(values).join(', ') || 'a resource';
        if (!lookupRefusals.has(key))
          lookupRefusals.set(
            key,
            `step ${number} (${step.id}): ${lookup} found ${what}, which lvs may not reuse as the ${reuse.label}: ${problems.join('; ')}. ${reuse.otherwise}`,
          );
        continue;
      }
      reused.set(call, values);
      Object.assign(reusedValues, values);
    }
  }
  if (lookupRefusals.size > 0) return { status: 'refused', reasons: [...lookupRefusals.values()] };

  /** A call with the values of reused resources filled in (its other placeholders stay). */
  const withReused = (call: ApiCall): ApiCall => ({ ...call, params: fillParams(call.params, reusedValues) });
  /** Calls on a reused resource that write a policy: the params with the planned document merged into the live one. */
  const mergedParams = new Map<ApiCall, { params: Record<string, unknown>; kept: number; added: number }>();
  /** The call as it will be sent, as far as known before the first change. */
  const planned = (call: ApiCall): ApiCall => ({
    ...call,
    params: mergedParams.get(call)?.params ?? withReused(call).params,
  });
  const readStep = async (step: Step): Promise<Map<ApiCall, LiveItem[]>> => {
    const out = new Map<ApiCall, LiveItem[]>();
    for (const call of step.api) {
      const items = await readCallState(withReused(call), { clients: deps.read, regionOf });
      out.set(call, items);
      // On a resource an earlier run created, the plan's document assumed a new one: merge instead.
      if (actsOnCreatedResource(call) && !actsOnCreatedResource(withReused(call))) {
        const merged = mergedIntoLive(withReused(call), items);
        if (merged !== undefined) mergedParams.set(call, merged);
      }
    }
    return out;
  };
  /** Problems that forbid the step: "refuse" (the plan is wrong) or "changed" (the account moved). */
  const check = (step: Step, items: Map<ApiCall, LiveItem[]>): { refuse: string[]; changed: string[] } => {
    const all = [...items.values()].flat();
    const verification = verifyStep(step, all);
    const refuse = verification.unverifiable.map((d) => `${step.id}: cannot compare ${d} with the account`);
    for (const call of step.api) {
      const { dropped, unreadable } = droppedStatements(planned(call), items.get(call) ?? []);
      if (dropped.length > 0)
        refuse.push(
          `${step.id}: ${callName(call)} would drop ${dropped.length} statement(s) of the live document (${dropped.map((s) => (typeof s.Sid === 'string' ? s.Sid : JSON.stringify(s))).join(', ')}); lvs never drops a statement`,
        );
      if (unreadable && !step.risks.some((r) => r.kind === 'replaces-document'))
        refuse.push(
          `${step.id}: the live document of ${callName(call)} cannot be parsed, and the plan did not expect to replace it`,
        );
    }
    return { refuse, changed: verification.changed.map((d) => `${step.id}: ${d}`) };
  };

  for (const { step, number } of automated) {
    let items: Map<ApiCall, LiveItem[]>;
    try {
      items = await readStep(step);
    } catch (error) {
      return failBeforeChange(
        `cannot back up step ${number} (${step.id}): ${describeError(error)}; nothing was changed`,
      );
    }
    // A document that moved comes first: what the new one would drop follows from it.
    const problems = check(step, items);
    if (problems.changed.length > 0)
      return failBeforeChange(
        `changed since planned: ${problems.changed.join('; ')}. Nothing was changed: run lvs fix again for a fresh plan.`,
      );
    if (problems.refuse.length > 0) return { status: 'refused', reasons: problems.refuse };
    for (const [call, list] of items) itemsByCall.set(call, list);
    const files = [...items.values()].flat();
    state.steps.push({
      number,
      id: step.id,
      title: step.title,
      status: 'pending',
      files: dedupe(files).map((item) => fileEntry(number, item)),
      calls: step.api.map((call) => ({
        service: call.service,
        operation: call.operation,
        region: regionOf(call),
        status: 'pending',
        restore: [],
      })),
      created: {},
    });
  }

  const dir = options.backupDir;
  const writeState = async () => {
    await io.writeFile(join(dir, 'manifest.json'), renderManifest(state));
    await io.writeFile(join(dir, 'restore.sh'), renderRestoreScript(state));
  };
  try {
    if (await io.fileExists(join(dir, 'manifest.json'))) {
      return {
        status: 'refused',
        reasons: [`${label} already holds a backup (manifest.json): give another --backup-dir`],
      };
    }
    await io.mkdir(dir);
    await io.writeFile(join(dir, 'plan.json'), renderPlanCopy(plan));
    for (const backupStep of state.steps) {
      const { step } = automated.find((a) => a.number === backupStep.number) as { step: Step };
      await io.mkdir(join(dir, stepFolder(backupStep.number)));
      for (const item of dedupe(step.api.flatMap((c) => itemsByCall.get(c) ?? []))) {
        if (item.text !== null)
          await io.writeFile(join(dir, stepFolder(backupStep.number), item.file), item.text);
      }
      for (const [i, call] of step.api.entries()) {
        const restore = restoreCommands({
          call: planned(call),
          region: regionOf(call),
          items: itemsByCall.get(call) ?? [],
          fileOf: (file) => `${stepFolder(backupStep.number)}/${file}`,
        });
        for (const extra of restore.files)
          await io.writeFile(join(dir, stepFolder(backupStep.number), extra.file), extra.text);
        const entry = backupStep.calls[i];
        if (entry) entry.restore = restore.lines;
      }
    }
    await writeState();
  } catch (error) {
    return failBeforeChange(
      `cannot write the backup to ${label}: ${describeError(error)}; nothing was changed`,
    );
  }
  io.log(`lvs: backup written to ${label} (restore: bash ${join(label, 'restore.sh')})\n`);
  for (const [call, found] of reused) {
    if (Object.keys(found).length === 0) continue;
    io.log(
      `lvs: found the ${call.reuse?.label ?? 'resource'}: ${Object.entries(found)
        .map(([n, v]) => `${n} = ${v}`)
        .join(', ')}; it is reused, not created again\n`,
    );
  }

  // 6. The steps, in order.
  const values: Record<string, string> = {};
  const timeoutMs = options.lambdaUpdateTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pollMs = options.pollIntervalMs ?? DEFAULT_POLL_MS;
  const waitForFunction = async (region: string, fn: string, after: boolean) => {
    let waited = 0;
    let delay = Math.min(200, pollMs);
    for (;;) {
      const out = await deps.read
        .lambda(region)
        .send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
      if (after && out.LastUpdateStatus === 'Failed')
        throw new StepFailure(
          `the configuration update of ${fn} failed: ${out.LastUpdateStatusReasonCode ?? ''} ${out.LastUpdateStatusReason ?? ''}`.trim(),
        );
      if (out.LastUpdateStatus !== 'InProgress' && out.State !== 'Pending') return;
      if (waited >= timeoutMs)
        throw new StepFailure(
          `${fn} is still updating after ${Math.round(timeoutMs / 1000)} s (LastUpdateStatus ${out.LastUpdateStatus ?? '?'}, State ${out.State ?? '?'})`,
        );
      await sleep(delay);
      waited += delay;
      delay = Math.min(delay * 2, pollMs);
    }
  };

  for (const [index, { step, number }] of automated.entries()) {
    const backupStep = state.steps[index] as BackupStep;
    const report = reports[index] as StepReport;
    let current: ApiCall | undefined;
    try {
      // The account may have moved since the backup: verify "before" again, right before the change.
      if (step.documents.some((d) => placeholdersIn(d.resourceArn).length === 0)) {
        const fresh = await readStep(step);
        const problems = check(step, fresh);
        if (problems.changed.length > 0 || problems.refuse.length > 0)
          throw new StepFailure(
            `changed since planned: ${[...problems.changed, ...problems.refuse].join('; ')}`,
          );
      }
      io.log(`lvs: step ${number}: ${step.title}\n`);
      for (const [i, call] of step.api.entries()) {
        current = call;
        const entry = backupStep.calls[i];
        const found = reused.get(call);
        if (found !== undefined) {
          for (const [name, value] of Object.entries(found)) {
            values[name] = value;
            backupStep.reused = { ...backupStep.reused, [name]: value };
          }
          if (entry) {
            entry.status = 'skipped';
            entry.restore = reusedRestoreCommands(call, found);
          }
          io.log(`lvs:   ${callName(call)} skipped: ${call.reuse?.label ?? 'resource'} reused\n`);
          continue;
        }
        const merged = mergedParams.get(call);
        const params = fillParams(merged?.params ?? call.params, values);
        const missing = placeholdersIn(JSON.stringify(params));
        if (missing.length > 0)
          throw new StepFailure(
            `${callName(call)} needs ${missing.map((m) => `{{lvs:${m}}}`).join(', ')}, which no earlier call captured`,
            call,
          );
        const region = regionOf(call);
        const filled: ApiCall = { ...call, params };
        const fn = typeof params.FunctionName === 'string' ? params.FunctionName : '';
        const configUpdate = call.service === 'lambda' && call.operation === 'UpdateFunctionConfiguration';
        if (configUpdate) await waitForFunction(region, fn, false);
        if (entry) {
          entry.status = 'sent';
          entry.restore = restoreCommands({
            call: filled,
            region,
            items: itemsByCall.get(call) ?? [],
            fileOf: (file) => `${stepFolder(number)}/${file}`,
          }).lines;
          await writeState();
        }
        sent.push({ stepId: step.id, service: call.service, operation: call.operation, region, params });
        const output = await sendCall(deps.write, call, region, params);
        for (const [name, path] of Object.entries(call.captures ?? {})) {
          const value = valueAt(output, path);
          if (typeof value !== 'string' || value === '')
            throw new StepFailure(
              `${callName(call)} answered without ${path} (needed as {{lvs:${name}}})`,
              call,
            );
          values[name] = value;
          backupStep.created[name] = value;
        }
        if (entry) {
          entry.status = 'done';
          entry.restore = restoreCommands({
            call: filled,
            region,
            items: itemsByCall.get(call) ?? [],
            fileOf: (file) => `${stepFolder(number)}/${file}`,
            output,
          }).lines;
        }
        io.log(
          `lvs:   ${callName(call)} done${
            Object.keys(call.captures ?? {}).length > 0
              ? ` (${Object.keys(call.captures ?? {})
                  .map((n) => `${n} = ${values[n] ?? ''}`)
                  .join(', ')})`
              : ''
          }${
            merged !== undefined
              ? ` (merged into the live document of the reused resource: ${merged.kept} statement(s) kept, ${merged.added} added)`
              : ''
          }\n`,
        );
        if (configUpdate) await waitForFunction(region, fn, true);
      }
      report.status = 'done';
      backupStep.status = 'done';
      await writeState();
    } catch (error) {
      report.status = 'failed';
      backupStep.status = 'failed';
      const last = backupStep.calls.find((c) => c.status === 'sent');
      if (last) last.status = 'failed';
      for (const later of state.steps.slice(index + 1)) later.status = 'not-run';
      try {
        await writeState();
      } catch {
        // The failure itself is what matters; the previous manifest is still there.
      }
      const what = current !== undefined ? `${callName(current)}: ` : '';
      return {
        status: 'failed',
        changed: sent.length > 0,
        reports,
        sent,
        error: `step ${number} (${step.id}) failed: ${what}${describeError(error)}`,
        backupDir: label,
      };
    }
  }
  return {
    status: 'applied',
    reports,
    sent,
    backupDir: label,
    touched: touchedBy(automated.map((a) => a.step)),
  };
}

function dedupe(items: readonly LiveItem[]): LiveItem[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    if (seen.has(i.file)) return false;
    seen.add(i.file);
    return true;
  });
}
