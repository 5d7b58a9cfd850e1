import {
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointsCommand,
} from '@aws-sdk/client-ec2';
import { GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand } from '@aws-sdk/client-kms';
import {
  GetFunctionConfigurationCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
} from '@aws-sdk/client-lambda';
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { errorCode } from '../../collect/call.js';
import { decodeIamDocument } from '../../collect/normalize/iam.js';
import type { AwsClients } from '../../collect/clients.js';
import { placeholdersIn, type ApiCall, type DocumentChange, type Step } from '../plan-model.js';
import { REDACTED } from '../../snapshot/schema.js';
import {
  compactJson,
  mergeStatements,
  prettyText,
  readPolicy,
  sameStatement,
  statementKey,
  type JsonObject,
} from '../policy-merge.js';

/**
 * What a call of the plan replaces, read live through the read-only clients: the backups
 * `lvs fix --apply` writes before its first change, the "before" it verifies right before each
 * step, and the material of the restore commands. One reader per kind of call; a call on a
 * resource the plan itself creates (its params hold a `{{lvs:NAME}}`) has nothing to back up.
 */

/** The documents and settings a plan step can change, as the apply step compares them. */
export type DocKind =
  | 'bucket-policy'
  | 'bucket-encryption'
  | 'public-access-block'
  | 'endpoint-policy'
  | 'vpc-endpoint'
  | 'route-table'
  | 'egress'
  | 'function-configuration'
  | 'url-config'
  | 'function-policy'
  | 'inline-policy'
  | 'key-policy'
  | 'key-rotation'
  | 'key-metadata';

export interface LiveItem {
  kind: DocKind;
  /** File name in the step's backup folder. */
  file: string;
  /** "bucket policy of my-bucket". */
  what: string;
  /** "s3:GetBucketPolicy". */
  read: string;
  /** What identifies the resource: a bucket name, group ID, function ARN, "role/policy"… */
  key: string;
  /** The document or setting as AWS returned it (policies verbatim, settings as pretty JSON); null: none. */
  text: string | null;
}

type Params = Record<string, unknown>;
const str = (params: Params, key: string): string => {
  const value = params[key];
  if (typeof value !== 'string' || value === '') throw new Error(`${key} is missing`);
  return value;
};
const pretty = (value: unknown) => JSON.stringify(value, null, 2);

/**
 * A function configuration without its environment values: a backup is a file on disk and lvs
 * never writes secrets anywhere. Restoring needs only the settings a step changes (KMSKeyArn,
 * TracingConfig), never the values, which UpdateFunctionConfiguration leaves alone.
 */
function withoutSecrets(config: JsonObject): JsonObject {
  const environment = config.Environment;
  if (typeof environment !== 'object' || environment === null || Array.isArray(environment)) return config;
  const variables = (environment as JsonObject).Variables;
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) return config;
  return {
    ...config,
    Environment: {
      ...(environment as JsonObject),
      Variables: Object.fromEntries(Object.keys(variables).map((name) => [name, REDACTED])),
    },
  };
}
const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '-');

/** The SDK output without its $metadata. */
function data(output: object): JsonObject {
  const copy: JsonObject = { ...(output as JsonObject) };
  delete copy.$metadata;
  return copy;
}

/** `read()`, or undefined when AWS answers that there is none (`absent` error codes). */
async function orAbsent<T>(read: () => Promise<T>, absent: readonly string[]): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (absent.includes(errorCode(error))) return undefined;
    throw error;
  }
}

export interface ReadContext {
  clients: AwsClients;
  /** Region of a call (a call's own region, else the IAM / fallback region). */
  regionOf(call: ApiCall): string;
}

/** Params that name the resource a call changes (as opposed to values it sets, like a new key's ARN). */
const RESOURCE_PARAMS = [
  'Bucket',
  'VpcEndpointId',
  'RouteTableId',
  'GroupId',
  'FunctionName',
  'RoleName',
  'KeyId',
];

/** True when the call changes something an earlier call of the plan creates (a new key's policy). */
export const actsOnCreatedResource = (call: ApiCall): boolean =>
  RESOURCE_PARAMS.some((key) => {
    const value = call.params[key];
    return typeof value === 'string' && placeholdersIn(value).length > 0;
  });

/** Live reads of what `call` is about to replace. */
export async function readCallState(call: ApiCall, ctx: ReadContext): Promise<LiveItem[]> {
  if (actsOnCreatedResource(call)) return [];
  const region = ctx.regionOf(call);
  const p = call.params;
  const c = ctx.clients;
  switch (`${call.service}:${call.operation}`) {
    case 's3:PutBucketPolicy': {
      const bucket = str(p, 'Bucket');
      const out = await orAbsent(
        () => c.s3(region).send(new GetBucketPolicyCommand({ Bucket: bucket })),
        ['NoSuchBucketPolicy'],
      );
      return [
        {
          kind: 'bucket-policy',
          file: `bucket-policy-${safe(bucket)}.json`,
          what: `bucket policy of ${bucket}`,
          read: 's3:GetBucketPolicy',
          key: bucket,
          text: out?.Policy ?? null,
        },
      ];
    }
    case 's3:PutBucketEncryption': {
      const bucket = str(p, 'Bucket');
      const out = await orAbsent(
        () => c.s3(region).send(new GetBucketEncryptionCommand({ Bucket: bucket })),
        ['ServerSideEncryptionConfigurationNotFoundError'],
      );
      const config = out?.ServerSideEncryptionConfiguration;
      return [
        {
          kind: 'bucket-encryption',
          file: `bucket-encryption-${safe(bucket)}.json`,
          what: `default encryption of ${bucket}`,
          read: 's3:GetBucketEncryption',
          key: bucket,
          text: config === undefined ? null : pretty(config),
        },
      ];
    }
    case 's3:PutPublicAccessBlock': {
      const bucket = str(p, 'Bucket');
      const out = await orAbsent(
        () => c.s3(region).send(new GetPublicAccessBlockCommand({ Bucket: bucket })),
        ['NoSuchPublicAccessBlockConfiguration'],
      );
      const config = out?.PublicAccessBlockConfiguration;
      return [
        {
          kind: 'public-access-block',
          file: `public-access-block-${safe(bucket)}.json`,
          what: `Block Public Access of ${bucket}`,
          read: 's3:GetPublicAccessBlock',
          key: bucket,
          text: config === undefined ? null : pretty(config),
        },
      ];
    }
    case 'ec2:ModifyVpcEndpoint': {
      const id = str(p, 'VpcEndpointId');
      const out = await c.ec2(region).send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }));
      const endpoint = (out.VpcEndpoints ?? []).find((e) => e.VpcEndpointId === id);
      if (endpoint === undefined) throw new Error(`VPC endpoint ${id} not found`);
      const items: LiveItem[] = [
        {
          kind: 'vpc-endpoint',
          file: `vpc-endpoint-${safe(id)}.json`,
          what: `VPC endpoint ${id} (route tables, policy, state)`,
          read: 'ec2:DescribeVpcEndpoints',
          key: id,
          text: pretty({
            VpcEndpointId: endpoint.VpcEndpointId,
            VpcEndpointType: endpoint.VpcEndpointType,
            ServiceName: endpoint.ServiceName,
            State: endpoint.State,
            RouteTableIds: endpoint.RouteTableIds ?? [],
            PolicyDocument: endpoint.PolicyDocument ?? null,
          }),
        },
      ];
      if (p.PolicyDocument !== undefined) {
        items.push({
          kind: 'endpoint-policy',
          file: `endpoint-policy-${safe(id)}.json`,
          what: `policy of VPC endpoint ${id}`,
          read: 'ec2:DescribeVpcEndpoints',
          key: id,
          text: endpoint.PolicyDocument ?? null,
        });
      }
      return items;
    }
    case 'ec2:DeleteRoute': {
      const id = str(p, 'RouteTableId');
      const out = await c.ec2(region).send(new DescribeRouteTablesCommand({ RouteTableIds: [id] }));
      const table = (out.RouteTables ?? []).find((t) => t.RouteTableId === id);
      if (table === undefined) throw new Error(`route table ${id} not found`);
      return [
        {
          kind: 'route-table',
          file: `route-table-${safe(id)}.json`,
          what: `routes of ${id}`,
          read: 'ec2:DescribeRouteTables',
          key: id,
          text: pretty({ RouteTableId: id, VpcId: table.VpcId, Routes: table.Routes ?? [] }),
        },
      ];
    }
    case 'ec2:AuthorizeSecurityGroupEgress':
    case 'ec2:RevokeSecurityGroupEgress': {
      const id = str(p, 'GroupId');
      const out = await c.ec2(region).send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }));
      const group = (out.SecurityGroups ?? []).find((g) => g.GroupId === id);
      if (group === undefined) throw new Error(`security group ${id} not found`);
      return [
        {
          kind: 'egress',
          file: `security-group-egress-${safe(id)}.json`,
          what: `egress rules of ${id}`,
          read: 'ec2:DescribeSecurityGroups',
          key: id,
          text: pretty(group.IpPermissionsEgress ?? []),
        },
      ];
    }
    case 'lambda:UpdateFunctionConfiguration': {
      const fn = str(p, 'FunctionName');
      const out = await c.lambda(region).send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
      return [
        {
          kind: 'function-configuration',
          file: `function-configuration-${safe(out.FunctionName ?? fn)}.json`,
          what: `configuration of ${out.FunctionName ?? fn}`,
          read: 'lambda:GetFunctionConfiguration',
          key: fn,
          text: pretty(withoutSecrets(data(out))),
        },
      ];
    }
    case 'lambda:UpdateFunctionUrlConfig': {
      const fn = str(p, 'FunctionName');
      const out = await orAbsent(
        () => c.lambda(region).send(new GetFunctionUrlConfigCommand({ FunctionName: fn })),
        ['ResourceNotFoundException'],
      );
      return [
        {
          kind: 'url-config',
          file: `function-url-config-${safe(fn.slice(fn.lastIndexOf(':') + 1))}.json`,
          what: `function URL configuration of ${fn}`,
          read: 'lambda:GetFunctionUrlConfig',
          key: fn,
          text: out === undefined ? null : pretty(data(out)),
        },
      ];
    }
    case 'lambda:RemovePermission': {
      const fn = str(p, 'FunctionName');
      const out = await orAbsent(
        () => c.lambda(region).send(new GetPolicyCommand({ FunctionName: fn })),
        ['ResourceNotFoundException'],
      );
      return [
        {
          kind: 'function-policy',
          file: `function-policy-${safe(fn.slice(fn.lastIndexOf(':') + 1))}.json`,
          what: `resource-based policy of ${fn}`,
          read: 'lambda:GetPolicy',
          key: fn,
          text: out?.Policy ?? null,
        },
      ];
    }
    case 'iam:PutRolePolicy': {
      const role = str(p, 'RoleName');
      const name = str(p, 'PolicyName');
      const out = await orAbsent(
        () => c.iam(region).send(new GetRolePolicyCommand({ RoleName: role, PolicyName: name })),
        ['NoSuchEntity', 'NoSuchEntityException'],
      );
      const document = out?.PolicyDocument;
      return [
        {
          kind: 'inline-policy',
          file: `inline-policy-${safe(role)}-${safe(name)}.json`,
          what: `inline policy ${name} of role ${role}`,
          read: 'iam:GetRolePolicy',
          key: `${role}/${name}`,
          // IAM returns policy documents URL-encoded.
          text: document === undefined ? null : decodeIamDocument(document),
        },
      ];
    }
    case 'kms:PutKeyPolicy': {
      const key = str(p, 'KeyId');
      const out = await c.kms(region).send(
        new GetKeyPolicyCommand({
          KeyId: key,
          PolicyName: typeof p.PolicyName === 'string' ? p.PolicyName : 'default',
        }),
      );
      return [
        {
          kind: 'key-policy',
          file: `key-policy-${safe(key.slice(key.lastIndexOf('/') + 1))}.json`,
          what: `key policy of ${key}`,
          read: 'kms:GetKeyPolicy',
          key,
          text: out.Policy ?? null,
        },
      ];
    }
    case 'kms:EnableKeyRotation': {
      const key = str(p, 'KeyId');
      const out = await c.kms(region).send(new GetKeyRotationStatusCommand({ KeyId: key }));
      return [
        {
          kind: 'key-rotation',
          file: `key-rotation-${safe(key.slice(key.lastIndexOf('/') + 1))}.json`,
          what: `rotation status of ${key}`,
          read: 'kms:GetKeyRotationStatus',
          key,
          text: pretty(data(out)),
        },
      ];
    }
    case 'kms:EnableKey':
    case 'kms:CancelKeyDeletion': {
      const key = str(p, 'KeyId');
      const out = await c.kms(region).send(new DescribeKeyCommand({ KeyId: key }));
      return [
        {
          kind: 'key-metadata',
          file: `key-metadata-${safe(key.slice(key.lastIndexOf('/') + 1))}.json`,
          what: `state of ${key}`,
          read: 'kms:DescribeKey',
          key,
          text: pretty(out.KeyMetadata ?? {}),
        },
      ];
    }
    // A new resource replaces nothing. (CreateAlias's alias is looked up before any change: its reuse.)
    case 'ec2:CreateVpcEndpoint':
    case 'kms:CreateKey':
    case 'kms:CreateAlias':
      return [];
    default:
      throw new Error(`no backup reader for ${call.service}:${call.operation}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Plan documents vs live state

/** The kind of a plan document, from its label (undefined: lvs cannot verify it). */
export function docKindOf(doc: Pick<DocumentChange, 'label'>): DocKind | undefined {
  const label = doc.label;
  if (/^bucket policy/i.test(label)) return 'bucket-policy';
  if (/^endpoint policy/i.test(label)) return 'endpoint-policy';
  if (/egress/i.test(label)) return 'egress';
  if (/^inline policy/i.test(label)) return 'inline-policy';
  if (/url config/i.test(label)) return 'url-config';
  if (/resource-based policy/i.test(label)) return 'function-policy';
  if (/encryption/i.test(label)) return 'bucket-encryption';
  if (/block public access/i.test(label)) return 'public-access-block';
  if (/^key policy/i.test(label)) return 'key-policy';
  return undefined;
}

/** True when the live item is the resource the plan document describes. */
export function itemDescribes(item: LiveItem, doc: DocumentChange): boolean {
  const arn = doc.resourceArn;
  switch (item.kind) {
    case 'bucket-policy':
    case 'bucket-encryption':
    case 'public-access-block':
      return arn.endsWith(`:::${item.key}`);
    case 'endpoint-policy':
    case 'egress':
    case 'key-policy':
      return arn.endsWith(`/${item.key}`) || arn === item.key;
    case 'url-config':
    case 'function-policy':
      return arn === item.key || arn.endsWith(`:function:${item.key}`);
    case 'inline-policy': {
      const [role, name] = item.key.split('/');
      return arn.endsWith(`/${role ?? ''}/inline/${name ?? ''}`);
    }
    default:
      return false;
  }
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON with object keys sorted, for comparisons that ignore key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) out[key] = canonical(value[key]);
  return out;
}
const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** Two policy texts say the same: the same statements (in any order, whatever the formatting). */
export function samePolicy(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  const ra = readPolicy(a);
  const rb = readPolicy(b);
  if (!ra.ok || !rb.ok) return prettyText(a) === prettyText(b);
  const keys = (statements: JsonObject[]) => statements.map(statementKey).sort();
  return JSON.stringify(keys(ra.policy.Statement)) === JSON.stringify(keys(rb.policy.Statement));
}

/** Egress permissions as atoms "protocol ports destination", so grouping and descriptions do not matter. */
export function egressAtoms(permissions: unknown): string[] {
  const out = new Set<string>();
  for (const p of Array.isArray(permissions) ? (permissions as JsonObject[]) : []) {
    const raw = typeof p.IpProtocol === 'string' ? p.IpProtocol.toLowerCase() : JSON.stringify(p.IpProtocol);
    const protocol = raw === '-1' || raw === 'all' ? 'all' : raw === '6' ? 'tcp' : raw === '17' ? 'udp' : raw;
    const port = (v: unknown) => (typeof v === 'number' ? String(v) : '*');
    const ports = protocol === 'all' ? '*' : `${port(p.FromPort)}-${port(p.ToPort)}`;
    const add = (kind: string, list: unknown, field: string) => {
      for (const entry of Array.isArray(list) ? (list as JsonObject[]) : []) {
        const value = entry[field];
        if (typeof value === 'string') out.add(`${protocol} ${ports} ${kind}:${value}`);
      }
    };
    add('ipv4', p.IpRanges, 'CidrIp');
    add('ipv6', p.Ipv6Ranges, 'CidrIpv6');
    add('pl', p.PrefixListIds, 'PrefixListId');
    add('sg', p.UserIdGroupPairs, 'GroupId');
  }
  return [...out].sort();
}

function encryptionForm(value: unknown): unknown {
  const rules = isObject(value) && Array.isArray(value.Rules) ? (value.Rules as JsonObject[]) : [];
  return rules.map((r) => {
    const d = isObject(r.ApplyServerSideEncryptionByDefault) ? r.ApplyServerSideEncryptionByDefault : {};
    return {
      SSEAlgorithm: d.SSEAlgorithm ?? null,
      KMSMasterKeyID: d.KMSMasterKeyID ?? null,
      BucketKeyEnabled: r.BucketKeyEnabled === true,
    };
  });
}

const PAB_FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'];
const pabForm = (value: unknown) =>
  PAB_FLAGS.map((f) => (isObject(value) ? value[f] === true : false)).join(',');

/** True when the live item still holds the plan's "before". */
export function matchesBefore(kind: DocKind, planBefore: string | null, live: string | null): boolean {
  switch (kind) {
    case 'bucket-policy':
    case 'endpoint-policy':
    case 'inline-policy':
    case 'function-policy':
    case 'key-policy':
      return samePolicy(planBefore, live);
    case 'egress':
      return (
        JSON.stringify(egressAtoms(planBefore === null ? [] : parse(planBefore))) ===
        JSON.stringify(egressAtoms(live === null ? [] : parse(live)))
      );
    case 'bucket-encryption':
      if (planBefore === null || live === null) return planBefore === live;
      return (
        JSON.stringify(encryptionForm(parse(planBefore))) === JSON.stringify(encryptionForm(parse(live)))
      );
    case 'public-access-block':
      if (planBefore === null || live === null) return planBefore === live;
      return pabForm(parse(planBefore)) === pabForm(parse(live));
    case 'url-config': {
      if (planBefore === null || live === null) return planBefore === live;
      const a = parse(planBefore);
      const b = parse(live);
      return isObject(a) && isObject(b) && a.AuthType === b.AuthType;
    }
    default:
      return (
        JSON.stringify(canonical(parse(planBefore ?? 'null'))) ===
        JSON.stringify(canonical(parse(live ?? 'null')))
      );
  }
}

export interface Verification {
  /** Documents lvs cannot compare with the account (no reader, or an unknown kind). */
  unverifiable: string[];
  /** Documents that are no longer what the plan shows as "before". */
  changed: string[];
}

/** Compares a step's "before" documents with what was just read. */
export function verifyStep(step: Step, items: readonly LiveItem[]): Verification {
  const out: Verification = { unverifiable: [], changed: [] };
  for (const doc of step.documents) {
    // A resource this plan creates has no live "before".
    if (placeholdersIn(doc.resourceArn).length > 0) continue;
    const kind = docKindOf(doc);
    const item = kind === undefined ? undefined : items.find((i) => i.kind === kind && itemDescribes(i, doc));
    if (kind === undefined || item === undefined) {
      out.unverifiable.push(`${doc.label} of ${doc.resourceArn}`);
      continue;
    }
    if (!matchesBefore(kind, doc.before, item.text)) out.changed.push(`${doc.label} of ${doc.resourceArn}`);
  }
  return out;
}

/** The params holding the whole new policy document of a call that replaces one. */
const POLICY_PARAM: Record<string, { param: string; kind: DocKind }> = {
  's3:PutBucketPolicy': { param: 'Policy', kind: 'bucket-policy' },
  'ec2:ModifyVpcEndpoint': { param: 'PolicyDocument', kind: 'endpoint-policy' },
  'iam:PutRolePolicy': { param: 'PolicyDocument', kind: 'inline-policy' },
  'kms:PutKeyPolicy': { param: 'Policy', kind: 'key-policy' },
};

/**
 * SPEC 6, "never drops an existing policy statement": the statements of the live document that
 * the call's new document does not hold. `unreadable` when the live document cannot be parsed
 * (it can then only be replaced, which the step must declare with a replaces-document risk).
 */
export function droppedStatements(
  call: ApiCall,
  items: readonly LiveItem[],
): { dropped: JsonObject[]; unreadable: boolean } {
  const spec = POLICY_PARAM[`${call.service}:${call.operation}`];
  const next = spec === undefined ? undefined : call.params[spec.param];
  if (spec === undefined || typeof next !== 'string') return { dropped: [], unreadable: false };
  const live = items.find((i) => i.kind === spec.kind)?.text ?? null;
  if (live === null) return { dropped: [], unreadable: false };
  const before = readPolicy(live);
  if (!before.ok) return { dropped: [], unreadable: true };
  const after = readPolicy(next);
  const kept = after.ok ? after.policy.Statement : [];
  return {
    dropped: before.policy.Statement.filter((s) => !kept.some((k) => sameStatement(k, s))),
    unreadable: false,
  };
}

/**
 * A call that writes a whole policy document onto a resource an earlier run created and this run
 * reuses (plan-model Reuse): the plan's document assumed a new resource, so its statements are
 * merged into the live document instead (every live statement kept, as SPEC 6 requires).
 * undefined when the call writes no policy, or when there is nothing to merge into (no live
 * document) or the live one cannot be parsed (droppedStatements then reports it).
 */
export function mergedIntoLive(
  call: ApiCall,
  items: readonly LiveItem[],
): { params: Record<string, unknown>; kept: number; added: number } | undefined {
  const spec = POLICY_PARAM[`${call.service}:${call.operation}`];
  const next = spec === undefined ? undefined : call.params[spec.param];
  if (spec === undefined || typeof next !== 'string') return undefined;
  const live = items.find((i) => i.kind === spec.kind)?.text ?? null;
  if (live === null) return undefined;
  const before = readPolicy(live);
  const planned = readPolicy(next);
  if (!before.ok || !planned.ok) return undefined;
  const merged = mergeStatements(before.policy, planned.policy.Statement);
  return {
    params: { ...call.params, [spec.param]: compactJson(merged.policy) },
    kept: before.policy.Statement.length,
    added: merged.added.length,
  };
}
