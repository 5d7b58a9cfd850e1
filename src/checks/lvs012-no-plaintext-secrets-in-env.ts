import type { EvidenceStep } from '../core/evidence.js';
import { nameSuggestsSecret } from '../core/secrets.js';
import type { EnvironmentVariable, LambdaFunction } from '../snapshot/schema.js';
import { defineCheck, type Outcome } from './define-check.js';
import { error, fail, notApplicable, pass } from './lib/outcome.js';

const REFERENCE_FORMS =
  'a reference: a Secrets Manager or SSM parameter ARN, a CloudFormation dynamic reference, or a parameter path';
const NEVER_SHOWN = 'lvs never reads the value into the snapshot; only these facts about it are kept';

/**
 * A variable whose name suggests a secret holds the secret itself: it is not empty, not a reference,
 * and not exactly a bucket name of the account (bucket names are not secret, SPEC 2.2).
 */
function isSecretNamedPlaintext(variable: EnvironmentVariable): boolean {
  return (
    nameSuggestsSecret(variable.name) &&
    !variable.isEmpty &&
    !variable.isReference &&
    variable.bucketName === null
  );
}

/** `error`: Lambda could not decrypt the variables (Environment.Error), so none of them was judged. */
function environmentUnreadable(
  fn: LambdaFunction,
  unreadable: NonNullable<LambdaFunction['environmentError']>,
): Outcome {
  return error('environmentUnreadable', {
    data: { errorCode: unreadable.errorCode, errorMessage: unreadable.message },
    evidence: [
      {
        resourceArn: fn.functionArn,
        field: 'Environment.Error',
        observed: `${unreadable.errorCode}: ${unreadable.message}`,
        expected: 'Environment.Variables, decrypted by Lambda',
        note: 'Lambda returned this error instead of the variables: restore its access to the KMS key (enable the key, or allow kms:Decrypt in the key policy), then audit again',
      },
    ],
  });
}

export default defineCheck({
  meta: {
    id: 'LVS012',
    name: 'no-plaintext-secrets-in-env',
    severity: 'high',
    title: 'Lambda environment variables hold no plaintext secrets',
    description:
      'No environment variable of the function has a secret-like name (password, secret, token, API key, private key, access key, credentials…) with a literal value, and no value matches a known credential pattern (AWS access key ID, PEM private key, Slack or GitHub token, JWT). References to Secrets Manager or Parameter Store are fine. When Lambda cannot decrypt the variables (it returns Environment.Error, e.g. KMSAccessDeniedException), they cannot be judged and the result is error.',
    rationale:
      'Environment variables are returned in clear text by lambda:GetFunctionConfiguration and GetFunction, are shown in the console, copied into CloudFormation templates, CI logs and infrastructure state, and are rarely rotated. A secret kept there is readable by everyone with read access to the function configuration; kept in Secrets Manager or Parameter Store it is fetched at run time under IAM and KMS control and can be rotated.',
    remediation:
      'Move the secret to Secrets Manager or SSM Parameter Store, rotate it, and pass only its ARN or name.',
    remediationDetails: [
      "Store the value in AWS Secrets Manager (or as an SSM `SecureString` parameter), rotate the exposed credential (it has already been readable by everyone with access to the function configuration), give the role `secretsmanager:GetSecretValue` on that one secret, and replace the variable's value by the secret's ARN. Read it at run time, for example with the AWS Parameters and Secrets Lambda Extension.",
      '',
      '```sh',
      'aws secretsmanager create-secret --name FUNCTION/DB_PASSWORD --secret-string file://secret.txt',
      'aws lambda update-function-configuration --function-name FUNCTION \\',
      '  --environment "Variables={DB_PASSWORD_SECRET_ARN=arn:aws:secretsmanager:REGION:ACCOUNT:secret:FUNCTION/DB_PASSWORD-AbCdEf}"',
      '```',
      '',
      'CloudFormation: an `AWS::SecretsManager::Secret`, and `Environment: { Variables: { DB_PASSWORD_SECRET_ARN: !Ref Secret } }` on the `AWS::Lambda::Function` (pass the ARN, not a `{{resolve:secretsmanager:…}}` reference: CloudFormation would resolve that into the plaintext value at deployment).',
      '',
      'Note that `update-function-configuration --environment` replaces the whole variable set: include the other variables.',
    ].join('\n'),
    resourceType: 'function',
    references: [
      {
        title: 'Working with Lambda environment variables',
        url: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html',
      },
      {
        title: 'Use Secrets Manager secrets in Lambda functions',
        url: 'https://docs.aws.amazon.com/lambda/latest/dg/with-secrets-manager.html',
      },
      {
        title: 'Use Parameter Store parameters in Lambda functions',
        url: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-integration-lambda-extensions.html',
      },
    ],
    securityHubControls: [],
    tags: ['secrets', 'data-protection', 'lambda'],
    reasons: {
      noPlaintextSecrets: {
        status: 'pass',
        message: 'None of the {{count}} environment variable(s) of {{function}} holds a plaintext secret.',
      },
      noEnvironment: {
        status: 'not-applicable',
        message: '{{function}} has no environment variables.',
      },
      secretNamedPlaintext: {
        status: 'fail',
        message:
          '{{function}} keeps a plaintext value in secret-named environment variable(s) {{variables}} instead of a Secrets Manager or Parameter Store reference.',
      },
      credentialInValue: {
        status: 'fail',
        message:
          'Environment variable(s) {{variables}} of {{function}} hold a value matching credential pattern(s) {{patterns}} (the values are never shown).{{also}}',
      },
      environmentUnreadable: {
        status: 'error',
        message:
          'Could not evaluate: Lambda could not decrypt the environment variables of {{function}} ({{errorCode}}: {{errorMessage}}), so lvs never saw them.',
      },
    },
  },
  evaluate({ fn }) {
    const variables = fn.environment;
    // Lambda returned Environment.Error instead of the variables: they exist but were never seen, so
    // the rule cannot pass (nor be not-applicable). A failure among variables it did show still wins.
    const unreadable = fn.environmentError;
    if (variables.length === 0)
      return [unreadable !== null ? environmentUnreadable(fn, unreadable) : notApplicable('noEnvironment')];

    const withCredential = variables.filter((v) => v.credentialPatterns.length > 0);
    const secretNamed = variables.filter(isSecretNamedPlaintext);
    const step = (v: EnvironmentVariable, observed: string, expected: string): EvidenceStep => ({
      resourceArn: fn.functionArn,
      field: `Environment.Variables.${v.name}`,
      observed,
      expected,
      note: NEVER_SHOWN,
    });
    const evidence: EvidenceStep[] = [
      ...withCredential.map((v) =>
        step(
          v,
          `value matches credential pattern(s): ${v.credentialPatterns.join(', ')}`,
          'no credential in the value',
        ),
      ),
      ...secretNamed
        .filter((v) => v.credentialPatterns.length === 0)
        .map((v) =>
          step(v, 'secret-like name with a literal value (not empty, not a reference)', REFERENCE_FORMS),
        ),
    ];

    if (withCredential.length > 0) {
      const patterns = [...new Set(withCredential.flatMap((v) => v.credentialPatterns))].sort();
      const plainOnly = secretNamed.filter((v) => v.credentialPatterns.length === 0).map((v) => v.name);
      return [
        fail('credentialInValue', {
          data: {
            variables: withCredential.map((v) => v.name).join(', '),
            patterns: patterns.join(', '),
            also:
              plainOnly.length > 0
                ? ` Secret-named variable(s) ${plainOnly.join(', ')} also hold plaintext values.`
                : '',
          },
          evidence,
        }),
      ];
    }
    if (secretNamed.length > 0) {
      return [
        fail('secretNamedPlaintext', {
          data: { variables: secretNamed.map((v) => v.name).join(', ') },
          evidence,
        }),
      ];
    }

    if (unreadable !== null) return [environmentUnreadable(fn, unreadable)];

    // Show why secret-named variables were accepted, so a reader can check the judgement.
    const accepted = variables
      .filter((v) => nameSuggestsSecret(v.name))
      .map((v) =>
        step(
          v,
          v.isEmpty
            ? 'secret-like name, empty value'
            : v.isReference
              ? 'secret-like name, value is a reference'
              : `secret-like name, value is bucket name ${v.bucketName ?? ''}`,
          REFERENCE_FORMS,
        ),
      );
    return [pass('noPlaintextSecrets', { data: { count: variables.length }, evidence: accepted })];
  },
});
