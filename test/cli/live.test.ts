import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isReadOnlyOperation } from '../../src/collect/index.js';
import { goldenFixtures, FixtureServer, only } from '../collect/helpers/api-fixtures.js';
import { comparable } from '../collect/helpers/run-collect.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { goldenSnapshot } from '../helpers/golden.js';

/**
 * The whole path through the CLI: mocked AWS answers (the golden stack's) -> lvs audit / lvs collect.
 * aws-sdk-client-mock replaces `send`, so these tests see every request the commands make.
 */
describe('live commands against the mocked golden account', () => {
  let server: FixtureServer;
  let restore: () => void;
  const install = (fixtures = goldenFixtures()) => {
    server = new FixtureServer(fixtures);
    restore = server.install();
  };
  beforeEach(() => install());
  afterEach(() => restore());

  it('lvs audit --region audits the live account: zero failures, exit 0, only reads sent', async () => {
    const run = await runCli(['audit', '--region', 'eu-west-1', '--format', 'json']);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as { results: Array<{ status: string }> };
    expect(report.results.filter((r) => r.status === 'fail' || r.status === 'error')).toEqual([]);
    expect(run.code).toBe(0);
    expect(server.unexpected).toEqual([]);
    expect(server.calls.length).toBeGreaterThan(10);
    expect(server.calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
    // Tags only serve template mapping: without a template map, no ListTags per function.
    expect(server.count('lambda', 'ListTags')).toBe(0);
  });

  it('lvs collect --output writes the golden snapshot (tags included), only reads sent', async () => {
    const run = await runCli(['collect', '--region', 'eu-west-1', '--output', 'snap.json']);
    expect(run.code).toBe(0);
    const written = JSON.parse(run.files.get(`${REPO_ROOT}snap.json`) ?? '{}');
    expect(comparable(written)).toEqual(comparable(goldenSnapshot()));
    expect(run.stderr).toMatch(
      /wrote snap\.json: 1 function\(s\) in 1 region\(s\) of account 111122223333, 0 failed read/,
    );
    expect(server.calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
  });

  it('AccessDenied on GetBucketPolicy makes LVS007 an error and the audit exit 3', async () => {
    restore();
    const fixtures = goldenFixtures();
    const call = only(fixtures, 's3/GetBucketPolicy');
    call.output = undefined;
    call.error = { name: 'AccessDenied', message: 'Access Denied', httpStatusCode: 403 };
    install(fixtures);
    const run = await runCli(['audit', '--region', 'eu-west-1', '--format', 'json']);
    const report = JSON.parse(run.stdout) as {
      results: Array<{ ruleId: string; status: string; reasonId: string }>;
      errors: Array<{ operation: string; code: string }>;
    };
    expect(report.results.filter((r) => r.status !== 'pass' && r.status !== 'not-applicable')).toMatchObject([
      { ruleId: 'LVS007', status: 'error', reasonId: 'readFailed' },
    ]);
    expect(report.errors).toMatchObject([{ operation: 'GetBucketPolicy', code: 'AccessDenied' }]);
    expect(run.code).toBe(3);
  });

  it('flags that cannot go together are input errors', async () => {
    const both = await runCli([
      'audit',
      '--snapshot',
      'fixtures/golden/snapshot.json',
      '--region',
      'eu-west-1',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--snapshot: audits a file/);
    const regions = await runCli(['audit', '--region', 'eu-west-1', '--all-regions']);
    expect(regions.code).toBe(2);
    expect(regions.stderr).toMatch(/--all-regions/);
    const url = await runCli(['collect', '--endpoint-url', 'not a url', '--region', 'eu-west-1']);
    expect(url.code).toBe(2);
    expect(url.stderr).toMatch(/--endpoint-url/);
    expect(server.calls).toEqual([]);
  });

  it('lvs permissions prints a read-only policy', async () => {
    const run = await runCli(['permissions']);
    const policy = JSON.parse(run.stdout) as { Statement: Array<{ Action: string[] }> };
    const actions = policy.Statement.flatMap((s) => s.Action);
    expect(actions).toContain('lambda:GetPolicy');
    expect(actions.filter((a) => !isReadOnlyOperation(a.split(':')[1] ?? ''))).toEqual([]);
  });
});
