import { defineCheck } from './define-check.js';
import { fail, pass } from './lib/outcome.js';

export default defineCheck({
  meta: {
    id: 'LVS010',
    name: 'xray-tracing-active',
    severity: 'medium',
    title: 'Lambda function has AWS X-Ray active tracing enabled',
    description:
      "The function's TracingConfig.Mode is Active, so Lambda samples and records invocations with AWS X-Ray even when the caller sends no trace header, including the downstream calls to S3.",
    rationale:
      'Without active tracing, requests that arrive without an upstream sampled trace header are not traced (PassThrough), so there is no per-request record of which buckets and services the function called, how long each call took, or where it failed. That record is what an investigation of unexpected data access or exfiltration starts from.',
    remediation:
      'Grant the role the X-Ray write permissions, then set TracingConfig Mode=Active on the function.',
    remediationDetails: [
      'First give the execution role the X-Ray write permissions (the AWS managed policy `AWSXRayDaemonWriteAccess`, or `xray:PutTraceSegments` and `xray:PutTelemetryRecords`), then turn on active tracing.',
      '',
      '```sh',
      'aws iam attach-role-policy --role-name ROLE --policy-arn arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess',
      'aws lambda update-function-configuration --function-name FUNCTION --tracing-config Mode=Active',
      '```',
      '',
      "CloudFormation: `TracingConfig: { Mode: Active }` on the `AWS::Lambda::Function`, and `arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess` in the role's `ManagedPolicyArns`.",
    ].join('\n'),
    resourceType: 'function',
    references: [
      {
        title: 'Visualize Lambda function invocations using AWS X-Ray',
        url: 'https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html',
      },
      {
        title: 'AWS::Lambda::Function TracingConfig',
        url: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-lambda-function-tracingconfig.html',
      },
      {
        title: 'Security Hub control Lambda.7',
        url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-7',
      },
    ],
    securityHubControls: ['Lambda.7'],
    tags: ['observability', 'x-ray', 'lambda'],
    reasons: {
      active: {
        status: 'pass',
        message: '{{function}} has X-Ray active tracing (TracingConfig.Mode is Active).',
      },
      tracingNotActive: {
        status: 'fail',
        message:
          '{{function}} does not have X-Ray active tracing: TracingConfig.Mode is {{mode}}, so invocations without an upstream sampled trace are not traced.',
      },
    },
  },
  evaluate({ fn }) {
    const mode = fn.tracingMode;
    const evidence = [
      {
        resourceArn: fn.functionArn,
        field: 'TracingConfig.Mode',
        observed: mode ?? 'absent (Lambda defaults to PassThrough)',
        expected: 'Active',
      },
    ];
    if (mode === 'Active') return [pass('active', { evidence })];
    return [fail('tracingNotActive', { data: { mode: mode ?? 'not set (PassThrough)' }, evidence })];
  },
});
