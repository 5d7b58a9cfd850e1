import { describe, expect, it } from 'vitest';
import check from '../../src/checks/lvs006-endpoint-policy-scoped.js';
import type { AccountSnapshot } from '../../src/snapshot/schema.js';
import { expectOutcome, runCheck, summarize } from '../helpers/check-tester.js';
import { G, golden, goldenFunction, okValue, regionOf } from '../helpers/golden.js';

const ENDPOINT_ARN = `arn:aws:ec2:${G.region}:${G.accountId}:vpc-endpoint/${G.endpointId}`;
const AWS_DEFAULT = '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}';

const endpoint = (s: AccountSnapshot) => {
  const found = okValue(regionOf(s).vpcEndpoints, 'vpcEndpoints')[0];
  if (!found) throw new Error('no endpoint');
  return found;
};
const table = (s: AccountSnapshot, id: string) => {
  const found = okValue(regionOf(s).routeTables, 'routeTables').find((t) => t.routeTableId === id);
  if (!found) throw new Error(`no route table ${id}`);
  return found;
};
const withPolicy = (policy: unknown) => (s: AccountSnapshot) => {
  endpoint(s).policyDocument = typeof policy === 'string' ? policy : JSON.stringify(policy);
};
const statement = (extra: Record<string, unknown>) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', ...extra }],
});

describe('LVS006 endpoint-policy-scoped', () => {
  it('passes for the golden endpoint (aws:ResourceAccount condition), one result about the endpoint', async () => {
    const results = await runCheck(check, golden());
    expect(summarize(results)).toEqual([{ status: 'pass', reasonId: 'scopedToAccount', severity: 'medium' }]);
    expect(results[0]?.resourceArn).toBe(ENDPOINT_ARN);
  });

  it('fails with defaultFullAccess for the AWS default policy', async () => {
    const result = await expectOutcome(check, golden(withPolicy(AWS_DEFAULT)), {
      status: 'fail',
      reasonId: 'defaultFullAccess',
      severity: 'medium',
    });
    expect(result.message).toContain(G.endpointId);
    expect(result.resourceArn).toBe(ENDPOINT_ARN);
  });

  it('fails with defaultFullAccess when the endpoint has no policy document', async () => {
    const snapshot = golden((s) => {
      endpoint(s).policyDocument = null;
    });
    const result = await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'defaultFullAccess' });
    expect(result.evidence.some((e) => e.observed.includes('AWS default'))).toBe(true);
  });

  it('fails with defaultFullAccess for s3:* on arn:aws:s3:::* without a condition', async () => {
    await expectOutcome(
      check,
      golden(withPolicy(statement({ Action: 's3:*', Resource: 'arn:aws:s3:::*' }))),
      {
        status: 'fail',
        reasonId: 'defaultFullAccess',
      },
    );
  });

  it.each([
    [
      'the golden actions without the condition',
      { Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'], Resource: '*' },
    ],
    ['objects of every bucket', { Action: 's3:PutObject', Resource: 'arn:aws:s3:::*/*' }],
    ['an action wildcard (s3:Put*)', { Action: 's3:Put*', Resource: 'arn:aws:s3:::*' }],
    ['a NotResource', { Action: 's3:GetObject', NotResource: 'arn:aws:s3:::secret-bucket/*' }],
    ['a NotAction', { NotAction: 's3:DeleteObject', Resource: '*' }],
    [
      'a negative account condition',
      {
        Action: 's3:PutObject',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:ResourceAccount': '444455556666' } },
      },
    ],
    [
      'a wildcard account condition',
      { Action: 's3:PutObject', Resource: '*', Condition: { StringLike: { 'aws:ResourceAccount': '*' } } },
    ],
    [
      'an unrelated condition',
      {
        Action: 's3:PutObject',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalAccount': G.accountId } },
      },
    ],
  ])('fails with unscopedResource for %s', async (_, extra) => {
    await expectOutcome(check, golden(withPolicy(statement(extra))), {
      status: 'fail',
      reasonId: 'unscopedResource',
      severity: 'medium',
    });
  });

  it('fails with unscopedResource for a specific principal allowed everything (not the AWS default)', async () => {
    const policy = {
      Statement: [{ Effect: 'Allow', Principal: { AWS: G.roleArn }, Action: '*', Resource: '*' }],
    };
    const result = await expectOutcome(check, golden(withPolicy(policy)), {
      status: 'fail',
      reasonId: 'unscopedResource',
    });
    expect(result.message).toContain('Statement[0]');
  });

  it.each([
    [
      'aws:ResourceAccount with a different key case',
      { StringEquals: { 'AWS:RESOURCEACCOUNT': G.accountId } },
    ],
    ['s3:ResourceAccount', { StringEquals: { 's3:ResourceAccount': G.accountId } }],
    ['aws:ResourceOrgID', { StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } }],
    [
      'aws:ResourceOrgPaths',
      { 'ForAnyValue:StringLike': { 'aws:ResourceOrgPaths': 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*' } },
    ],
  ])('passes with a %s condition', async (_, condition) => {
    await expectOutcome(
      check,
      golden(withPolicy(statement({ Action: 's3:*', Resource: '*', Condition: condition }))),
      {
        status: 'pass',
        reasonId: 'scopedToAccount',
      },
    );
  });

  it('passes when the policy names its buckets', async () => {
    const policy = statement({
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: [`arn:aws:s3:::${G.bucket}`, `arn:aws:s3:::${G.bucket}/*`],
    });
    await expectOutcome(check, golden(withPolicy(policy)), { status: 'pass', reasonId: 'scopedToAccount' });
  });

  it('passes when a Deny confines the default Allow to the account (scopedByDeny)', async () => {
    const policy = {
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
        {
          Sid: 'OnlyOwnBuckets',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: '*',
          Condition: { StringNotEquals: { 'aws:ResourceAccount': G.accountId } },
        },
      ],
    };
    const result = await expectOutcome(check, golden(withPolicy(policy)), {
      status: 'pass',
      reasonId: 'scopedByDeny',
    });
    expect(result.message).toContain('OnlyOwnBuckets');
  });

  it('does not count a Deny narrowed by other conditions as confining the policy', async () => {
    const policy = {
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: '*',
          Condition: {
            StringNotEquals: { 'aws:ResourceAccount': G.accountId },
            StringEquals: { 'aws:PrincipalTag/team': 'x' },
          },
        },
      ],
    };
    await expectOutcome(check, golden(withPolicy(policy)), { status: 'fail', reasonId: 'defaultFullAccess' });
  });

  it.each([
    ['invalid JSON', '{"Statement": ['],
    ['JSON that is not a policy', '{"Statement": 5}'],
  ])('fails with invalidPolicy for %s, never throwing', async (_, text) => {
    const result = await expectOutcome(check, golden(withPolicy(text)), {
      status: 'fail',
      reasonId: 'invalidPolicy',
      severity: 'medium',
    });
    expect(result.message).toContain('not');
  });

  it('is not-applicable (noServingEndpoint) when no usable endpoint is on the route tables', async () => {
    const snapshot = golden((s) => {
      endpoint(s).state = 'pending';
    });
    await expectOutcome(check, snapshot, { status: 'not-applicable', reasonId: 'noServingEndpoint' });
  });

  it('still evaluates the endpoint serving the other subnet when one table lacks the route', async () => {
    const snapshot = golden((s) => {
      const t = table(s, G.routeTableB);
      t.routes = t.routes.filter((r) => r.destinationPrefixListId === undefined);
      withPolicy(AWS_DEFAULT)(s);
    });
    const results = await runCheck(check, snapshot);
    expect(summarize(results)).toEqual([
      { status: 'fail', reasonId: 'defaultFullAccess', severity: 'medium' },
    ]);
  });

  it('gives one result per distinct serving endpoint', async () => {
    const second = 'vpce-0a1b2c3d4e5f60032';
    const snapshot = golden((s) => {
      const route = table(s, G.routeTableB).routes.find(
        (r) => r.destinationPrefixListId === G.s3PrefixListId,
      );
      if (route) route.gatewayId = second;
      okValue(regionOf(s).vpcEndpoints, 'vpcEndpoints').push({
        ...endpoint(s),
        vpcEndpointId: second,
        routeTableIds: [G.routeTableB],
        policyDocument: AWS_DEFAULT,
      });
    });
    const results = await runCheck(check, snapshot);
    expect(results.map((r) => [r.resourceArn.split('/')[1], r.status, r.reasonId])).toEqual([
      [G.endpointId, 'pass', 'scopedToAccount'],
      [second, 'fail', 'defaultFullAccess'],
    ]);
  });

  it.each([
    [
      'DescribeRouteTables',
      (s: AccountSnapshot) => (regionOf(s).routeTables = ec2Error('DescribeRouteTables')),
    ],
    [
      'DescribeVpcEndpoints',
      (s: AccountSnapshot) => (regionOf(s).vpcEndpoints = ec2Error('DescribeVpcEndpoints')),
    ],
    [
      'DescribePrefixLists',
      (s: AccountSnapshot) => (regionOf(s).prefixLists = ec2Error('DescribePrefixLists')),
    ],
  ])('reports error (readFailed) when %s failed', async (operation, mutate) => {
    const results = await runCheck(check, golden(mutate));
    expect(summarize(results)).toEqual([{ status: 'error', reasonId: 'readFailed', severity: 'medium' }]);
    expect(results[0]?.message).toContain(operation);
  });

  it('is not-applicable when the function is not in a VPC', async () => {
    const snapshot = golden((s) => {
      goldenFunction(s).vpcConfig = null;
    });
    await expectOutcome(check, snapshot, { status: 'not-applicable', reasonId: 'notInVpc' });
  });
});

function ec2Error(operation: string) {
  return {
    status: 'error' as const,
    error: { service: 'ec2', operation, code: 'UnauthorizedOperation', message: 'denied', region: G.region },
  };
}
