import type { Plan } from '../plan-model.js';
import type { LiveItem } from './live-state.js';

/**
 * The backup directory of `lvs fix --apply`, written before the first change:
 *
 *   <dir>/manifest.json       the plan's steps -> backed-up files, restore commands, status of each call
 *   <dir>/plan.json           the plan as it was applied
 *   <dir>/restore.sh          AWS CLI commands that put back what was changed, last change first
 *   <dir>/step-NN/<file>.json what step NN (the plan's numbering) replaces, as read live just before
 *
 * The manifest and restore.sh are rewritten as calls are sent, so that at any moment restore.sh
 * undoes exactly the calls that may have taken effect (a call is recorded before it is sent).
 */

export const MANIFEST_VERSION = 1;

/** skipped: not sent, because its reuse lookup found what an earlier run created (plan-model Reuse). */
export type CallStatus = 'pending' | 'sent' | 'done' | 'failed' | 'skipped';
export type StepStatus = 'pending' | 'done' | 'failed' | 'not-run';

export interface BackupFileEntry {
  /** Relative to the backup directory. */
  path: string;
  what: string;
  read: string;
  /** False: the document did not exist (nothing written; restoring deletes what the step created). */
  existed: boolean;
}

export interface BackupCall {
  service: string;
  operation: string;
  region: string;
  status: CallStatus;
  /** Restore commands of this call (shell lines; comments start with "#"). */
  restore: string[];
}

export interface BackupStep {
  number: number;
  id: string;
  title: string;
  status: StepStatus;
  files: BackupFileEntry[];
  calls: BackupCall[];
  /** Values this step's calls captured ({{lvs:NAME}} -> ID of what they created). */
  created: Record<string, string>;
  /** Values found by reuse lookups instead ({{lvs:NAME}} -> ID of what an earlier run created). */
  reused?: Record<string, string>;
}

export interface BackupState {
  dir: string;
  createdAt: string;
  toolVersion: string;
  accountId: string;
  caller: string;
  steps: BackupStep[];
}

export const stepFolder = (number: number) => `step-${String(number).padStart(2, '0')}`;

export function fileEntry(number: number, item: LiveItem): BackupFileEntry {
  return {
    path: `${stepFolder(number)}/${item.file}`,
    what: item.what,
    read: item.read,
    existed: item.text !== null,
  };
}

export function renderManifest(state: BackupState): string {
  return `${JSON.stringify(
    {
      manifestVersion: MANIFEST_VERSION,
      tool: { name: 'lvs', version: state.toolVersion },
      createdAt: state.createdAt,
      accountId: state.accountId,
      caller: state.caller,
      plan: 'plan.json',
      restore: 'restore.sh',
      restoreCommand: `bash ${shellPath(`${state.dir}/restore.sh`)}`,
      steps: state.steps,
    },
    null,
    2,
  )}\n`;
}

export function renderPlanCopy(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

function shellPath(path: string): string {
  return /^[A-Za-z0-9_./:=,@+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/** The restore script: the restore commands of every call that was sent, last first. */
export function renderRestoreScript(state: BackupState): string {
  const sections: string[] = [];
  for (const step of [...state.steps].reverse()) {
    const sent = step.calls.filter((c) => c.status !== 'pending');
    if (sent.length === 0) continue;
    const lines = [`# step ${step.number}: ${step.title.replace(/\n/g, ' ')}`, `#   ${step.id}`];
    for (const call of [...sent].reverse()) {
      lines.push(`#   undo ${call.service}:${call.operation} (${call.status})`);
      for (const line of call.restore) lines.push(line.startsWith('#') ? line : `run ${line}`);
    }
    sections.push(lines.join('\n'));
  }
  const account = state.accountId;
  return [
    '#!/usr/bin/env bash',
    `# lvs fix --apply backup of account ${account}, taken ${state.createdAt} as ${state.caller}.`,
    '# Puts back what lvs fix --apply changed, last change first, from the documents read before the',
    '# first change (step-NN/, listed in manifest.json). Run it with credentials of the same account:',
    `#   bash ${shellPath(`${state.dir}/restore.sh`)}`,
    'set -uo pipefail',
    'cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1',
    `expected_account='${account}'`,
    'account="$(aws sts get-caller-identity --query Account --output text)" || exit 1',
    'if [[ "$account" != "$expected_account" ]]; then',
    '  echo "restore: the credentials are for account $account, this backup is of $expected_account" >&2',
    '  exit 1',
    'fi',
    'failed=0',
    'run() {',
    '  echo "+ $*" >&2',
    '  "$@" || { echo "restore: FAILED: $*" >&2; failed=1; }',
    '}',
    '',
    ...(sections.length === 0 ? ['# Nothing has been changed yet.'] : [sections.join('\n\n')]),
    '',
    'if [[ $failed -ne 0 ]]; then',
    '  echo "restore: some commands failed (see above); the backed-up documents are next to this script" >&2',
    '  exit 1',
    'fi',
    'echo "restore: done" >&2',
    '',
  ].join('\n');
}
