import { checkMetaSchema, type CheckMeta } from '../../src/checks/define-check.js';
import lvs001 from '../../src/checks/lvs001-lambda-in-vpc.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import type { CheckResult } from '../../src/core/result.js';
import type { AuditReport } from '../../src/report/model.js';
import { buildDataPaths } from '../../src/snapshot/data-path.js';
import { G, golden, indexOf } from '../helpers/golden.js';

export const BUCKET_ARN = `arn:aws:s3:::${G.bucket}`;

/** Hand-made metadata for two more rules, validated like real ones; LVS001's is the real one. */
const extraMeta = (
  partial: Pick<CheckMeta, 'id' | 'name' | 'severity' | 'title' | 'resourceType' | 'tags'>,
): CheckMeta =>
  checkMetaSchema.parse({
    description: `${partial.title}: a hand-made rule description for tests.`,
    rationale: 'A rationale long enough to pass the metadata schema of lvs.',
    remediation: `Fix ${partial.name} on the resource.`,
    remediationDetails: 'Details of the fix, in markdown:\n\n```sh\naws example\n```',
    references: [{ title: 'AWS docs', url: `https://docs.aws.amazon.com/${partial.name}` }],
    securityHubControls: [],
    reasons: { ok: { status: 'pass', message: 'It passes for {{function}}.' } },
    ...partial,
  });

export const META_LVS001 = lvs001.meta;
export const META_LVS007 = extraMeta({
  id: 'LVS007',
  name: 'bucket-policy-pinned-to-endpoint',
  severity: 'high',
  title: 'Bucket policy denies requests not coming through the VPC endpoint',
  resourceType: 'bucket',
  tags: ['s3', 'data-perimeter'],
});
export const META_LVS010 = extraMeta({
  id: 'LVS010',
  name: 'xray-tracing-active',
  severity: 'medium',
  title: 'X-Ray tracing is Active on the function',
  resourceType: 'function',
  tags: ['observability'],
});
export const METAS: CheckMeta[] = [META_LVS001, META_LVS007, META_LVS010];

type ResultInput = Partial<CheckResult> & Pick<CheckResult, 'ruleId' | 'status' | 'reasonId'>;

/** A result about the golden function (or `functionName` in the same account/region), fingerprinted like run.ts does. */
export function result(input: ResultInput): CheckResult {
  const meta = METAS.find((m) => m.id === input.ruleId);
  const functionName = input.functionName ?? G.functionName;
  const functionArn =
    input.functionArn ?? `arn:aws:lambda:${G.region}:${G.accountId}:function:${functionName}`;
  const resourceArn = input.resourceArn ?? functionArn;
  return {
    ruleName: meta?.name ?? 'some-rule',
    severity: meta?.severity ?? 'medium',
    message: `${input.ruleId} ${input.status} ${input.reasonId} message for ${functionName}.`,
    accountId: G.accountId,
    region: G.region,
    evidence: [],
    remediation: meta?.remediation ?? 'Fix it.',
    suppression: null,
    ...input,
    functionName,
    functionArn,
    resourceArn,
    fingerprint:
      input.fingerprint ??
      fingerprint({ ruleId: input.ruleId, functionArn, resourceArn, reasonId: input.reasonId }),
  };
}

/** The mixed set most tests use: one of each status on the golden function. */
export function mixedResults(): CheckResult[] {
  return [
    result({
      ruleId: 'LVS001',
      status: 'fail',
      reasonId: 'noVpcConfig',
      message:
        'lvs-golden-scorer is not attached to a VPC: its traffic to S3 leaves over the public internet.',
      evidence: [
        {
          resourceArn: G.functionArn,
          field: 'VpcConfig',
          observed: 'absent',
          expected: 'VpcId, SubnetIds, SecurityGroupIds',
        },
      ],
    }),
    result({
      ruleId: 'LVS007',
      status: 'error',
      reasonId: 'readFailed',
      resourceArn: BUCKET_ARN,
      message: `Could not evaluate: s3:GetBucketPolicy failed for ${G.bucket} (AccessDenied).`,
      evidence: [
        {
          resourceArn: BUCKET_ARN,
          field: 's3:GetBucketPolicy',
          observed: 'AccessDenied: denied',
          expected: 'a successful read',
        },
      ],
    }),
    result({
      ruleId: 'LVS010',
      status: 'suppressed',
      suppressedStatus: 'fail',
      reasonId: 'notActive',
      suppression: {
        reason: 'tracing is too costly for this batch job',
        resource: G.functionArn,
        expires: '2099-01-01',
      },
    }),
    result({ ruleId: 'LVS001', status: 'pass', reasonId: 'inVpc', functionName: 'other-fn' }),
    result({
      ruleId: 'LVS007',
      status: 'not-applicable',
      reasonId: 'noBucketReached',
      functionName: 'other-fn',
    }),
  ];
}

export async function goldenDataPaths() {
  return buildDataPaths(await indexOf(golden()));
}

export async function makeReport(overrides: Partial<AuditReport> = {}): Promise<AuditReport> {
  return {
    tool: { name: 'lvs', version: '0.1.0' },
    generatedAt: '2026-11-21T09:00:00.000Z',
    accounts: [{ accountId: G.accountId, regions: [G.region] }],
    results: mixedResults(),
    errors: [
      {
        service: 's3',
        operation: 'GetBucketPolicy',
        region: G.region,
        resource: BUCKET_ARN,
        code: 'AccessDenied',
        message: 'denied',
      },
    ],
    dataPaths: await goldenDataPaths(),
    checks: METAS,
    warnings: [
      'suppressions[1]: the suppression of LVS010 for "arn:aws:lambda:*" expired on 2020-01-01 and no longer applies.',
    ],
    locations: {},
    failOn: 'low',
    ...overrides,
  };
}
