import { randomUUID } from 'node:crypto';
import { escapeXml, parseForm, xmlDocument, xmlResponse, type XmlValue } from '../wire.js';
import {
  notImplemented,
  type AwsError,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorState,
  type ServiceModule,
} from '../types.js';
import {
  findPolicy,
  findRole,
  iamError,
  isAwsManaged,
  pathOf,
  policyDetailShape,
  policyShape,
  readableRoles,
  roleDetailShape,
  roleShape,
  summaryMap,
  validationError,
  versionsOf,
  encodeDocument,
  createDateOf,
  attachmentCount,
} from './iam-model.js';
import { checkIdentityPolicy, policySize, ROLE_POLICY_SIZE_QUOTA } from './iam-policy.js';

/**
 * IAM over the query protocol: form-encoded `Action=…&Version=2010-05-08` requests, XML answers
 * `<{Op}Response><{Op}Result>…</{Op}Result><ResponseMetadata>…` whose lists are `member` items, and
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>` errors. Lists page with
 * MaxItems / IsTruncated / Marker as IAM pages them.
 */

const XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';

interface Call {
  params: Map<string, string>;
  state: EmulatorState;
}

function respond(operation: string, result: { [key: string]: XmlValue } | null): EmulatorResponse {
  const members: { [key: string]: XmlValue } = {
    ...(result === null ? {} : { [`${operation}Result`]: result }),
    ResponseMetadata: { RequestId: randomUUID() },
  };
  return xmlResponse(200, xmlDocument(`${operation}Response`, XMLNS, members, 'member'));
}

function required(call: Call, name: string): string {
  const value = call.params.get(name);
  if (value === undefined) throw validationError(name, 'Member must not be null', null);
  return value;
}

/** MaxItems (1-1000, default 100) and the opaque Marker of an earlier page of the same list. */
function paginate<T>(
  call: Call,
  list: string,
  items: readonly T[],
): { items: T[]; more: { [key: string]: XmlValue } } {
  const rawMax = call.params.get('MaxItems');
  const max = rawMax === undefined ? 100 : Number(rawMax);
  if (!Number.isInteger(max) || max < 1)
    throw validationError('MaxItems', 'Member must have value greater than or equal to 1', rawMax ?? null);
  if (max > 1000)
    throw validationError('MaxItems', 'Member must have value less than or equal to 1000', rawMax ?? null);
  const marker = call.params.get('Marker');
  let start = 0;
  if (marker !== undefined) {
    const [kind, offset] = Buffer.from(marker, 'base64').toString('utf8').split(':');
    start = Number(offset);
    if (kind !== list || !Number.isInteger(start) || start < 0 || start > items.length)
      throw iamError('ValidationError', 'Invalid Marker.');
  }
  const end = Math.min(items.length, start + max);
  const truncated = end < items.length;
  return {
    items: items.slice(start, end),
    more: {
      IsTruncated: truncated,
      Marker: truncated ? Buffer.from(`${list}:${end}`).toString('base64') : undefined,
    },
  };
}

const ENTITY_TYPES = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'];

function getAccountAuthorizationDetails(call: Call): EmulatorResponse {
  const filter = [...call.params].filter(([k]) => /^Filter\.member\.\d+$/.test(k)).map(([, v]) => v);
  for (const type of filter) {
    if (!ENTITY_TYPES.includes(type))
      throw validationError(
        'Filter',
        `Member must satisfy enum value set: [${ENTITY_TYPES.join(', ')}]`,
        type,
      );
  }
  const wants = (type: string) => filter.length === 0 || filter.includes(type);
  const { state } = call;
  // A role or policy whose read failed is left out, as lvs then reads it per role and meets the error.
  const roles = wants('Role') ? readableRoles(state) : [];
  const policies = Object.entries(state.snapshot.iam.managedPolicies)
    .flatMap(([arn, f]) => (f.status === 'ok' ? [{ arn, policy: f.value }] : []))
    .filter(({ arn }) =>
      isAwsManaged(arn)
        ? // IAM lists an AWS managed policy only where the account attaches it.
          wants('AWSManagedPolicy') && attachmentCount(state, arn) > 0
        : wants('LocalManagedPolicy'),
    )
    .sort((a, b) => a.arn.localeCompare(b.arn));
  const entities = [
    ...roles.map((role) => ({ role, policy: undefined })),
    ...policies.map(({ policy }) => ({ role: undefined, policy })),
  ];
  const page = paginate(call, 'GetAccountAuthorizationDetails', entities);
  return respond('GetAccountAuthorizationDetails', {
    UserDetailList: [],
    GroupDetailList: [],
    RoleDetailList: page.items.flatMap((e) => (e.role === undefined ? [] : [roleDetailShape(state, e.role)])),
    Policies: page.items.flatMap((e) => (e.policy === undefined ? [] : [policyDetailShape(state, e.policy)])),
    ...page.more,
  });
}

/** SummaryMap is an XML map (`entry` / `key` / `value`), which the generic list writer does not make. */
function getAccountSummary(call: Call): EmulatorResponse {
  const entries = summaryMap(call.state)
    .map(([key, value]) => `<entry><key>${escapeXml(key)}</key><value>${value}</value></entry>`)
    .join('');
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<GetAccountSummaryResponse xmlns="${XMLNS}">` +
    `<GetAccountSummaryResult><SummaryMap>${entries}</SummaryMap></GetAccountSummaryResult>` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetAccountSummaryResponse>`;
  return xmlResponse(200, body);
}

function getRole(call: Call): EmulatorResponse {
  const { role } = findRole(call.state, required(call, 'RoleName'), 'GetRole');
  return respond('GetRole', { Role: roleShape(call.state, role) });
}

function listRolePolicies(call: Call): EmulatorResponse {
  const { role } = findRole(call.state, required(call, 'RoleName'), 'ListRolePolicies');
  const names = role.inlinePolicies.map((p) => p.policyName).sort((a, b) => a.localeCompare(b));
  const page = paginate(call, 'ListRolePolicies', names);
  return respond('ListRolePolicies', { PolicyNames: page.items, ...page.more });
}

function getRolePolicy(call: Call): EmulatorResponse {
  const roleName = required(call, 'RoleName');
  const policyName = required(call, 'PolicyName');
  const { role } = findRole(call.state, roleName, 'GetRolePolicy');
  const policy = role.inlinePolicies.find((p) => p.policyName === policyName);
  if (policy === undefined)
    throw iamError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`);
  return respond('GetRolePolicy', {
    RoleName: role.roleName,
    PolicyName: policy.policyName,
    PolicyDocument: encodeDocument(policy.document),
  });
}

function listAttachedRolePolicies(call: Call): EmulatorResponse {
  const { role } = findRole(call.state, required(call, 'RoleName'), 'ListAttachedRolePolicies');
  const prefix = call.params.get('PathPrefix') ?? '/';
  const attached = role.attachedPolicies.filter((p) => pathOf(p.policyArn).startsWith(prefix));
  const page = paginate(call, 'ListAttachedRolePolicies', attached);
  return respond('ListAttachedRolePolicies', {
    AttachedPolicies: page.items.map((p) => ({ PolicyName: p.policyName, PolicyArn: p.policyArn })),
    ...page.more,
  });
}

function getPolicy(call: Call): EmulatorResponse {
  const policy = findPolicy(call.state, required(call, 'PolicyArn'), 'GetPolicy');
  return respond('GetPolicy', { Policy: policyShape(call.state, policy) });
}

function getPolicyVersion(call: Call): EmulatorResponse {
  const policyArn = required(call, 'PolicyArn');
  const versionId = required(call, 'VersionId');
  if (!/^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/.test(versionId))
    throw validationError(
      'VersionId',
      'Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?',
      versionId,
    );
  const policy = findPolicy(call.state, policyArn, 'GetPolicyVersion');
  const version = versionsOf(policy).find((v) => v.versionId === versionId);
  if (version === undefined)
    throw iamError(
      'NoSuchEntity',
      `Policy ${policyArn} version ${versionId} does not exist or is not attachable.`,
    );
  return respond('GetPolicyVersion', {
    PolicyVersion: {
      Document: encodeDocument(version.document),
      VersionId: version.versionId,
      IsDefaultVersion: version.isDefault,
      CreateDate: createDateOf(call.state),
    },
  });
}

const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;

/** The role a write changes: one that exists and was read (a failed read is answered again). */
function writableRole(call: Call, operation: string) {
  const roleName = required(call, 'RoleName');
  const found = findRole(call.state, roleName, operation);
  if (pathOf(found.arn).startsWith('/aws-service-role/'))
    throw iamError(
      'UnmodifiableEntity',
      `Cannot perform the operation on the protected role '${found.role.roleName}' - this role is only modifiable by AWS`,
    );
  return found.role;
}

function putRolePolicy(call: Call): EmulatorResponse {
  const policyName = required(call, 'PolicyName');
  const document = required(call, 'PolicyDocument');
  if (!POLICY_NAME.test(policyName))
    throw validationError(
      'PolicyName',
      'Member must satisfy regular expression pattern: [\\w+=,.@-]+',
      policyName,
    );
  const role = writableRole(call, 'PutRolePolicy');
  checkIdentityPolicy(document);
  const others = role.inlinePolicies.filter((p) => p.policyName !== policyName);
  const total = [...others.map((p) => p.document), document].reduce((n, d) => n + policySize(d), 0);
  if (total > ROLE_POLICY_SIZE_QUOTA)
    throw iamError(
      'LimitExceeded',
      `Maximum policy size of ${ROLE_POLICY_SIZE_QUOTA} bytes exceeded for role ${role.roleName}`,
    );
  const existing = role.inlinePolicies.find((p) => p.policyName === policyName);
  // IAM keeps the document as sent; GetRolePolicy answers it URL-encoded.
  if (existing !== undefined) existing.document = document;
  else role.inlinePolicies.push({ policyName, document });
  return respond('PutRolePolicy', null);
}

/** What the restore commands of `lvs fix` undo a new inline policy with. */
function deleteRolePolicy(call: Call): EmulatorResponse {
  const policyName = required(call, 'PolicyName');
  const role = writableRole(call, 'DeleteRolePolicy');
  const index = role.inlinePolicies.findIndex((p) => p.policyName === policyName);
  if (index < 0) throw iamError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`);
  role.inlinePolicies.splice(index, 1);
  return respond('DeleteRolePolicy', null);
}

const OPERATIONS: Record<string, (call: Call) => EmulatorResponse> = {
  GetAccountAuthorizationDetails: getAccountAuthorizationDetails,
  GetAccountSummary: getAccountSummary,
  GetRole: getRole,
  ListRolePolicies: listRolePolicies,
  GetRolePolicy: getRolePolicy,
  ListAttachedRolePolicies: listAttachedRolePolicies,
  GetPolicy: getPolicy,
  GetPolicyVersion: getPolicyVersion,
  PutRolePolicy: putRolePolicy,
  DeleteRolePolicy: deleteRolePolicy,
};

function paramsOf(req: EmulatorRequest): Map<string, string> {
  const params = new Map(req.query.entries());
  for (const [key, value] of parseForm(req.body)) params.set(key, value);
  return params;
}

export const iamService: ServiceModule = {
  operationOf: (req) => paramsOf(req).get('Action'),
  handle: (operation, req, state) => {
    const handler = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
    if (handler === undefined) throw notImplemented('iam', operation);
    return handler({ params: paramsOf(req), state });
  },
  errorResponse: (error: AwsError) => {
    const type = error.status >= 500 ? 'Receiver' : 'Sender';
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${XMLNS}"><Error>` +
      `<Type>${type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>` +
      `</Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
    return xmlResponse(error.status, body);
  },
};
