import {
  AuthorizeSecurityGroupEgressCommand,
  CreateVpcEndpointCommand,
  DeleteRouteCommand,
  ModifyVpcEndpointCommand,
  RevokeSecurityGroupEgressCommand,
} from '@aws-sdk/client-ec2';
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import {
  RemovePermissionCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import {
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import type { AwsClients } from '../../collect/clients.js';
import type { ApiCall, PlanService } from '../plan-model.js';
import type { WriteClients } from './clients.js';

/**
 * service + operation of a plan's ApiCall -> the SDK v3 command that sends it. A call whose
 * operation is not listed here cannot be applied: the executor refuses the whole plan before any
 * change (test/fix/apply/commands.test.ts proves every automated call the planners write is here).
 */

type CommandClass = new (input: never) => object;

export const WRITE_COMMANDS: Readonly<Record<PlanService, Readonly<Record<string, CommandClass>>>> = {
  ec2: {
    AuthorizeSecurityGroupEgress: AuthorizeSecurityGroupEgressCommand,
    CreateVpcEndpoint: CreateVpcEndpointCommand,
    DeleteRoute: DeleteRouteCommand,
    ModifyVpcEndpoint: ModifyVpcEndpointCommand,
    RevokeSecurityGroupEgress: RevokeSecurityGroupEgressCommand,
  },
  iam: { PutRolePolicy: PutRolePolicyCommand },
  kms: {
    CancelKeyDeletion: CancelKeyDeletionCommand,
    CreateAlias: CreateAliasCommand,
    CreateKey: CreateKeyCommand,
    EnableKey: EnableKeyCommand,
    EnableKeyRotation: EnableKeyRotationCommand,
    PutKeyPolicy: PutKeyPolicyCommand,
  },
  lambda: {
    RemovePermission: RemovePermissionCommand,
    UpdateFunctionConfiguration: UpdateFunctionConfigurationCommand,
    UpdateFunctionUrlConfig: UpdateFunctionUrlConfigCommand,
  },
  s3: {
    PutBucketEncryption: PutBucketEncryptionCommand,
    PutBucketPolicy: PutBucketPolicyCommand,
    PutPublicAccessBlock: PutPublicAccessBlockCommand,
  },
};

/**
 * The reads a call's `reuse.lookup` may send (before any change, through the read-only clients):
 * how the executor finds what an interrupted earlier run created. A lookup not listed here makes
 * the executor refuse the plan, like an unknown write.
 */
export const LOOKUP_COMMANDS: Readonly<Partial<Record<PlanService, Readonly<Record<string, CommandClass>>>>> =
  {
    kms: { DescribeKey: DescribeKeyCommand },
  };

export function lookupCommandFor(call: Pick<ApiCall, 'service' | 'reuse'>): CommandClass | undefined {
  const operation = call.reuse?.lookup.operation;
  const byOperation = LOOKUP_COMMANDS[call.service];
  if (operation === undefined || byOperation === undefined) return undefined;
  return Object.hasOwn(byOperation, operation) ? byOperation[operation] : undefined;
}

/** Sends a call's reuse lookup through the read-only client of its service and region. */
export async function sendLookup(
  clients: AwsClients,
  call: ApiCall,
  region: string,
): Promise<Record<string, unknown>> {
  const Command = lookupCommandFor(call);
  if (Command === undefined || call.reuse === undefined)
    throw new Error(`lvs cannot look up ${call.service}:${call.reuse?.lookup.operation ?? '(none)'}`);
  const client = clients[call.service](region) as unknown as Sender;
  const output = await client.send(new Command(call.reuse.lookup.params as never));
  return (typeof output === 'object' && output !== null ? output : {}) as Record<string, unknown>;
}

export function commandFor(call: Pick<ApiCall, 'service' | 'operation'>): CommandClass | undefined {
  const byOperation = WRITE_COMMANDS[call.service];
  return Object.hasOwn(byOperation, call.operation) ? byOperation[call.operation] : undefined;
}

interface Sender {
  send(command: object): Promise<unknown>;
}

/** Sends one (placeholder-free) call through the write client of its service and region. */
export async function sendCall(
  clients: WriteClients,
  call: ApiCall,
  region: string,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const Command = commandFor(call);
  if (Command === undefined) throw new Error(`lvs cannot send ${call.service}:${call.operation}`);
  const client = clients[call.service](region) as unknown as Sender;
  const output = await client.send(new Command(params as never));
  return (typeof output === 'object' && output !== null ? output : {}) as Record<string, unknown>;
}
