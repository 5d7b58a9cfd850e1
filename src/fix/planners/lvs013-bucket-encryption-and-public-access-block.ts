import { bucketArn } from '../../snapshot/arn.js';
import type { PublicAccessBlock } from '../../snapshot/schema.js';
import type { ApiCall, DocumentChange, Risk } from '../plan-model.js';
import { prettyJson, readPolicy } from '../policy-merge.js';
import {
  bucketNameOf,
  groupBy,
  listText,
  makeStep,
  stepsOf,
  type Finding,
  type PlanContext,
  type Planner,
} from '../lib/context.js';

/**
 * LVS013: one step per bucket. Default encryption becomes SSE-KMS with an S3 Bucket Key (with the
 * AWS managed key aws/s3 unless the bucket already names a KMS key), and Block Public Access is
 * turned on at the bucket level, each only where it is missing. The step comes after the bucket's
 * LVS007 policy change: with BlockPublicPolicy on, S3 refuses to store a policy it deems public.
 */

const KMS = new Set(['aws:kms', 'aws:kms:dsse']);
const FLAGS = ['blockPublicAcls', 'ignorePublicAcls', 'blockPublicPolicy', 'restrictPublicBuckets'] as const;
const FLAG_NAMES: Record<(typeof FLAGS)[number], string> = {
  blockPublicAcls: 'BlockPublicAcls',
  ignorePublicAcls: 'IgnorePublicAcls',
  blockPublicPolicy: 'BlockPublicPolicy',
  restrictPublicBuckets: 'RestrictPublicBuckets',
};

/** Allow statements for anyone without any condition: what S3 deems a public policy (approximately). */
function publicStatements(policyText: string | undefined): string[] {
  if (policyText === undefined) return [];
  const read = readPolicy(policyText);
  if (!read.ok) return [];
  return read.policy.Statement.filter((s) => {
    const p = s.Principal;
    const anyone = p === '*' || (typeof p === 'object' && p !== null && (p as { AWS?: unknown }).AWS === '*');
    return s.Effect === 'Allow' && anyone && s.Condition === undefined;
  }).map((s, i) => (typeof s.Sid === 'string' ? `Sid "${s.Sid}"` : `Statement[${i}]`));
}

function planBucket(arn: string, findings: Finding[], ctx: PlanContext) {
  const name = bucketNameOf(arn);
  const bucket = ctx.index.bucket(name);
  if (bucket === undefined || !bucket.ownedByAccount) return [];
  const region = bucket.region.status === 'ok' ? bucket.region.value : (findings[0]?.region ?? null);
  const api: ApiCall[] = [];
  const documents: DocumentChange[] = [];
  const risks: Risk[] = [];
  const notes: string[] = [];

  const encryption = bucket.encryption;
  const rules = encryption.status === 'ok' ? encryption.value.rules : [];
  if (encryption.status !== 'error' && !rules.some((r) => KMS.has(r.sseAlgorithm))) {
    const config = {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }],
    };
    api.push({
      service: 's3',
      operation: 'PutBucketEncryption',
      region,
      params: { Bucket: name, ServerSideEncryptionConfiguration: config },
      purpose: `encrypt new objects of ${name} with SSE-KMS by default`,
    });
    documents.push({
      resourceArn: arn,
      label: 'default encryption',
      before:
        encryption.status === 'ok'
          ? prettyJson({
              Rules: rules.map((r) => ({
                ApplyServerSideEncryptionByDefault: {
                  SSEAlgorithm: r.sseAlgorithm,
                  ...(r.kmsMasterKeyId !== null ? { KMSMasterKeyID: r.kmsMasterKeyId } : {}),
                },
                BucketKeyEnabled: r.bucketKeyEnabled,
              })),
            })
          : null,
      after: prettyJson(config),
    });
    risks.push({
      kind: 'availability',
      detail: `Objects written to ${name} from now on are encrypted with the AWS managed key aws/s3 (existing objects keep their encryption until rewritten). Principals of other accounts cannot use aws/s3: if they read or write this bucket, set KMSMasterKeyID to a customer-managed key whose policy allows them.`,
    });
    notes.push(
      'Set a customer-managed key (KMSMasterKeyID) instead of aws/s3 when you need a key policy of your own.',
    );
  }

  const pab = bucket.publicAccessBlock;
  const account = ctx.index.snapshot.s3.accountPublicAccessBlock;
  const isOn = (flag: keyof PublicAccessBlock) =>
    (pab.status === 'ok' && pab.value[flag]) || (account.status === 'ok' && account.value[flag]);
  const off = FLAGS.filter((f) => !isOn(f));
  const unknown = pab.status === 'error' || account.status === 'error';
  if (off.length > 0 && !unknown) {
    const config = {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    };
    api.push({
      service: 's3',
      operation: 'PutPublicAccessBlock',
      region,
      params: { Bucket: name, PublicAccessBlockConfiguration: config },
      purpose: `turn on ${listText(off.map((f) => FLAG_NAMES[f]))} for ${name}`,
    });
    documents.push({
      resourceArn: arn,
      label: 'Block Public Access (bucket)',
      before:
        pab.status === 'ok'
          ? prettyJson(Object.fromEntries(FLAGS.map((f) => [FLAG_NAMES[f], pab.value[f]])))
          : null,
      after: prettyJson(config),
    });
    const open = publicStatements(bucket.policy.status === 'ok' ? bucket.policy.value : undefined);
    risks.push({
      kind: 'public-access',
      detail:
        open.length > 0
          ? `The policy of ${name} grants access to anyone (${listText(open)}): with RestrictPublicBuckets on, those grants stop working, and public ACLs are ignored.`
          : `Public ACLs and public bucket-policy grants of ${name} stop working (none were found in its policy; ACLs are not in the snapshot).`,
      resources: [arn],
    });
  }
  if (api.length === 0) return [];
  // With BlockPublicPolicy on, S3 refuses a policy it deems public: write the bucket policy first.
  const dependsOn = api.some((c) => c.operation === 'PutPublicAccessBlock')
    ? stepsOf(ctx.steps, 'LVS007', (s) => s.id === `LVS007:${bucketArn(ctx.index.partition, name)}`).map(
        (s) => s.id,
      )
    : [];
  const encrypt = api.some((c) => c.operation === 'PutBucketEncryption');
  const block = api.some((c) => c.operation === 'PutPublicAccessBlock');
  const title =
    encrypt && block
      ? `Encrypt bucket ${name} with KMS by default and block public access`
      : encrypt
        ? `Encrypt bucket ${name} with KMS by default`
        : `Block public access to bucket ${name}`;
  return [
    makeStep({
      id: `LVS013:${arn}`,
      kind: 'automated',
      title,
      service: 's3',
      region,
      resourceArn: arn,
      findings,
      api,
      documents,
      preconditions: [`the settings of ${name} are still those shown as "before"`],
      risks,
      dependsOn,
      notes,
    }),
  ];
}

export const planner: Planner = {
  ruleId: 'LVS013',
  plan(findings, ctx) {
    return groupBy(findings, (f) => f.resourceArn).flatMap(([arn, group]) => planBucket(arn, group, ctx));
  },
};
