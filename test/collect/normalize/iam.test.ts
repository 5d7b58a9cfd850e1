import { describe, expect, it } from 'vitest';
import {
  decodeIamDocument,
  normalizeManagedPolicy,
  normalizeRole,
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
