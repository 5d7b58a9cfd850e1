import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isReadOnlyOperation } from '../../../src/collect/read-only-guard.js';
import { applyPlan, type ApplyOptions, type ApplyResult } from '../../../src/fix/apply.js';
import type { Plan } from '../../../src/fix/plan-model.js';
import { KEY_ALIAS } from '../../../src/fix/planners/lvs009-env-encrypted-with-cmk.js';
import { readPolicy } from '../../../src/fix/policy-merge.js';
import { G } from '../../helpers/golden.js';
import { failing, planOf } from '../helpers.js';
import {
  BACKUP,
  backupFile,
  bucketPolicy,
  executorClients,
  LiveAccount,
  memoryIo,
  NO_DENY_POLICY,
  openEgress,
  tracingPassThrough,
  withoutCustomerKey,
  withoutXRayPermission,
} from './live-account.js';

/**
 * src/fix/apply.ts against the golden account's API answers made stateful (live-account.ts):
 * the exact mutating calls and their order, backups before the first change, stop at the first
 * failure, lockout refusal, "changed since planned", and a second plan that is empty.
 */

const BREAK_GLASS = `arn:aws:iam::${G.accountId}:role/lvs-golden-breakglass`;
const CALLER = `arn:aws:sts::${G.accountId}:assumed-role/lvs-golden-breakglass/lvs-audit`;

let account: LiveAccount;
let restoreMocks: () => void;
let clients: ReturnType<typeof executorClients>;

beforeEach(() => {
  account = new LiveAccount();
  restoreMocks = account.install();
  clients = executorClients();
});
afterEach(() => {
  clients.destroy();
  restoreMocks();
});

const options = (extra: Partial<ApplyOptions> = {}): ApplyOptions => ({
  backupDir: BACKUP,
  yes: true,
  allowLockout: false,
  homeRegion: G.region,
  toolVersion: '0.1.0',
  now: new Date('2026-11-21T10:00:00.000Z'),
  ...extra,
});

/** Collects the live account, audits and plans it, as lvs fix does. */
async function livePlan(planOptions: Parameters<typeof planOf>[1] = {}): Promise<Plan> {
  const { plan } = await planOf(await account.collect(), planOptions);
  account.calls.length = 0;
  account.events.length = 0;
  return plan;
}

async function apply(plan: Plan, extra: Partial<ApplyOptions> = {}, io = memoryIo(account.events)) {
  const result = await applyPlan(plan, options(extra), clients, io);
  return { result, io };
}

function applied(result: ApplyResult) {
  if (result.status !== 'applied') throw new Error(`not applied: ${JSON.stringify(result, null, 2)}`);
  return result;
}

describe('lvs fix --apply: exact calls, in order', () => {
  it('LVS010 without the X-Ray permission: iam:PutRolePolicy, then TracingConfig Active; then nothing to plan', async () => {
    tracingPassThrough(account);
    withoutXRayPermission(account);
    const plan = await livePlan();
    expect(plan.steps.map((s) => s.id)).toEqual([`LVS010:${G.roleArn}`, `LVS010:${G.functionArn}`]);

    const { result, io } = await apply(plan);
    applied(result);
    expect(account.writes.map(([op]) => op)).toEqual([
      'iam:PutRolePolicy',
      'lambda:UpdateFunctionConfiguration',
    ]);
    const [put, update] = account.writes;
    const policy = readPolicy(String((put?.[1] as { PolicyDocument: string }).PolicyDocument));
    expect(put?.[1]).toMatchObject({ RoleName: 'lvs-golden-scorer-role', PolicyName: 'lvs-xray-tracing' });
    expect(policy.ok && policy.policy.Statement[0]?.Action).toEqual([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
    ]);
    expect(update?.[1]).toEqual({ FunctionName: G.functionArn, TracingConfig: { Mode: 'Active' } });
    // The update is waited for: GetFunctionConfiguration before (idle) and after (InProgress, then Successful).
    const afterUpdate = account.events.slice(
      account.events.indexOf('lambda:UpdateFunctionConfiguration') + 1,
    );
    expect(afterUpdate.filter((e) => e === 'lambda:GetFunctionConfiguration')).toHaveLength(2);
    expect(io.output()).toMatch(/step 2: Turn on X-Ray active tracing/);

    // Idempotent: the account now passes LVS010 and a second plan is empty.
    const { plan: again, results } = await planOf(await account.collect());
    expect(failing(results)).toEqual([]);
    expect(again.steps).toEqual([]);
  });

  it('LVS010 with the role already allowed: one UpdateFunctionConfiguration only', async () => {
    tracingPassThrough(account);
    const plan = await livePlan();
    applied((await apply(plan)).result);
    expect(account.writes).toEqual([
      [
        'lambda:UpdateFunctionConfiguration',
        { FunctionName: G.functionArn, TracingConfig: { Mode: 'Active' } },
      ],
    ]);
  });

  it('LVS007 no Deny: s3:PutBucketPolicy with the merged policy (every statement kept, the pin added)', async () => {
    bucketPolicy(account, NO_DENY_POLICY);
    const plan = await livePlan({ breakGlassPrincipalArns: [BREAK_GLASS] });
    applied((await apply(plan)).result);
    expect(account.writes.map(([op]) => op)).toEqual(['s3:PutBucketPolicy']);
    const input = account.writes[0]?.[1] as { Bucket: string; Policy: string };
    expect(input.Bucket).toBe(G.bucket);
    const policy = readPolicy(input.Policy);
    if (!policy.ok) throw new Error('policy');
    expect(policy.policy.Statement.map((s) => s.Sid)).toEqual([
      'DenyInsecureTransport',
      'LvsDenyUnlessThroughVpce',
    ]);
    expect(policy.policy.Statement[0]).toEqual(JSON.parse(NO_DENY_POLICY).Statement[0]);
    expect(policy.policy.Statement[1]).toMatchObject({
      Effect: 'Deny',
      Condition: {
        StringNotEquals: { 'aws:SourceVpce': G.endpointId },
        ArnNotLike: { 'aws:PrincipalArn': BREAK_GLASS },
      },
    });
    const { plan: again } = await planOf(await account.collect());
    expect(again.steps).toEqual([]);
  });

  it('LVS005 default allow-all egress: the open rule is revoked, the S3 prefix-list rule stays', async () => {
    openEgress(account);
    const plan = await livePlan();
    applied((await apply(plan)).result);
    expect(account.writes).toEqual([
      [
        'ec2:RevokeSecurityGroupEgress',
        {
          GroupId: G.securityGroupId,
          IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        },
      ],
    ]);
    expect(account.group.IpPermissionsEgress).toHaveLength(1);
    const { plan: again } = await planOf(await account.collect());
    expect(again.steps).toEqual([]);
  });

  it('LVS009 no customer key: the alias looked up, CreateKey, its ARN captured and used by CreateAlias, PutKeyPolicy, EnableKeyRotation and KMSKeyArn', async () => {
    withoutCustomerKey(account);
    const plan = await livePlan();
    const { result, io } = await apply(plan);
    applied(result);
    const [key] = account.createdKeys.keys();
    expect(key).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\//);
    expect(account.writes.map(([op, input]) => [op, (input as { KeyId?: string }).KeyId])).toEqual([
      ['kms:CreateKey', undefined],
      ['kms:CreateAlias', undefined],
      ['kms:PutKeyPolicy', key],
      ['kms:EnableKeyRotation', key],
      ['lambda:UpdateFunctionConfiguration', undefined],
    ]);
    expect(account.writes[1]?.[1]).toEqual({ AliasName: KEY_ALIAS, TargetKeyId: key });
    expect(account.aliases).toEqual(new Map([[KEY_ALIAS, key]]));
    expect(account.writes[4]?.[1]).toEqual({ FunctionName: G.functionArn, KMSKeyArn: key });
    // The alias was looked up once, through the read-only clients, before the first change.
    const lookups = account.calls.filter((c) => c.operation === 'DescribeKey');
    expect(lookups.map((c) => c.input)).toEqual([{ KeyId: KEY_ALIAS }]);
    expect(account.events.indexOf('kms:DescribeKey')).toBeLessThan(account.events.indexOf('kms:CreateKey'));
    const policy = readPolicy(String((account.writes[2]?.[1] as { Policy: string }).Policy));
    expect(policy.ok && policy.policy.Statement.map((s) => s.Principal)).toContainEqual({ AWS: G.roleArn });
    // The function's configuration is backed up (it is an existing resource); the new key is not.
    const manifest = JSON.parse(io.files.get(backupFile('manifest.json')) ?? '{}');
    expect(manifest.steps[0].files).toEqual([]);
    expect(manifest.steps[0].created).toEqual({ 'new-key-eu-west-1': key });
    expect(manifest.steps[1].calls[0].restore[0]).toMatch(
      /update-function-configuration .* --kms-key-arn ''$/,
    );
    expect(manifest.steps[0].calls[1].restore).toEqual([
      `# the alias ${KEY_ALIAS} was created for ${key}; delete it together with the key (while it stays, lvs fix reuses the key instead of creating another): aws kms delete-alias --region eu-west-1 --alias-name ${KEY_ALIAS}`,
    ]);
    const script = io.files.get(backupFile('restore.sh')) ?? '';
    expect(script).toContain(`# a key was created (${key})`);
    // Last change first: the alias before the key it names.
    expect(script.indexOf('delete-alias')).toBeLessThan(script.indexOf('# a key was created'));
    expect(io.output()).toContain(`new-key-eu-west-1 = ${key}`);
    const { plan: again } = await planOf(await account.collect());
    expect(again.steps).toEqual([]);
  });

  it('four rules at once, then nothing left to plan', async () => {
    tracingPassThrough(account);
    withoutXRayPermission(account);
    bucketPolicy(account, NO_DENY_POLICY);
    openEgress(account);
    withoutCustomerKey(account);
    const plan = await livePlan({ breakGlassPrincipalArns: [BREAK_GLASS] });
    const result = applied((await apply(plan)).result);
    expect(result.touched).toEqual({
      regions: [G.region],
      functionArns: [G.functionArn],
      ruleIds: ['LVS005', 'LVS007', 'LVS009', 'LVS010'],
    });
    const { plan: again, results } = await planOf(await account.collect());
    expect(failing(results)).toEqual([]);
    expect(again.steps).toEqual([]);
  });

  it('sends nothing and plans nothing for the golden account', async () => {
    const plan = await livePlan();
    expect((await apply(plan)).result).toEqual({ status: 'nothing' });
    expect(account.calls).toEqual([]);
  });
});

describe('LVS009: the new key is found again by its alias, so a re-run never creates a second one', () => {
  const STEP_ID = `LVS009:arn:aws:kms:${G.region}:${G.accountId}:key/new`;
  const BACKUP_2 = '/backup/run-2';

  /** Run 1, stopped by `operation` failing; returns the key it created. */
  async function interruptedRun(operation: string): Promise<string> {
    withoutCustomerKey(account);
    account.failNext.set(operation, {
      name: 'AccessDeniedException',
      message: 'denied',
      httpStatusCode: 400,
    });
    const { result } = await apply(await livePlan());
    expect(result).toMatchObject({ status: 'failed', changed: true });
    expect(account.createdKeys.size).toBe(1);
    const [key] = account.createdKeys.keys();
    if (key === undefined) throw new Error('no key');
    expect(account.aliases.get(KEY_ALIAS)).toBe(key);
    return key;
  }

  it('a run that failed after CreateKey and CreateAlias: the re-run reuses that key, the function ends up on it', async () => {
    const key = await interruptedRun('kms:PutKeyPolicy');
    expect(account.fn.KMSKeyArn).toBeUndefined();

    // Run 2: a fresh plan (the function still has no customer key) plans a new key again…
    const plan = await livePlan();
    expect(plan.steps.map((s) => s.id)).toEqual([STEP_ID, `LVS009:${G.functionArn}`]);
    const io = memoryIo(account.events);
    const { result } = await apply(plan, { backupDir: BACKUP_2 }, io);
    applied(result);
    // …but the executor finds it by its alias: no CreateKey, no CreateAlias; the rest on that key.
    expect(account.writes.map(([op, input]) => [op, (input as { KeyId?: string }).KeyId])).toEqual([
      ['kms:PutKeyPolicy', key],
      ['kms:EnableKeyRotation', key],
      ['lambda:UpdateFunctionConfiguration', undefined],
    ]);
    expect(account.createdKeys.size).toBe(1);
    expect(account.fn.KMSKeyArn).toBe(key);
    expect(account.createdKeys.get(key)).toBe(true);
    const policy = readPolicy(account.keyPolicies.get(key) ?? '');
    expect(policy.ok && policy.policy.Statement.map((s) => s.Sid)).toEqual([
      'Enable IAM User Permissions',
      'LvsLambdaEnvironmentDecrypt',
    ]);
    expect(io.output()).toContain(`kms:CreateKey skipped: key from a previous run (${KEY_ALIAS}) reused`);
    expect(io.output()).toContain(`kms:CreateAlias skipped: key from a previous run (${KEY_ALIAS}) reused`);
    expect(io.output()).toContain(`new-key-eu-west-1 = ${key}; it is reused, not created again`);
    if (result.status !== 'applied') return;
    expect(result.sent.map((c) => c.operation)).toEqual([
      'PutKeyPolicy',
      'EnableKeyRotation',
      'UpdateFunctionConfiguration',
    ]);

    // The reused key is an existing resource: its policy and rotation are backed up and restorable.
    const manifest = JSON.parse(io.files.get(join(BACKUP_2, 'manifest.json')) ?? '{}');
    const keyStep = manifest.steps[0];
    expect(keyStep.created).toEqual({});
    expect(keyStep.reused).toEqual({ 'new-key-eu-west-1': key });
    expect(keyStep.calls.map((c: { status: string }) => c.status)).toEqual([
      'skipped',
      'skipped',
      'done',
      'done',
    ]);
    expect(keyStep.calls[0].restore).toEqual([
      `# not sent: key from a previous run (${KEY_ALIAS}) reused (new-key-eu-west-1 = ${key}); this run created nothing to undo (the earlier run's backup has its restore commands)`,
    ]);
    const keyId = key.slice(key.lastIndexOf('/') + 1);
    expect(keyStep.files.map((f: { path: string }) => f.path)).toEqual([
      `step-01/key-policy-${keyId}.json`,
      `step-01/key-rotation-${keyId}.json`,
    ]);
    expect(keyStep.calls[2].restore).toEqual([
      `aws kms put-key-policy --region eu-west-1 --key-id ${key} --policy-name default --policy file://step-01/key-policy-${keyId}.json`,
    ]);
    expect(keyStep.calls[3].restore).toEqual([
      `aws kms disable-key-rotation --region eu-west-1 --key-id ${key}`,
    ]);
    expect(io.files.get(join(BACKUP_2, `step-01/key-policy-${keyId}.json`))).toContain('key-default-1');

    const { plan: again } = await planOf(await account.collect());
    expect(again.steps).toEqual([]);
  });

  it("the reused key's policy is merged, never replaced: a statement added since the first run stays", async () => {
    const key = await interruptedRun('kms:EnableKeyRotation');
    const live = readPolicy(account.keyPolicies.get(key) ?? '');
    if (!live.ok) throw new Error('key policy');
    const audit = {
      Sid: 'AuditorsDescribe',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${G.accountId}:role/auditor` },
      Action: 'kms:DescribeKey',
      Resource: '*',
    };
    account.keyPolicies.set(
      key,
      JSON.stringify({ ...live.policy, Statement: [...live.policy.Statement, audit] }),
    );

    const io = memoryIo(account.events);
    const { result } = await apply(await livePlan(), { backupDir: BACKUP_2 }, io);
    applied(result);
    const put = account.writes.find(([op]) => op === 'kms:PutKeyPolicy')?.[1] as { Policy: string };
    const sent = readPolicy(put.Policy);
    expect(sent.ok && sent.policy.Statement.map((s) => s.Sid)).toEqual([
      'Enable IAM User Permissions',
      'LvsLambdaEnvironmentDecrypt',
      'AuditorsDescribe',
    ]);
    expect(io.output()).toContain(
      'kms:PutKeyPolicy done (merged into the live document of the reused resource: 3 statement(s) kept, 0 added)',
    );
    expect(account.writes.map(([op]) => op)).not.toContain('kms:CreateKey');
    expect(account.fn.KMSKeyArn).toBe(key);
  });

  it('an alias lookup that fails (not NotFoundException) stops the run before any change', async () => {
    withoutCustomerKey(account);
    const plan = await livePlan();
    account.failNext.set('kms:DescribeKey', {
      name: 'AccessDeniedException',
      message: 'not authorized to perform: kms:DescribeKey',
      httpStatusCode: 400,
    });
    const io = memoryIo(account.events);
    const { result } = await apply(plan, {}, io);
    expect(result).toMatchObject({
      status: 'failed',
      changed: false,
      error: `cannot look up the key from a previous run (${KEY_ALIAS}) of step 1 (${STEP_ID}): kms:DescribeKey {"KeyId":"${KEY_ALIAS}"} in eu-west-1: AccessDeniedException: not authorized to perform: kms:DescribeKey; nothing was changed`,
    });
    expect(account.writes).toEqual([]);
    expect(io.files.size).toBe(0);
  });

  it.each(['PendingDeletion', 'Disabled'])(
    'an alias that names a key %s: refused before any change, with what to do (the alias is never moved)',
    async (state) => {
      withoutCustomerKey(account);
      const arn = `arn:aws:kms:${G.region}:${G.accountId}:key/00000000-0000-4000-8000-00000000abcd`;
      account.createdKeys.set(arn, true);
      account.keyStates.set(arn, state);
      account.aliases.set(KEY_ALIAS, arn);
      const plan = await livePlan();
      const io = memoryIo(account.events);
      const { result } = await apply(plan, {}, io);
      expect(result).toMatchObject({ status: 'refused' });
      if (result.status !== 'refused') return;
      expect(result.reasons).toHaveLength(1);
      expect(result.reasons[0]).toContain(
        `step 1 (${STEP_ID}): kms:DescribeKey {"KeyId":"${KEY_ALIAS}"} in eu-west-1 found ${arn}, which lvs may not reuse as the key from a previous run (${KEY_ALIAS}): KeyMetadata.KeyState ${state} (reused only with Enabled).`,
      );
      expect(result.reasons[0]).toContain(
        `aws kms delete-alias --region eu-west-1 --alias-name ${KEY_ALIAS}`,
      );
      expect(account.writes).toEqual([]);
      expect(account.aliases.get(KEY_ALIAS)).toBe(arn);
      expect(io.files.size).toBe(0);
    },
  );
});

describe('backups', () => {
  it('are written before the first mutating call: the documents as read live, manifest.json, restore.sh', async () => {
    tracingPassThrough(account);
    withoutXRayPermission(account);
    bucketPolicy(account, NO_DENY_POLICY);
    const plan = await livePlan({ breakGlassPrincipalArns: [BREAK_GLASS] });
    const { io } = await apply(plan);
    const firstWrite = account.events.findIndex(
      (e) => !e.startsWith('write ') && !isReadOnlyOperation(e.split(':')[1] ?? ''),
    );
    expect(firstWrite).toBeGreaterThan(0);
    const before = account.events.slice(0, firstWrite);
    // Everything the plan replaces is on disk before the first change.
    const n = (id: string) => plan.steps.findIndex((s) => s.id === id) + 1;
    const folder = (id: string) => `step-${String(n(id)).padStart(2, '0')}`;
    for (const file of [
      'plan.json',
      'manifest.json',
      'restore.sh',
      `${folder(`LVS007:arn:aws:s3:::${G.bucket}`)}/bucket-policy-${G.bucket}.json`,
      `${folder(`LVS010:${G.functionArn}`)}/function-configuration-${G.functionName}.json`,
    ])
      expect(before, file).toContain(`write ${backupFile(file)}`);
    // The bucket policy file holds the policy as AWS returned it.
    expect(
      io.files.get(backupFile(`${folder(`LVS007:arn:aws:s3:::${G.bucket}`)}/bucket-policy-${G.bucket}.json`)),
    ).toBe(NO_DENY_POLICY);
    // The inline policy did not exist: nothing to save, and restoring deletes it.
    const manifest = JSON.parse(io.files.get(backupFile('manifest.json')) ?? '{}');
    const roleStep = manifest.steps.find((s: { id: string }) => s.id === `LVS010:${G.roleArn}`);
    expect(roleStep.files).toEqual([
      {
        path: `${folder(`LVS010:${G.roleArn}`)}/inline-policy-lvs-golden-scorer-role-lvs-xray-tracing.json`,
        what: 'inline policy lvs-xray-tracing of role lvs-golden-scorer-role',
        read: 'iam:GetRolePolicy',
        existed: false,
      },
    ]);
    expect(roleStep.calls[0].restore).toEqual([
      'aws iam delete-role-policy --role-name lvs-golden-scorer-role --policy-name lvs-xray-tracing',
    ]);
    expect(manifest.steps.every((s: { status: string }) => s.status === 'done')).toBe(true);
    expect(manifest.caller).toBe(CALLER);
    const fnConfig = JSON.parse(
      io.files.get(
        backupFile(`${folder(`LVS010:${G.functionArn}`)}/function-configuration-${G.functionName}.json`),
      ) ?? '{}',
    );
    expect(fnConfig.TracingConfig).toEqual({ Mode: 'PassThrough' });
    // Environment values never reach the disk: the names stay, the values are redacted.
    expect(fnConfig.Environment.Variables).toEqual({
      MODEL_VERSION: '<redacted>',
      RESULTS_BUCKET: '<redacted>',
      RESULTS_PREFIX: '<redacted>',
    });
    expect([...io.files.values()].join('\n')).not.toContain('fraud-lr-2026.11.1');
    const script = io.files.get(backupFile('restore.sh')) ?? '';
    expect(script).toContain(
      `run aws lambda update-function-configuration --region eu-west-1 --function-name ${G.functionArn} --tracing-config Mode=PassThrough`,
    );
    expect(script).toContain(
      `run aws s3api put-bucket-policy --region eu-west-1 --bucket ${G.bucket} --policy file://${folder(`LVS007:arn:aws:s3:::${G.bucket}`)}/bucket-policy-${G.bucket}.json`,
    );
    // Last change first.
    expect(script.indexOf('update-function-configuration')).toBeLessThan(
      script.indexOf('delete-role-policy'),
    );
    expect(script.indexOf('delete-role-policy')).toBeLessThan(script.indexOf('put-bucket-policy'));
  });

  it('refuses a backup directory that already holds a backup', async () => {
    tracingPassThrough(account);
    const plan = await livePlan();
    const io = memoryIo(account.events);
    io.files.set(backupFile('manifest.json'), '{}');
    const { result } = await apply(plan, {}, io);
    expect(result).toMatchObject({ status: 'refused' });
    expect(account.writes).toEqual([]);
  });
});

describe('stop at the first failure', () => {
  it('the 2nd call fails: the 3rd is never sent, the result names what was done and how to restore', async () => {
    tracingPassThrough(account);
    withoutXRayPermission(account);
    bucketPolicy(account, NO_DENY_POLICY);
    const plan = await livePlan({ breakGlassPrincipalArns: [BREAK_GLASS] });
    expect(plan.steps.map((s) => s.api.map((c) => c.operation)).flat()).toEqual([
      'PutBucketPolicy',
      'PutRolePolicy',
      'UpdateFunctionConfiguration',
    ]);
    account.failNext.set('iam:PutRolePolicy', {
      name: 'AccessDenied',
      message: 'not allowed',
      httpStatusCode: 403,
    });
    const { result, io } = await apply(plan);
    expect(result).toMatchObject({
      status: 'failed',
      changed: true,
      backupDir: BACKUP,
      error: expect.stringMatching(
        /step 2 \(LVS010:.*\) failed: iam:PutRolePolicy: AccessDenied: not allowed/,
      ),
    });
    if (result.status !== 'failed') return;
    expect(result.reports.map((r) => r.status)).toEqual(['done', 'failed', 'not-run']);
    expect(account.calls.filter((c) => !isReadOnlyOperation(c.operation)).map((c) => c.operation)).toEqual([
      'PutBucketPolicy',
      'PutRolePolicy',
    ]);
    // restore.sh undoes what may have taken effect (the failed call included), nothing else.
    const script = io.files.get(backupFile('restore.sh')) ?? '';
    expect(script).toContain('put-bucket-policy');
    expect(script).toContain('delete-role-policy');
    expect(script).not.toContain('update-function-configuration');
    const manifest = JSON.parse(io.files.get(backupFile('manifest.json')) ?? '{}');
    expect(manifest.steps.map((s: { status: string }) => s.status)).toEqual(['done', 'failed', 'not-run']);
  });

  it('a Lambda update that does not finish in time stops the run', async () => {
    tracingPassThrough(account);
    account.updatePolls = 1000;
    const plan = await livePlan();
    const { result } = await apply(plan, { lambdaUpdateTimeoutMs: 10_000, pollIntervalMs: 2_000 });
    expect(result).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/still updating after 10 s/),
    });
  });
});

describe('refusals before any change', () => {
  it('a bucket Deny that would lock out the caller, without --break-glass-arn or --allow-lockout', async () => {
    bucketPolicy(account, NO_DENY_POLICY);
    const plan = await livePlan();
    const { result, io } = await apply(plan);
    expect(result).toMatchObject({ status: 'refused' });
    if (result.status !== 'refused') return;
    expect(result.reasons[0]).toMatch(
      /adds a Deny that refuses arn:aws:iam::111122223333:role\/lvs-golden-breakglass .*--break-glass-arn/,
    );
    expect(account.writes).toEqual([]);
    expect(io.files.size).toBe(0);
    expect(io.questions).toEqual([]);
  });

  it('--allow-lockout accepts it, with a warning', async () => {
    bucketPolicy(account, NO_DENY_POLICY);
    const plan = await livePlan();
    const { result, io } = await apply(plan, { allowLockout: true });
    applied(result);
    expect(io.output()).toMatch(/warning: step 1 .*--allow-lockout/);
    expect(account.writes.map(([op]) => op)).toEqual(['s3:PutBucketPolicy']);
  });

  it('a break-glass principal other than the caller is enough (the caller is warned it loses access)', async () => {
    bucketPolicy(account, NO_DENY_POLICY);
    const plan = await livePlan({
      breakGlassPrincipalArns: [`arn:aws:iam::${G.accountId}:role/OrganizationAccountAccessRole`],
    });
    const { result, io } = await apply(plan);
    applied(result);
    expect(io.output()).toMatch(
      /lvs-golden-breakglass .*loses access .*OrganizationAccountAccessRole stays exempt/s,
    );
  });

  it('a document that changed since it was planned stops everything before the first change', async () => {
    bucketPolicy(account, NO_DENY_POLICY);
    const plan = await livePlan({ breakGlassPrincipalArns: [BREAK_GLASS] });
    const changed = JSON.parse(NO_DENY_POLICY);
    changed.Statement.push({
      Sid: 'Added',
      Effect: 'Allow',
      Principal: { AWS: G.roleArn },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${G.bucket}/*`,
    });
    bucketPolicy(account, JSON.stringify(changed));
    const { result } = await apply(plan);
    expect(result).toMatchObject({
      status: 'failed',
      changed: false,
      error: expect.stringMatching(/changed since planned: LVS007/),
    });
    expect(account.writes).toEqual([]);
  });

  it('a new policy that would drop a statement of the live one is refused (lvs never drops a statement)', async () => {
    bucketPolicy(account, NO_DENY_POLICY);
    const plan = await livePlan({ breakGlassPrincipalArns: [BREAK_GLASS] });
    const call = plan.steps[0]?.api[0];
    if (call === undefined) throw new Error('no call');
    const read = readPolicy(String(call.params.Policy));
    if (!read.ok) throw new Error('policy');
    call.params.Policy = JSON.stringify({ ...read.policy, Statement: read.policy.Statement.slice(1) });
    const { result } = await apply(plan);
    expect(result).toMatchObject({
      status: 'refused',
      reasons: [expect.stringMatching(/would drop 1 statement\(s\) .*DenyInsecureTransport/)],
    });
    expect(account.writes).toEqual([]);
  });

  it('an operation lvs cannot send: nothing is sent, not even the calls it knows', async () => {
    tracingPassThrough(account);
    const plan = await livePlan();
    const step = plan.steps[0];
    if (step === undefined) throw new Error('no step');
    step.api.push({
      service: 'lambda',
      operation: 'DeleteFunction',
      region: G.region,
      params: { FunctionName: G.functionArn },
      purpose: 'not something lvs does',
    });
    const { result } = await apply(plan);
    expect(result).toMatchObject({
      status: 'refused',
      reasons: [expect.stringMatching(/lambda:DeleteFunction/)],
    });
    expect(account.calls).toEqual([]);
  });

  it('credentials of another account', async () => {
    tracingPassThrough(account);
    const plan = await livePlan();
    const { result } = await apply({ ...plan, accountId: '999999999999' });
    expect(result).toMatchObject({
      status: 'refused',
      reasons: [expect.stringMatching(/account 111122223333 .* plan is for 999999999999/)],
    });
    expect(account.writes).toEqual([]);
  });

  it('without --yes, the person is asked; "no" changes nothing', async () => {
    tracingPassThrough(account);
    const plan = await livePlan();
    const io = memoryIo(account.events, false);
    const { result } = await apply(plan, { yes: false }, io);
    expect(result).toEqual({ status: 'declined' });
    expect(io.questions).toEqual(['Apply these 1 step(s) to account 111122223333? [y/N] ']);
    expect(io.output()).toMatch(
      /1\. Turn on X-Ray active tracing for lvs-golden-scorer — lambda:UpdateFunctionConfiguration/,
    );
    expect(account.writes).toEqual([]);
    expect(io.files.size).toBe(0);
  });
});
