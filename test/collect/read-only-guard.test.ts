import { PutBucketPolicyCommand, GetBucketPolicyCommand, DeleteBucketCommand } from '@aws-sdk/client-s3';
import { AuthorizeSecurityGroupEgressCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { UpdateFunctionConfigurationCommand, AddPermissionCommand } from '@aws-sdk/client-lambda';
import { AttachRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { PutPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { GetSessionTokenCommand, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../src/collect/clients.js';
import { isReadOnlyOperation, ReadOnlyViolationError } from '../../src/collect/read-only-guard.js';
import { FAKE_CREDENTIALS } from './helpers/run-collect.js';

/** Clients whose HTTP handler counts what reaches it and answers nothing. */
function countingClients(): { clients: AwsClients; sent: string[] } {
  const sent: string[] = [];
  const clients = createAwsClients({
    env: {},
    credentials: FAKE_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: {
      handle: (request: { method: string; hostname: string; path: string }) => {
        sent.push(`${request.method} ${request.hostname}${request.path}`);
        return Promise.reject(Object.assign(new Error('transport reached'), { name: 'TransportReached' }));
      },
    } as never,
  });
  return { clients, sent };
}

describe('read-only guard', () => {
  it.each([
    ['DescribeSubnets', true],
    ['ListFunctions', true],
    ['GetBucketPolicy', true],
    ['GetCallerIdentity', true],
    ['GetPolicyVersion', true],
    ['GetAccountSummary', true],
    ['GetAccountAuthorizationDetails', true],
    ['DescribeKey', true],
    ['ListFunctionsCommand', true],
    ['PutBucketPolicy', false],
    ['AuthorizeSecurityGroupEgress', false],
    ['UpdateFunctionConfiguration', false],
    ['CreateSession', false],
    ['GetSessionToken', false],
    ['GetFederationToken', false],
    ['AssumeRole', false],
    ['Describe', false],
    ['Listen', false],
    ['Getaway', false],
    ['', false],
  ])('%s is a read: %s', (operation, read) => {
    expect(isReadOnlyOperation(operation)).toBe(read);
  });

  it.each([
    ['s3', () => new PutBucketPolicyCommand({ Bucket: 'lvs-golden-scores-111122223333', Policy: '{}' })],
    ['s3', () => new DeleteBucketCommand({ Bucket: 'lvs-golden-scores-111122223333' })],
    [
      'ec2',
      () => new AuthorizeSecurityGroupEgressCommand({ GroupId: 'sg-0a1b2c3d4e5f60041', IpPermissions: [] }),
    ],
    [
      'lambda',
      () =>
        new UpdateFunctionConfigurationCommand({
          FunctionName: 'lvs-golden-scorer',
          TracingConfig: { Mode: 'PassThrough' },
        }),
    ],
    [
      'lambda',
      () =>
        new AddPermissionCommand({
          FunctionName: 'lvs-golden-scorer',
          StatementId: 'x',
          Action: 'lambda:InvokeFunction',
          Principal: '*',
        }),
    ],
    ['iam', () => new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'p', PolicyDocument: '{}' })],
    [
      'iam',
      () =>
        new AttachRolePolicyCommand({
          RoleName: 'r',
          PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        }),
    ],
    ['kms', () => new ScheduleKeyDeletionCommand({ KeyId: 'k' })],
    [
      's3control',
      () =>
        new PutPublicAccessBlockCommand({ AccountId: '111122223333', PublicAccessBlockConfiguration: {} }),
    ],
    ['sts', () => new GetSessionTokenCommand({})],
    [
      'sts',
      () => new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/x', RoleSessionName: 'x' }),
    ],
  ] as const)('rejects a mutating %s command before anything is sent', async (service, make) => {
    const { clients, sent } = countingClients();
    const client = (clients[service] as (region: string) => { send(command: unknown): Promise<unknown> })(
      'eu-west-1',
    );
    await expect(client.send(make())).rejects.toBeInstanceOf(ReadOnlyViolationError);
    await expect(client.send(make())).rejects.toThrow(/lvs is read-only: refused to send/);
    expect(sent).toEqual([]);
    clients.destroy();
  });

  it('lets reads through to the transport', async () => {
    const { clients, sent } = countingClients();
    await expect(
      clients.s3('eu-west-1').send(new GetBucketPolicyCommand({ Bucket: 'lvs-golden-scores-111122223333' })),
    ).rejects.toThrow('transport reached');
    await expect(clients.ec2('eu-west-1').send(new DescribeSubnetsCommand({}))).rejects.toThrow(
      'transport reached',
    );
    expect(sent).toHaveLength(2);
    clients.destroy();
  });

  it('is on every client the factory builds, in every region', () => {
    const { clients } = countingClients();
    for (const region of ['eu-west-1', 'us-east-1']) {
      for (const service of ['lambda', 'ec2', 'iam', 's3', 's3control', 'kms', 'sts'] as const) {
        const client = clients[service](region) as unknown as { middlewareStack: { identify(): string[] } };
        expect(client.middlewareStack.identify()[0]).toMatch(/^lvsReadOnlyGuard - initialize/);
      }
    }
    clients.destroy();
  });
});
