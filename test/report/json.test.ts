import { describe, expect, it } from 'vitest';
import { renderJson, toJsonReport } from '../../src/report/json.js';
import { jsonReportSchema } from '../../src/report/json-schema.js';
import { G } from '../helpers/golden.js';
import { BUCKET_ARN, makeReport, mixedResults } from './build-report.js';

describe('renderJson', () => {
  it('writes the SPEC 5 document, which parses with the schema', async () => {
    const doc: unknown = JSON.parse(renderJson(await makeReport()));
    const parsed = jsonReportSchema.parse(doc);
    expect(parsed.tool).toEqual({ name: 'lvs', version: '0.1.0' });
    expect(parsed.schemaVersion).toBe(1);
    expect(parsed.generatedAt).toBe('2026-11-21T09:00:00.000Z');
    expect(parsed.accounts).toEqual([{ accountId: G.accountId, regions: [G.region] }]);
    expect(parsed.errors).toEqual([
      {
        service: 's3',
        operation: 'GetBucketPolicy',
        region: G.region,
        resource: BUCKET_ARN,
        code: 'AccessDenied',
        message: 'denied',
      },
    ]);
    expect(parsed.warnings).toHaveLength(1);
  });

  it('summarizes the results', async () => {
    const doc = toJsonReport(await makeReport());
    expect(doc.summary).toEqual({
      functions: 2,
      pass: 1,
      fail: 1,
      error: 1,
      notApplicable: 1,
      suppressed: 1,
      failBySeverity: { critical: 0, high: 1, medium: 0, low: 0, info: 0 },
    });
  });

  it('carries every result field, with suppression and suppressedStatus only on suppressed results', async () => {
    const doc = toJsonReport(await makeReport());
    expect(doc.results).toHaveLength(5);
    const failing = doc.results.find((r) => r.status === 'fail');
    expect(failing).toMatchObject({
      ruleId: 'LVS001',
      ruleName: 'lambda-in-vpc',
      severity: 'high',
      reasonId: 'noVpcConfig',
      accountId: G.accountId,
      region: G.region,
      functionName: G.functionName,
      functionArn: G.functionArn,
      resourceArn: G.functionArn,
      suppression: null,
      suppressedStatus: null,
      evidence: [
        {
          resourceArn: G.functionArn,
          field: 'VpcConfig',
          observed: 'absent',
          expected: 'VpcId, SubnetIds, SecurityGroupIds',
          note: null,
        },
      ],
    });
    expect(failing?.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(failing?.remediation).toMatch(/^Attach the function/);
    const suppressed = doc.results.find((r) => r.status === 'suppressed');
    expect(suppressed).toMatchObject({
      suppressedStatus: 'fail',
      suppression: {
        reason: 'tracing is too costly for this batch job',
        resource: G.functionArn,
        expires: '2099-01-01',
      },
    });
  });

  it('orders results independently of evaluation order', async () => {
    const forward = renderJson(await makeReport());
    const backward = renderJson(await makeReport({ results: mixedResults().reverse() }));
    expect(backward).toBe(forward);
  });

  it('the schema rejects a suppressed result without its suppression, and unknown keys', async () => {
    const doc = toJsonReport(await makeReport());
    const broken = structuredClone(doc);
    const s = broken.results.find((r) => r.status === 'suppressed');
    if (s) s.suppression = null;
    expect(jsonReportSchema.safeParse(broken).success).toBe(false);
    expect(jsonReportSchema.safeParse({ ...doc, extra: 1 }).success).toBe(false);
  });
});
