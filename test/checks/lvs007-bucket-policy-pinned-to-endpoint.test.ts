import { describe, expect, it } from 'vitest';
import check from '../../src/checks/lvs007-bucket-policy-pinned-to-endpoint.js';
import type { AccountSnapshot } from '../../src/snapshot/schema.js';
import { expectOutcome, runCheck, summarize } from '../helpers/check-tester.js';
import { G, golden, goldenFunction, okValue, regionOf } from '../helpers/golden.js';

const BUCKET_ARN = `arn:aws:s3:::${G.bucket}`;
const OTHER_ENDPOINT = 'vpce-0ffffffffffff0099';

const pin = (extra: Record<string, unknown> = {}) => ({
  Sid: 'Pin',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
  Condition: { StringNotEquals: { 'aws:SourceVpce': G.endpointId } },
  ...extra,
});
const policyText = (...statements: unknown[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });
const bucketOf = (s: AccountSnapshot) => {
  const bucket = s.s3.buckets[G.bucket];
  if (!bucket) throw new Error('golden bucket missing');
  return bucket;
};
const withPolicy = (...statements: unknown[]) =>
  golden((s) => {
    bucketOf(s).policy = { status: 'ok', value: policyText(...statements) };
  });
const inlinePolicy = (s: AccountSnapshot) => {
  const role = okValue(s.iam.roles[G.roleArn] ?? { status: 'absent' }, 'role');
  const policy = role.inlinePolicies[0];
  if (!policy) throw new Error('inline policy missing');
  return policy;
};

describe('LVS007 bucket-policy-pinned-to-endpoint', () => {
  it('passes for the golden bucket, listing the break-glass exemption as info', async () => {
    const result = await expectOutcome(check, golden(), { status: 'pass', reasonId: 'pinned' });
    expect(result.resourceArn).toBe(BUCKET_ARN);
    expect(result.message).toContain(G.endpointId);
    const fields = result.evidence.map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'Policy Sid "DenyUnlessThroughScorerEndpoint"',
        'Environment.Variables.RESULTS_BUCKET',
      ]),
    );
    const exemption = result.evidence.find((e) => e.field.endsWith('Condition'));
    expect(exemption?.observed).toContain('aws:PrincipalArn');
    expect(exemption?.note).toMatch(/^info:/);
    expect(result.evidence.some((e) => e.resourceArn.endsWith(`route-table/${G.routeTableA}`))).toBe(true);
  });

  it('returns one result per reached bucket', async () => {
    const results = await runCheck(check, golden());
    expect(summarize(results)).toEqual([{ status: 'pass', reasonId: 'pinned', severity: 'high' }]);
  });

  it.each([
    [
      'StringNotEqualsIfExists',
      pin({ Condition: { StringNotEqualsIfExists: { 'aws:SourceVpce': G.endpointId } } }),
    ],
    [
      'a lower-case aws:sourcevpce key',
      pin({ Condition: { StringNotEquals: { 'aws:sourcevpce': G.endpointId } } }),
    ],
    [
      'ForAnyValue:StringNotEquals',
      pin({ Condition: { 'ForAnyValue:StringNotEquals': { 'AWS:SOURCEVPCE': [G.endpointId] } } }),
    ],
    ['Principal {"AWS":"*"}', pin({ Principal: { AWS: '*' } })],
    ['Action "*"', pin({ Action: '*' })],
    ['GetObject and PutObject via wildcards', pin({ Action: ['s3:Get*', 's3:Put*'] })],
    ['Resource arn:aws:s3:::*', pin({ Resource: 'arn:aws:s3:::*' })],
    ['Resource "*"', pin({ Resource: '*' })],
    ['a wildcard bucket ARN', pin({ Resource: 'arn:aws:s3:::lvs-golden-*/*' })],
    [
      'a NotResource that excludes another bucket',
      pin({ Resource: undefined, NotResource: 'arn:aws:s3:::other-bucket/*' }),
    ],
    [
      'several endpoint IDs, the serving one among them',
      pin({ Condition: { StringNotEquals: { 'aws:SourceVpce': [OTHER_ENDPOINT, G.endpointId] } } }),
    ],
    [
      'exemptions only (aws:PrincipalTag, aws:PrincipalIsAWSService false)',
      pin({
        Condition: {
          StringNotEquals: { 'aws:SourceVpce': G.endpointId, 'aws:PrincipalTag/team': 'platform' },
          Bool: { 'aws:PrincipalIsAWSService': 'false' },
        },
      }),
    ],
  ])('passes with %s', async (_name, statement) => {
    await expectOutcome(check, withPolicy(statement), { status: 'pass', reasonId: 'pinned' });
  });

  it('fails with noBucketPolicy when the bucket has none', async () => {
    const snapshot = golden((s) => {
      bucketOf(s).policy = { status: 'absent' };
    });
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'noBucketPolicy',
      severity: 'high',
    });
    expect(result.resourceArn).toBe(BUCKET_ARN);
    expect(result.message).toContain('NoSuchBucketPolicy');
  });

  it('fails with noDeny when the policy only enforces TLS', async () => {
    const snapshot = withPolicy({
      Sid: 'TLS',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: `${BUCKET_ARN}/*`,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'noDeny', severity: 'high' });
  });

  it.each([
    [
      'an extra aws:SecureTransport condition',
      pin({
        Condition: {
          StringNotEquals: { 'aws:SourceVpce': G.endpointId },
          Bool: { 'aws:SecureTransport': 'false' },
        },
      }),
    ],
    [
      'a positive aws:PrincipalArn condition (narrows the Deny)',
      pin({
        Condition: {
          StringNotEquals: { 'aws:SourceVpce': G.endpointId },
          ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/x' },
        },
      }),
    ],
  ])('fails with noDeny when the pin has %s, saying why', async (_name, statement) => {
    const result = await expectOutcome(check, withPolicy(statement), {
      status: 'fail',
      reasonId: 'noDeny',
      severity: 'high',
    });
    expect(result.message).toContain('also requires');
    expect(result.evidence.some((e) => e.note?.startsWith('not a pin'))).toBe(true);
  });

  it.each([
    [
      'StringEquals (wrong operator)',
      pin({ Condition: { StringEquals: { 'aws:SourceVpce': G.endpointId } } }),
    ],
    ['a named principal', pin({ Principal: { AWS: 'arn:aws:iam::111122223333:root' } })],
    ['only s3:GetObject', pin({ Action: 's3:GetObject' })],
    ['only the bucket ARN, not its objects', pin({ Resource: BUCKET_ARN })],
    ['only part of the objects', pin({ Resource: `${BUCKET_ARN}/scores/*` })],
    [
      'a NotResource that excludes part of the bucket',
      pin({ Resource: undefined, NotResource: `${BUCKET_ARN}/public/*` }),
    ],
  ])('fails with noDeny for a Deny with %s', async (_name, statement) => {
    await expectOutcome(check, withPolicy(statement), { status: 'fail', reasonId: 'noDeny' });
  });

  it('fails with pinnedToOtherEndpoint when pinned to another endpoint ID, naming the one the function uses', async () => {
    const snapshot = withPolicy(
      pin({ Condition: { StringNotEquals: { 'aws:SourceVpce': OTHER_ENDPOINT } } }),
    );
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'pinnedToOtherEndpoint',
      severity: 'high',
    });
    expect(result.message).toContain(OTHER_ENDPOINT);
    expect(result.message).toContain(`through ${G.endpointId}`);
    expect(result.message).toContain('locked out');
  });

  it('fails with pinnedToOtherEndpoint when a second Deny pins another endpoint, even with a correct pin', async () => {
    const snapshot = withPolicy(
      pin(),
      pin({ Sid: 'Other', Condition: { StringNotEquals: { 'aws:SourceVpce': OTHER_ENDPOINT } } }),
    );
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'pinnedToOtherEndpoint',
    });
    expect(result.message).toContain('Sid "Other"');
  });

  it('fails with pinnedToOtherEndpoint when one of two serving endpoints is missing from the pin', async () => {
    const second = 'vpce-0a1b2c3d4e5f60032';
    const snapshot = golden((s) => {
      const region = regionOf(s);
      const endpoints = okValue(region.vpcEndpoints, 'endpoints');
      const first = endpoints[0];
      if (!first) throw new Error('endpoint missing');
      endpoints.push({ ...first, vpcEndpointId: second, routeTableIds: [G.routeTableB] });
      first.routeTableIds = [G.routeTableA];
      const tableB = okValue(region.routeTables, 'tables').find((t) => t.routeTableId === G.routeTableB);
      const route = tableB?.routes.find((r) => r.destinationPrefixListId === G.s3PrefixListId);
      if (!route) throw new Error('route missing');
      route.gatewayId = second;
    });
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'pinnedToOtherEndpoint',
    });
    expect(result.message).toContain(`requests through ${second} are denied`);
  });

  it('fails with allowOnly when only an Allow carries aws:SourceVpce', async () => {
    const snapshot = withPolicy({
      Sid: 'AllowFromEndpoint',
      Effect: 'Allow',
      Principal: '*',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: `${BUCKET_ARN}/*`,
      Condition: { StringEquals: { 'aws:SourceVpce': G.endpointId } },
    });
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'allowOnly',
      severity: 'high',
    });
    expect(result.message).toContain('identity policies still grant access');
  });

  it('fails low with pinnedToVpc when pinned with aws:SourceVpc to the function VPC', async () => {
    const snapshot = withPolicy(pin({ Condition: { StringNotEquals: { 'aws:SourceVpc': G.vpcId } } }));
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'pinnedToVpc',
      severity: 'low',
    });
    expect(result.message).toContain(G.vpcId);
  });

  it('fails with pinnedToOtherEndpoint when pinned with aws:SourceVpc to another VPC', async () => {
    const snapshot = withPolicy(pin({ Condition: { StringNotEquals: { 'aws:SourceVpc': 'vpc-0fff' } } }));
    await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'pinnedToOtherEndpoint' });
  });

  it('fails with invalidPolicy when the bucket policy is not valid JSON', async () => {
    const snapshot = golden((s) => {
      bucketOf(s).policy = { status: 'ok', value: '{"Version": "2012-10-17", "Statement": [' };
    });
    const result = await expectOutcome(check, snapshot, {
      status: 'fail',
      reasonId: 'invalidPolicy',
      severity: 'high',
    });
    expect(result.message).toContain('not valid JSON');
  });

  it('fails with invalidPolicy when the JSON is not a policy', async () => {
    const snapshot = golden((s) => {
      bucketOf(s).policy = { status: 'ok', value: '{"Statement": [{"Effect": "Maybe"}]}' };
    });
    await expectOutcome(check, snapshot, { status: 'fail', reasonId: 'invalidPolicy' });
  });

  it('reports error (readFailed) when GetBucketPolicy was denied', async () => {
    const snapshot = golden((s) => {
      bucketOf(s).policy = {
        status: 'error',
        error: {
          service: 's3',
          operation: 'GetBucketPolicy',
          code: 'AccessDenied',
          message: 'Access Denied',
          resource: BUCKET_ARN,
        },
      };
    });
    const result = await expectOutcome(check, snapshot, {
      status: 'error',
      reasonId: 'readFailed',
      severity: 'high',
    });
    expect(result.resourceArn).toBe(BUCKET_ARN);
    expect(result.message).toContain('s3:GetBucketPolicy');
  });

  it('reports error when the route tables could not be read', async () => {
    const snapshot = golden((s) => {
      regionOf(s).routeTables = {
        status: 'error',
        error: {
          service: 'ec2',
          operation: 'DescribeRouteTables',
          code: 'UnauthorizedOperation',
          message: 'no',
        },
      };
    });
    await expectOutcome(check, snapshot, { status: 'error', reasonId: 'readFailed' });
  });

  it('is not applicable outside a VPC', async () => {
    const snapshot = golden((s) => {
      goldenFunction(s).vpcConfig = null;
    });
    await expectOutcome(check, snapshot, { status: 'not-applicable', reasonId: 'notInVpc' });
    expect(summarize(await runCheck(check, snapshot))).toEqual([
      { status: 'not-applicable', reasonId: 'notInVpc', severity: 'high' },
    ]);
  });

  it('is not applicable when no gateway endpoint serves the subnets', async () => {
    const snapshot = golden((s) => {
      for (const table of okValue(regionOf(s).routeTables, 'tables')) {
        table.routes = table.routes.filter((r) => r.destinationPrefixListId === undefined);
      }
    });
    await expectOutcome(check, snapshot, { status: 'not-applicable', reasonId: 'noServingEndpoint' });
  });

  it('is not applicable when the function reaches no bucket', async () => {
    const snapshot = golden((s) => {
      for (const v of goldenFunction(s).environment) v.bucketName = null;
      inlinePolicy(s).document = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: G.keyArn }],
      });
    });
    await expectOutcome(check, snapshot, { status: 'not-applicable', reasonId: 'noBucketReached' });
  });

  it('reports bucketSetUnbounded for s3 data on "*" and still evaluates the named bucket', async () => {
    const snapshot = golden((s) => {
      inlinePolicy(s).document = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'All', Effect: 'Allow', Action: 's3:*', Resource: '*' }],
      });
    });
    const results = await runCheck(check, snapshot);
    expect(summarize(results)).toEqual(
      expect.arrayContaining([
        { status: 'error', reasonId: 'bucketSetUnbounded', severity: 'high' },
        { status: 'pass', reasonId: 'pinned', severity: 'high' },
      ]),
    );
  });

  it('evaluates every bucket a wildcard in the role policy matches (s3.bucketNames)', async () => {
    const artifacts = 'lvs-golden-artifacts-111122223333';
    const snapshot = golden((s) => {
      inlinePolicy(s).document = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'All', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::lvs-golden-*/*' },
        ],
      });
      const golden = bucketOf(s);
      s.s3.buckets[artifacts] = { ...structuredClone(golden), name: artifacts, policy: { status: 'absent' } };
    });
    const results = await runCheck(check, snapshot);
    expect(results.map((r) => [r.resourceArn, r.reasonId])).toEqual([
      [`arn:aws:s3:::${artifacts}`, 'noBucketPolicy'],
      [BUCKET_ARN, 'pinned'],
    ]);
  });

  it('reports notInAuditedAccount for a bucket of another account', async () => {
    const snapshot = golden((s) => {
      bucketOf(s).ownedByAccount = false;
    });
    await expectOutcome(check, snapshot, { status: 'error', reasonId: 'notInAuditedAccount' });
  });
});
