import { describe, expect, it } from 'vitest';
import {
  collectAccount,
  reachedBucketNames,
  type CollectProgress,
} from '../../src/collect/collect-account.js';
import { createAwsClients } from '../../src/collect/clients.js';
import { LvsInputError } from '../../src/core/errors.js';
import { golden, goldenSnapshot, G, iamCatalog, okValue, regionOf } from '../helpers/golden.js';
import { FixtureServer, goldenFixtures, only } from './helpers/api-fixtures.js';
import { collectFromFixtures, FAKE_CREDENTIALS } from './helpers/run-collect.js';

describe('collectAccount', () => {
  it('turns bad credentials on the first call into one input error (exit 2), reading nothing else', async () => {
    const fixtures = goldenFixtures();
    const sts = only(fixtures, 'sts/GetCallerIdentity');
    delete sts.output;
    sts.error = {
      name: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
      httpStatusCode: 403,
    };
    const failure = await collectFromFixtures(fixtures, { profile: 'prod' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LvsInputError);
    expect((failure as Error).message).toBe(
      'AWS rejected the credentials of profile "prod" (InvalidClientTokenId): check the access key and secret, or the profile\'s configuration',
    );
  });

  it('names the endpoint problem when STS cannot be reached', async () => {
    const fixtures = goldenFixtures();
    const sts = only(fixtures, 'sts/GetCallerIdentity');
    delete sts.output;
    sts.error = { name: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:4566', httpStatusCode: 0 };
    const failure = await collectFromFixtures(fixtures).catch((e: unknown) => e);
    expect((failure as LvsInputError).oneLine).toBe(
      'cannot identify the AWS account (sts:GetCallerIdentity in eu-west-1: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:4566)',
    );
  });

  it('resolves credential-chain failures before any request into one line', async () => {
    const clients = createAwsClients({
      env: {},
      credentials: () =>
        Promise.reject(
          Object.assign(new Error('Could not load credentials from any providers'), {
            name: 'CredentialsProviderError',
          }),
        ),
      maxAttempts: 1,
    });
    const failure = await collectAccount({ regions: ['eu-west-1'], env: {}, clients }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(LvsInputError);
    expect((failure as Error).message).toMatch(/^no AWS credentials found: pass --profile/);
    clients.destroy();
  });

  it('rejects region names that are not regions', async () => {
    await expect(collectAccount({ regions: ['moon-base-1a'], env: {} })).rejects.toThrow(LvsInputError);
    await expect(collectAccount({ regions: [], env: {} })).rejects.toThrow(/no AWS region/);
  });

  it('reports progress: functions listed and done, calls, phases', async () => {
    const events: CollectProgress[] = [];
    await collectFromFixtures(goldenFixtures(), { onProgress: (p) => events.push(p) });
    const last = events.at(-1)!;
    expect(last).toMatchObject({
      phase: 'done',
      regions: 1,
      functionsListed: 1,
      functionsDone: 1,
      calls: 20,
      throttles: 0,
      errors: 0,
    });
    expect(new Set(events.map((e) => e.phase))).toEqual(
      new Set(['identity', 'functions', 'iam', 'buckets', 'done']),
    );
    expect(events.map((e) => e.calls)).toEqual([...events.map((e) => e.calls)].sort((a, b) => a - b));
  });

  it('collects only the functions the filter accepts', async () => {
    const { snapshot, server } = await collectFromFixtures(goldenFixtures(), {
      functionFilter: (fn) => fn.functionName.startsWith('other-'),
    });
    expect(regionOf(snapshot).functions).toEqual({ status: 'ok', value: [] });
    expect(server.count('lambda', 'GetPolicy')).toBe(0);
    expect(server.count('iam')).toBe(0);
    expect(server.count('ec2')).toBe(0);
    expect(snapshot.s3.buckets).toEqual({});
  });

  it("records a failed ListFunctions as an error of the region's function list", async () => {
    const fixtures = goldenFixtures();
    const list = only(fixtures, 'lambda/ListFunctions');
    delete list.output;
    list.error = {
      name: 'AccessDeniedException',
      message: 'not authorized to perform: lambda:ListFunctions',
      httpStatusCode: 403,
    };
    const { snapshot } = await collectFromFixtures(fixtures);
    expect(regionOf(snapshot).functions).toMatchObject({
      status: 'error',
      error: { service: 'lambda', operation: 'ListFunctions', code: 'AccessDeniedException' },
    });
    expect(snapshot.errors).toHaveLength(1);
  });

  it("collects several regions, sending each region's reads through its own clients", async () => {
    const fixtures = goldenFixtures();
    const server = new FixtureServer(fixtures);
    // Both regions send the same ListFunctions input: us-east-1 answers with no functions.
    const restore = server.install();
    const original = server.respond.bind(server);
    server.respond = async (service, operation, input, region) => {
      if (service !== 'lambda' || operation !== 'ListFunctions' || region !== 'us-east-1')
        return original(service, operation, input, region);
      server.calls.push({ service, operation, input, region: region ?? '' });
      return { Functions: [], $metadata: {} };
    };
    const clients = createAwsClients({ env: {}, credentials: FAKE_CREDENTIALS });
    try {
      const snapshot = await collectAccount({
        regions: ['eu-west-1', 'us-east-1'],
        env: {},
        clients,
        iamCatalog: await iamCatalog(),
      });
      expect(snapshot.regions.map((r) => r.region)).toEqual(['eu-west-1', 'us-east-1']);
      expect(snapshot.regions[1]).toEqual({
        region: 'us-east-1',
        functions: { status: 'ok', value: [] },
        vpcs: { status: 'ok', value: [] },
        subnets: { status: 'ok', value: [] },
        routeTables: { status: 'ok', value: [] },
        vpcEndpoints: { status: 'ok', value: [] },
        securityGroups: { status: 'ok', value: [] },
        prefixLists: { status: 'ok', value: [] },
      });
      expect(snapshot.regions[0]).toEqual(regionOf(goldenSnapshot()));
      // IAM goes to the partition's global region; region-less S3 reads to the first region.
      const regionsOf = (service: string) => [
        ...new Set(server.calls.filter((c) => c.service === service).map((c) => c.region)),
      ];
      expect(regionsOf('iam')).toEqual(['us-east-1']);
      expect(regionsOf('ec2')).toEqual(['eu-west-1']);
      expect(regionsOf('s3')).toEqual(['eu-west-1']);
      expect(regionsOf('lambda').sort()).toEqual(['eu-west-1', 'us-east-1']);
    } finally {
      restore();
      clients.destroy();
    }
  });
});

describe('reachedBucketNames', () => {
  it('is exactly the buckets the rules will look at: role grants, wildcards expanded, env values; nothing for "*"', async () => {
    const catalog = await iamCatalog();
    expect(reachedBucketNames(goldenSnapshot(), catalog)).toEqual([G.bucket]);
    const snapshot = golden((s) => {
      s.s3.bucketNames = { status: 'ok', value: ['logs-a', 'logs-b', 'other', G.bucket] };
      const role = s.iam.roles[G.roleArn]!;
      if (role.status !== 'ok') throw new Error('role');
      role.value.inlinePolicies.push({
        policyName: 'more',
        document: JSON.stringify({
          Statement: [
            { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::logs-*/*' },
            { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
            { Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:s3:::not-an-s3-grant/*' },
            { Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::denied/*' },
          ],
        }),
      });
      okValue(regionOf(s).functions, 'functions')[0]!.environment.push({
        name: 'OTHER',
        value: '<redacted>',
        isEmpty: false,
        isReference: false,
        credentialPatterns: [],
        bucketName: 'other',
      });
    });
    expect(reachedBucketNames(snapshot, catalog)).toEqual(['logs-a', 'logs-b', 'other', G.bucket].sort());
  });
});

describe('collectAccount options', () => {
  it('skips lambda:ListTags when asked (audit without a stack -> template map)', async () => {
    const { snapshot, server } = await collectFromFixtures(goldenFixtures(), { readTags: false });
    expect(server.count('lambda', 'ListTags')).toBe(0);
    const fn = okValue(regionOf(snapshot).functions, 'functions')[0]!;
    expect(fn.tags).toEqual({});
  });
});
