import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderPlanTerminal } from '../../../src/fix/render/terminal.js';
import { golden } from '../../helpers/golden.js';
import { demoSnapshot, planOf, positionOf } from '../helpers.js';

describe('renderPlanTerminal', () => {
  it('numbers the steps in plan order with their kind, findings, calls, preconditions, risks and diffs', async () => {
    const { plan } = await planOf(demoSnapshot());
    const text = renderPlanTerminal(plan);
    const numbered = text.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(numbered).toHaveLength(plan.steps.length);
    plan.steps.forEach((s, i) => expect(numbered[i]).toBe(`${i + 1}. ${s.kind} ${s.title}`));

    const telemetry = positionOf(plan, 'LVS007:arn:aws:s3:::lvs-demo-telemetry-111122223333');
    const block = text.split(/\n\n(?=\d+\. )/)[telemetry + 1] ?? '';
    expect(block).toContain('LVS007 noBucketPolicy · iot-telemetry-ingest');
    expect(block).toContain('(appears once the routes change)');
    expect(block).toMatch(/after: step \d+, step \d+/);
    expect(block).toContain('s3:PutBucketPolicy (eu-west-1)');
    expect(block).toContain('"Policy":"(document, see below)"');
    expect(block).toContain('preconditions:');
    expect(block).toContain('! fixer-lockout:');
    expect(block).toContain('bucket policy of arn:aws:s3:::lvs-demo-telemetry-111122223333 (new)');
    expect(block).toContain('+       "Sid": "LvsDenyUnlessThroughVpce",');

    const records =
      text.split(/\n\n(?=\d+\. )/)[
        positionOf(plan, 'LVS007:arn:aws:s3:::lvs-demo-records-111122223333') + 1
      ] ?? '';
    expect(records).toMatch(/… \d+ unchanged line\(s\)/);
    expect(records).not.toContain('-   '); // nothing of the existing policy is removed

    expect(text).toContain('template:');
    expect(text).toContain('  | aws iam put-role-policy --role-name records-sync-role');
    expect(text).toContain('Nothing has been changed.');
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/\u001b\[/);
  });

  it("shows the new key's alias and when --apply skips a call because it reuses a key from a previous run", async () => {
    const { plan } = await planOf(demoSnapshot());
    const text = renderPlanTerminal(plan);
    const block =
      text.split(/\n\n(?=\d+\. )/)[
        positionOf(plan, 'LVS009:arn:aws:kms:eu-west-1:111122223333:key/new') + 1
      ] ?? '';
    expect(block).toContain('kms:CreateAlias (eu-west-1)');
    expect(block).toContain(
      '{"AliasName":"alias/lvs/lambda-environment","TargetKeyId":"{{lvs:new-key-eu-west-1}}"}',
    );
    expect(
      block
        .split('\n')
        .filter((l) => l.includes('skipped if kms:DescribeKey {"KeyId":"alias/lvs/lambda-environment"}')),
    ).toHaveLength(2);
    expect(block).toContain(
      'finds a key from a previous run (alias/lvs/lambda-environment) (reused when KeyMetadata.KeyManager CUSTOMER, KeyMetadata.KeyState Enabled; otherwise nothing is changed)',
    );
    // The key's policy document is named by the captured ARN itself.
    expect(block).toContain('key policy of {{lvs:new-key-eu-west-1}}');
    expect(block).not.toContain(':key/{{lvs:');
  });

  it('colours with the chalk instance it is given', async () => {
    const { plan } = await planOf(demoSnapshot());
    // eslint-disable-next-line no-control-regex
    expect(renderPlanTerminal(plan, { chalk: new Chalk({ level: 1 }) })).toMatch(/\u001b\[32m\+ /);
  });

  it('says when there is nothing to do', async () => {
    const { plan } = await planOf(golden());
    expect(renderPlanTerminal(plan)).toContain('Nothing to fix');
  });
});
