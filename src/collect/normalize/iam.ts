import type {
  AttachedPolicy,
  ManagedPolicyDetail,
  Policy,
  PolicyVersion,
  Role,
  RoleDetail,
} from '@aws-sdk/client-iam';
import {
  iamRoleSchema,
  managedPolicySchema,
  type IamRole,
  type ManagedPolicy,
} from '../../snapshot/schema.js';
import { conform, required, UnexpectedResponseError } from './common.js';

/**
 * IAM returns policy documents URL-encoded (RFC 3986): decode before anything parses them. An
 * AWS-compatible emulator may return them already decoded; JSON text starts with "{" and is kept.
 * A document that is not valid percent-encoding is kept as is: the rules report it as invalid.
 */
export function decodeIamDocument(text: string): string {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The role name of a role ARN (the part after the last "/", whatever the path). */
export function roleNameFromArn(roleArn: string): string {
  const resource = roleArn.split(':').slice(5).join(':');
  const name = resource.slice(resource.lastIndexOf('/') + 1);
  return name;
}

/** What the role mappers need of iam:GetRole's Role or a GetAccountAuthorizationDetails RoleDetail. */
type RoleFields = Partial<Pick<Role, 'RoleName' | 'Arn' | 'AssumeRolePolicyDocument'>>;

export function normalizeRole(
  role: Role | RoleDetail | RoleFields,
  inline: ReadonlyArray<{ policyName: string; document: string }>,
  attached: readonly AttachedPolicy[],
): IamRole {
  return conform(
    iamRoleSchema,
    {
      roleName: required(role.RoleName, 'RoleName'),
      roleArn: required(role.Arn, 'Arn'),
      assumeRolePolicyDocument: decodeIamDocument(
        required(role.AssumeRolePolicyDocument, 'AssumeRolePolicyDocument'),
      ),
      inlinePolicies: inline.map((p) => ({
        policyName: p.policyName,
        document: decodeIamDocument(p.document),
      })),
      attachedPolicies: attached.map((p) => ({
        policyName: required(p.PolicyName, 'AttachedPolicies[].PolicyName'),
        policyArn: required(p.PolicyArn, 'AttachedPolicies[].PolicyArn'),
      })),
    },
    'Role',
  );
}

export function normalizeManagedPolicy(
  policy: Pick<Policy, 'PolicyName' | 'Arn' | 'DefaultVersionId'>,
  version: PolicyVersion,
): ManagedPolicy {
  return conform(
    managedPolicySchema,
    {
      policyName: required(policy.PolicyName, 'PolicyName'),
      policyArn: required(policy.Arn, 'Arn'),
      defaultVersionId: required(policy.DefaultVersionId, 'DefaultVersionId'),
      document: decodeIamDocument(required(version.Document, 'PolicyVersion.Document')),
    },
    'Policy',
  );
}

/**
 * A role of iam:GetAccountAuthorizationDetails: the same facts GetRole + ListRolePolicies +
 * GetRolePolicy + ListAttachedRolePolicies give, in one item (documents URL-encoded alike).
 */
export function normalizeRoleDetail(detail: RoleDetail): IamRole {
  return normalizeRole(
    detail,
    (detail.RolePolicyList ?? []).map((p) => ({
      policyName: required(p.PolicyName, 'RolePolicyList[].PolicyName'),
      document: required(p.PolicyDocument, 'RolePolicyList[].PolicyDocument'),
    })),
    detail.AttachedManagedPolicies ?? [],
  );
}

/**
 * A managed policy of iam:GetAccountAuthorizationDetails: its default version is the entry of
 * PolicyVersionList whose VersionId is DefaultVersionId (the one GetPolicyVersion would be asked for).
 */
export function normalizeManagedPolicyDetail(detail: ManagedPolicyDetail): ManagedPolicy {
  const versionId = required(detail.DefaultVersionId, 'DefaultVersionId');
  const version = (detail.PolicyVersionList ?? []).find((v) => v.VersionId === versionId);
  if (version === undefined)
    throw new UnexpectedResponseError(`the answer has no PolicyVersionList entry ${versionId}`);
  return normalizeManagedPolicy(detail, version);
}
