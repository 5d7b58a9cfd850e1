import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import type { Log, Result } from 'sarif';
import { describe, expect, it } from 'vitest';
import { RESULT_STATUSES, type CheckResult } from '../../src/core/result.js';
import { SECURITY_SEVERITY } from '../../src/core/severity.js';
import { renderSarif, syntheticUri, toSarifLog } from '../../src/report/sarif.js';
import { G } from '../helpers/golden.js';
import { BUCKET_ARN, makeReport, META_LVS001, mixedResults, result } from './build-report.js';

const schema: unknown = JSON.parse(
  readFileSync(new URL('../../fixtures/schemas/sarif-2.1.0.json', import.meta.url), 'utf8'),
);
const ajv = new Ajv2020({ strict: false, unicodeRegExp: false, allErrors: true });
// ajv-formats is CommonJS: under NodeNext its default import is the module, whose `default` is the plugin.
addFormatsModule.default(ajv);
const validate = ajv.compile(schema as object);

function expectValid(text: string): Log {
  const log = JSON.parse(text) as Log;
  const valid = validate(log);
  expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
  expect(valid).toBe(true);
  return log;
}

const resultsOf = (log: Log): Result[] => log.runs[0]?.results ?? [];
const byRule = (log: Log, ruleId: string, status: string) =>
  resultsOf(log).find((r) => r.ruleId === ruleId && r.properties?.['status'] === status);

describe('renderSarif', () => {
  it('is valid SARIF 2.1.0 (official schema)', async () => {
    expectValid(renderSarif(await makeReport()));
  });

  it('the validator does reject an invalid log (so the test above can fail)', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
  });

  it('describes every rule from its metadata', async () => {
    const log = expectValid(renderSarif(await makeReport()));
    const driver = log.runs[0]?.tool.driver;
    expect(driver).toMatchObject({ name: 'lvs', version: '0.1.0' });
    expect(driver?.informationUri).toMatch(/^https:\/\//);
    expect(driver?.rules?.map((r) => r.id)).toEqual(['LVS001', 'LVS007', 'LVS010']);
    const rule = driver?.rules?.[0];
    expect(rule).toMatchObject({
      id: 'LVS001',
      name: 'lambda-in-vpc',
      shortDescription: { text: META_LVS001.title },
      fullDescription: { text: META_LVS001.description },
      helpUri: META_LVS001.references[0]?.url,
      defaultConfiguration: { level: 'error' },
      properties: { 'security-severity': SECURITY_SEVERITY.high, precision: 'high' },
    });
    expect(rule?.properties?.tags).toEqual(expect.arrayContaining(['security', 'network', 'vpc']));
    expect(rule?.help?.markdown).toContain(META_LVS001.rationale);
    expect(rule?.help?.markdown).toContain('aws lambda update-function-configuration');
    expect(rule?.help?.markdown).toContain(`(${META_LVS001.references[1]?.url})`);
    expect(rule?.help?.text).toContain(META_LVS001.rationale);
  });

  it('reports only fail, error and suppressed results as alerts', async () => {
    const log = toSarifLog(await makeReport());
    expect(
      resultsOf(log)
        .map((r) => String(r.properties?.['status']))
        .sort(),
    ).toEqual(['error', 'fail', 'suppressed']);
  });

  it('gives levels from severity, and error results level warning with a "could not evaluate" message', async () => {
    const log = toSarifLog(await makeReport());
    const failing = byRule(log, 'LVS001', 'fail');
    expect(failing).toMatchObject({ ruleId: 'LVS001', ruleIndex: 0, level: 'error' });
    expect(failing?.message.text).toContain('is not attached to a VPC');
    expect(failing?.message.markdown).toContain('`VpcConfig`');
    expect(failing?.message.markdown).toContain('Fix: Attach the function');
    const unevaluated = byRule(log, 'LVS007', 'error');
    expect(unevaluated).toMatchObject({ ruleIndex: 1, level: 'warning' });
    expect(unevaluated?.message.text).toMatch(/^Could not evaluate/);
    expect(unevaluated?.properties).toMatchObject({
      severity: 'high',
      reasonId: 'readFailed',
      functionArn: G.functionArn,
      resourceArn: BUCKET_ARN,
    });
  });

  it('names the function and the resource as logical locations', async () => {
    const log = toSarifLog(await makeReport());
    expect(byRule(log, 'LVS007', 'error')?.locations?.[0]?.logicalLocations).toEqual([
      { name: G.functionName, fullyQualifiedName: G.functionArn, kind: 'function' },
      { fullyQualifiedName: BUCKET_ARN, kind: 'resource' },
    ]);
    // A result about the function itself names it once.
    expect(byRule(log, 'LVS001', 'fail')?.locations?.[0]?.logicalLocations).toHaveLength(1);
  });

  it('falls back to the stable synthetic path when no template is mapped', async () => {
    const log = toSarifLog(await makeReport());
    expect(byRule(log, 'LVS001', 'fail')?.locations?.[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: `aws/${G.accountId}/${G.region}/lambda/${G.functionName}` },
      region: { startLine: 1 },
    });
    expect(syntheticUri({ accountId: '1', region: 'r', functionName: 'a b' })).toBe('aws/1/r/lambda/a%20b');
  });

  it('uses the template location when the config maps the stack', async () => {
    const report = await makeReport({
      locations: { [G.functionArn]: { uri: 'infra/template.yaml', startLine: 42 } },
    });
    const log = expectValid(renderSarif(report));
    expect(byRule(log, 'LVS001', 'fail')?.locations?.[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'infra/template.yaml' },
      region: { startLine: 42 },
    });
  });

  it('carries suppressions with the justification on suppressed results, and only there', async () => {
    const log = toSarifLog(await makeReport());
    const suppressed = byRule(log, 'LVS010', 'suppressed');
    expect(suppressed?.suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification: 'tracing is too costly for this batch job',
        properties: { resource: G.functionArn, expires: '2099-01-01' },
      },
    ]);
    expect(suppressed?.level).toBe('warning');
    expect(byRule(log, 'LVS001', 'fail')?.suppressions).toBeUndefined();
  });

  it('reports API errors and warnings as tool execution notifications', async () => {
    const log = expectValid(renderSarif(await makeReport()));
    const invocation = log.runs[0]?.invocations?.[0];
    expect(invocation?.executionSuccessful).toBe(true);
    expect(invocation?.toolExecutionNotifications?.map((n) => n.message.text)).toEqual([
      `s3:GetBucketPolicy failed for ${BUCKET_ARN} in ${G.region}: AccessDenied (denied)`,
      expect.stringContaining('expired on 2020-01-01'),
    ]);
  });

  it('is valid with no results, no rules and no notifications', async () => {
    const log = expectValid(
      renderSarif(await makeReport({ results: [], checks: [], errors: [], warnings: [] })),
    );
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0]?.invocations?.[0]?.toolExecutionNotifications).toBeUndefined();
  });

  it('keeps partialFingerprints stable across runs whatever the result order', async () => {
    const base = await makeReport();
    const arb = fc.array(
      fc.record({
        ruleId: fc.constantFrom('LVS001', 'LVS007', 'LVS010', 'LVS099'),
        status: fc.constantFrom(...RESULT_STATUSES),
        reasonId: fc.constantFrom('a', 'b', 'readFailed'),
        functionName: fc.constantFrom('f1', 'f2', 'lvs-golden-scorer'),
        resourceArn: fc.option(
          fc.constantFrom(BUCKET_ARN, 'arn:aws:s3:::*', 'arn:aws:ec2:eu-west-1:1:security-group/sg-1'),
          { nil: undefined },
        ),
      }),
      { maxLength: 25 },
    );
    const fingerprints = (results: CheckResult[]) =>
      resultsOf(toSarifLog({ ...base, results })).map(
        (r) =>
          `${r.ruleId}|${r.properties?.['functionArn']}|${r.properties?.['resourceArn']}|${r.properties?.['reasonId']}=${r.partialFingerprints?.['lvs/v1']}`,
      );
    fc.assert(
      fc.property(arb, fc.array(fc.nat(), { minLength: 25, maxLength: 25 }), (inputs, order) => {
        const results = inputs.map((i) =>
          result({
            ...i,
            ...(i.resourceArn === undefined ? {} : { resourceArn: i.resourceArn }),
            ...(i.status === 'suppressed'
              ? {
                  suppressedStatus: 'fail' as const,
                  suppression: { reason: 'accepted risk here', resource: '*', expires: null },
                }
              : {}),
          }),
        );
        const shuffled = results
          .map((r, i) => ({ r, k: order[i] ?? 0 }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.r);
        const first = fingerprints(results);
        expect(fingerprints(shuffled)).toEqual(first);
        // Same alert, same fingerprint: the fingerprint is a function of the identity only.
        const seen = new Map<string, string>();
        for (const line of first) {
          const [identity, fp] = line.split('=') as [string, string];
          expect(seen.get(identity) ?? fp).toBe(fp);
          seen.set(identity, fp);
        }
        expect(renderSarif({ ...base, results: shuffled })).toBe(renderSarif({ ...base, results }));
      }),
      { numRuns: 50 },
    );
  });

  it('fingerprints do not change when messages or evidence do', async () => {
    const before = toSarifLog(await makeReport());
    const reworded = mixedResults().map((r) => ({ ...r, message: `${r.message} (reworded)`, evidence: [] }));
    const after = toSarifLog(await makeReport({ results: reworded }));
    expect(resultsOf(after).map((r) => r.partialFingerprints)).toEqual(
      resultsOf(before).map((r) => r.partialFingerprints),
    );
  });

  it('omits ruleIndex for a result whose rule is not in the catalogue', async () => {
    const log = expectValid(
      renderSarif(
        await makeReport({ results: [result({ ruleId: 'LVS099', status: 'fail', reasonId: 'x' })] }),
      ),
    );
    expect(resultsOf(log)[0]?.ruleIndex).toBeUndefined();
  });
});
