import { describe, expect, it } from 'vitest';
import type { AccountSnapshot } from '../../../src/snapshot/schema.js';
import { G, golden } from '../../helpers/golden.js';
import { GOLDEN_STEPS, applied, auditResults, failing, planOf, stepById } from '../helpers.js';

const bucketOf = (s: AccountSnapshot) => {
  const bucket = s.s3.buckets[G.bucket];
  if (!bucket) throw new Error('golden bucket');
  return bucket;
};

describe('LVS013 planner', () => {
  it('changes only what is missing: encryption', async () => {
    const snapshot = golden((s) => {
      bucketOf(s).encryption = {
        status: 'ok',
        value: { rules: [{ sseAlgorithm: 'AES256', kmsMasterKeyId: null, bucketKeyEnabled: false }] },
      };
    });
    const { plan } = await planOf(snapshot);
    const step = stepById(plan, GOLDEN_STEPS.bucket);
    expect(step.api.map((c) => c.operation)).toEqual(['PutBucketEncryption']);
    expect(step.api[0]?.params).toEqual({
      Bucket: G.bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }],
      },
    });
    expect(step.documents[0]?.before).toContain('AES256');
    expect(step.dependsOn).toEqual([]);
  });

  it('changes only what is missing: Block Public Access, and warns about public grants of the policy', async () => {
    const snapshot = golden((s) => {
      bucketOf(s).publicAccessBlock = { status: 'absent' };
      bucketOf(s).policy = {
        status: 'ok',
        value: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'Public',
              Effect: 'Allow',
              Principal: '*',
              Action: 's3:GetObject',
              Resource: `arn:aws:s3:::${G.bucket}/*`,
            },
          ],
        }),
      };
    });
    const { plan } = await planOf(snapshot, { only: ['LVS013'] });
    const step = stepById(plan, GOLDEN_STEPS.bucket);
    expect(step.api.map((c) => c.operation)).toEqual(['PutPublicAccessBlock']);
    expect(step.risks.find((r) => r.kind === 'public-access')?.detail).toContain('Sid "Public"');
    expect(failing(await auditResults(applied(plan, snapshot)), 'LVS013')).toEqual([]);
  });
});
