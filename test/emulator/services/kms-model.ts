import type { KmsKey } from '../../../src/snapshot/schema.js';
import { AwsError, type EmulatorState } from '../types.js';

/**
 * The account's KMS keys as KMS shows them. The snapshot keeps what lvs judges of a key (manager,
 * state, rotation); what else DescribeKey answers (description, dates, spec, tags) is kept here, per
 * emulator state, with defaults for the snapshot's keys.
 */

/** KMS answers client errors with 400, AccessDeniedException included; only its own faults are 5xx. */
const KMS_STATUS: Record<string, number> = {
  KMSInternalException: 500,
  InternalError: 500,
  DependencyTimeoutException: 503,
  ServiceUnavailable: 503,
};

export function kmsError(code: string, message: string): AwsError {
  return new AwsError(code, KMS_STATUS[code] ?? 400, message);
}

export function validationException(member: string, constraint: string, value: string | null): AwsError {
  const shown = value === null ? 'null' : `'${value}'`;
  const name = member.charAt(0).toLowerCase() + member.slice(1);
  return kmsError(
    'ValidationException',
    `1 validation error detected: Value ${shown} at '${name}' failed to satisfy constraint: ${constraint}`,
  );
}

export interface KeyExtras {
  description: string;
  /** Epoch seconds, as KMS's JSON carries timestamps. */
  creationDate: number;
  keyUsage: string;
  keySpec: string;
  origin: 'AWS_KMS' | 'EXTERNAL';
  multiRegion: boolean;
  tags: Array<{ TagKey: string; TagValue: string }>;
  rotationPeriodInDays: number;
  deletionDate?: number;
  pendingWindowInDays?: number;
}

const EXTRAS = new WeakMap<EmulatorState, Map<string, KeyExtras>>();

const snapshotSeconds = (state: EmulatorState) => Math.floor(Date.parse(state.snapshot.generatedAt) / 1000);

/** What KMS knows of a key beyond the snapshot; a snapshot key gets KMS's defaults on first use. */
export function extrasOf(state: EmulatorState, key: KmsKey): KeyExtras {
  let byArn = EXTRAS.get(state);
  if (byArn === undefined) {
    byArn = new Map();
    EXTRAS.set(state, byArn);
  }
  let extras = byArn.get(key.keyArn);
  if (extras === undefined) {
    const created = snapshotSeconds(state) - 86_400;
    extras = {
      description:
        key.keyManager === 'AWS'
          ? 'Default key that protects my Lambda functions when no other key is defined'
          : '',
      creationDate: created,
      keyUsage: 'ENCRYPT_DECRYPT',
      keySpec: 'SYMMETRIC_DEFAULT',
      origin: 'AWS_KMS',
      multiRegion: key.keyId.startsWith('mrk-'),
      tags: [],
      rotationPeriodInDays: 365,
      // A key the snapshot found pending deletion is deleted at the end of KMS's default window.
      ...(key.keyState === 'PendingDeletion'
        ? { deletionDate: snapshotSeconds(state) + 30 * 86_400, pendingWindowInDays: 30 }
        : {}),
    };
    byArn.set(key.keyArn, extras);
  }
  return extras;
}

export function setExtras(state: EmulatorState, arn: string, extras: KeyExtras): void {
  if (!EXTRAS.has(state)) EXTRAS.set(state, new Map());
  EXTRAS.get(state)?.set(arn, extras);
}

const KEY_ID = /^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * Aliases, per emulator state: "region alias/name" -> ARN of the key it names. The snapshot has
 * none (lvs does not collect aliases), so only CreateAlias makes them.
 */
const ALIASES = new WeakMap<EmulatorState, Map<string, string>>();

export function aliasesOf(state: EmulatorState): Map<string, string> {
  let aliases = ALIASES.get(state);
  if (aliases === undefined) {
    aliases = new Map();
    ALIASES.set(state, aliases);
  }
  return aliases;
}

export const aliasKey = (region: string, name: string) => `${region} ${name}`;

export const aliasArnOf = (state: EmulatorState, region: string, name: string) =>
  `arn:${state.snapshot.partition}:kms:${region}:${state.snapshot.accountId}:${name}`;

export const keyArnOf = (state: EmulatorState, region: string, keyId: string) =>
  `arn:${state.snapshot.partition}:kms:${region}:${state.snapshot.accountId}:key/${keyId}`;

/**
 * The key a KeyId parameter names: a key ID or key ARN of the request's region (a key lives in one
 * region), or, where the operation accepts one (`aliases`: DescribeKey), an alias name or alias ARN
 * of that region that CreateAlias made. A key whose read failed in the snapshot answers that
 * error; one found absent does not exist.
 */
export function findKey(
  state: EmulatorState,
  region: string,
  keyIdParam: string | undefined,
  aliases = false,
): KmsKey {
  if (keyIdParam === undefined || keyIdParam === '')
    throw validationException('KeyId', 'Member must not be null', null);
  let arn: string;
  const byAlias = (name: string, shown: string): string => {
    const target = aliases ? aliasesOf(state).get(aliasKey(region, name)) : undefined;
    if (target === undefined) throw kmsError('NotFoundException', `Alias ${shown} is not found.`);
    return target;
  };
  if (keyIdParam.startsWith('arn:')) {
    const [, , service, arnRegion, , ...rest] = keyIdParam.split(':');
    const resource = rest.join(':');
    if (service !== 'kms' || !/^(key|alias)\//.test(resource))
      throw kmsError('NotFoundException', `Invalid arn ${keyIdParam}`);
    if (resource.startsWith('alias/')) {
      // An alias lives in one region, like its key.
      if (arnRegion !== region) throw kmsError('NotFoundException', `Alias ${keyIdParam} is not found.`);
      arn = byAlias(resource, keyIdParam);
    } else {
      if (arnRegion !== region) throw kmsError('NotFoundException', `Invalid arn ${arnRegion ?? ''}`);
      arn = keyIdParam;
    }
  } else if (keyIdParam.startsWith('alias/')) {
    arn = byAlias(keyIdParam, aliasArnOf(state, region, keyIdParam));
  } else {
    if (!KEY_ID.test(keyIdParam)) throw kmsError('NotFoundException', `Invalid keyId ${keyIdParam}`);
    arn = keyArnOf(state, region, keyIdParam);
  }
  const fetched = state.snapshot.kms.keys[arn];
  if (fetched === undefined || fetched.status === 'absent')
    throw kmsError('NotFoundException', `Key '${arn}' does not exist`);
  if (fetched.status === 'error') throw kmsError(fetched.error.code, fetched.error.message);
  return fetched.value;
}

/** DescribeKey's KeyMetadata. */
export function keyMetadata(state: EmulatorState, key: KmsKey): Record<string, unknown> {
  const extras = extrasOf(state, key);
  const symmetric = extras.keySpec === 'SYMMETRIC_DEFAULT';
  return {
    AWSAccountId: state.snapshot.accountId,
    KeyId: key.keyId,
    Arn: key.keyArn,
    CreationDate: extras.creationDate,
    Enabled: key.keyState === 'Enabled',
    Description: extras.description,
    KeyUsage: extras.keyUsage,
    KeyState: key.keyState,
    ...(key.keyState === 'PendingDeletion'
      ? { DeletionDate: extras.deletionDate, PendingDeletionWindowInDays: extras.pendingWindowInDays }
      : {}),
    Origin: extras.origin,
    KeyManager: key.keyManager,
    CustomerMasterKeySpec: extras.keySpec,
    KeySpec: extras.keySpec,
    ...(symmetric ? { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] } : {}),
    MultiRegion: extras.multiRegion,
    ...(extras.multiRegion
      ? {
          MultiRegionConfiguration: {
            MultiRegionKeyType: 'PRIMARY',
            PrimaryKey: { Arn: key.keyArn, Region: key.keyArn.split(':')[3] },
            ReplicaKeys: [],
          },
        }
      : {}),
  };
}

/** The key policy KMS gives a key created without one. */
export function defaultKeyPolicy(state: EmulatorState): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:${state.snapshot.partition}:iam::${state.snapshot.accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });
}

const asList = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

function awsPrincipals(principal: unknown): string[] {
  if (principal === '*') return ['*'];
  if (typeof principal !== 'object' || principal === null) return [];
  return asList((principal as Record<string, unknown>).AWS).filter((p): p is string => typeof p === 'string');
}

const malformed = (message: string) => kmsError('MalformedPolicyDocumentException', message);

/**
 * The checks KMS makes of a key policy (CreateKey, PutKeyPolicy): valid JSON with statements, no
 * principal that does not exist (a role the snapshot found absent), and, unless bypassed, the
 * lockout safety check: the caller must still be able to change the policy afterwards (the
 * account root, which delegates to IAM, counts as allowing it).
 */
export function checkKeyPolicy(state: EmulatorState, text: string, bypassLockoutCheck: boolean): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw malformed('The new key policy is not valid JSON.');
  }
  const statements = asList((parsed as Record<string, unknown> | null)?.Statement);
  if (statements.length === 0 || statements.some((s) => typeof s !== 'object' || s === null))
    throw malformed('Policy contains a statement with no valid statements.');
  const account = state.snapshot.accountId;
  const root = `arn:${state.snapshot.partition}:iam::${account}:root`;
  let lockoutSafe = false;
  for (const statement of statements as Array<Record<string, unknown>>) {
    const principals = awsPrincipals(statement.Principal);
    for (const principal of principals) {
      if (state.snapshot.iam.roles[principal]?.status === 'absent')
        throw malformed('Policy contains a statement with one or more invalid principals.');
    }
    const allowsCaller = principals.some(
      (p) => p === '*' || p === root || p === account || p === state.callerArn,
    );
    const actions = asList(statement.Action).filter((a): a is string => typeof a === 'string');
    const allowsPut = actions.some((a) => ['*', 'kms:*', 'kms:putkeypolicy'].includes(a.toLowerCase()));
    if (statement.Effect === 'Allow' && allowsCaller && allowsPut) lockoutSafe = true;
  }
  if (!bypassLockoutCheck && !lockoutSafe)
    throw malformed('The new key policy will not allow you to update the key policy in the future.');
}
