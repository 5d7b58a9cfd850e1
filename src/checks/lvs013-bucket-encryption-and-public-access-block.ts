import type { EvidenceStep } from '../core/evidence.js';
import type { Problem, ReachedBucket } from '../snapshot/derive.js';
import type { Fetched } from '../snapshot/fetched.js';
import type { Bucket, PublicAccessBlock } from '../snapshot/schema.js';
import { defineCheck, type Outcome } from './define-check.js';
import { BUCKET_SCOPE_REASONS, forEachReachedBucket } from './lib/reached-buckets.js';
import { fail, pass, unknown, withEvidence } from './lib/outcome.js';

/** Default-encryption algorithms that use AWS KMS (SSE-KMS and dual-layer DSSE-KMS). */
const KMS_ALGORITHMS = new Set(['aws:kms', 'aws:kms:dsse']);

/** The four Block Public Access settings, with the names the S3 API and console use. */
const FLAGS: ReadonlyArray<readonly [keyof PublicAccessBlock, string]> = [
  ['blockPublicAcls', 'BlockPublicAcls'],
  ['ignorePublicAcls', 'IgnorePublicAcls'],
  ['blockPublicPolicy', 'BlockPublicPolicy'],
  ['restrictPublicBuckets', 'RestrictPublicBuckets'],
];

type Verdict = { state: 'ok' } | { state: 'fail' } | { state: 'unknown'; problem: Problem };

interface Judged {
  verdict: Verdict;
  evidence: EvidenceStep[];
}

function describePab(fetched: Fetched<PublicAccessBlock>, absentText: string): string {
  if (fetched.status === 'absent') return absentText;
  if (fetched.status === 'error') return `unknown (${fetched.error.operation}: ${fetched.error.code})`;
  return FLAGS.map(([key, name]) => `${name}=${String(fetched.value[key])}`).join(', ');
}

function judgeEncryption(bucket: Bucket, arn: string): Judged & { observed: string } {
  const fetched = bucket.encryption;
  const field = 'ServerSideEncryptionConfiguration.Rules[].ApplyServerSideEncryptionByDefault.SSEAlgorithm';
  const expected = 'aws:kms or aws:kms:dsse';
  if (fetched.status === 'error') {
    const observed = `unknown (${fetched.error.operation}: ${fetched.error.code})`;
    return {
      verdict: { state: 'unknown', problem: { kind: 'api-error', error: fetched.error } },
      observed,
      evidence: [{ resourceArn: arn, field, observed, expected }],
    };
  }
  if (fetched.status === 'absent') {
    const observed = 'no default encryption configuration';
    return {
      verdict: { state: 'fail' },
      observed,
      evidence: [{ resourceArn: arn, field, observed, expected }],
    };
  }
  const rules = fetched.value.rules;
  const kmsRule = rules.find((r) => KMS_ALGORITHMS.has(r.sseAlgorithm));
  const observed =
    rules.length === 0 ? 'no default encryption rule' : rules.map((r) => r.sseAlgorithm).join(', ');
  const step: EvidenceStep = { resourceArn: arn, field, observed, expected };
  if (kmsRule === undefined) {
    if (rules.some((r) => r.sseAlgorithm === 'AES256'))
      step.note = 'AES256 is SSE-S3: S3-managed keys, no KMS key policy or CloudTrail record per use';
    return { verdict: { state: 'fail' }, observed, evidence: [step] };
  }
  if (kmsRule.kmsMasterKeyId !== null) step.note = `KMS key ${kmsRule.kmsMasterKeyId}`;
  else step.note = 'no KMSMasterKeyID: S3 uses the AWS managed key aws/s3';
  return { verdict: { state: 'ok' }, observed, evidence: [step] };
}

/**
 * A flag is on when the bucket-level or the account-level setting has it true; a level with no
 * configuration has every flag off. A level that could not be read matters only for the flags the
 * other level does not already turn on.
 */
function judgePublicAccessBlock(
  bucket: Bucket,
  arn: string,
  account: Fetched<PublicAccessBlock>,
  accountArn: string,
): Judged & { off: string[] } {
  const levels = [bucket.publicAccessBlock, account];
  const off: string[] = [];
  let problem: Problem | undefined;
  for (const [key, name] of FLAGS) {
    if (levels.some((l) => l.status === 'ok' && l.value[key])) continue;
    const unreadable = levels.find((l) => l.status === 'error');
    if (unreadable?.status === 'error') problem ??= { kind: 'api-error', error: unreadable.error };
    else off.push(name);
  }
  const evidence: EvidenceStep[] = [
    {
      resourceArn: arn,
      field: 'PublicAccessBlockConfiguration (bucket)',
      observed: describePab(bucket.publicAccessBlock, 'no bucket-level configuration (all four off)'),
      expected: 'all four true, here or at the account level',
    },
    {
      resourceArn: accountArn,
      field: 'PublicAccessBlockConfiguration (account, s3control)',
      observed: describePab(account, 'no account-level configuration (all four off)'),
      expected: 'all four true, here or at the bucket level',
      note: 'an account-level setting applies to every bucket of the account',
    },
  ];
  const verdict: Verdict =
    off.length > 0 ? { state: 'fail' } : problem ? { state: 'unknown', problem } : { state: 'ok' };
  return { verdict, off, evidence };
}

/** The outcome for one bucket, its evidence without the hops that show how the function reaches it. */
function judgeBucket(
  bucket: Bucket,
  reached: ReachedBucket,
  account: Fetched<PublicAccessBlock>,
  accountArn: string,
): Outcome {
  const encryption = judgeEncryption(bucket, reached.arn);
  const pab = judgePublicAccessBlock(bucket, reached.arn, account, accountArn);
  const evidence = [...encryption.evidence, ...pab.evidence];
  const flagsOff = pab.off.join(', ');
  if (encryption.verdict.state === 'fail') {
    const also = pab.off.length > 0 ? ` Block Public Access is also incomplete: ${flagsOff} off.` : '';
    return fail('noKmsEncryption', {
      data: { bucket: reached.name, encryption: encryption.observed, also },
      evidence,
    });
  }
  if (pab.verdict.state === 'fail') {
    return fail('publicAccessBlockIncomplete', { data: { bucket: reached.name, flagsOff }, evidence });
  }
  if (encryption.verdict.state === 'unknown') return unknown(encryption.verdict.problem, { evidence });
  if (pab.verdict.state === 'unknown') return unknown(pab.verdict.problem, { evidence });
  return pass('encryptedAndBlocked', {
    data: { bucket: reached.name, encryption: encryption.observed },
    evidence,
  });
}

export default defineCheck({
  meta: {
    id: 'LVS013',
    name: 'bucket-encryption-and-public-access-block',
    severity: 'medium',
    title: 'Buckets the function reaches use KMS default encryption and block all public access',
    description:
      'Every S3 bucket the function reaches (through its role policies or an environment variable naming it) has a default encryption rule with aws:kms or aws:kms:dsse, and all four Block Public Access settings (BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets) are on, at the bucket level or for the whole account. When both parts fail, the one result has reason noKmsEncryption and its evidence shows both.',
    rationale:
      'SSE-S3 (AES256) encrypts with keys S3 manages, so anyone with s3:GetObject reads the data: there is no key policy to narrow access and no CloudTrail record per decryption. With SSE-KMS, reading also needs kms:Decrypt on a key you control. Block Public Access is the backstop that stops a bucket policy or ACL from making the data public; any of the four settings off leaves one of those paths open.',
    remediation:
      'Set default encryption to aws:kms with a customer-managed key and turn on all four Block Public Access settings.',
    remediationDetails: [
      'Turn on SSE-KMS default encryption (with an S3 Bucket Key to limit KMS request costs) and all four Block Public Access settings. Existing objects keep their encryption until rewritten. The account-level block (`aws s3control put-public-access-block`) covers every bucket of the account.',
      '',
      '```sh',
      'aws s3api put-bucket-encryption --bucket BUCKET --server-side-encryption-configuration \\',
      '  \'{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"KEY_ARN"},"BucketKeyEnabled":true}]}\'',
      'aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration \\',
      '  BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true',
      '```',
      '',
      'CloudFormation, on the `AWS::S3::Bucket`:',
      '',
      '```yaml',
      'BucketEncryption:',
      '  ServerSideEncryptionConfiguration:',
      '    - ServerSideEncryptionByDefault: { SSEAlgorithm: aws:kms, KMSMasterKeyID: !GetAtt Key.Arn }',
      '      BucketKeyEnabled: true',
      'PublicAccessBlockConfiguration:',
      '  { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true }',
      '```',
    ].join('\n'),
    resourceType: 'bucket',
    references: [
      {
        title: 'Setting default server-side encryption behavior for Amazon S3 buckets',
        url: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html',
      },
      {
        title: 'Using server-side encryption with AWS KMS keys (SSE-KMS)',
        url: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html',
      },
      {
        title: 'Blocking public access to your Amazon S3 storage',
        url: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html',
      },
      {
        title: 'Security Hub controls for Amazon S3 (S3.1, S3.8, S3.17)',
        url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html',
      },
    ],
    securityHubControls: ['S3.1', 'S3.8', 'S3.17'],
    tags: ['s3', 'encryption', 'public-access', 'data-protection'],
    reasons: {
      ...BUCKET_SCOPE_REASONS,
      encryptedAndBlocked: {
        status: 'pass',
        message:
          'Bucket {{bucket}} reached by {{function}} is encrypted by default with {{encryption}} and blocks all public access.',
      },
      noKmsEncryption: {
        status: 'fail',
        message:
          'Bucket {{bucket}} reached by {{function}} is not encrypted by default with AWS KMS (observed: {{encryption}}).{{also}}',
      },
      publicAccessBlockIncomplete: {
        status: 'fail',
        message:
          'Bucket {{bucket}} reached by {{function}} does not block all public access: {{flagsOff}} off at both the bucket and the account level.',
      },
    },
  },
  evaluate(entry, index) {
    const account = index.snapshot.s3.accountPublicAccessBlock;
    const accountArn = `arn:${index.partition}:iam::${index.accountId}:root`;
    return forEachReachedBucket(entry, index, (bucket, reached, reach) => {
      // The verdict depends on the bucket (and the account setting) alone; only the reach differs.
      const verdict = index.memo(['LVS013', reached.name], () =>
        judgeBucket(bucket, reached, account, accountArn),
      );
      return withEvidence(verdict, reach.concat(verdict.evidence));
    });
  },
});
