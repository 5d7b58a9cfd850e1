import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderManifest, renderRestoreScript, type BackupState } from '../../../src/fix/apply/backup.js';
import type { LiveItem } from '../../../src/fix/apply/live-state.js';
import { addPermissionArgs, restoreCommands, reusedRestoreCommands } from '../../../src/fix/apply/restore.js';
import type { ApiCall } from '../../../src/fix/plan-model.js';
import { G } from '../../helpers/golden.js';

const call = (service: ApiCall['service'], operation: string, params: Record<string, unknown>): ApiCall => ({
  service,
  operation,
  region: service === 'iam' ? null : G.region,
  params,
  purpose: 'a test call',
});
const item = (kind: LiveItem['kind'], text: string | null, file = `${kind}.json`): LiveItem => ({
  kind,
  file,
  what: kind,
  read: 'test:Get',
  key: 'k',
  text,
});
const restore = (c: ApiCall, items: LiveItem[] = [], output?: Record<string, unknown>) =>
  restoreCommands({ call: c, region: G.region, items, fileOf: (f) => `step-01/${f}`, output });

describe('restore commands put back what was read before the change', () => {
  it.each([
    [
      'a bucket policy that existed',
      call('s3', 'PutBucketPolicy', { Bucket: G.bucket, Policy: '{}' }),
      [item('bucket-policy', '{"Statement":[]}')],
      [
        `aws s3api put-bucket-policy --region eu-west-1 --bucket ${G.bucket} --policy file://step-01/bucket-policy.json`,
      ],
    ],
    [
      'a bucket policy that did not',
      call('s3', 'PutBucketPolicy', { Bucket: G.bucket, Policy: '{}' }),
      [item('bucket-policy', null)],
      [`aws s3api delete-bucket-policy --region eu-west-1 --bucket ${G.bucket}`],
    ],
    [
      'default encryption',
      call('s3', 'PutBucketEncryption', { Bucket: G.bucket }),
      [item('bucket-encryption', '{"Rules":[]}')],
      [
        `aws s3api put-bucket-encryption --region eu-west-1 --bucket ${G.bucket} --server-side-encryption-configuration file://step-01/bucket-encryption.json`,
      ],
    ],
    [
      'Block Public Access that did not exist',
      call('s3', 'PutPublicAccessBlock', { Bucket: G.bucket }),
      [item('public-access-block', null)],
      [`aws s3api delete-public-access-block --region eu-west-1 --bucket ${G.bucket}`],
    ],
    [
      'an endpoint policy',
      call('ec2', 'ModifyVpcEndpoint', { VpcEndpointId: G.endpointId, PolicyDocument: '{}' }),
      [item('vpc-endpoint', '{"RouteTableIds":[]}'), item('endpoint-policy', '{"Statement":[]}')],
      [
        `aws ec2 modify-vpc-endpoint --region eu-west-1 --vpc-endpoint-id ${G.endpointId} --policy-document file://step-01/endpoint-policy.json`,
      ],
    ],
    [
      'route tables associated with an endpoint (only those that were not)',
      call('ec2', 'ModifyVpcEndpoint', { VpcEndpointId: G.endpointId, AddRouteTableIds: ['rtb-1', 'rtb-2'] }),
      [item('vpc-endpoint', '{"RouteTableIds":["rtb-2"]}')],
      [
        `aws ec2 modify-vpc-endpoint --region eu-west-1 --vpc-endpoint-id ${G.endpointId} --remove-route-table-ids rtb-1`,
      ],
    ],
    [
      'a deleted route through a NAT gateway',
      call('ec2', 'DeleteRoute', { RouteTableId: 'rtb-1', DestinationPrefixListId: G.s3PrefixListId }),
      [
        item(
          'route-table',
          JSON.stringify({ Routes: [{ DestinationPrefixListId: G.s3PrefixListId, NatGatewayId: 'nat-1' }] }),
        ),
      ],
      [
        `aws ec2 create-route --region eu-west-1 --route-table-id rtb-1 --destination-prefix-list-id ${G.s3PrefixListId} --nat-gateway-id nat-1`,
      ],
    ],
    [
      'a revoked egress rule (re-authorized from the exact revoked permissions)',
      call('ec2', 'RevokeSecurityGroupEgress', {
        GroupId: G.securityGroupId,
        IpPermissions: [{ IpProtocol: '-1' }],
      }),
      [],
      [
        `aws ec2 authorize-security-group-egress --region eu-west-1 --group-id ${G.securityGroupId} --ip-permissions file://step-01/revoked-egress-${G.securityGroupId}.json`,
      ],
    ],
    [
      'tracing and the environment key of a function',
      call('lambda', 'UpdateFunctionConfiguration', {
        FunctionName: G.functionArn,
        TracingConfig: { Mode: 'Active' },
        KMSKeyArn: 'k',
      }),
      [item('function-configuration', '{"TracingConfig":{"Mode":"PassThrough"}}')],
      [
        `aws lambda update-function-configuration --region eu-west-1 --function-name ${G.functionArn} --tracing-config Mode=PassThrough --kms-key-arn ''`,
        `aws lambda wait function-updated --region eu-west-1 --function-name ${G.functionArn}`,
      ],
    ],
    [
      'a function URL auth type',
      call('lambda', 'UpdateFunctionUrlConfig', { FunctionName: G.functionArn, AuthType: 'AWS_IAM' }),
      [item('url-config', '{"AuthType":"NONE"}')],
      [
        `aws lambda update-function-url-config --region eu-west-1 --function-name ${G.functionArn} --auth-type NONE`,
      ],
    ],
    [
      'a removed public statement',
      call('lambda', 'RemovePermission', {
        FunctionName: G.functionArn,
        StatementId: 'FunctionURLAllowPublicAccess',
      }),
      [
        item(
          'function-policy',
          JSON.stringify({
            Statement: [
              {
                Sid: 'FunctionURLAllowPublicAccess',
                Effect: 'Allow',
                Principal: '*',
                Action: 'lambda:InvokeFunctionUrl',
                Resource: G.functionArn,
                Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } },
              },
            ],
          }),
        ),
      ],
      [
        `aws lambda add-permission --region eu-west-1 --function-name ${G.functionArn} --statement-id FunctionURLAllowPublicAccess --action lambda:InvokeFunctionUrl --principal '*' --function-url-auth-type NONE`,
      ],
    ],
    [
      'a new inline role policy',
      call('iam', 'PutRolePolicy', { RoleName: 'r', PolicyName: 'p', PolicyDocument: '{}' }),
      [item('inline-policy', null)],
      ['aws iam delete-role-policy --role-name r --policy-name p'],
    ],
    [
      'rotation that was off',
      call('kms', 'EnableKeyRotation', { KeyId: G.keyArn }),
      [item('key-rotation', '{"KeyRotationEnabled":false}')],
      [`aws kms disable-key-rotation --region eu-west-1 --key-id ${G.keyArn}`],
    ],
    [
      'a key that was disabled',
      call('kms', 'EnableKey', { KeyId: G.keyArn }),
      [item('key-metadata', '{"KeyState":"Disabled"}')],
      [`aws kms disable-key --region eu-west-1 --key-id ${G.keyArn}`],
    ],
  ])('%s', (_what, c, items, expected) => {
    expect(restore(c, items).lines).toEqual(expected);
  });

  it('created resources: the endpoint is deleted, the key is only named (deleting a key is for a person)', () => {
    const create = call('ec2', 'CreateVpcEndpoint', { VpcId: G.vpcId });
    expect(restore(create, [], { VpcEndpoint: { VpcEndpointId: 'vpce-new' } }).lines).toEqual([
      'aws ec2 delete-vpc-endpoints --region eu-west-1 --vpc-endpoint-ids vpce-new',
    ]);
    const key = restore(call('kms', 'CreateKey', {}), [], {
      KeyMetadata: { Arn: 'arn:aws:kms:eu-west-1:1:key/k' },
    }).lines;
    expect(key).toHaveLength(1);
    expect(key[0]).toMatch(/^# a key was created \(arn:aws:kms:eu-west-1:1:key\/k\)/);
  });

  it("the new key's alias is named with the key (kept, a later lvs fix reuses the key), never deleted by the script", () => {
    const key = 'arn:aws:kms:eu-west-1:1:key/k';
    const lines = restore(
      call('kms', 'CreateAlias', { AliasName: 'alias/lvs/lambda-environment', TargetKeyId: key }),
    ).lines;
    expect(lines).toEqual([
      `# the alias alias/lvs/lambda-environment was created for ${key}; delete it together with the key (while it stays, lvs fix reuses the key instead of creating another): aws kms delete-alias --region eu-west-1 --alias-name alias/lvs/lambda-environment`,
    ]);
  });

  it('a call skipped because its resource was reused has nothing to undo', () => {
    const create: ApiCall = {
      ...call('kms', 'CreateKey', {}),
      captures: { 'new-key-eu-west-1': 'KeyMetadata.Arn' },
      reuse: {
        lookup: { operation: 'DescribeKey', params: { KeyId: 'alias/lvs/lambda-environment' } },
        notFound: ['NotFoundException'],
        requires: { 'KeyMetadata.KeyState': ['Enabled'] },
        captures: { 'new-key-eu-west-1': 'KeyMetadata.Arn' },
        label: 'key from a previous run (alias/lvs/lambda-environment)',
        otherwise: 'enable the key or delete the alias',
      },
    };
    expect(reusedRestoreCommands(create, { 'new-key-eu-west-1': 'arn:aws:kms:eu-west-1:1:key/k' })).toEqual([
      "# not sent: key from a previous run (alias/lvs/lambda-environment) reused (new-key-eu-west-1 = arn:aws:kms:eu-west-1:1:key/k); this run created nothing to undo (the earlier run's backup has its restore commands)",
    ]);
  });

  it("puts back the console's InvokeFunction-via-URL statement of a public URL", () => {
    expect(
      addPermissionArgs({
        Sid: 'FunctionURLAllowInvokeAction',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Principal: '*',
        Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
      }),
    ).toEqual([
      '--statement-id',
      'FunctionURLAllowInvokeAction',
      '--action',
      'lambda:InvokeFunction',
      '--principal',
      "'*'",
      '--invoked-via-function-url',
    ]);
  });

  it('add-permission cannot express every statement: then the restore says so', () => {
    expect(
      addPermissionArgs({
        Sid: 's',
        Action: 'lambda:InvokeFunction',
        Principal: '*',
        Condition: { IpAddress: { 'aws:SourceIp': '1.2.3.4/32' } },
      }),
    ).toBeUndefined();
    const lines = restore(
      call('lambda', 'RemovePermission', { FunctionName: G.functionArn, StatementId: 'gone' }),
      [item('function-policy', '{"Statement":[]}')],
    ).lines;
    expect(lines[0]).toMatch(/^# statement gone .* see the backed-up policy/);
  });
});

describe('restore.sh', () => {
  const state = (sent: boolean): BackupState => ({
    dir: '.lvs-backup/2026-11-21T10-00-00Z',
    createdAt: '2026-11-21T10:00:00.000Z',
    toolVersion: '0.1.0',
    accountId: G.accountId,
    caller: 'arn:aws:sts::111122223333:assumed-role/r/s',
    steps: [1, 2].map((n) => ({
      number: n,
      id: `LVS00${n}:x`,
      title: `step ${n}'s title`,
      status: sent ? 'done' : 'pending',
      files: [],
      calls: [
        {
          service: 's3',
          operation: 'PutBucketPolicy',
          region: G.region,
          status: sent || n === 1 ? 'done' : 'pending',
          restore: [`aws s3api delete-bucket-policy --bucket b${n}`, '# a note'],
        },
      ],
      created: {},
    })),
  });

  it('undoes the sent calls, last first, and is valid bash', () => {
    const script = renderRestoreScript(state(true));
    expect(script.indexOf('run aws s3api delete-bucket-policy --bucket b2')).toBeLessThan(
      script.indexOf('run aws s3api delete-bucket-policy --bucket b1'),
    );
    expect(script).toContain('\n# a note\n');
    expect(script).toContain(`expected_account='${G.accountId}'`);
    const dir = mkdtempSync(join(tmpdir(), 'lvs-restore-'));
    try {
      writeFileSync(join(dir, 'restore.sh'), script);
      const check = spawnSync('bash', ['-n', join(dir, 'restore.sh')], { encoding: 'utf8' });
      expect(check.stderr).toBe('');
      expect(check.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows a skipped call (reused, not sent) as a comment only', () => {
    const skipped = state(true);
    const step = skipped.steps[0];
    if (step === undefined) throw new Error('step');
    step.calls.unshift({
      service: 'kms',
      operation: 'CreateKey',
      region: G.region,
      status: 'skipped',
      restore: ['# not sent: key from a previous run reused; this run created nothing to undo'],
    });
    const script = renderRestoreScript(skipped);
    expect(script).toContain('#   undo kms:CreateKey (skipped)\n# not sent: key from a previous run reused');
    expect(script.split('\n').filter((l) => l.startsWith('run ') && l.includes('kms'))).toEqual([]);
  });

  it('leaves out calls that were never sent', () => {
    const script = renderRestoreScript(state(false));
    expect(script).toContain('--bucket b1');
    expect(script).not.toContain('--bucket b2');
    const nothing = renderRestoreScript({ ...state(false), steps: [] });
    expect(nothing).toContain('# Nothing has been changed yet.');
  });

  it('the manifest names the plan, the script and the command to run', () => {
    const manifest = JSON.parse(renderManifest(state(true)));
    expect(manifest).toMatchObject({
      plan: 'plan.json',
      restore: 'restore.sh',
      restoreCommand: 'bash .lvs-backup/2026-11-21T10-00-00Z/restore.sh',
      accountId: G.accountId,
    });
    expect(manifest.steps).toHaveLength(2);
  });
});
