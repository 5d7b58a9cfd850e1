import { shellQuote } from '../lib/context.js';
import type { ApiCall } from '../plan-model.js';
import { readPolicy, type JsonObject } from '../policy-merge.js';
import type { LiveItem } from './live-state.js';

/**
 * The AWS CLI commands that undo one call of the plan, from what was backed up before it ran:
 * the document or setting is put back (or deleted when there was none), a route table is detached
 * again, a revoked rule re-authorized, a created endpoint deleted. Commands that would destroy
 * something that cannot come back (a new KMS key) are written as comments to run by hand.
 */

export interface RestoreInput {
  call: ApiCall;
  /** The region the call was sent to. */
  region: string;
  /** What was read before the call (readCallState). */
  items: readonly LiveItem[];
  /** Path of a backup file as the restore script sees it (relative to the backup directory). */
  fileOf(file: string): string;
  /** The call's response once it ran (IDs of what it created). */
  output?: Record<string, unknown>;
}

export interface RestoreCommands {
  /** Shell lines (commands, or comments starting with "#"). */
  lines: string[];
  /** Files the commands read that are not live reads (the exact inverse of an egress change). */
  files: Array<{ file: string; text: string }>;
}

const q = shellQuote;
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
const parse = (text: string | null): JsonObject | undefined => {
  if (text === null) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
};
const at = (value: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined),
      value,
    );

function itemOf(input: RestoreInput, kind: LiveItem['kind']): LiveItem | undefined {
  return input.items.find((i) => i.kind === kind);
}

/** `lambda add-permission` arguments that re-create a statement of a function's policy, when they can. */
export function addPermissionArgs(statement: JsonObject): string[] | undefined {
  const sid = str(statement.Sid);
  const actions = list(statement.Action).concat(
    typeof statement.Action === 'string' ? [statement.Action] : [],
  );
  const principal = statement.Principal;
  let who: string | undefined;
  if (principal === '*') who = '*';
  else if (typeof principal === 'object' && principal !== null) {
    const p = principal as Record<string, unknown>;
    const values = [...list(p.AWS), ...list(p.Service)].concat(
      [p.AWS, p.Service].filter((v): v is string => typeof v === 'string'),
    );
    if (values.length === 1) who = values[0];
  }
  if (sid === '' || actions.length !== 1 || who === undefined) return undefined;
  const args = ['--statement-id', q(sid), '--action', q(actions[0] ?? ''), '--principal', q(who)];
  const condition = statement.Condition;
  if (typeof condition === 'object' && condition !== null) {
    for (const [operator, byKey] of Object.entries(condition as Record<string, unknown>)) {
      if (typeof byKey !== 'object' || byKey === null) return undefined;
      for (const [key, raw] of Object.entries(byKey as Record<string, unknown>)) {
        const value = typeof raw === 'string' ? raw : list(raw).length === 1 ? list(raw)[0] : undefined;
        if (value === undefined) return undefined;
        const k = key.toLowerCase();
        if (k === 'aws:sourcearn' && /^Arn(Like|Equals)$/i.test(operator))
          args.push('--source-arn', q(value));
        else if (k === 'aws:sourceaccount' && /^StringEquals$/i.test(operator))
          args.push('--source-account', q(value));
        else if (k === 'aws:principalorgid' && /^StringEquals$/i.test(operator))
          args.push('--principal-org-id', q(value));
        else if (k === 'lambda:functionurlauthtype' && /^StringEquals$/i.test(operator))
          args.push('--function-url-auth-type', q(value));
        else if (k === 'lambda:eventsourcetoken' && /^StringEquals$/i.test(operator))
          args.push('--event-source-token', q(value));
        // The console's second statement of a public function URL (lambda:InvokeFunction only through the URL).
        else if (k === 'lambda:invokedviafunctionurl' && /^Bool$/i.test(operator) && value === 'true')
          args.push('--invoked-via-function-url');
        else return undefined;
      }
    }
  }
  return args;
}

/** The target flag of `ec2 create-route` for a route as DescribeRouteTables lists it. */
function routeTarget(route: JsonObject): string[] | undefined {
  const pairs: Array<[string, string]> = [
    ['NatGatewayId', '--nat-gateway-id'],
    ['TransitGatewayId', '--transit-gateway-id'],
    ['NetworkInterfaceId', '--network-interface-id'],
    ['VpcPeeringConnectionId', '--vpc-peering-connection-id'],
    ['EgressOnlyInternetGatewayId', '--egress-only-internet-gateway-id'],
    ['InstanceId', '--instance-id'],
  ];
  for (const [field, flag] of pairs)
    if (typeof route[field] === 'string') return [flag, q(str(route[field]))];
  const gateway = str(route.GatewayId);
  if (gateway !== '' && !gateway.startsWith('vpce-')) return ['--gateway-id', q(gateway)];
  return undefined;
}

export function restoreCommands(input: RestoreInput): RestoreCommands {
  const { call, region } = input;
  const p = call.params;
  const r = `--region ${q(region)}`;
  const lines: string[] = [];
  const files: Array<{ file: string; text: string }> = [];
  const file = (item: LiveItem) => `file://${input.fileOf(item.file)}`;
  switch (`${call.service}:${call.operation}`) {
    case 's3:PutBucketPolicy': {
      const item = itemOf(input, 'bucket-policy');
      const bucket = q(str(p.Bucket));
      if (item?.text != null)
        lines.push(`aws s3api put-bucket-policy ${r} --bucket ${bucket} --policy ${q(file(item))}`);
      else lines.push(`aws s3api delete-bucket-policy ${r} --bucket ${bucket}`);
      break;
    }
    case 's3:PutBucketEncryption': {
      const item = itemOf(input, 'bucket-encryption');
      const bucket = q(str(p.Bucket));
      if (item?.text != null)
        lines.push(
          `aws s3api put-bucket-encryption ${r} --bucket ${bucket} --server-side-encryption-configuration ${q(file(item))}`,
        );
      else lines.push(`aws s3api delete-bucket-encryption ${r} --bucket ${bucket}`);
      break;
    }
    case 's3:PutPublicAccessBlock': {
      const item = itemOf(input, 'public-access-block');
      const bucket = q(str(p.Bucket));
      if (item?.text != null)
        lines.push(
          `aws s3api put-public-access-block ${r} --bucket ${bucket} --public-access-block-configuration ${q(file(item))}`,
        );
      else lines.push(`aws s3api delete-public-access-block ${r} --bucket ${bucket}`);
      break;
    }
    case 'ec2:ModifyVpcEndpoint': {
      const id = str(p.VpcEndpointId);
      const before = parse(itemOf(input, 'vpc-endpoint')?.text ?? null);
      const had = new Set(list(before?.RouteTableIds));
      if (p.PolicyDocument !== undefined) {
        const item = itemOf(input, 'endpoint-policy');
        if (item?.text != null)
          lines.push(
            `aws ec2 modify-vpc-endpoint ${r} --vpc-endpoint-id ${q(id)} --policy-document ${q(file(item))}`,
          );
        else lines.push(`aws ec2 modify-vpc-endpoint ${r} --vpc-endpoint-id ${q(id)} --reset-policy`);
      }
      const added = list(p.AddRouteTableIds).filter((t) => !had.has(t));
      const removed = list(p.RemoveRouteTableIds).filter((t) => had.has(t));
      if (added.length > 0)
        lines.push(
          `aws ec2 modify-vpc-endpoint ${r} --vpc-endpoint-id ${q(id)} --remove-route-table-ids ${added.map(q).join(' ')}`,
        );
      if (removed.length > 0)
        lines.push(
          `aws ec2 modify-vpc-endpoint ${r} --vpc-endpoint-id ${q(id)} --add-route-table-ids ${removed.map(q).join(' ')}`,
        );
      break;
    }
    case 'ec2:CreateVpcEndpoint': {
      const id = str(at(input.output, 'VpcEndpoint.VpcEndpointId'));
      if (id !== '') lines.push(`aws ec2 delete-vpc-endpoints ${r} --vpc-endpoint-ids ${q(id)}`);
      else
        lines.push(
          `# the S3 gateway endpoint created for ${str(p.VpcId)} (if it was): aws ec2 delete-vpc-endpoints ${r} --vpc-endpoint-ids VPCE_ID`,
        );
      break;
    }
    case 'ec2:DeleteRoute': {
      const table = str(p.RouteTableId);
      const destination = str(p.DestinationPrefixListId) || str(p.DestinationCidrBlock);
      const before = parse(itemOf(input, 'route-table')?.text ?? null);
      const routes = Array.isArray(before?.Routes) ? (before.Routes as JsonObject[]) : [];
      const route = routes.find(
        (x) => x.DestinationPrefixListId === destination || x.DestinationCidrBlock === destination,
      );
      const gateway = route === undefined ? '' : str(route.GatewayId);
      const target = route === undefined ? undefined : routeTarget(route);
      const dest =
        str(p.DestinationPrefixListId) !== ''
          ? `--destination-prefix-list-id ${q(destination)}`
          : `--destination-cidr-block ${q(destination)}`;
      if (gateway.startsWith('vpce-'))
        lines.push(
          `aws ec2 modify-vpc-endpoint ${r} --vpc-endpoint-id ${q(gateway)} --add-route-table-ids ${q(table)}`,
        );
      else if (target !== undefined)
        lines.push(`aws ec2 create-route ${r} --route-table-id ${q(table)} ${dest} ${target.join(' ')}`);
      else
        lines.push(
          `# the route ${destination} of ${table} had no target that can be re-created (a blackhole): nothing to restore`,
        );
      break;
    }
    case 'ec2:AuthorizeSecurityGroupEgress':
    case 'ec2:RevokeSecurityGroupEgress': {
      const group = str(p.GroupId);
      const authorize = call.operation === 'AuthorizeSecurityGroupEgress';
      const name = `${authorize ? 'authorized' : 'revoked'}-egress-${group}.json`;
      files.push({ file: name, text: JSON.stringify(p.IpPermissions ?? [], null, 2) });
      lines.push(
        `aws ec2 ${authorize ? 'revoke' : 'authorize'}-security-group-egress ${r} --group-id ${q(group)} --ip-permissions ${q(`file://${input.fileOf(name)}`)}`,
      );
      break;
    }
    case 'lambda:UpdateFunctionConfiguration': {
      const fn = str(p.FunctionName);
      const before = parse(itemOf(input, 'function-configuration')?.text ?? null) ?? {};
      const args: string[] = [];
      for (const key of Object.keys(p)) {
        if (key === 'FunctionName') continue;
        if (key === 'TracingConfig')
          args.push('--tracing-config', q(`Mode=${str(at(before, 'TracingConfig.Mode')) || 'PassThrough'}`));
        else if (key === 'KMSKeyArn') args.push('--kms-key-arn', q(str(before.KMSKeyArn)));
        else lines.push(`# ${key} of ${fn}: put back by hand from the backed-up configuration`);
      }
      if (args.length > 0) {
        lines.push(
          `aws lambda update-function-configuration ${r} --function-name ${q(fn)} ${args.join(' ')}`,
        );
        lines.push(`aws lambda wait function-updated ${r} --function-name ${q(fn)}`);
      }
      break;
    }
    case 'lambda:UpdateFunctionUrlConfig': {
      const fn = str(p.FunctionName);
      const before = parse(itemOf(input, 'url-config')?.text ?? null);
      const auth = str(before?.AuthType);
      if (auth !== '')
        lines.push(
          `aws lambda update-function-url-config ${r} --function-name ${q(fn)} --auth-type ${q(auth)}`,
        );
      break;
    }
    case 'lambda:RemovePermission': {
      const fn = str(p.FunctionName);
      const sid = str(p.StatementId);
      const text = itemOf(input, 'function-policy')?.text ?? null;
      const read = text === null ? undefined : readPolicy(text);
      const statement = read?.ok === true ? read.policy.Statement.find((s) => s.Sid === sid) : undefined;
      const args = statement === undefined ? undefined : addPermissionArgs(statement);
      if (args !== undefined)
        lines.push(`aws lambda add-permission ${r} --function-name ${q(fn)} ${args.join(' ')}`);
      else
        lines.push(
          `# statement ${sid} of ${fn} cannot be re-added with one add-permission: see the backed-up policy`,
        );
      break;
    }
    case 'iam:PutRolePolicy': {
      const item = itemOf(input, 'inline-policy');
      const role = q(str(p.RoleName));
      const name = q(str(p.PolicyName));
      if (item?.text != null)
        lines.push(
          `aws iam put-role-policy --role-name ${role} --policy-name ${name} --policy-document ${q(file(item))}`,
        );
      else lines.push(`aws iam delete-role-policy --role-name ${role} --policy-name ${name}`);
      break;
    }
    case 'kms:PutKeyPolicy': {
      const item = itemOf(input, 'key-policy');
      if (item?.text != null)
        lines.push(
          `aws kms put-key-policy ${r} --key-id ${q(str(p.KeyId))} --policy-name ${q(str(p.PolicyName) || 'default')} --policy ${q(file(item))}`,
        );
      break;
    }
    case 'kms:EnableKeyRotation': {
      const before = parse(itemOf(input, 'key-rotation')?.text ?? null);
      if (before !== undefined && before.KeyRotationEnabled !== true)
        lines.push(`aws kms disable-key-rotation ${r} --key-id ${q(str(p.KeyId))}`);
      break;
    }
    case 'kms:EnableKey': {
      const before = parse(itemOf(input, 'key-metadata')?.text ?? null);
      if (before !== undefined && before.KeyState !== 'Enabled')
        lines.push(`aws kms disable-key ${r} --key-id ${q(str(p.KeyId))}`);
      break;
    }
    case 'kms:CancelKeyDeletion': {
      lines.push(
        `# the key was scheduled for deletion; to schedule it again (irreversible once the window ends): aws kms schedule-key-deletion ${r} --key-id ${q(str(p.KeyId))} --pending-window-in-days 30`,
      );
      break;
    }
    case 'kms:CreateKey': {
      const arn = str(at(input.output, 'KeyMetadata.Arn'));
      lines.push(
        `# a key was created${arn !== '' ? ` (${arn})` : ''}; once nothing uses it, it can be deleted (after a waiting period): aws kms schedule-key-deletion ${r} --key-id ${arn !== '' ? q(arn) : 'KEY_ARN'} --pending-window-in-days 7`,
      );
      break;
    }
    case 'kms:CreateAlias': {
      // Like the key it names (kms:CreateKey above), the alias is left: kept, a later lvs fix finds
      // the key by it and reuses it; deleted without the key, a later lvs fix creates another key.
      const alias = str(p.AliasName);
      const target = str(p.TargetKeyId);
      lines.push(
        `# the alias ${alias} was created for ${target !== '' ? target : 'the new key'}; delete it together with the key (while it stays, lvs fix reuses the key instead of creating another): aws kms delete-alias ${r} --alias-name ${q(alias)}`,
      );
      break;
    }
    default:
      lines.push(`# ${call.service}:${call.operation}: no automatic restore`);
  }
  return { lines, files };
}

/**
 * The restore lines of a call that was not sent because its reuse lookup found what an earlier
 * run created (plan-model Reuse): this run created nothing, so there is nothing to undo.
 */
export function reusedRestoreCommands(call: ApiCall, values: Readonly<Record<string, string>>): string[] {
  const found = Object.entries(values)
    .map(([name, value]) => `${name} = ${value}`)
    .join(', ');
  return [
    `# not sent: ${call.reuse?.label ?? 'what an earlier run created'} reused${found !== '' ? ` (${found})` : ''}; this run created nothing to undo (the earlier run's backup has its restore commands)`,
  ];
}
