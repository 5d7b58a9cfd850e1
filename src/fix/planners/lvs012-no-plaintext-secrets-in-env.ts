import { nameSuggestsSecret } from '../../core/secrets.js';
import {
  entryOf,
  listText,
  makeStep,
  roleNameOf,
  shellQuote,
  type Finding,
  type PlanContext,
  type Planner,
} from '../lib/context.js';

/**
 * LVS012 (manual): the values are never read by lvs (the snapshot is redacted), and moving a secret
 * means rotating it and changing the code that reads it. The template names the variables, never
 * their values: a Secrets Manager secret per variable, read permission for the role on exactly those
 * secrets, and the variable replaced by the secret's ARN.
 */

function planFunction(finding: Finding, ctx: PlanContext) {
  const entry = entryOf(ctx.index, finding.functionArn);
  if (entry === undefined) return [];
  const { fn, region } = entry;
  const r = region.region;
  const flagged = fn.environment.filter(
    (v) =>
      v.credentialPatterns.length > 0 ||
      (nameSuggestsSecret(v.name) && !v.isEmpty && !v.isReference && v.bucketName === null),
  );
  if (flagged.length === 0) return [];
  const kept = fn.environment.filter((v) => !flagged.includes(v)).map((v) => v.name);
  const accessKeys = flagged.filter((v) => v.credentialPatterns.includes('aws-access-key-id'));
  const secretArn = (name: string) =>
    `arn:${ctx.index.partition}:secretsmanager:${r}:${ctx.index.accountId}:secret:${fn.functionName}/${name}-*`;
  const readPolicy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: flagged.filter((v) => !accessKeys.includes(v)).map((v) => secretArn(v.name)),
      },
    ],
  });
  const lines = [
    `# ${fn.functionName}: ${listText(flagged.map((v) => `${v.name} (${v.credentialPatterns.length > 0 ? `matches ${v.credentialPatterns.join(', ')}` : 'secret-like name, literal value'})`))}.`,
    '# lvs never reads or prints the values. They have been readable by everyone allowed',
    '# lambda:GetFunctionConfiguration: rotate each credential before (or while) moving it.',
    ...accessKeys.flatMap((v) => [
      `# ${v.name} holds an AWS access key: do not store it anywhere. Deactivate and delete the key`,
      '# (aws iam update-access-key / delete-access-key on its user) and grant the execution role the permissions instead.',
    ]),
    ...flagged
      .filter((v) => !accessKeys.includes(v))
      .flatMap((v) => [
        `# ${v.name}: put the (rotated) value in ${v.name}.secret yourself, then:`,
        `aws secretsmanager create-secret --region ${r} --name ${shellQuote(`${fn.functionName}/${v.name}`)} --secret-string file://${v.name}.secret && rm ${v.name}.secret`,
      ]),
    ...(flagged.length > accessKeys.length
      ? [
          `aws iam put-role-policy --role-name ${roleNameOf(fn.role)} --policy-name ${shellQuote(`lvs-read-${fn.functionName}-secrets`)} --policy-document ${shellQuote(readPolicy)}`,
        ]
      : []),
    '# Replace the variables: --environment replaces the WHOLE set, so list every variable to keep',
    `# (${kept.length > 0 ? listText(kept) : 'none other'}) with its current value, and pass secret ARNs, not values:`,
    `aws lambda update-function-configuration --region ${r} --function-name ${fn.functionArn} \\`,
    `  --environment ${shellQuote(`Variables={${[...kept.map((k) => `${k}=CURRENT_VALUE`), ...flagged.filter((v) => !accessKeys.includes(v)).map((v) => `${v.name}_SECRET_ARN=SECRET_ARN_OF_${v.name}`)].join(',')}}`)}`,
    '# The code then reads each secret at run time (AWS Parameters and Secrets Lambda Extension, or GetSecretValue).',
  ];
  return [
    makeStep({
      id: `LVS012:${fn.functionArn}`,
      kind: 'manual',
      title: `Move the secrets of ${fn.functionName} (${listText(flagged.map((v) => v.name))}) to Secrets Manager`,
      service: 'lambda',
      region: r,
      resourceArn: fn.functionArn,
      findings: [finding],
      template: lines.join('\n'),
      risks: [
        {
          kind: 'availability',
          detail: `The code of ${fn.functionName} must read the secrets from Secrets Manager before the variables change, or it stops working.`,
          resources: [fn.functionArn],
        },
      ],
      notes: ['Variable names only: values are redacted in the snapshot and never shown.'],
    }),
  ];
}

export const planner: Planner = {
  ruleId: 'LVS012',
  plan(findings, ctx) {
    return findings.flatMap((f) => planFunction(f, ctx));
  },
};
