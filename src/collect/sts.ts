import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { UnexpectedResponseError } from './normalize/common.js';
import type { CollectContext } from './context.js';
import type { Partition } from './clients.js';

export interface CallerIdentity {
  accountId: string;
  /** The identity's ARN: the principal lvs runs as (named in messages, e.g. for bucket-policy lockouts). */
  arn: string;
  partition: Partition;
}

const PARTITIONS: readonly Partition[] = ['aws', 'aws-cn', 'aws-us-gov'];

/**
 * sts:GetCallerIdentity, the first call of every run: it proves the credentials work and names the
 * account and partition. Throws what AWS (or the credential chain) answered; collect-account.ts
 * turns that into one clear line.
 */
export async function getCallerIdentity(
  ctx: Pick<CollectContext, 'clients' | 'caller'>,
  region: string,
): Promise<CallerIdentity> {
  const client = ctx.clients.sts(region);
  const output = await ctx.caller.send({ service: 'sts', operation: 'GetCallerIdentity', region }, () =>
    client.send(new GetCallerIdentityCommand({})),
  );
  const accountId = output.Account ?? '';
  const arn = output.Arn ?? '';
  if (!/^\d{12}$/.test(accountId))
    throw new UnexpectedResponseError(`GetCallerIdentity returned no 12-digit account ID`);
  const partition = PARTITIONS.find((p) => arn.startsWith(`arn:${p}:`)) ?? 'aws';
  return { accountId, arn, partition };
}
