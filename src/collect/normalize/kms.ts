import type { DescribeKeyResponse } from '@aws-sdk/client-kms';
import { kmsKeySchema, type KmsKey } from '../../snapshot/schema.js';
import { conform, required, UnexpectedResponseError } from './common.js';

export function normalizeKey(
  output: DescribeKeyResponse,
  rotationEnabled: KmsKey['rotationEnabled'],
): KmsKey {
  const meta = required(output.KeyMetadata, 'KeyMetadata');
  const manager = required(meta.KeyManager, 'KeyMetadata.KeyManager');
  if (manager !== 'CUSTOMER' && manager !== 'AWS')
    throw new UnexpectedResponseError(`unknown KeyManager "${String(manager)}"`);
  return conform(
    kmsKeySchema,
    {
      keyId: required(meta.KeyId, 'KeyMetadata.KeyId'),
      keyArn: required(meta.Arn, 'KeyMetadata.Arn'),
      keyManager: manager,
      keyState: String(required(meta.KeyState, 'KeyMetadata.KeyState')),
      rotationEnabled,
    },
    'KeyMetadata',
  );
}
