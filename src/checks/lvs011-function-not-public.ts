import type { EvidenceStep } from '../core/evidence.js';
import { conditionsOn, statementLabel, type PolicyStatement } from '../policy/document.js';
import type { Severity } from '../core/severity.js';
import { defineCheck, type Outcome } from './define-check.js';
import { fail, pass, unknown } from './lib/outcome.js';
import {
  allowsAnyone,
  coversAction,
  describeClause,
  describeStatement,
  isPositiveRestriction,
} from './lib/policy-analysis.js';

/** SPEC LVS011: a positive match on one of these keys limits who can invoke. lambda:FunctionUrlAuthType does not. */
const RESTRICTING_KEYS = [
  'aws:SourceArn',
  'aws:SourceAccount',
  'aws:PrincipalOrgID',
  'aws:PrincipalAccount',
  'aws:PrincipalOrgPaths',
];
const INVOKE = 'lambda:InvokeFunction';
const INVOKE_URL = 'lambda:InvokeFunctionUrl';

type Kind = 'policy' | 'url';

interface PublicStatement {
  statement: PolicyStatement;
  kind: Kind;
}

/** The restricting clauses of a statement (SPEC LVS011), if any. */
function restrictions(statement: PolicyStatement) {
  return RESTRICTING_KEYS.flatMap((key) => conditionsOn(statement, key)).filter(isPositiveRestriction);
}

/**
 * The permission a function URL with AuthType NONE needs, and nothing more: either
 * lambda:InvokeFunctionUrl only, with `lambda:FunctionUrlAuthType = NONE`, or (since October 2025)
 * lambda:InvokeFunction only, with `Bool lambda:InvokedViaFunctionUrl = true`, which can be
 * exercised through the URL alone.
 */
function isUrlPermission(statement: PolicyStatement): boolean {
  const urlOnly = coversAction(statement, INVOKE_URL) && !coversAction(statement, INVOKE);
  const invokeOnly = coversAction(statement, INVOKE) && !coversAction(statement, INVOKE_URL);
  const noIfExists = (op: string) => !/IfExists$/i.test(op);
  if (urlOnly && statement.actions !== undefined) {
    return conditionsOn(statement, 'lambda:FunctionUrlAuthType').some(
      (c) =>
        noIfExists(c.operator) &&
        /^stringequals/i.test(c.operator) &&
        c.values.length > 0 &&
        c.values.every((v) => v === 'NONE'),
    );
  }
  if (invokeOnly && statement.actions !== undefined) {
    return conditionsOn(statement, 'lambda:InvokedViaFunctionUrl').some(
      (c) =>
        noIfExists(c.operator) &&
        /^bool$/i.test(c.operator) &&
        c.values.length > 0 &&
        c.values.every((v) => v.toLowerCase() === 'true'),
    );
  }
  return false;
}

/** Allow statements that grant invocation to anyone, before their conditions are considered. */
function openToAnyone(statements: PolicyStatement[]): PolicyStatement[] {
  return statements.filter(
    (s) => allowsAnyone(s) && (coversAction(s, INVOKE) || coversAction(s, INVOKE_URL)),
  );
}

/** SPEC LVS011: Allow, anyone, an invoke action, and no restricting condition. */
function publicStatements(statements: PolicyStatement[]): PublicStatement[] {
  return openToAnyone(statements)
    .filter((s) => restrictions(s).length === 0)
    .map((statement) => ({ statement, kind: isUrlPermission(statement) ? 'url' : 'policy' }));
}

export default defineCheck({
  meta: {
    id: 'LVS011',
    name: 'function-not-public',
    severity: 'critical',
    title: 'Lambda function cannot be invoked by anyone on the internet',
    description:
      'The function\'s resource-based policy grants lambda:InvokeFunction or lambda:InvokeFunctionUrl to Principal "*" (or {"AWS": "*"}) only under a condition that names the caller (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalOrgPaths), and the function has no URL with AuthType NONE.',
    rationale:
      "A function that anyone can invoke runs attacker-chosen input with the permissions of its execution role: here that role can write to the private data bucket through the VPC endpoint. A public URL also lets anyone drive the function's cost and concurrency.",
    remediation:
      'Remove public statements from the function policy (or add aws:SourceArn/SourceAccount); use AuthType AWS_IAM for URLs.',
    remediationDetails: [
      'List the statements of the function policy and remove the public ones by their Sid:',
      '',
      '```sh',
      'aws lambda get-policy --function-name FUNCTION --query Policy --output text',
      'aws lambda remove-permission --function-name FUNCTION --statement-id SID',
      '```',
      '',
      'When an AWS service must invoke the function, grant that service principal and pin the source:',
      '',
      '```sh',
      'aws lambda add-permission --function-name FUNCTION --statement-id s3-invoke \\',
      '  --action lambda:InvokeFunction --principal s3.amazonaws.com \\',
      '  --source-arn arn:aws:s3:::BUCKET --source-account 111122223333',
      '```',
      '',
      'Require IAM authentication on a function URL (or delete the URL):',
      '',
      '```sh',
      'aws lambda update-function-url-config --function-name FUNCTION --auth-type AWS_IAM',
      '```',
      '',
      'CloudFormation:',
      '',
      '```yaml',
      'Permission:',
      '  Type: AWS::Lambda::Permission',
      '  Properties:',
      '    FunctionName: !Ref ScorerFunction',
      '    Action: lambda:InvokeFunction',
      '    Principal: s3.amazonaws.com',
      '    SourceArn: !GetAtt InputBucket.Arn',
      '    SourceAccount: !Ref AWS::AccountId',
      'Url:',
      '  Type: AWS::Lambda::Url',
      '  Properties:',
      '    TargetFunctionArn: !Ref ScorerFunction',
      '    AuthType: AWS_IAM',
      '```',
    ].join('\n'),
    resourceType: 'function',
    references: [
      {
        title: 'Viewing resource-based IAM policies in Lambda',
        url: 'https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html',
      },
      {
        title: 'Control access to Lambda function URLs',
        url: 'https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
      },
      {
        title: 'Security Hub control Lambda.1',
        url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-1',
      },
    ],
    securityHubControls: ['Lambda.1'],
    tags: ['permissions', 'public-access', 'resource-policy'],
    reasons: {
      notPublic: {
        status: 'pass',
        message: '{{function}} is not publicly invokable: {{detail}}.',
      },
      publicPolicy: {
        status: 'fail',
        severity: 'critical',
        message:
          'The resource-based policy of {{function}} lets anyone invoke it ({{statements}}) with no aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID or aws:PrincipalAccount condition{{alsoUrl}}.',
      },
      publicUrl: {
        status: 'fail',
        severity: 'high',
        message: '{{function}} has a function URL that anyone can call without authentication: {{detail}}.',
      },
      invalidPolicy: {
        status: 'fail',
        severity: 'high',
        message:
          'The resource-based policy of {{function}} is not a valid policy document ({{problem}}), so who can invoke it cannot be established.',
      },
    },
  },
  evaluate({ fn }, index) {
    const policyRead = fn.resourcePolicy;
    const urlRead = fn.urlConfig;
    const evidence: EvidenceStep[] = [];
    const findings: Array<{ reasonId: string; severity: Severity; data: Record<string, string> }> = [];

    // The function URL.
    const url = urlRead.status === 'ok' ? urlRead.value : undefined;
    if (url !== undefined) {
      evidence.push({
        resourceArn: fn.functionArn,
        field: 'FunctionUrlConfig.AuthType',
        observed: `${url.authType} (${url.functionUrl})`,
        expected: 'AWS_IAM, or no function URL',
      });
    }

    // The resource-based policy.
    let publicOnes: PublicStatement[] = [];
    if (policyRead.status === 'ok') {
      const parsed = index.policy(policyRead.value);
      if (!parsed.ok) {
        evidence.push({
          resourceArn: fn.functionArn,
          field: 'Policy',
          observed: parsed.problem,
          expected: 'a valid JSON policy document',
        });
        findings.push({ reasonId: 'invalidPolicy', severity: 'high', data: { problem: parsed.problem } });
      } else {
        publicOnes = publicStatements(parsed.document.statements);
        for (const statement of openToAnyone(parsed.document.statements)) {
          const limits = restrictions(statement);
          if (limits.length === 0) continue;
          evidence.push({
            resourceArn: fn.functionArn,
            field: `Policy ${statementLabel(statement)}`,
            observed: describeStatement(statement),
            note: `not public: restricted by ${limits.map(describeClause).join('; ')}`,
          });
        }
        for (const { statement, kind } of publicOnes) {
          const ignored = statement.conditions.map(describeClause);
          evidence.push({
            resourceArn: fn.functionArn,
            field: `Policy ${statementLabel(statement)}`,
            observed: describeStatement(statement),
            expected:
              'a named principal, or Principal "*" with aws:SourceArn / aws:SourceAccount / aws:PrincipalOrgID',
            note:
              kind === 'url'
                ? 'the permission of a function URL with AuthType NONE: anyone can call the URL'
                : ignored.length > 0
                  ? `anyone can invoke: none of its conditions (${ignored.join('; ')}) restricts the caller`
                  : 'anyone can invoke the function',
          });
        }
      }
    }

    const policyStatements = publicOnes.filter((p) => p.kind === 'policy');
    const urlStatements = publicOnes.filter((p) => p.kind === 'url');
    const urlIsOpen = url?.authType === 'NONE';
    if (urlIsOpen || urlStatements.length > 0) {
      const detail = urlIsOpen
        ? `${url.functionUrl} has AuthType NONE${urlStatements.length > 0 ? ` and the policy grants it to everyone (${urlStatements.map((p) => statementLabel(p.statement)).join(', ')})` : ''}`
        : `the policy grants public URL invocation (${urlStatements.map((p) => statementLabel(p.statement)).join(', ')}), which any URL with AuthType NONE would use`;
      findings.push({ reasonId: 'publicUrl', severity: 'high', data: { detail } });
    }
    if (policyStatements.length > 0) {
      findings.unshift({
        reasonId: 'publicPolicy',
        severity: 'critical',
        data: {
          statements: policyStatements.map((p) => statementLabel(p.statement)).join(', '),
          alsoUrl:
            urlIsOpen || urlStatements.length > 0
              ? '; its function URL is also open to anyone (AuthType NONE)'
              : '',
        },
      });
    }

    const top = findings[0];
    if (top !== undefined) return [fail(top.reasonId, { data: top.data, evidence })];

    // Nothing public among what could be read: unknown reads still mean we cannot say "not public".
    if (policyRead.status === 'error')
      return [unknown({ kind: 'api-error', error: policyRead.error }, { evidence })];
    if (urlRead.status === 'error')
      return [unknown({ kind: 'api-error', error: urlRead.error }, { evidence })];

    const detail = [
      policyRead.status === 'absent'
        ? 'it has no resource-based policy'
        : 'no statement of its resource-based policy grants invocation to anyone',
      url === undefined ? 'it has no function URL' : `its function URL requires ${url.authType}`,
    ].join(', and ');
    if (policyRead.status === 'absent') {
      evidence.push({
        resourceArn: fn.functionArn,
        field: 'Policy',
        observed: 'none (ResourceNotFoundException)',
        expected: 'no public statement',
      });
    }
    if (url === undefined)
      evidence.push({
        resourceArn: fn.functionArn,
        field: 'FunctionUrlConfig',
        observed: 'none',
        expected: 'AWS_IAM, or no function URL',
      });
    return [pass('notPublic', { data: { detail }, evidence })] satisfies Outcome[];
  },
});
