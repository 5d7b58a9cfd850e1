import { createHash } from 'node:crypto';
import type { Fetched } from '../../../src/snapshot/fetched.js';
import type { IamRole, ManagedPolicy } from '../../../src/snapshot/schema.js';
import { statusOfCode } from '../state.js';
import { AwsError, type EmulatorState } from '../types.js';
import type { XmlValue } from '../wire.js';

/**
 * The account's IAM as IAM shows it, built from the snapshot. The snapshot keeps only what lvs
 * judges (names, ARNs, documents), so what IAM also answers (IDs, paths, dates, counts) is derived
 * from it, deterministically, so that two runs over one snapshot answer the same bytes.
 */

/** HTTP status IAM uses with an error code (its model's httpError, else the shared table). */
const IAM_STATUS: Record<string, number> = {
  NoSuchEntity: 404,
  EntityAlreadyExists: 409,
  LimitExceeded: 409,
  ServiceFailure: 500,
};

export function iamError(code: string, message: string): AwsError {
  return new AwsError(code, IAM_STATUS[code] ?? statusOfCode(code), message);
}

/** IAM's "1 validation error detected" answer, worded as IAM words it (member names in lowerCamel). */
export function validationError(member: string, constraint: string, value: string | null): AwsError {
  const shown = value === null ? 'null' : `'${value}'`;
  const name = member.charAt(0).toLowerCase() + member.slice(1);
  return iamError(
    'ValidationError',
    `1 validation error detected: Value ${shown} at '${name}' failed to satisfy constraint: ${constraint}`,
  );
}

/** IAM returns every policy document URL-encoded (RFC 3986, as encodeURIComponent does). */
export const encodeDocument = (document: string): string => encodeURIComponent(document);

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A unique ID of IAM's shape (AROA… for roles, ANPA… for policies), stable for a given ARN. */
export function uniqueId(prefix: string, arn: string): string {
  const digest = createHash('sha256').update(arn).digest();
  return prefix + [...digest.subarray(0, 17)].map((b) => BASE32[b % 32] ?? 'A').join('');
}

/** "/" for `role/name`, "/service-role/" for `role/service-role/name`, as IAM answers Path. */
export function pathOf(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  const parts = resource.split('/');
  return parts.length <= 2 ? '/' : `/${parts.slice(1, -1).join('/')}/`;
}

/** The name at the end of an IAM ARN, whatever its path. */
export const nameOf = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

/** Creation dates IAM would show: a day before the snapshot was taken (the snapshot has none). */
export function createDateOf(state: EmulatorState): string {
  return new Date(Date.parse(state.snapshot.generatedAt) - 86_400_000).toISOString().replace('.000Z', 'Z');
}

const LAMBDA_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** The reads of one role, each of which a snapshot error may name as the one that failed. */
const ROLE_READS = new Set(['GetRole', 'ListRolePolicies', 'ListAttachedRolePolicies', 'GetRolePolicy']);
const POLICY_READS = new Set(['GetPolicy', 'GetPolicyVersion']);

function recorded(fetched: Extract<Fetched<unknown>, { status: 'error' }>): AwsError {
  return iamError(fetched.error.code, fetched.error.message);
}

export interface FoundRole {
  arn: string;
  role: IamRole;
}

/**
 * The role named `roleName` (IAM names are case-insensitive) as `operation` sees it. A role whose
 * read failed answers that error on the read the snapshot names, and only there: the other reads
 * answer a stand-in (no policies), so that lvs records the same failed read again, whichever
 * of its parallel reads completes first. Any other failure is answered on every read.
 */
export function findRole(state: EmulatorState, roleName: string, operation: string): FoundRole {
  const wanted = roleName.toLowerCase();
  const entry = Object.entries(state.snapshot.iam.roles).find(
    ([arn]) => nameOf(arn).toLowerCase() === wanted,
  );
  if (entry === undefined || entry[1].status === 'absent')
    throw iamError('NoSuchEntity', `The role with name ${roleName} cannot be found.`);
  const [arn, fetched] = entry;
  if (fetched.status === 'ok') return { arn, role: fetched.value };
  const failedRead = fetched.error.operation;
  if (failedRead === operation || !ROLE_READS.has(failedRead) || !ROLE_READS.has(operation))
    throw recorded(fetched);
  const resource = fetched.error.resource ?? '';
  const inline = resource.includes('/inline/') ? resource.slice(resource.indexOf('/inline/') + 8) : undefined;
  return {
    arn,
    role: {
      roleName: nameOf(arn),
      roleArn: arn,
      assumeRolePolicyDocument: LAMBDA_TRUST,
      inlinePolicies: inline === undefined ? [] : [{ policyName: inline, document: '{}' }],
      attachedPolicies: [],
    },
  };
}

/** The managed policy at `policyArn` as `operation` sees it (see findRole for failed reads). */
export function findPolicy(state: EmulatorState, policyArn: string, operation: string): ManagedPolicy {
  const fetched = state.snapshot.iam.managedPolicies[policyArn];
  if (fetched === undefined || fetched.status === 'absent')
    throw iamError('NoSuchEntity', `Policy ${policyArn} does not exist or is not attachable.`);
  if (fetched.status === 'ok') return fetched.value;
  if (fetched.error.operation === operation || !POLICY_READS.has(fetched.error.operation))
    throw recorded(fetched);
  return {
    policyName: nameOf(policyArn),
    policyArn,
    defaultVersionId: 'v1',
    document: '{"Version":"2012-10-17","Statement":[]}',
  };
}

/** Roles of the snapshot that exist and were read, by name as IAM lists them. */
export function readableRoles(state: EmulatorState): IamRole[] {
  return Object.values(state.snapshot.iam.roles)
    .flatMap((f) => (f.status === 'ok' ? [f.value] : []))
    .sort((a, b) => a.roleName.localeCompare(b.roleName));
}

export const isAwsManaged = (policyArn: string): boolean => /^arn:[^:]+:iam::aws:policy\//.test(policyArn);

/** Roles of the account that attach the policy (what IAM counts as AttachmentCount). */
export function attachmentCount(state: EmulatorState, policyArn: string): number {
  return readableRoles(state).filter((r) => r.attachedPolicies.some((p) => p.policyArn === policyArn)).length;
}

/**
 * Versions IAM keeps of a policy, newest first: the default one of the snapshot and up to four
 * earlier ones (IAM's limit is five). The snapshot does not know earlier documents; they are
 * answered as empty policies, so that a reader taking the wrong version sees a different document.
 */
export function versionsOf(
  policy: ManagedPolicy,
): Array<{ versionId: string; document: string; isDefault: boolean }> {
  const match = /^v(\d+)$/.exec(policy.defaultVersionId);
  const latest = match === null ? 1 : Number(match[1]);
  const versions = [{ versionId: policy.defaultVersionId, document: policy.document, isDefault: true }];
  for (let n = latest - 1; n >= Math.max(1, latest - 4) && match !== null; n--)
    versions.push({
      versionId: `v${n}`,
      document: '{"Version":"2012-10-17","Statement":[]}',
      isDefault: false,
    });
  return versions;
}

/** iam:GetRole's Role. */
export function roleShape(state: EmulatorState, role: IamRole): XmlValue {
  return {
    Path: pathOf(role.roleArn),
    RoleName: role.roleName,
    RoleId: uniqueId('AROA', role.roleArn),
    Arn: role.roleArn,
    CreateDate: createDateOf(state),
    AssumeRolePolicyDocument: encodeDocument(role.assumeRolePolicyDocument),
    MaxSessionDuration: 3600,
    RoleLastUsed: {},
  };
}

/** iam:GetPolicy's Policy. */
export function policyShape(state: EmulatorState, policy: ManagedPolicy): { [key: string]: XmlValue } {
  return {
    PolicyName: policy.policyName,
    PolicyId: uniqueId('ANPA', policy.policyArn),
    Arn: policy.policyArn,
    Path: pathOf(policy.policyArn),
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: attachmentCount(state, policy.policyArn),
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    CreateDate: createDateOf(state),
    UpdateDate: createDateOf(state),
  };
}

/** A RoleDetail of GetAccountAuthorizationDetails: the role with its inline and attached policies. */
export function roleDetailShape(state: EmulatorState, role: IamRole): XmlValue {
  return {
    Path: pathOf(role.roleArn),
    RoleName: role.roleName,
    RoleId: uniqueId('AROA', role.roleArn),
    Arn: role.roleArn,
    CreateDate: createDateOf(state),
    AssumeRolePolicyDocument: encodeDocument(role.assumeRolePolicyDocument),
    InstanceProfileList: [],
    RolePolicyList: role.inlinePolicies.map((p) => ({
      PolicyName: p.policyName,
      PolicyDocument: encodeDocument(p.document),
    })),
    AttachedManagedPolicies: role.attachedPolicies.map((p) => ({
      PolicyName: p.policyName,
      PolicyArn: p.policyArn,
    })),
    Tags: [],
    RoleLastUsed: {},
  };
}

/** A ManagedPolicyDetail of GetAccountAuthorizationDetails: the policy with every version it keeps. */
export function policyDetailShape(state: EmulatorState, policy: ManagedPolicy): XmlValue {
  return {
    ...policyShape(state, policy),
    PolicyVersionList: versionsOf(policy).map((v) => ({
      Document: encodeDocument(v.document),
      VersionId: v.versionId,
      IsDefaultVersion: v.isDefault,
      CreateDate: createDateOf(state),
    })),
  };
}

/**
 * iam:GetAccountSummary's SummaryMap: the account's counts from the snapshot, IAM's default quotas
 * otherwise. lvs reads Roles, Policies and PolicyVersionsInUse to choose how to read IAM.
 */
export function summaryMap(state: EmulatorState): Array<[string, number]> {
  const roles = Object.values(state.snapshot.iam.roles).filter((f) => f.status !== 'absent').length;
  const policies = Object.entries(state.snapshot.iam.managedPolicies).filter(
    ([arn, f]) => f.status !== 'absent' && !isAwsManaged(arn),
  ).length;
  const attached = new Set(readableRoles(state).flatMap((r) => r.attachedPolicies.map((p) => p.policyArn)));
  return [
    ['AccessKeysPerUserQuota', 2],
    ['AccountAccessKeysPresent', 0],
    ['AccountMFAEnabled', 1],
    ['AccountSigningCertificatesPresent', 0],
    ['AssumeRolePolicySizeQuota', 2048],
    ['AttachedPoliciesPerGroupQuota', 10],
    ['AttachedPoliciesPerRoleQuota', 10],
    ['AttachedPoliciesPerUserQuota', 10],
    ['GlobalEndpointTokenVersion', 1],
    ['GroupPolicySizeQuota', 5120],
    ['Groups', 0],
    ['GroupsPerUserQuota', 10],
    ['GroupsQuota', 300],
    ['InstanceProfiles', 0],
    ['InstanceProfilesQuota', 1000],
    ['MFADevices', 0],
    ['MFADevicesInUse', 0],
    ['Policies', policies],
    ['PoliciesQuota', 1500],
    ['PolicySizeQuota', 6144],
    ['PolicyVersionsInUse', attached.size],
    ['PolicyVersionsInUseQuota', 10000],
    ['Providers', 0],
    ['RolePolicySizeQuota', 10240],
    ['Roles', roles],
    ['RolesQuota', 1000],
    ['ServerCertificates', 0],
    ['ServerCertificatesQuota', 20],
    ['SigningCertificatesPerUserQuota', 2],
    ['UserPolicySizeQuota', 2048],
    ['Users', 0],
    ['UsersQuota', 5000],
    ['VersionsPerPolicyQuota', 5],
  ];
}
