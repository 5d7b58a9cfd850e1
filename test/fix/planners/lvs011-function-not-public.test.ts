import { describe, expect, it } from 'vitest';
import { G, golden, okValue, regionOf } from '../../helpers/golden.js';
import { GOLDEN_STEPS, applied, auditResults, demoSnapshot, failing, planOf, stepById } from '../helpers.js';

const withPolicy = (statements: unknown[]) =>
  golden((s) => {
    const fn = okValue(regionOf(s).functions, 'functions')[0];
    if (fn)
      fn.resourcePolicy = {
        status: 'ok',
        value: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      };
  });
const s3Invoke = {
  Sid: 's3-invoke',
  Effect: 'Allow',
  Principal: { Service: 's3.amazonaws.com' },
  Action: 'lambda:InvokeFunction',
  Resource: G.functionArn,
  Condition: {
    ArnLike: { 'AWS:SourceArn': `arn:aws:s3:::${G.bucket}` },
    StringEquals: { 'AWS:SourceAccount': G.accountId },
  },
};
const open = {
  Sid: 'open',
  Effect: 'Allow',
  Principal: '*',
  Action: 'lambda:InvokeFunction',
  Resource: G.functionArn,
};

describe('LVS011 planner', () => {
  it('closes the URL first, then removes each public statement by Sid', async () => {
    const { plan } = await planOf(demoSnapshot());
    const step = stepById(plan, 'LVS011:arn:aws:lambda:eu-west-1:111122223333:function:public-scoring-api');
    expect(step.api.map((c) => [c.operation, c.params.AuthType ?? c.params.StatementId])).toEqual([
      ['UpdateFunctionUrlConfig', 'AWS_IAM'],
      ['RemovePermission', 'FunctionURLAllowPublicAccess'],
      ['RemovePermission', 'AllowAnyone'],
    ]);
    expect(step.documents.map((d) => [d.label, d.after])).toEqual([
      ['function URL config', expect.stringContaining('AWS_IAM')],
      ['function resource-based policy', null],
    ]);
  });

  it('keeps the statements that are not public', async () => {
    const snapshot = withPolicy([s3Invoke, open]);
    const { plan } = await planOf(snapshot);
    const step = stepById(plan, GOLDEN_STEPS.function('LVS011'));
    expect(step.api.map((c) => c.params.StatementId)).toEqual(['open']);
    expect(step.documents[0]?.after).toContain('s3-invoke');
    const after = applied(plan, snapshot);
    expect(okValue(regionOf(after).functions, 'functions')[0]?.resourcePolicy).toMatchObject({
      status: 'ok',
    });
    expect(failing(await auditResults(after), 'LVS011')).toEqual([]);
  });

  it('is manual when a public statement has no Sid RemovePermission could name', async () => {
    const rest = { ...open } as Record<string, unknown>;
    delete rest.Sid;
    const { plan } = await planOf(withPolicy([rest]));
    const step = stepById(plan, GOLDEN_STEPS.function('LVS011'));
    expect(step.kind).toBe('manual');
    expect(step.template).toContain('remove-permission');
  });
});
