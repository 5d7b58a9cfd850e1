import { describe, expect, it } from 'vitest';
import { REDACTED } from '../../../src/snapshot/schema.js';
import { demoSnapshot, planOf, stepById } from '../helpers.js';

describe('LVS012 planner', () => {
  it('names the variables, never their values, and keeps the others in the new environment', async () => {
    const { plan } = await planOf(demoSnapshot());
    const step = stepById(
      plan,
      'LVS012:arn:aws:lambda:us-east-1:111122223333:function:legacy-report-exporter',
    );
    const template = step.template ?? '';
    expect(template).toContain('AWS_ACCESS_KEY_ID');
    expect(template).toContain('SMTP_PASSWORD');
    expect(template).toContain('REPORT_EMAIL=CURRENT_VALUE');
    expect(template).toContain('delete-access-key');
    expect(template).toContain('--secret-string file://SMTP_PASSWORD.secret');
    expect(template).not.toContain(REDACTED);
    expect(JSON.stringify(plan)).not.toContain(REDACTED);
  });
});
