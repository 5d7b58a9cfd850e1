import { redactEnvironment } from '../../../src/snapshot/redact.js';
import type { LambdaFunction } from '../../../src/snapshot/schema.js';
import { regionOf } from '../state.js';
import { AwsError, notImplemented, type EmulatorState } from '../types.js';
import { checkRevision, metaOf, touch, validation } from './lambda-functions.js';

/**
 * UpdateFunctionConfiguration. Every member is checked before anything changes, as Lambda answers
 * a bad request without a partial update; the update then completes at once (LastUpdateStatus
 * Successful), so the executor's wait for the function never has to poll.
 */

type Body = Record<string, unknown>;

/** Members the snapshot cannot hold: updating them is an emulator gap, not a silent no-op. */
const NOT_EMULATED = [
  'Layers',
  'DeadLetterConfig',
  'FileSystemConfigs',
  'ImageConfig',
  'EphemeralStorage',
  'SnapStart',
  'LoggingConfig',
  'CapacityProviderConfig',
  'DurableConfig',
];

const KMS_KEY_ARN = /^arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*$/;

function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterValueException', 400, message);
}

function checkKey(state: EmulatorState, keyArn: string): void {
  if (!KMS_KEY_ARN.test(keyArn)) {
    throw validation(
      `1 validation error detected: Value '${keyArn}' at 'kMSKeyArn' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()`,
    );
  }
  // Lambda creates a grant on the key right away; a key the account knows to be unusable fails it.
  const key = state.snapshot.kms.keys[keyArn];
  if (key?.status === 'ok' && key.value.keyState !== 'Enabled') {
    const kmsCode = key.value.keyState === 'Disabled' ? 'DisabledException' : 'KMSInvalidStateException';
    throw invalidParameter(
      `Lambda was unable to configure access to your environment variables because the KMS key is invalid for CreateGrant. Please check your KMS key settings. KMS Exception: ${kmsCode} KMS Message: ${keyArn} is ${key.value.keyState.toLowerCase()}.`,
    );
  }
}

function stringList(value: unknown, member: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw validation(`1 validation error detected: Value at '${member}' must be a list of strings`);
  }
  return value as string[];
}

/** VpcConfig -> the snapshot's vpcConfig, checked against the region's subnets and groups as Lambda checks them with EC2. */
function vpcConfigOf(state: EmulatorState, region: string, value: unknown): LambdaFunction['vpcConfig'] {
  const body = (value ?? {}) as Body;
  const subnetIds = stringList(body.SubnetIds, 'vpcConfig.subnetIds');
  const securityGroupIds = stringList(body.SecurityGroupIds, 'vpcConfig.securityGroupIds');
  if (subnetIds.length === 0 && securityGroupIds.length === 0) {
    return { vpcId: '', subnetIds: [], securityGroupIds: [] };
  }
  if (subnetIds.length === 0 || securityGroupIds.length === 0) {
    throw invalidParameter('SubnetIds and SecurityGroupIds must coexist or be both empty list.');
  }
  const where = regionOf(state, region);
  const subnets = where.subnets.status === 'ok' ? where.subnets.value : [];
  const groups = where.securityGroups.status === 'ok' ? where.securityGroups.value : [];
  const vpcIds = new Set<string>();
  for (const id of subnetIds) {
    const subnet = subnets.find((s) => s.subnetId === id);
    if (subnet === undefined) {
      throw invalidParameter(
        `Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. EC2 Error Message: The subnet ID '${id}' does not exist`,
      );
    }
    vpcIds.add(subnet.vpcId);
  }
  for (const id of securityGroupIds) {
    const group = groups.find((g) => g.groupId === id);
    if (group === undefined) {
      throw invalidParameter(
        `Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. EC2 Error Message: The security group '${id}' does not exist`,
      );
    }
    vpcIds.add(group.vpcId);
  }
  if (vpcIds.size > 1) throw invalidParameter('Security Groups and Subnets must belong to the same VPC.');
  return { vpcId: [...vpcIds][0] ?? '', subnetIds, securityGroupIds };
}

function environmentOf(value: unknown): Record<string, string> {
  const variables = ((value ?? {}) as Body).Variables ?? {};
  if (typeof variables !== 'object' || variables === null) {
    throw validation('1 validation error detected: Value at environment.variables must be a map');
  }
  const entries = Object.entries(variables as Body);
  if (entries.some(([, v]) => typeof v !== 'string')) {
    throw validation('1 validation error detected: environment variable values must be strings');
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

export function updateConfiguration(
  state: EmulatorState,
  region: string,
  fn: LambdaFunction,
  body: Body,
): void {
  const unsupported = NOT_EMULATED.filter((key) => body[key] !== undefined);
  if (unsupported.length > 0) {
    throw notImplemented('lambda', `UpdateFunctionConfiguration (${unsupported.join(', ')})`);
  }
  checkRevision(state, fn, body.RevisionId);
  const changes: (() => void)[] = [];
  if (body.KMSKeyArn !== undefined) {
    if (typeof body.KMSKeyArn !== 'string') throw validation('KMSKeyArn must be a string');
    const keyArn = body.KMSKeyArn;
    // "" puts the environment back under the AWS managed key aws/lambda, which Lambda then omits.
    if (keyArn !== '') checkKey(state, keyArn);
    changes.push(() => (fn.kmsKeyArn = keyArn === '' ? null : keyArn));
  }
  if (body.TracingConfig !== undefined) {
    const mode = (body.TracingConfig as Body | null)?.Mode;
    if (mode !== 'Active' && mode !== 'PassThrough') {
      throw validation(
        `1 validation error detected: Value '${String(mode)}' at 'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: [Active, PassThrough]`,
      );
    }
    changes.push(() => (fn.tracingMode = mode));
  }
  if (body.VpcConfig !== undefined) {
    const vpcConfig = vpcConfigOf(state, region, body.VpcConfig);
    changes.push(() => (fn.vpcConfig = vpcConfig));
  }
  if (body.Environment !== undefined) {
    const variables = environmentOf(body.Environment);
    const names = state.snapshot.s3.bucketNames;
    const bucketNames = new Set(names.status === 'ok' ? names.value : []);
    changes.push(() => {
      state.environments.set(fn.functionArn, variables);
      fn.environment = redactEnvironment(variables, bucketNames);
      // New variables are encrypted afresh: whatever kept Lambda from decrypting the old ones is gone.
      fn.environmentError = null;
    });
  }
  if (body.Role !== undefined) {
    if (typeof body.Role !== 'string' || !/^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/.+$/.test(body.Role)) {
      throw validation(
        `1 validation error detected: Value '${JSON.stringify(body.Role)}' at 'role' failed to satisfy constraint`,
      );
    }
    const role = body.Role;
    changes.push(() => (fn.role = role));
  }
  if (body.Runtime !== undefined) {
    if (typeof body.Runtime !== 'string') throw validation('Runtime must be a string');
    const runtime = body.Runtime;
    changes.push(() => (fn.runtime = runtime));
  }
  const meta = metaOf(state, fn);
  for (const [key, member] of [
    ['Timeout', 'timeout'],
    ['MemorySize', 'memorySize'],
  ] as const) {
    const value = body[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw validation(`${key} must be an integer`);
    changes.push(() => (meta[member] = value));
  }
  for (const [key, member] of [
    ['Description', 'description'],
    ['Handler', 'handler'],
  ] as const) {
    const value = body[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw validation(`${key} must be a string`);
    changes.push(() => (meta[member] = value));
  }
  for (const change of changes) change();
  touch(state, fn);
}
