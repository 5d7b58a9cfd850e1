import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/collect/clients.js';
import { defaultRegion, resolveRegions } from '../../src/collect/regions.js';
import { LvsInputError } from '../../src/core/errors.js';
import { FAKE_CREDENTIALS } from './helpers/run-collect.js';

const noProfileRegion = () => Promise.resolve(undefined);
const ec2Mock = mockClient(EC2Client);
afterEach(() => ec2Mock.reset());

describe('region resolution (SPEC 3)', () => {
  it('takes --region values in order, once each', async () => {
    await expect(
      resolveRegions({
        regions: ['eu-west-1', 'us-east-1', 'eu-west-1'],
        env: {},
        profileRegion: noProfileRegion,
      }),
    ).resolves.toEqual(['eu-west-1', 'us-east-1']);
  });

  it('rejects what is not a region name, naming the flag', async () => {
    const error = await resolveRegions({ regions: ['eu-west-1', 'Ireland'], env: {} }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LvsInputError);
    expect((error as LvsInputError).oneLine).toBe(
      '--region: "Ireland" is not an AWS region name (e.g. eu-west-1)',
    );
  });

  it("falls back to AWS_REGION, AWS_DEFAULT_REGION, then the profile's region", async () => {
    const profileRegion = (profile: string | undefined) =>
      Promise.resolve(profile === 'prod' ? 'ap-southeast-2' : undefined);
    await expect(
      resolveRegions({ env: { AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'us-west-2' }, profileRegion }),
    ).resolves.toEqual(['eu-central-1']);
    await expect(
      resolveRegions({ env: { AWS_DEFAULT_REGION: 'us-west-2' }, profileRegion }),
    ).resolves.toEqual(['us-west-2']);
    await expect(resolveRegions({ env: {}, profile: 'prod', profileRegion })).resolves.toEqual([
      'ap-southeast-2',
    ]);
    await expect(defaultRegion({ env: {}, profile: 'dev', profileRegion })).resolves.toBeUndefined();
  });

  it('says what to do when there is no region at all', async () => {
    const error = await resolveRegions({ env: {}, profile: 'dev', profileRegion: noProfileRegion }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LvsInputError);
    expect((error as Error).message).toMatch(
      /no AWS region: pass --region .* --all-regions, set AWS_REGION, or set a region in profile "dev"/,
    );
  });

  it("reads the profile region from the SDK's own config loader by default", async () => {
    // No AWS config in the test environment for this profile name: undefined, not a throw.
    await expect(
      defaultRegion({ env: {}, profile: 'lvs-test-profile-that-does-not-exist' }),
    ).resolves.toSatisfy((r: unknown) => r === undefined || typeof r === 'string');
  });

  it('--all-regions lists the enabled regions with ec2:DescribeRegions', async () => {
    ec2Mock.on(DescribeRegionsCommand, { AllRegions: false }).resolves({
      Regions: [
        { RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' },
        { RegionName: 'eu-west-1', OptInStatus: 'opt-in-not-required' },
        { RegionName: 'af-south-1', OptInStatus: 'opted-in' },
        { RegionName: 'me-south-1', OptInStatus: 'not-opted-in' },
      ],
    });
    const clients = createAwsClients({ env: {}, credentials: FAKE_CREDENTIALS });
    await expect(
      resolveRegions({ allRegions: true, env: { AWS_REGION: 'eu-west-1' }, clients }),
    ).resolves.toEqual(['af-south-1', 'eu-west-1', 'us-east-1']);
    await expect(
      resolveRegions({ regions: ['all'], env: {}, clients, profileRegion: noProfileRegion }),
    ).resolves.toHaveLength(3);
    // Bootstrapped in the first explicit region, else AWS_REGION, else us-east-1.
    const regions = await Promise.all(ec2Mock.calls().map((c) => (c.thisValue as EC2Client).config.region()));
    expect(regions).toEqual(['eu-west-1', 'us-east-1']);
    clients.destroy();
  });

  it('turns a failing DescribeRegions into one line', async () => {
    ec2Mock.on(DescribeRegionsCommand).rejects(
      Object.assign(new Error('The security token included in the request is expired'), {
        name: 'ExpiredToken',
      }),
    );
    const clients = createAwsClients({ env: {}, credentials: FAKE_CREDENTIALS });
    const expired = await resolveRegions({
      allRegions: true,
      env: {},
      profile: 'prod',
      clients,
      profileRegion: noProfileRegion,
    }).catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(LvsInputError);
    expect((expired as Error).message).toMatch(/credentials of profile "prod" have expired \(ExpiredToken\)/);
    ec2Mock
      .on(DescribeRegionsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation' }));
    const denied = await resolveRegions({
      allRegions: true,
      env: {},
      clients,
      profileRegion: noProfileRegion,
    }).catch((e: unknown) => e);
    expect((denied as LvsInputError).oneLine).toBe(
      "--all-regions: cannot list the account's enabled regions (ec2:DescribeRegions in us-east-1: UnauthorizedOperation: not authorized)",
    );
    clients.destroy();
  });
});
