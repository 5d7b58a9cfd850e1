import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/fix/plan-model.js';
import { kebab, renderPlanShell, shellVariable } from '../../../src/fix/render/shell.js';
import { G, golden, okValue, regionOf } from '../../helpers/golden.js';
import { demoSnapshot, planOf } from '../helpers.js';

const work = mkdtempSync(join(tmpdir(), 'lvs-shell-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * A fake `aws` on PATH: logs each command line (and the content of file:// arguments) and answers
 * the few queries the script reads: the caller's account, a new key ARN, a new endpoint ID, and the
 * alias lookup (NotFoundException as the AWS CLI prints it, unless `describeKey` says otherwise).
 */
function fakeAws(
  account: string,
  describeKey: 'not-found' | 'found' | 'denied' = 'not-found',
): { dir: string; log: string } {
  const describe = {
    'not-found':
      'echo "An error occurred (NotFoundException) when calling the DescribeKey operation: Alias arn:aws:kms:$4:111122223333:alias/lvs/lambda-environment is not found." >&2; exit 254',
    found: 'printf "arn:aws:kms:$4:111122223333:key/old-key\\tCUSTOMER\\tEnabled\\n"',
    denied:
      'echo "An error occurred (AccessDeniedException) when calling the DescribeKey operation: not authorized" >&2; exit 254',
  }[describeKey];
  const dir = mkdtempSync(join(work, 'bin-'));
  const log = join(dir, 'calls.log');
  writeFileSync(
    join(dir, 'aws'),
    [
      '#!/usr/bin/env bash',
      `echo "$*" >> ${JSON.stringify(log)}`,
      'for a in "$@"; do case "$a" in file://*) echo "  file: $(tr -d "\\n " < "${a#file://}")" >> ' +
        JSON.stringify(log) +
        ';; esac; done',
      `case "$1 $2" in`,
      `  "sts get-caller-identity") echo ${account} ;;`,
      '  "kms create-key") echo "arn:aws:kms:$4:111122223333:key/fake-key" ;;',
      '  "ec2 create-vpc-endpoint") echo "vpce-0fake0000000001" ;;',
      `  "kms describe-key") ${describe} ;;`,
      'esac',
    ].join('\n'),
  );
  chmodSync(join(dir, 'aws'), 0o755);
  return { dir, log };
}

function runScript(
  plan: Plan,
  account = '111122223333',
  mode: 'execute' | 'source' = 'execute',
  describeKey: Parameters<typeof fakeAws>[1] = 'not-found',
) {
  const script = join(work, `plan-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(script, renderPlanShell(plan));
  const aws = fakeAws(account, describeKey);
  const env = { PATH: `${aws.dir}:/usr/bin:/bin`, TMPDIR: work, HOME: work };
  const run =
    mode === 'execute'
      ? spawnSync('bash', [script], { env, encoding: 'utf8' })
      : spawnSync('bash', ['-c', `source ${JSON.stringify(script)}; echo sourced`], {
          env,
          encoding: 'utf8',
        });
  let calls: string[];
  try {
    calls = readFileSync(aws.log, 'utf8').trimEnd().split('\n');
  } catch {
    calls = []; // no command ran, so nothing was logged
  }
  return { ...run, calls };
}

describe('renderPlanShell', () => {
  it('is valid bash', async () => {
    const { plan } = await planOf(demoSnapshot());
    const script = join(work, 'syntax.sh');
    writeFileSync(script, renderPlanShell(plan));
    expect(() => execFileSync('bash', ['-n', script])).not.toThrow();
    const text = renderPlanShell(plan);
    expect(text.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(text).toContain('set -euo pipefail');
    expect(text).toContain("<<'LVS_EOF'");
  });

  it('runs one AWS CLI command per API call, in plan order, after checking the account and looking up the key aliases', async () => {
    const { plan } = await planOf(demoSnapshot());
    const run = runScript(plan);
    expect(run.status, run.stderr).toBe(0);
    const commands = run.calls.filter((c) => !c.startsWith('  file:'));
    expect(commands[0]).toBe('sts get-caller-identity --query Account --output text');
    // Before any change, one lookup per region of the alias LVS009's new keys get.
    const query = '--query [KeyMetadata.Arn,KeyMetadata.KeyManager,KeyMetadata.KeyState] --output text';
    expect(commands.slice(1, 3)).toEqual([
      `kms describe-key --region eu-west-1 --key-id alias/lvs/lambda-environment ${query}`,
      `kms describe-key --region us-east-1 --key-id alias/lvs/lambda-environment ${query}`,
    ]);
    expect(commands).toContain(
      'kms create-alias --region eu-west-1 --alias-name alias/lvs/lambda-environment --target-key-id arn:aws:kms:eu-west-1:111122223333:key/fake-key',
    );
    const expected = plan.steps.flatMap((s) =>
      s.api.flatMap((c) => [
        `${c.service === 's3' ? 's3api' : c.service} ${kebab(c.operation)}`,
        ...(c.operation === 'UpdateFunctionConfiguration' ? ['lambda wait'] : []),
      ]),
    );
    expect(commands.slice(3).map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual(expected);
    // A captured key ARN is used by the calls that follow.
    expect(commands).toContain(
      'kms enable-key-rotation --region eu-west-1 --key-id arn:aws:kms:eu-west-1:111122223333:key/fake-key',
    );
    expect(
      commands.some((c) => c.includes('--kms-key-arn arn:aws:kms:us-east-1:111122223333:key/fake-key')),
    ).toBe(true);
    // Documents go through files, exactly as planned.
    const keyPolicy = run.calls[run.calls.findIndex((c) => c.startsWith('kms put-key-policy')) + 1];
    expect(keyPolicy).toContain('"Sid":"LvsLambdaEnvironmentDecrypt"');
  });

  it('substitutes a created endpoint ID into the documents that name it', async () => {
    const snapshot = golden((s) => {
      const region = regionOf(s);
      region.vpcEndpoints = { status: 'ok', value: [] };
      for (const table of okValue(region.routeTables, 'tables'))
        table.routes = table.routes.filter((r) => r.gatewayId !== G.endpointId);
      const bucket = s.s3.buckets[G.bucket];
      if (bucket) bucket.policy = { status: 'absent' };
    });
    const { plan } = await planOf(snapshot);
    const run = runScript(plan);
    expect(run.status, run.stderr).toBe(0);
    const put = run.calls.findIndex((c) => c.startsWith('s3api put-bucket-policy'));
    expect(run.calls[put + 1]).toContain('"aws:SourceVpce":"vpce-0fake0000000001"');
    expect(run.calls.join('\n')).not.toContain('{{lvs:');
  });

  it('stops before any change when the alias already names a key (lvs fix --apply reuses it; a script cannot merge its policy)', async () => {
    const { plan } = await planOf(demoSnapshot());
    const run = runScript(plan, '111122223333', 'execute', 'found');
    expect(run.status).not.toBe(0);
    expect(run.calls).toEqual([
      'sts get-caller-identity --query Account --output text',
      'kms describe-key --region eu-west-1 --key-id alias/lvs/lambda-environment --query [KeyMetadata.Arn,KeyMetadata.KeyManager,KeyMetadata.KeyState] --output text',
    ]);
    expect(run.stderr).toContain(
      'lvs plan: found a key from a previous run (alias/lvs/lambda-environment) in eu-west-1: arn:aws:kms:eu-west-1:111122223333:key/old-key\tCUSTOMER\tEnabled',
    );
    expect(run.stderr).toContain('nothing was changed. Run lvs fix --apply, which reuses it');
  });

  it('stops before any change when the alias lookup fails for another reason than NotFound', async () => {
    const { plan } = await planOf(demoSnapshot());
    const run = runScript(plan, '111122223333', 'execute', 'denied');
    expect(run.status).not.toBe(0);
    expect(run.calls).toHaveLength(2);
    expect(run.stderr).toContain('(AccessDeniedException)');
    expect(run.stderr).toContain(
      'lvs plan: cannot look up the key from a previous run (alias/lvs/lambda-environment) in eu-west-1; nothing was changed',
    );
  });

  it('refuses to run with credentials of another account', async () => {
    const { plan } = await planOf(demoSnapshot());
    const run = runScript(plan, '999999999999');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('the plan is for 111122223333');
    expect(run.calls).toEqual(['sts get-caller-identity --query Account --output text']);
  });

  it('runs nothing when sourced', async () => {
    const { plan } = await planOf(demoSnapshot());
    const run = runScript(plan, '111122223333', 'source');
    expect(run.stdout.trim()).toBe('sourced');
    expect(run.calls).toEqual([]);
  });

  it('keeps manual steps as comments with their templates', async () => {
    const { plan } = await planOf(demoSnapshot());
    const text = renderPlanShell(plan);
    expect(text).toContain('# Manual: adapt and run by hand:');
    expect(text).toContain('#   aws iam detach-role-policy --role-name records-sync-role');
    expect(text.split('\n').filter((l) => l.startsWith('aws iam detach-role-policy'))).toEqual([]);
  });

  it('names flags and variables the way the AWS CLI and bash expect', () => {
    expect(kebab('KMSKeyArn')).toBe('kms-key-arn');
    expect(kebab('VpcEndpointId')).toBe('vpc-endpoint-id');
    expect(kebab('UpdateFunctionUrlConfig')).toBe('update-function-url-config');
    expect(kebab('PutPublicAccessBlock')).toBe('put-public-access-block');
    expect(shellVariable('new-vpce-vpc-0a1b')).toBe('LVS_NEW_VPCE_VPC_0A1B');
  });
});
