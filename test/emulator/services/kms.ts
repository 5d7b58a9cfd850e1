import type { KmsKey } from '../../../src/snapshot/schema.js';
import { notImplemented, type AwsError, type EmulatorState, type ServiceModule } from '../types.js';
import { jsonResponse } from '../wire.js';
import {
  aliasArnOf,
  aliasesOf,
  aliasKey,
  checkKeyPolicy,
  defaultKeyPolicy,
  extrasOf,
  findKey,
  keyArnOf,
  keyMetadata,
  kmsError,
  setExtras,
  validationException,
  type KeyExtras,
} from './kms-model.js';

/**
 * KMS over JSON 1.1: `X-Amz-Target: TrentService.<Op>` with a JSON body, JSON answers (timestamps
 * as epoch seconds), and errors as `{"__type": code, "message": …}`, all with status 400 but KMS's
 * internal faults. Reads answer from the snapshot's keys and state.keyPolicies; writes change them.
 * Aliases exist only once CreateAlias makes them (kms-model.ts aliasesOf).
 */

type Body = Record<string, unknown>;

interface Call {
  body: Body;
  region: string;
  state: EmulatorState;
}

const str = (body: Body, name: string): string | undefined =>
  typeof body[name] === 'string' ? body[name] : undefined;

function requiredStr(call: Call, name: string): string {
  const value = str(call.body, name);
  if (value === undefined) throw validationException(name, 'Member must not be null', null);
  return value;
}

const keyOf = (call: Call) => findKey(call.state, call.region, str(call.body, 'KeyId'));

const PENDING = new Set(['PendingDeletion', 'PendingReplicaDeletion']);

/**
 * The key a management write changes: a customer managed one (AWS managed keys are AWS's to
 * manage), not pending deletion (only CancelKeyDeletion may touch such a key).
 */
function managedKey(call: Call, operation: string): KmsKey {
  const key = keyOf(call);
  if (key.keyManager !== 'CUSTOMER')
    throw kmsError(
      'AccessDeniedException',
      `User: ${call.state.callerArn} is not authorized to perform: kms:${operation} on resource: ${key.keyArn} because no resource-based policy allows the kms:${operation} action`,
    );
  if (PENDING.has(key.keyState) && operation !== 'CancelKeyDeletion')
    throw kmsError('KMSInvalidStateException', `${key.keyArn} is pending deletion.`);
  return key;
}

/** DescribeKey, unlike the management operations, also takes an alias name or alias ARN. */
function describeKey(call: Call) {
  return {
    KeyMetadata: keyMetadata(call.state, findKey(call.state, call.region, str(call.body, 'KeyId'), true)),
  };
}

const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;

function aliasName(call: Call): string {
  const name = requiredStr(call, 'AliasName');
  if (!name.startsWith('alias/'))
    throw kmsError('InvalidAliasNameException', 'Alias must start with the prefix "alias/".');
  if (name.length > 256 || !ALIAS_NAME.test(name))
    throw validationException(
      'AliasName',
      'Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$',
      name,
    );
  return name;
}

/** An alias names a customer managed key of its region (not an alias, not one pending deletion). */
function createAlias(call: Call) {
  const name = aliasName(call);
  if (name.startsWith('alias/aws/'))
    throw kmsError(
      'InvalidAliasNameException',
      'Alias names starting with alias/aws/ are reserved for AWS managed keys.',
    );
  const target = requiredStr(call, 'TargetKeyId');
  const aliases = aliasesOf(call.state);
  if (aliases.has(aliasKey(call.region, name)))
    throw kmsError(
      'AlreadyExistsException',
      `An alias with the name ${aliasArnOf(call.state, call.region, name)} already exists`,
    );
  const key = managedKey({ ...call, body: { ...call.body, KeyId: target } }, 'CreateAlias');
  aliases.set(aliasKey(call.region, name), key.keyArn);
  return undefined;
}

function deleteAlias(call: Call) {
  const name = aliasName(call);
  const aliases = aliasesOf(call.state);
  if (!aliases.delete(aliasKey(call.region, name)))
    throw kmsError('NotFoundException', `Alias ${aliasArnOf(call.state, call.region, name)} is not found.`);
  return undefined;
}

function getKeyRotationStatus(call: Call) {
  const key = keyOf(call);
  const rotation = key.rotationEnabled;
  if (rotation.status === 'error') throw kmsError(rotation.error.code, rotation.error.message);
  const enabled = rotation.status === 'ok' && rotation.value;
  const extras = extrasOf(call.state, key);
  return {
    KeyRotationEnabled: enabled,
    KeyId: key.keyArn,
    ...(enabled
      ? {
          RotationPeriodInDays: extras.rotationPeriodInDays,
          NextRotationDate: extras.creationDate + extras.rotationPeriodInDays * 86_400,
        }
      : {}),
  };
}

function policyName(call: Call): string {
  const name = str(call.body, 'PolicyName') ?? 'default';
  if (!/^[\w]+$/.test(name))
    throw validationException('PolicyName', 'Member must satisfy regular expression pattern: [\\w]+', name);
  if (name !== 'default') throw kmsError('NotFoundException', `No such policy exists: ${name}`);
  return name;
}

function getKeyPolicy(call: Call) {
  const name = policyName(call);
  const key = keyOf(call);
  return { Policy: call.state.keyPolicies.get(key.keyArn) ?? defaultKeyPolicy(call.state), PolicyName: name };
}

function putKeyPolicy(call: Call) {
  const policy = requiredStr(call, 'Policy');
  policyName(call);
  const key = managedKey(call, 'PutKeyPolicy');
  checkKeyPolicy(call.state, policy, call.body.BypassPolicyLockoutSafetyCheck === true);
  call.state.keyPolicies.set(key.keyArn, policy);
  return undefined;
}

function enableKeyRotation(call: Call) {
  const period = call.body.RotationPeriodInDays;
  if (period !== undefined && (typeof period !== 'number' || period < 90 || period > 2560))
    throw validationException(
      'RotationPeriodInDays',
      'Member must have value between 90 and 2560',
      JSON.stringify(period),
    );
  const key = managedKey(call, 'EnableKeyRotation');
  const extras = extrasOf(call.state, key);
  if (key.keyState === 'Disabled') throw kmsError('DisabledException', `${key.keyArn} is disabled.`);
  if (key.keyState !== 'Enabled')
    throw kmsError('KMSInvalidStateException', `${key.keyArn} is ${key.keyState}.`);
  if (extras.keySpec !== 'SYMMETRIC_DEFAULT' || extras.origin !== 'AWS_KMS')
    throw kmsError(
      'UnsupportedOperationException',
      `${key.keyArn} origin is ${extras.origin} which is not valid for this operation.`,
    );
  if (typeof period === 'number') extras.rotationPeriodInDays = period;
  // A rotation status lvs was denied reading stays denied: the permission does not change with the key.
  if (key.rotationEnabled.status !== 'error') key.rotationEnabled = { status: 'ok', value: true };
  return undefined;
}

function disableKeyRotation(call: Call) {
  const key = managedKey(call, 'DisableKeyRotation');
  if (key.keyState === 'Disabled') throw kmsError('DisabledException', `${key.keyArn} is disabled.`);
  if (key.rotationEnabled.status !== 'error') key.rotationEnabled = { status: 'ok', value: false };
  return undefined;
}

function enableKey(call: Call) {
  const key = managedKey(call, 'EnableKey');
  if (key.keyState !== 'Enabled' && key.keyState !== 'Disabled')
    throw kmsError('KMSInvalidStateException', `${key.keyArn} is ${key.keyState}.`);
  key.keyState = 'Enabled';
  return undefined;
}

function disableKey(call: Call) {
  const key = managedKey(call, 'DisableKey');
  if (key.keyState !== 'Enabled' && key.keyState !== 'Disabled')
    throw kmsError('KMSInvalidStateException', `${key.keyArn} is ${key.keyState}.`);
  key.keyState = 'Disabled';
  return undefined;
}

/** As AWS does, a key whose deletion is cancelled is left Disabled. */
function cancelKeyDeletion(call: Call) {
  const key = managedKey(call, 'CancelKeyDeletion');
  if (key.keyState !== 'PendingDeletion')
    throw kmsError('KMSInvalidStateException', `${key.keyArn} is not pending deletion.`);
  key.keyState = 'Disabled';
  const extras = extrasOf(call.state, key);
  delete extras.deletionDate;
  delete extras.pendingWindowInDays;
  return { KeyId: key.keyArn };
}

function scheduleKeyDeletion(call: Call) {
  const days = call.body.PendingWindowInDays ?? 30;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 7 || days > 30)
    throw validationException(
      'PendingWindowInDays',
      'Member must have value between 7 and 30',
      JSON.stringify(days),
    );
  const key = managedKey(call, 'ScheduleKeyDeletion');
  const extras = extrasOf(call.state, key);
  key.keyState = 'PendingDeletion';
  extras.pendingWindowInDays = days;
  extras.deletionDate = Math.floor(Date.now() / 1000) + days * 86_400;
  return {
    KeyId: key.keyArn,
    DeletionDate: extras.deletionDate,
    KeyState: key.keyState,
    PendingWindowInDays: days,
  };
}

const KEY_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'SYMMETRIC_DEFAULT',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'SM2',
  'ML_DSA_44',
  'ML_DSA_65',
  'ML_DSA_87',
];
const KEY_USAGES = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'];
const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'];

function oneOf(call: Call, name: string, allowed: string[], fallback: string): string {
  const value = str(call.body, name) ?? fallback;
  if (!allowed.includes(value))
    throw validationException(name, `Member must satisfy enum value set: [${allowed.join(', ')}]`, value);
  return value;
}

function tagsOf(call: Call): KeyExtras['tags'] {
  const tags = call.body.Tags ?? [];
  if (!Array.isArray(tags)) throw kmsError('SerializationException', 'Tags must be a list');
  return tags.map((tag: unknown) => {
    const { TagKey, TagValue } = (tag ?? {}) as Record<string, unknown>;
    if (typeof TagKey !== 'string' || TagKey === '' || typeof TagValue !== 'string')
      throw kmsError('TagException', 'Tags must have a non-empty TagKey and a TagValue');
    if (TagKey.startsWith('aws:')) throw kmsError('TagException', 'Tags beginning with aws: are reserved');
    return { TagKey, TagValue };
  });
}

/** A UUID-shaped key ID from the emulator's counter, so that runs over one account name keys alike. */
function newKeyId(state: EmulatorState, multiRegion: boolean): string {
  const hex = state.nextId('').padStart(32, '0').slice(-32);
  if (multiRegion) return `mrk-${hex}`;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
}

function createKey(call: Call) {
  const { state } = call;
  const keySpec = oneOf(
    call,
    'KeySpec',
    KEY_SPECS,
    str(call.body, 'CustomerMasterKeySpec') ?? 'SYMMETRIC_DEFAULT',
  );
  const keyUsage = oneOf(call, 'KeyUsage', KEY_USAGES, 'ENCRYPT_DECRYPT');
  const origin = oneOf(call, 'Origin', ORIGINS, 'AWS_KMS');
  if (keySpec !== 'SYMMETRIC_DEFAULT') throw notImplemented('kms', `CreateKey with KeySpec ${keySpec}`);
  if (keyUsage !== 'ENCRYPT_DECRYPT')
    throw kmsError('ValidationException', `KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
  if (origin !== 'AWS_KMS' && origin !== 'EXTERNAL')
    throw notImplemented('kms', `CreateKey with Origin ${origin}`);
  const description = str(call.body, 'Description') ?? '';
  if (description.length > 8192)
    throw validationException(
      'Description',
      'Member must have length less than or equal to 8192',
      description,
    );
  const policy = str(call.body, 'Policy');
  if (policy !== undefined) checkKeyPolicy(state, policy, call.body.BypassPolicyLockoutSafetyCheck === true);
  const tags = tagsOf(call);
  const multiRegion = call.body.MultiRegion === true;
  const keyId = newKeyId(state, multiRegion);
  const keyArn = keyArnOf(state, call.region, keyId);
  const key: KmsKey = {
    keyId,
    keyArn,
    keyManager: 'CUSTOMER',
    // Key material of an EXTERNAL key is imported later: until then the key cannot be used.
    keyState: origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
    rotationEnabled: { status: 'ok', value: false },
  };
  state.snapshot.kms.keys[keyArn] = { status: 'ok', value: key };
  state.keyPolicies.set(keyArn, policy ?? defaultKeyPolicy(state));
  setExtras(state, keyArn, {
    description,
    creationDate: Date.now() / 1000,
    keyUsage,
    keySpec,
    origin,
    multiRegion,
    tags,
    rotationPeriodInDays: 365,
  });
  return { KeyMetadata: keyMetadata(state, key) };
}

const OPERATIONS: Record<string, (call: Call) => unknown> = {
  DescribeKey: describeKey,
  GetKeyRotationStatus: getKeyRotationStatus,
  GetKeyPolicy: getKeyPolicy,
  PutKeyPolicy: putKeyPolicy,
  EnableKeyRotation: enableKeyRotation,
  DisableKeyRotation: disableKeyRotation,
  EnableKey: enableKey,
  DisableKey: disableKey,
  CancelKeyDeletion: cancelKeyDeletion,
  ScheduleKeyDeletion: scheduleKeyDeletion,
  CreateKey: createKey,
  CreateAlias: createAlias,
  DeleteAlias: deleteAlias,
};

function parseBody(text: string): Body {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw kmsError('SerializationException', 'Start of structure or map found where not expected.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw kmsError('SerializationException', 'Start of structure or map found where not expected.');
  return parsed as Body;
}

export const kmsService: ServiceModule = {
  operationOf: (req) => {
    const target = req.headers['x-amz-target'] ?? '';
    return target.startsWith('TrentService.') ? target.slice('TrentService.'.length) : undefined;
  },
  handle: (operation, req, state) => {
    const handler = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
    if (handler === undefined) throw notImplemented('kms', operation);
    const answer = handler({ body: parseBody(req.body), region: req.region, state });
    // Operations without output answer an empty body, as KMS does.
    return jsonResponse(200, answer);
  },
  errorResponse: (error: AwsError) =>
    jsonResponse(error.status, { __type: error.code, message: error.message }),
};
