import type { AuditIndex } from '../../snapshot/derive.js';
import type { LambdaFunction } from '../../snapshot/schema.js';
import { placeholder, type ApiCall, type Reuse, type Risk, type Step } from '../plan-model.js';
import { compactJson, mergeStatements, prettyJson, readPolicy, type PolicyJson } from '../policy-merge.js';
import {
  entryOf,
  groupBy,
  listText,
  makeStep,
  uniqueSorted,
  type Finding,
  type PlanContext,
  type Planner,
} from '../lib/context.js';

/**
 * LVS009. A function without a customer-managed key (none, or an AWS managed one) gets the
 * account-region key this plan creates: ONE key per (account, region), with rotation on and a key
 * policy that keeps KMS's default statement (the account's IAM policies govern the key, so nobody is
 * locked out of it) and lets the execution role of each function decrypt. One key per region keeps
 * the number of keys (and their monthly cost) bounded while the key policy still names every role
 * that may use it; a function that needs a key of its own can be given one later without any change
 * here. A customer-managed key that is disabled, pending deletion or not rotated is repaired in place
 * (one step per key). The key policy comes before KMSKeyArn (SPEC 6): a function whose role cannot
 * decrypt its variables does not start.
 */

export const newKeyVariable = (region: string) => `new-key-${region}`;
export const DECRYPT_SID = 'LvsLambdaEnvironmentDecrypt';
/**
 * The alias the plan gives the key it creates (aliases are per region, so one name serves every
 * region). `lvs fix --apply` looks it up before creating a key, so a run that stopped after
 * CreateKey does not make the next one create a second key: it reuses that one (plan-model Reuse).
 */
export const KEY_ALIAS = 'alias/lvs/lambda-environment';

const PENDING_DELETION = new Set(['PendingDeletion', 'PendingReplicaDeletion']);

/** The key policy KMS gives a key created without one. */
export function defaultKeyPolicy(partition: string, accountId: string): PolicyJson {
  return {
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  };
}

/** True when the function must move to the plan's new key (it has none, or an AWS managed one). */
function needsNewKey(index: AuditIndex, finding: Finding): boolean {
  const fn = entryOf(index, finding.functionArn)?.fn;
  if (fn === undefined) return false;
  if (fn.kmsKeyArn === null) return true;
  const key = index.kmsKey(fn.kmsKeyArn);
  return key.ok && key.value.keyManager !== 'CUSTOMER';
}

/**
 * Lambda could not decrypt the function's current variables (Environment.Error). Re-encrypting them
 * under a new KMSKeyArn needs them decrypted first, and lvs never saw them: the update can fail or
 * leave the function unable to start, and nobody can check what it re-encrypts.
 */
function unreadableEnvironmentRisk(
  fn: LambdaFunction,
  e: NonNullable<LambdaFunction['environmentError']>,
): Risk {
  return {
    kind: 'unknown-state',
    detail: `Lambda cannot decrypt the current environment of ${fn.functionName} (${e.errorCode}: ${e.message}). Changing KMSKeyArn makes Lambda re-encrypt variables it cannot read: the update may fail, and ${fn.functionName} stays unable to start until Lambda can decrypt them. Restore access to the current key first (enable it, or allow Lambda kms:Decrypt in its key policy), or set the variables again with the new key.`,
    resources: [fn.functionArn],
  };
}

function planNewKey(region: string, findings: Finding[], ctx: PlanContext): Step[] {
  const { index } = ctx;
  const variable = newKeyVariable(region);
  // The key's full ARN once captured (CreateKey's KeyMetadata.Arn): also the step's resource.
  const keyRef = placeholder(variable);
  const functions = findings.flatMap((f) => entryOf(index, f.functionArn)?.fn ?? []);
  const roles = uniqueSorted(functions.map((fn) => fn.role));
  const before = defaultKeyPolicy(index.partition, index.accountId);
  const policy = mergeStatements(before, [
    {
      Sid: DECRYPT_SID,
      Effect: 'Allow',
      Principal: { AWS: roles.length === 1 ? roles[0] : roles },
      Action: 'kms:Decrypt',
      Resource: '*',
    },
  ]).policy;
  const keyStepId = `LVS009:arn:${index.partition}:kms:${region}:${index.accountId}:key/new`;
  const reuse: Reuse = {
    lookup: { operation: 'DescribeKey', params: { KeyId: KEY_ALIAS } },
    notFound: ['NotFoundException'],
    requires: { 'KeyMetadata.KeyManager': ['CUSTOMER'], 'KeyMetadata.KeyState': ['Enabled'] },
    label: `key from a previous run (${KEY_ALIAS})`,
    otherwise: `lvs reuses the key that ${KEY_ALIAS} names only when it is an Enabled customer-managed key, and never moves the alias. Bring that key back (pending deletion: aws kms cancel-key-deletion --region ${region} --key-id KEY_ARN; then aws kms enable-key --region ${region} --key-id KEY_ARN) and run lvs fix again; or, if it is to go, delete the alias (aws kms delete-alias --region ${region} --alias-name ${KEY_ALIAS}) and lvs fix creates a new key.`,
  };
  const keyStep = makeStep({
    id: keyStepId,
    kind: 'automated',
    title: `Create a customer-managed KMS key with rotation for Lambda environments in ${region}`,
    service: 'kms',
    region,
    resourceArn: keyRef,
    api: [
      {
        service: 'kms',
        operation: 'CreateKey',
        region,
        params: {
          Description: `lvs: Lambda environment variables (${region})`,
          KeyUsage: 'ENCRYPT_DECRYPT',
          KeySpec: 'SYMMETRIC_DEFAULT',
          Tags: [{ TagKey: 'lvs:purpose', TagValue: 'lambda-environment' }],
        },
        captures: { [variable]: 'KeyMetadata.Arn' },
        purpose: `create the symmetric key for the environments of ${listText(functions.map((f) => f.functionName))}`,
        reuse: { ...reuse, captures: { [variable]: 'KeyMetadata.Arn' } },
      },
      {
        service: 'kms',
        operation: 'CreateAlias',
        region,
        params: { AliasName: KEY_ALIAS, TargetKeyId: keyRef },
        purpose: `name the key ${KEY_ALIAS}, so that a later run finds it instead of creating another`,
        reuse,
      },
      {
        service: 'kms',
        operation: 'PutKeyPolicy',
        region,
        params: { KeyId: keyRef, PolicyName: 'default', Policy: compactJson(policy) },
        purpose: `let ${listText(roles)} decrypt with the key (the account statement stays)`,
      },
      {
        service: 'kms',
        operation: 'EnableKeyRotation',
        region,
        params: { KeyId: keyRef },
        purpose: 'rotate the key material automatically',
      },
    ],
    documents: [
      { resourceArn: keyRef, label: 'key policy', before: prettyJson(before), after: prettyJson(policy) },
    ],
    preconditions: [
      `the roles ${listText(roles)} exist (a key policy naming a missing principal is rejected)`,
      `${KEY_ALIAS} names no key in ${region}, or an Enabled customer-managed key from an earlier run (reused)`,
      'the principal running the fix may call kms:DescribeKey, kms:CreateKey, kms:CreateAlias, kms:PutKeyPolicy, kms:EnableKeyRotation and kms:TagResource',
    ],
    risks: [
      {
        kind: 'cost',
        detail:
          'A customer-managed key costs a monthly fee, and each decryption of the environment at a cold start is a billed KMS request.',
      },
      {
        kind: 'cost',
        detail: `Only if kms:CreateAlias itself fails is the new key left without ${KEY_ALIAS}; a later run then creates another key. Look for keys tagged lvs:purpose=lambda-environment in ${region} without that alias, and schedule their deletion once nothing uses them.`,
      },
    ],
    notes: [
      `One key per account and region (${region}); its policy names each execution role that must decrypt, and keeps KMS's default statement so the account's IAM policies still govern it.`,
      `Safe to re-run: lvs fix --apply first looks up ${KEY_ALIAS} in ${region} (kms:DescribeKey). A key a previous, interrupted run created is reused (CreateKey and CreateAlias skipped; its key policy is merged, never replaced, and rotation turned on); an alias naming a disabled key, or one pending deletion, stops the run before any change.`,
    ],
  });
  const functionSteps = findings.flatMap((finding) => {
    const fn = entryOf(index, finding.functionArn)?.fn;
    if (fn === undefined) return [];
    return [
      makeStep({
        id: `LVS009:${fn.functionArn}`,
        kind: 'automated',
        title: `Encrypt the environment of ${fn.functionName} with the new customer-managed key`,
        service: 'lambda',
        region,
        resourceArn: fn.functionArn,
        findings: [finding],
        api: [
          {
            service: 'lambda',
            operation: 'UpdateFunctionConfiguration',
            region,
            params: { FunctionName: fn.functionArn, KMSKeyArn: keyRef },
            purpose: `set KMSKeyArn of ${fn.functionName}`,
          },
        ],
        preconditions: [
          `the key policy lets ${fn.role} decrypt (step ${keyStepId})`,
          'the principal running the fix may call kms:Encrypt and kms:CreateGrant on the key',
          `${fn.functionName} has no update in progress (wait for LastUpdateStatus Successful between configuration updates)`,
          ...(fn.environmentError !== null
            ? [
                `Lambda can decrypt the current environment of ${fn.functionName} again (it answered ${fn.environmentError.errorCode} when lvs read it)`,
              ]
            : []),
        ],
        risks: [
          {
            kind: 'availability',
            detail: `If ${fn.role} cannot decrypt with the key, ${fn.functionName} fails to start (KMSAccessDeniedException).`,
            resources: [fn.functionArn],
            principals: [fn.role],
          },
          ...(fn.environmentError !== null ? [unreadableEnvironmentRisk(fn, fn.environmentError)] : []),
        ],
        dependsOn: [keyStepId],
        notes:
          fn.kmsKeyArn !== null
            ? [`Replaces the AWS managed key ${fn.kmsKeyArn}.`]
            : ['Replaces the AWS managed key aws/lambda.'],
      }),
    ];
  });
  return [keyStep, ...functionSteps];
}

function planExistingKey(keyArn: string, findings: Finding[], ctx: PlanContext): Step[] {
  const key = ctx.index.kmsKey(keyArn);
  if (!key.ok) return [];
  const region = keyArn.split(':')[3] ?? findings[0]?.region ?? null;
  const api: ApiCall[] = [];
  const state = key.value.keyState;
  const names = listText(uniqueSorted(findings.map((f) => f.functionName)));
  if (PENDING_DELETION.has(state)) {
    api.push(
      {
        service: 'kms',
        operation: 'CancelKeyDeletion',
        region,
        params: { KeyId: keyArn },
        purpose: 'cancel the scheduled deletion (the key is left Disabled)',
      },
      {
        service: 'kms',
        operation: 'EnableKey',
        region,
        params: { KeyId: keyArn },
        purpose: 'enable the key',
      },
    );
  } else if (state === 'Disabled') {
    api.push({
      service: 'kms',
      operation: 'EnableKey',
      region,
      params: { KeyId: keyArn },
      purpose: 'enable the key',
    });
  } else if (state !== 'Enabled') {
    return [
      makeStep({
        id: `LVS009:${keyArn}`,
        kind: 'manual',
        title: `Bring KMS key ${key.value.keyId} (${state}) back to Enabled`,
        service: 'kms',
        region,
        resourceArn: keyArn,
        findings,
        template: [
          `# The key is ${state}: lvs cannot enable it with one call. Inspect it:`,
          `aws kms describe-key --region ${region ?? 'REGION'} --key-id ${keyArn}`,
          '# PendingImport: import the key material (aws kms import-key-material); Unavailable: reconnect the custom key store.',
        ].join('\n'),
      }),
    ];
  }
  if (key.value.rotationEnabled.status === 'ok' && !key.value.rotationEnabled.value) {
    api.push({
      service: 'kms',
      operation: 'EnableKeyRotation',
      region,
      params: { KeyId: keyArn },
      purpose: 'rotate the key material automatically',
    });
  }
  if (api.length === 0) return [];
  return [
    makeStep({
      id: `LVS009:${keyArn}`,
      kind: 'automated',
      title: `Repair KMS key ${key.value.keyId} (${[state !== 'Enabled' ? `${state} -> Enabled` : '', api.some((c) => c.operation === 'EnableKeyRotation') ? 'rotation on' : ''].filter(Boolean).join(', ')})`,
      service: 'kms',
      region,
      resourceArn: keyArn,
      findings,
      api,
      preconditions: [
        `the key is still ${state}`,
        `the key policy still lets the execution roles of ${names} decrypt`,
      ],
      risks: PENDING_DELETION.has(state)
        ? [
            {
              kind: 'availability',
              detail: `The key was scheduled for deletion on purpose or by mistake: check with its owner before keeping it. ${names} cannot start while it stays unusable.`,
            },
          ]
        : [],
    }),
  ];
}

export const planner: Planner = {
  ruleId: 'LVS009',
  plan(findings, ctx) {
    const fresh = findings.filter((f) => needsNewKey(ctx.index, f));
    const repair = findings.filter((f) => !fresh.includes(f) && f.resourceArn !== f.functionArn);
    return [
      ...groupBy(fresh, (f) => f.region).flatMap(([region, group]) => planNewKey(region, group, ctx)),
      ...groupBy(repair, (f) => f.resourceArn).flatMap(([arn, group]) => planExistingKey(arn, group, ctx)),
    ];
  },
};

/** The key policy of a planned key, parsed (for tests and renderers). */
export function keyPolicyOf(step: Step): PolicyJson | undefined {
  const call = step.api.find((c) => c.operation === 'PutKeyPolicy');
  const read = typeof call?.params.Policy === 'string' ? readPolicy(call.params.Policy) : undefined;
  return read?.ok === true ? read.policy : undefined;
}
