import type { ApiError } from '../snapshot/fetched.js';
import type { ApiCaller } from './call.js';
import type { AwsClients, Partition } from './clients.js';

/** What every collector of one run shares. */
export interface CollectContext {
  clients: AwsClients;
  caller: ApiCaller;
  /** Every failed read, in the order they happened (sorted when the snapshot is assembled). */
  errors: ApiError[];
  partition: Partition;
  /** The first audited region: where region-less reads (ListBuckets, S3 Control, GetBucketLocation) are sent. */
  homeRegion: string;
  /** The partition's global region (IAM). */
  globalRegion: string;
}
