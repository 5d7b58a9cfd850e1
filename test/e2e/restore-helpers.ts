import { spawn, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { AccountSnapshot } from '../../src/snapshot/schema.js';

/**
 * Helpers of test/e2e/restore.test.ts: the backup lvs fix --apply wrote (captured in memory by
 * runCli) put on disk, restore.sh run by bash with the real AWS CLI, and a comparison of two
 * account states that ignores what restore cannot or need not put back byte for byte.
 */

/** Whether the AWS CLI runs (restore.sh is nothing but AWS CLI commands). */
export function awsCliAvailable(): { ok: true; version: string } | { ok: false; why: string } {
  const probe = spawnSync('aws', ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.error !== undefined) return { ok: false, why: `aws cannot run: ${probe.error.message}` };
  if (probe.status !== 0) return { ok: false, why: `aws --version exited ${probe.status}: ${probe.stderr}` };
  return { ok: true, version: `${probe.stdout}${probe.stderr}`.trim() };
}

/** Writes the files runCli captured under `dir` to the real `dir`, keeping their relative paths. */
export async function writeCaptured(files: ReadonlyMap<string, string>, dir: string): Promise<string[]> {
  const written: string[] = [];
  for (const [path, text] of files) {
    const rel = relative(dir, path);
    if (rel === '' || rel.startsWith('..') || rel.startsWith(sep)) continue;
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
    written.push(rel);
  }
  return written.sort();
}

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment the AWS CLI gets: endpoint, credentials and region only. No user config or
 * credentials file is read (they could name another account or endpoint).
 */
export function awsCliEnv(endpoint: string, region: string, credentials: { id: string; secret: string }) {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    ...(process.env.PYENV_ROOT !== undefined ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
    ...(process.env.PYENV_VERSION !== undefined ? { PYENV_VERSION: process.env.PYENV_VERSION } : {}),
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: credentials.id,
    AWS_SECRET_ACCESS_KEY: credentials.secret,
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: '/nonexistent/lvs-restore-test/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/lvs-restore-test/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
  };
}

/**
 * `bash <dir>/restore.sh`, asynchronously: the emulator answers from this very process, so the
 * event loop must keep running while the script talks to it. stdin is closed (a prompt would fail).
 */
export function runRestore(
  dir: string,
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(dir, 'restore.sh')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => void (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => void (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      stderr += `\n[test] restore.sh killed after ${timeoutMs} ms`;
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The AWS CLI commands restore.sh ran ("+ aws …" lines of its trace), without the arguments. */
export const commandsRun = (stderr: string): string[] =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('+ aws '))
    .map((l) => l.split(' ').slice(1, 4).join(' '));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Fields of the snapshot holding a JSON document as a string (compared as documents, not text). */
const DOCUMENT_FIELDS = new Set(['policy', 'policyDocument', 'document', 'assumeRolePolicyDocument']);

/** A policy's values in a comparable form: single values as one-element lists, lists sorted. */
function canonical(value: Json): Json {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical(value[k] as Json)]),
    );
  }
  return value;
}

/** Keys of a policy whose string value is one value, not a list of one (elsewhere "x" means ["x"]). */
const SCALAR_KEYS = new Set(['Version', 'Id', 'Sid', 'Effect']);

/**
 * A policy document as AWS means it: statement order, key order, whitespace and "x" vs ["x"] do
 * not matter. Function resource policies (re-created statement by statement with add-permission)
 * also drop the policy Id.
 */
export function policyMeaning(text: string, { dropId = false } = {}): Json {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch {
    return `<not JSON> ${text}`;
  }
  const walk = (v: Json, key: string): Json => {
    if (typeof v === 'string') return SCALAR_KEYS.has(key) ? v : [v];
    if (Array.isArray(v)) return v.map((x) => walk(x, ''));
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v)
          .filter(([k]) => !(dropId && key === '' && k === 'Id'))
          .map(([k, x]) => [k, walk(x, k)]),
      );
    return v;
  };
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return doc;
  return canonical(walk(doc, ''));
}

/**
 * The snapshot with policy documents parsed to their meaning, ready for a deep comparison. When it
 * was written (generatedAt, collector) is left out, and a function's tracingMode null (TracingConfig
 * not reported) is PassThrough: AWS reports PassThrough for a function that never set TracingConfig,
 * so the two are one state, and the only one UpdateFunctionConfiguration can put back.
 */
export function comparableState(snapshot: AccountSnapshot): Json {
  const walk = (value: unknown, key: string): Json => {
    if (key === 'tracingMode' && value === null) return 'PassThrough';
    if (typeof value === 'string' && DOCUMENT_FIELDS.has(key)) return policyMeaning(value);
    if (Array.isArray(value)) return value.map((v) => walk(v, ''));
    if (value !== null && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      // resourcePolicy: { status: 'ok', value: '<policy>' }; a function's policy loses its Id on restore.
      if (key === 'resourcePolicy' && o.status === 'ok' && typeof o.value === 'string')
        return { status: 'ok', value: policyMeaning(o.value, { dropId: true }) };
      if (key === 'policy' && o.status === 'ok' && typeof o.value === 'string')
        return { status: 'ok', value: policyMeaning(o.value) };
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, walk(v, k)]));
    }
    return value as Json;
  };
  const rest: Partial<AccountSnapshot> = { ...snapshot };
  delete rest.generatedAt;
  delete rest.collector;
  return walk(rest, '');
}

/** Where two JSON values differ: one line per differing leaf path ("a.b[2].c: X -> Y"). */
export function differences(before: Json, after: Json, path = ''): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const bothObjects =
    before !== null &&
    after !== null &&
    typeof before === 'object' &&
    typeof after === 'object' &&
    Array.isArray(before) === Array.isArray(after);
  if (!bothObjects) return [`${path || '.'}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`];
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++)
      out.push(...differences(before[i] ?? null, after[i] ?? null, `${path}[${i}]`));
    return out;
  }
  const b = before as Record<string, Json>;
  const a = after as Record<string, Json>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  return keys.flatMap((k) => differences(b[k] ?? null, a[k] ?? null, path === '' ? k : `${path}.${k}`));
}
