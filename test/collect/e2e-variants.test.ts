import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/registry.js';
import type { IamPlanOption } from '../../src/collect/iam.js';
import { RegionIndex } from '../../src/snapshot/derive.js';
import { golden, goldenFunction, goldenSnapshot, G, okValue, regionOf } from '../helpers/golden.js';
import {
  goldenFixtures,
  only,
  type ErrorSpec,
  type FixtureCall,
  type Fixtures,
} from './helpers/api-fixtures.js';
import { audit, collectFromFixtures, comparable } from './helpers/run-collect.js';

/** Variants of the golden stack at the API level: what AWS answers changes, the snapshot follows. */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are AWS JSON, edited freely here
type Json = Record<string, any>;
const out = (call: FixtureCall): Json => call.output as Json;
const hasRule = (id: string) => CHECKS.some((c) => c.meta.id === id);

function functionCopy(fixtures: Fixtures, name: string): Json {
  const original = out(only(fixtures, 'lambda/ListFunctions')).Functions[0] as Json;
  return {
    ...structuredClone(original),
    FunctionName: name,
    FunctionArn: `arn:aws:lambda:eu-west-1:${G.accountId}:function:${name}`,
  };
}

/** Answers for the per-function reads of an extra function: same tags, no resource policy. */
function addFunctionReads(fixtures: Fixtures, arn: string): void {
  fixtures.get('lambda/GetPolicy')!.push({
    input: { FunctionName: arn },
    error: {
      name: 'ResourceNotFoundException',
      message: 'The resource you requested does not exist.',
      httpStatusCode: 404,
    },
  });
  fixtures
    .get('lambda/ListTags')!
    .push({ input: { Resource: arn }, output: out(fixtures.get('lambda/ListTags')![0]!) });
}

const THROTTLE = (name: string, status = 400): ErrorSpec => ({
  name,
  message: 'Rate exceeded',
  httpStatusCode: status,
});

describe('API-level variants of the golden stack', () => {
  it('follows ListFunctions, DescribeRouteTables and ListBuckets across 3 pages each', async () => {
    const fixtures = goldenFixtures();
    const goldenFn = out(only(fixtures, 'lambda/ListFunctions')).Functions[0];
    const a = functionCopy(fixtures, 'lvs-golden-scorer-a');
    const b = functionCopy(fixtures, 'lvs-golden-scorer-b');
    fixtures.set('lambda/ListFunctions', [
      { input: { MaxItems: 50 }, output: { Functions: [a], NextMarker: 'marker-page-2' } },
      {
        input: { MaxItems: 50, Marker: 'marker-page-2' },
        output: { Functions: [b], NextMarker: 'marker-page-3' },
      },
      { input: { MaxItems: 50, Marker: 'marker-page-3' }, output: { Functions: [goldenFn] } },
    ]);
    addFunctionReads(fixtures, a.FunctionArn);
    addFunctionReads(fixtures, b.FunctionArn);

    const tables = only(fixtures, 'ec2/DescribeRouteTables');
    const rt = out(tables).RouteTables as Json[];
    const rtInput = tables.input;
    fixtures.set('ec2/DescribeRouteTables', [
      { input: rtInput, output: { RouteTables: [rt[0]], NextToken: 'rtb-token-2' } },
      {
        input: { ...rtInput, NextToken: 'rtb-token-2' },
        output: { RouteTables: [rt[1]], NextToken: 'rtb-token-3' },
      },
      { input: { ...rtInput, NextToken: 'rtb-token-3' }, output: { RouteTables: [rt[2]] } },
    ]);

    const buckets = out(only(fixtures, 's3/ListBuckets')).Buckets as Json[];
    fixtures.set('s3/ListBuckets', [
      {
        input: { MaxBuckets: 10000 },
        output: { Buckets: [buckets[0]], ContinuationToken: 'bucket-token-2' },
      },
      {
        input: { MaxBuckets: 10000, ContinuationToken: 'bucket-token-2' },
        output: { Buckets: [buckets[1]], ContinuationToken: 'bucket-token-3' },
      },
      { input: { MaxBuckets: 10000, ContinuationToken: 'bucket-token-3' }, output: { Buckets: [] } },
    ]);

    const { snapshot, server, stats } = await collectFromFixtures(fixtures);
    expect(server.unexpected).toEqual([]);
    const fns = okValue(regionOf(snapshot).functions, 'functions');
    expect(fns.map((f) => f.functionName)).toEqual([
      'lvs-golden-scorer-a',
      'lvs-golden-scorer-b',
      G.functionName,
    ]);
    expect(server.count('lambda', 'ListFunctions')).toBe(3);
    expect(server.count('ec2', 'DescribeRouteTables')).toBe(3);
    expect(server.count('s3', 'ListBuckets')).toBe(3);
    // Three functions, one role, one key, one bucket: each read once (IAM: one account-wide page).
    expect(stats.callsByOperation.get('iam:GetAccountAuthorizationDetails')).toBe(1);
    expect(stats.callsByOperation.get('kms:DescribeKey')).toBe(1);
    expect(stats.callsByOperation.get('s3:GetBucketPolicy')).toBe(1);
    expect(stats.callsByOperation.get('ec2:DescribeSubnets')).toBe(1);
    expect(stats.callsByOperation.get('lambda:GetPolicy')).toBe(3);
    // Everything else is the golden account.
    const expected = golden((s) => {
      const list = okValue(regionOf(s).functions, 'functions');
      const g = goldenFunction(s);
      const copy = (name: string) => ({
        ...structuredClone(g),
        functionName: name,
        functionArn: `arn:aws:lambda:eu-west-1:${G.accountId}:function:${name}`,
      });
      list.splice(0, 0, copy('lvs-golden-scorer-a'), copy('lvs-golden-scorer-b'));
    });
    expect(comparable(snapshot)).toEqual(comparable(expected));
  });

  it('records AccessDenied on GetBucketPolicy as an error of bucket.policy and in snapshot.errors', async () => {
    const fixtures = goldenFixtures();
    const call = only(fixtures, 's3/GetBucketPolicy');
    delete call.output;
    call.error = { name: 'AccessDenied', message: 'Access Denied', httpStatusCode: 403 };
    const { snapshot } = await collectFromFixtures(fixtures);
    const bucket = snapshot.s3.buckets[G.bucket]!;
    const error = {
      service: 's3',
      operation: 'GetBucketPolicy',
      region: 'eu-west-1',
      resource: `arn:aws:s3:::${G.bucket}`,
      code: 'AccessDenied',
      message: 'Access Denied',
    };
    expect(bucket.policy).toEqual({ status: 'error', error });
    expect(snapshot.errors).toEqual([error]);
    // Everything else is unchanged.
    expect(bucket.encryption.status).toBe('ok');
    const expected = golden((s) => {
      s.s3.buckets[G.bucket]!.policy = { status: 'error', error };
      s.errors = [error];
    });
    expect(comparable(snapshot)).toEqual(comparable(expected));
    if (hasRule('LVS007')) {
      const report = await audit(snapshot);
      expect(report.results.filter((r) => r.ruleId === 'LVS007').map((r) => r.status)).toEqual(['error']);
    }
  });

  it('keeps Environment.Error (Lambda could not decrypt the variables) and records it; LVS012 errors', async () => {
    const fixtures = goldenFixtures();
    const fn = out(only(fixtures, 'lambda/ListFunctions')).Functions[0] as Json;
    const message =
      "Lambda was unable to decrypt the environment variables because KMS access was denied. Please check the function's KMS key settings. KMS Exception: AccessDeniedException";
    fn.Environment = { Error: { ErrorCode: 'KMSAccessDeniedException', Message: message } };
    const { snapshot, server } = await collectFromFixtures(fixtures);
    expect(server.unexpected).toEqual([]);
    const error = {
      service: 'lambda',
      operation: 'ListFunctions',
      region: 'eu-west-1',
      resource: G.functionArn,
      code: 'KMSAccessDeniedException',
      message: `environment variables not readable: ${message}`,
    };
    expect(goldenFunction(snapshot)).toMatchObject({
      environment: [],
      environmentError: { errorCode: 'KMSAccessDeniedException', message },
    });
    expect(snapshot.errors).toEqual([error]);
    // Everything else is the golden account (the bucket is still reached through the role).
    const expected = golden((s) => {
      const g = goldenFunction(s);
      g.environment = [];
      g.environmentError = { errorCode: 'KMSAccessDeniedException', message };
      s.errors = [error];
    });
    expect(comparable(snapshot)).toEqual(comparable(expected));
    if (hasRule('LVS012')) {
      const report = await audit(snapshot);
      const lvs012 = report.results.filter((r) => r.ruleId === 'LVS012');
      expect(lvs012.map((r) => `${r.status} ${r.reasonId}`)).toEqual(['error environmentUnreadable']);
      expect(report.results.filter((r) => r.status === 'pass' && r.ruleId === 'LVS012')).toEqual([]);
    }
  });

  it('rides out throttling bursts on every service: same snapshot, throttles counted', async () => {
    const fixtures = goldenFixtures();
    only(fixtures, 'lambda/ListFunctions').before = [
      THROTTLE('TooManyRequestsException', 429),
      THROTTLE('TooManyRequestsException', 429),
    ];
    only(fixtures, 'lambda/GetPolicy').before = [
      THROTTLE('ThrottlingException'),
      THROTTLE('ThrottlingException'),
      THROTTLE('ThrottlingException'),
    ];
    only(fixtures, 'ec2/DescribeSubnets').before = [
      THROTTLE('RequestLimitExceeded', 503),
      THROTTLE('RequestLimitExceeded', 503),
    ];
    only(fixtures, 'iam/GetAccountAuthorizationDetails').before = [THROTTLE('Throttling')];
    only(fixtures, 's3/GetBucketPolicy').before = [THROTTLE('SlowDown', 503), THROTTLE('SlowDown', 503)];
    only(fixtures, 'kms/DescribeKey').before = [THROTTLE('ThrottlingException')];
    const { snapshot, stats, server } = await collectFromFixtures(fixtures);
    expect(server.unexpected).toEqual([]);
    expect(comparable(snapshot)).toEqual(comparable(goldenSnapshot()));
    expect(stats.throttles).toBe(11);
    expect(stats.retries).toBe(11);
    expect(snapshot.errors).toEqual([]);
  });

  it('gives up on a throttle storm longer than the retry budget with an error, never a pass', async () => {
    const fixtures = goldenFixtures();
    only(fixtures, 'lambda/GetPolicy').before = Array.from({ length: 20 }, () =>
      THROTTLE('ThrottlingException'),
    );
    fixtures.set('lambda/GetFunctionUrlConfig', [
      {
        input: { FunctionName: G.functionArn },
        error: {
          name: 'ResourceNotFoundException',
          message: 'The resource you requested does not exist.',
          httpStatusCode: 404,
        },
      },
    ]);
    const { snapshot, server, stats } = await collectFromFixtures(fixtures, {
      maxThrottleRetries: 3,
      throttleBackoffMs: 1,
    });
    const fn = goldenFunction(snapshot);
    expect(fn.resourcePolicy).toMatchObject({
      status: 'error',
      error: { code: 'ThrottlingException', operation: 'GetPolicy' },
    });
    expect(server.count('lambda', 'GetPolicy')).toBe(4);
    expect(stats.throttles).toBe(3);
    // Without the policy a URL cannot be ruled out: it is read.
    expect(server.count('lambda', 'GetFunctionUrlConfig')).toBe(1);
    expect(fn.urlConfig).toEqual({ status: 'absent' });
  });

  it("reads a bucket in another region through that region's client", async () => {
    const fixtures = goldenFixtures();
    out(only(fixtures, 's3/GetBucketLocation')).LocationConstraint = 'us-west-2';
    const { snapshot, server } = await collectFromFixtures(fixtures);
    expect(snapshot.s3.buckets[G.bucket]!.region).toEqual({ status: 'ok', value: 'us-west-2' });
    const regionOfCall = (op: string) =>
      server.calls.filter((c) => c.service === 's3' && c.operation === op).map((c) => c.region);
    expect(regionOfCall('GetBucketLocation')).toEqual(['eu-west-1']);
    expect(regionOfCall('GetBucketPolicy')).toEqual(['us-west-2']);
    expect(regionOfCall('GetBucketEncryption')).toEqual(['us-west-2']);
    expect(regionOfCall('GetPublicAccessBlock')).toEqual(['us-west-2']);
    expect(comparable(snapshot)).toEqual(
      comparable(golden((s) => void (s.s3.buckets[G.bucket]!.region = { status: 'ok', value: 'us-west-2' }))),
    );
  });

  it('keeps the main route table for a subnet without an explicit association', async () => {
    const fixtures = goldenFixtures();
    const tables = out(only(fixtures, 'ec2/DescribeRouteTables')).RouteTables as Json[];
    const [main, tableA, tableB] = tables as [Json, Json, Json];
    // Subnet B loses its own table; the main table carries the S3 endpoint route instead.
    main.Routes.push(structuredClone(tableB.Routes[1]));
    out(only(fixtures, 'ec2/DescribeRouteTables')).RouteTables = [main, tableA];
    const endpoint = (out(only(fixtures, 'ec2/DescribeVpcEndpoints')).VpcEndpoints as Json[])[0]!;
    endpoint.RouteTableIds = [G.mainRouteTable, G.routeTableA];

    const { snapshot, server } = await collectFromFixtures(fixtures);
    expect(server.unexpected).toEqual([]);
    const region = new RegionIndex(regionOf(snapshot), { accountId: G.accountId, partition: 'aws' });
    const effective = region.effectiveRouteTable(G.subnetB);
    expect(effective.ok && effective.value.association).toBe('main');
    expect(effective.ok && effective.value.table.routeTableId).toBe(G.mainRouteTable);
    const expected = golden((s) => {
      const r = regionOf(s);
      const list = okValue(r.routeTables, 'routeTables');
      const mainTable = list.find((t) => t.routeTableId === G.mainRouteTable)!;
      mainTable.routes.push({
        destinationPrefixListId: G.s3PrefixListId,
        gatewayId: G.endpointId,
        state: 'active',
      });
      r.routeTables = { status: 'ok', value: list.filter((t) => t.routeTableId !== G.routeTableB) };
      okValue(r.vpcEndpoints, 'vpcEndpoints')[0]!.routeTableIds = [G.mainRouteTable, G.routeTableA];
    });
    expect(comparable(snapshot)).toEqual(comparable(expected));
    const report = await audit(snapshot);
    expect(report.results.filter((r) => r.status === 'fail' || r.status === 'error')).toEqual([]);
  });

  it('reads a role with 12 attached policies over 3 pages, each managed policy once (per-role plan)', async () => {
    const fixtures = goldenFixtures();
    const attached = only(fixtures, 'iam/ListAttachedRolePolicies');
    const original = out(attached).AttachedPolicies as Json[];
    const extra = Array.from({ length: 10 }, (_, i) => {
      const name = `lvs-golden-read-config-${String(i + 1).padStart(2, '0')}`;
      return { PolicyName: name, PolicyArn: `arn:aws:iam::${G.accountId}:policy/${name}` };
    });
    const all = [...original, ...extra];
    fixtures.set('iam/ListAttachedRolePolicies', [
      {
        input: attached.input,
        output: { AttachedPolicies: all.slice(0, 5), IsTruncated: true, Marker: 'attached-2' },
      },
      {
        input: { ...attached.input, Marker: 'attached-2' },
        output: { AttachedPolicies: all.slice(5, 10), IsTruncated: true, Marker: 'attached-3' },
      },
      {
        input: { ...attached.input, Marker: 'attached-3' },
        output: { AttachedPolicies: all.slice(10), IsTruncated: false },
      },
    ]);
    const documentOf = (name: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'ssm:GetParameter',
            Resource: `arn:aws:ssm:eu-west-1:${G.accountId}:parameter/${name}`,
          },
        ],
      });
    for (const p of extra) {
      fixtures.get('iam/GetPolicy')!.push({
        input: { PolicyArn: p.PolicyArn },
        output: {
          Policy: {
            PolicyName: p.PolicyName,
            Arn: p.PolicyArn,
            DefaultVersionId: 'v2',
            Path: '/',
            AttachmentCount: 1,
            IsAttachable: true,
          },
        },
      });
      fixtures.get('iam/GetPolicyVersion')!.push({
        input: { PolicyArn: p.PolicyArn, VersionId: 'v2' },
        output: {
          PolicyVersion: {
            Document: encodeURIComponent(documentOf(p.PolicyName)),
            VersionId: 'v2',
            IsDefaultVersion: true,
          },
        },
      });
    }
    const { snapshot, server, stats } = await collectFromFixtures(fixtures, { iamPlan: 'per-role' });
    expect(server.unexpected).toEqual([]);
    expect(server.count('iam', 'ListAttachedRolePolicies')).toBe(3);
    expect(stats.callsByOperation.get('iam:GetPolicy')).toBe(12);
    expect(stats.callsByOperation.get('iam:GetPolicyVersion')).toBe(12);
    const role = snapshot.iam.roles[G.roleArn];
    expect(role?.status === 'ok' && role.value.attachedPolicies.map((p) => p.policyName)).toEqual(
      all.map((p) => p.PolicyName as string),
    );
    const expected = golden((s) => {
      const r = s.iam.roles[G.roleArn]!;
      if (r.status !== 'ok') throw new Error('role');
      r.value.attachedPolicies = all.map((p) => ({
        policyName: p.PolicyName as string,
        policyArn: p.PolicyArn as string,
      }));
      for (const p of extra) {
        s.iam.managedPolicies[p.PolicyArn] = {
          status: 'ok',
          value: {
            policyName: p.PolicyName,
            policyArn: p.PolicyArn,
            defaultVersionId: 'v2',
            document: documentOf(p.PolicyName),
          },
        };
      }
    });
    expect(comparable(snapshot)).toEqual(comparable(expected));
  });

  it('records "there is none" answers as absent, not as errors', async () => {
    const fixtures = goldenFixtures();
    const none = (key: string, name: string, status = 404) => {
      const call = only(fixtures, key);
      delete call.output;
      call.error = { name, message: `${name} (fixture)`, httpStatusCode: status };
    };
    none('s3/GetBucketPolicy', 'NoSuchBucketPolicy');
    none('s3/GetBucketEncryption', 'ServerSideEncryptionConfigurationNotFoundError');
    none('s3/GetPublicAccessBlock', 'NoSuchPublicAccessBlockConfiguration');
    none('kms/DescribeKey', 'NotFoundException', 400);
    none('kms/GetKeyRotationStatus', 'NotFoundException', 400);
    const { snapshot } = await collectFromFixtures(fixtures);
    const bucket = snapshot.s3.buckets[G.bucket]!;
    expect([bucket.policy, bucket.encryption, bucket.publicAccessBlock]).toEqual([
      { status: 'absent' },
      { status: 'absent' },
      { status: 'absent' },
    ]);
    expect(snapshot.kms.keys[G.keyArn]).toEqual({ status: 'absent' });
    expect(snapshot.errors).toEqual([]);
  });

  it.each<IamPlanOption>(['auto', 'per-role'])(
    'records a missing execution role (NoSuchEntity) as absent (IAM plan %s)',
    async (iamPlan) => {
      const fixtures = goldenFixtures();
      // Not in the account-wide answer either: read per role, where IAM says it does not exist.
      const details = out(only(fixtures, 'iam/GetAccountAuthorizationDetails'));
      details.RoleDetailList = (details.RoleDetailList as Json[]).filter((r) => r.Arn !== G.roleArn);
      for (const key of ['iam/GetRole', 'iam/ListRolePolicies', 'iam/ListAttachedRolePolicies']) {
        const call = only(fixtures, key);
        delete call.output;
        call.error = {
          name: 'NoSuchEntity',
          message: `The role with name ${G.roleArn.split('/')[1]} cannot be found.`,
          httpStatusCode: 404,
        };
      }
      const { snapshot } = await collectFromFixtures(fixtures, { iamPlan });
      expect(snapshot.iam.roles[G.roleArn]).toEqual({ status: 'absent' });
      expect(snapshot.iam.managedPolicies).toEqual({});
      expect(snapshot.errors).toEqual([]);
    },
  );

  it('reads the function URL only when the resource policy grants InvokeFunctionUrl', async () => {
    const fixtures = goldenFixtures();
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Id: 'default',
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
    });
    const call = only(fixtures, 'lambda/GetPolicy');
    delete call.error;
    call.output = { Policy: policy, RevisionId: 'b6f9d2a4-1c3e-4f5a-8b7d-9e0f1a2b3c4d' };
    fixtures.set('lambda/GetFunctionUrlConfig', [
      {
        input: { FunctionName: G.functionArn },
        output: {
          FunctionUrl: 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/',
          FunctionArn: G.functionArn,
          AuthType: 'NONE',
          CreationTime: '2026-11-20T17:00:00.000Z',
          LastModifiedTime: '2026-11-20T17:00:00.000Z',
          InvokeMode: 'BUFFERED',
        },
      },
    ]);
    const { snapshot, server } = await collectFromFixtures(fixtures);
    expect(server.count('lambda', 'GetFunctionUrlConfig')).toBe(1);
    const fn = goldenFunction(snapshot);
    expect(fn.resourcePolicy).toEqual({ status: 'ok', value: policy });
    expect(fn.urlConfig).toEqual({
      status: 'ok',
      value: {
        functionUrl: 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/',
        authType: 'NONE',
      },
    });
    if (hasRule('LVS011')) {
      const report = await audit(snapshot);
      expect(report.results.filter((r) => r.ruleId === 'LVS011').map((r) => r.status)).toEqual(['fail']);
    }
  });

  it('turns answers an emulator cannot give into errors, never a crash', async () => {
    const fixtures = goldenFixtures();
    (out(only(fixtures, 'ec2/DescribeVpcEndpoints')).VpcEndpoints as Json[])[0]!.VpcEndpointType =
      'Teleporter';
    const pab = only(fixtures, 's3control/GetPublicAccessBlock');
    pab.error = {
      name: 'NotImplemented',
      message: 'The GetPublicAccessBlock action is not yet implemented',
      httpStatusCode: 501,
    };
    only(fixtures, 'ec2/DescribePrefixLists').output = {
      PrefixLists: [{ PrefixListId: 'not-a-prefix-list', PrefixListName: 'x' }],
    };
    const { snapshot } = await collectFromFixtures(fixtures);
    const region = regionOf(snapshot);
    expect(region.vpcEndpoints).toMatchObject({
      status: 'error',
      error: { code: 'UnexpectedResponse', operation: 'DescribeVpcEndpoints' },
    });
    expect(region.prefixLists).toMatchObject({
      status: 'error',
      error: { code: 'UnexpectedResponse', operation: 'DescribePrefixLists' },
    });
    expect(snapshot.s3.accountPublicAccessBlock).toMatchObject({
      status: 'error',
      error: { code: 'NotImplemented', service: 's3control' },
    });
    expect(snapshot.errors.map((e) => `${e.service}:${e.operation}:${e.code}`).sort()).toEqual([
      'ec2:DescribePrefixLists:UnexpectedResponse',
      'ec2:DescribeVpcEndpoints:UnexpectedResponse',
      's3control:GetPublicAccessBlock:NotImplemented',
    ]);
  });

  it('names buckets of another account without reading them', async () => {
    const fixtures = goldenFixtures();
    const fn = out(only(fixtures, 'lambda/ListFunctions')).Functions[0] as Json;
    fn.Environment.Variables.ARCHIVE_BUCKET = 'someone-elses-archive';
    // The role's inline policy, as GetRolePolicy and GetAccountAuthorizationDetails both give it.
    const policy = only(fixtures, 'iam/GetRolePolicy');
    const doc = JSON.parse(decodeURIComponent(out(policy).PolicyDocument as string)) as Json;
    doc.Statement.push({
      Sid: 'Archive',
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::someone-elses-archive/*',
    });
    out(policy).PolicyDocument = encodeURIComponent(JSON.stringify(doc));
    const role = (out(only(fixtures, 'iam/GetAccountAuthorizationDetails')).RoleDetailList as Json[]).find(
      (r) => r.Arn === G.roleArn,
    )!;
    role.RolePolicyList[0].PolicyDocument = out(policy).PolicyDocument;
    const { snapshot, server } = await collectFromFixtures(fixtures);
    expect(server.unexpected).toEqual([]);
    expect(snapshot.s3.buckets['someone-elses-archive']).toMatchObject({
      name: 'someone-elses-archive',
      ownedByAccount: false,
    });
    expect(server.calls.filter((c) => JSON.stringify(c.input).includes('someone-elses-archive'))).toEqual([]);
    expect(snapshot.errors).toEqual([]);
  });
});
