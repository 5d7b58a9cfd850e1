import { describe, expect, it } from 'vitest';
import {
  decodeIamDocument,
  normalizeManagedPolicy,
  normalizeManagedPolicyDetail,
  normalizeRole,
  normalizeRoleDetail,
  roleNameFromArn,
} from '../../../src/collect/normalize/iam.js';

const trust =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}';

describe('IAM normalizers', () => {
  it('URL-decodes documents (RFC 3986, as IAM sends them)', () => {
    expect(decodeIamDocument(encodeURIComponent(trust))).toBe(trust);
    const pretty =
      '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::a+b/*"}]\n}';
    expect(decodeIamDocument(encodeURIComponent(pretty))).toBe(pretty);
  });

  it('keeps a document that is already JSON (emulators) or not percent-encoding at all', () => {
    expect(decodeIamDocument(trust)).toBe(trust);
    expect(decodeIamDocument('%E0%A4%A')).toBe('%E0%A4%A');
  });

  it('takes the role name from an ARN with a path', () => {
    expect(roleNameFromArn('arn:aws:iam::111122223333:role/service-role/team/scorer-role')).toBe(
      'scorer-role',
    );
    expect(roleNameFromArn('arn:aws:iam::111122223333:role/scorer')).toBe('scorer');
  });

  it('maps a role with inline and attached policies', () => {
    expect(
      normalizeRole(
        {
          RoleName: 'scorer',
          Arn: 'arn:aws:iam::111122223333:role/scorer',
          Path: '/',
          RoleId: 'AROA',
          CreateDate: new Date(0),
          AssumeRolePolicyDocument: encodeURIComponent(trust),
        },
        [{ policyName: 'inline', document: encodeURIComponent('{"Statement":[]}') }],
        [
          {
            PolicyName: 'AWSXRayDaemonWriteAccess',
            PolicyArn: 'arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess',
          },
        ],
      ),
    ).toEqual({
      roleName: 'scorer',
      roleArn: 'arn:aws:iam::111122223333:role/scorer',
      assumeRolePolicyDocument: trust,
      inlinePolicies: [{ policyName: 'inline', document: '{"Statement":[]}' }],
      attachedPolicies: [
        {
          policyName: 'AWSXRayDaemonWriteAccess',
          policyArn: 'arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess',
        },
      ],
    });
  });

  it("maps a managed policy's default version", () => {
    expect(
      normalizeManagedPolicy(
        { PolicyName: 'p', Arn: 'arn:aws:iam::111122223333:policy/p', DefaultVersionId: 'v4' },
        { Document: encodeURIComponent('{"Statement":[]}'), VersionId: 'v4', IsDefaultVersion: true },
      ),
    ).toEqual({
      policyName: 'p',
      policyArn: 'arn:aws:iam::111122223333:policy/p',
      defaultVersionId: 'v4',
      document: '{"Statement":[]}',
    });
    expect(() =>
      normalizeManagedPolicy(
        { PolicyName: 'p', Arn: 'arn:aws:iam::111122223333:policy/p', DefaultVersionId: 'v1' },
        {},
      ),
    ).toThrow(/Document/);
  });
});

describe('GetAccountAuthorizationDetails normalizers', () => {
  it('maps a RoleDetail like GetRole + its policy reads', () => {
    expect(
      normalizeRoleDetail({
        RoleName: 'scorer',
        Arn: 'arn:aws:iam::111122223333:role/scorer',
        AssumeRolePolicyDocument: encodeURIComponent(trust),
        RolePolicyList: [{ PolicyName: 'inline', PolicyDocument: encodeURIComponent('{"Statement":[]}') }],
        AttachedManagedPolicies: [
          {
            PolicyName: 'AWSXRayDaemonWriteAccess',
            PolicyArn: 'arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess',
          },
        ],
        InstanceProfileList: [],
      }),
    ).toEqual({
      roleName: 'scorer',
      roleArn: 'arn:aws:iam::111122223333:role/scorer',
      assumeRolePolicyDocument: trust,
      inlinePolicies: [{ policyName: 'inline', document: '{"Statement":[]}' }],
      attachedPolicies: [
        {
          policyName: 'AWSXRayDaemonWriteAccess',
          policyArn: 'arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess',
        },
      ],
    });
    expect(() => normalizeRoleDetail({ RoleName: 'r', Arn: 'arn:aws:iam::111122223333:role/r' })).toThrow(
      /AssumeRolePolicyDocument/,
    );
  });

  it("takes a ManagedPolicyDetail's default version from its version list", () => {
    const detail = {
      PolicyName: 'p',
      Arn: 'arn:aws:iam::111122223333:policy/p',
      DefaultVersionId: 'v2',
      PolicyVersionList: [
        { Document: encodeURIComponent('{"Statement":["v3"]}'), VersionId: 'v3', IsDefaultVersion: false },
        { Document: encodeURIComponent('{"Statement":["v2"]}'), VersionId: 'v2', IsDefaultVersion: true },
      ],
    };
    expect(normalizeManagedPolicyDetail(detail)).toEqual({
      policyName: 'p',
      policyArn: 'arn:aws:iam::111122223333:policy/p',
      defaultVersionId: 'v2',
      document: '{"Statement":["v2"]}',
    });
    expect(() => normalizeManagedPolicyDetail({ ...detail, DefaultVersionId: 'v9' })).toThrow(/v9/);
  });
});
