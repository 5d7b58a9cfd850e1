import { DescribeKeyCommand, GetKeyRotationStatusCommand } from '@aws-sdk/client-kms';
import { absent, failed, type Fetched } from '../snapshot/fetched.js';
import type { KmsKey } from '../snapshot/schema.js';
import type { CollectContext } from './context.js';
import { normalizeKey } from './normalize/kms.js';

/** The region in a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), else `fallback`. */
export function keyRegion(keyArn: string, fallback: string): string {
  const region = keyArn.split(':')[3];
  return region !== undefined && /^[a-z]{2}(-[a-z]+)+-\d$/.test(region) ? region : fallback;
}

/**
 * Every distinct KMS key the functions' KMSKeyArn name, read once per run through the key's own
 * region: DescribeKey (manager, state) and GetKeyRotationStatus. NotFoundException on DescribeKey
 * means the key does not exist: `absent`.
 */
export class KmsCollector {
  private readonly keys = new Map<string, Promise<Fetched<KmsKey>>>();

  constructor(private readonly ctx: CollectContext) {}

  key(keyArn: string, functionRegion: string): Promise<Fetched<KmsKey>> {
    let pending = this.keys.get(keyArn);
    if (pending === undefined) {
      pending = this.read(keyArn, keyRegion(keyArn, functionRegion));
      this.keys.set(keyArn, pending);
    }
    return pending;
  }

  async settled(): Promise<Record<string, Fetched<KmsKey>>> {
    const out: Record<string, Fetched<KmsKey>> = {};
    for (const [arn, pending] of [...this.keys].sort(([a], [b]) => a.localeCompare(b)))
      out[arn] = await pending;
    return out;
  }

  private async read(keyArn: string, region: string): Promise<Fetched<KmsKey>> {
    const kms = this.ctx.clients.kms(region);
    const at = (operation: string) => ({ service: 'kms', operation, region, resource: keyArn });
    const [description, rotation] = await Promise.all([
      this.ctx.caller.fetch(
        at('DescribeKey'),
        () => kms.send(new DescribeKeyCommand({ KeyId: keyArn })),
        (o) => o,
        {
          absentCodes: ['NotFoundException'],
          errors: this.ctx.errors,
        },
      ),
      this.ctx.caller.fetch(
        at('GetKeyRotationStatus'),
        () => kms.send(new GetKeyRotationStatusCommand({ KeyId: keyArn })),
        (o) => o.KeyRotationEnabled === true,
        // A missing key says so on both reads; DescribeKey's answer is the one recorded.
        { absentCodes: ['NotFoundException'], errors: this.ctx.errors },
      ),
    ]);
    if (description.status === 'absent') return absent();
    if (description.status === 'error') return failed(description.error);
    try {
      return { status: 'ok', value: normalizeKey(description.value, rotation) };
    } catch (error) {
      return this.ctx.caller.failure(at('DescribeKey'), error, this.ctx.errors);
    }
  }
}
