import type { AccountSnapshot } from './schema.js';

/**
 * Makes every function's identifiers (role ARN, key ARN, VPC, subnet and security-group IDs, bucket
 * names) one shared string per distinct value, the record keys of the snapshot where there is one.
 * JSON.parse gives each occurrence its own copy: 10,000 functions bring 10,000 copies of a few
 * hundred role ARNs, and each rule's lookup by one (index.memo, the role and key records) read a
 * cold copy and compared it in full. A shared string is compared by identity and stays in cache.
 * Strings are immutable and compared by value, so nothing can tell the difference; only the
 * parsed document passed in (fresh from JSON.parse) is changed.
 */
export function shareIdentifierStrings(snapshot: AccountSnapshot): void {
  const shared = new Map<string, string>();
  const seed = (record: Record<string, unknown>) => {
    for (const key in record) shared.set(key, key);
  };
  seed(snapshot.iam.roles);
  seed(snapshot.kms.keys);
  seed(snapshot.s3.buckets);
  const share = (value: string): string => {
    const known = shared.get(value);
    if (known !== undefined) return known;
    shared.set(value, value);
    return value;
  };
  const shareAll = (values: string[]) => {
    for (let i = 0; i < values.length; i++) values[i] = share(values[i] as string);
  };
  for (const region of snapshot.regions) {
    if (region.functions.status !== 'ok') continue;
    for (const fn of region.functions.value) {
      fn.role = share(fn.role);
      if (fn.kmsKeyArn !== null) fn.kmsKeyArn = share(fn.kmsKeyArn);
      if (fn.vpcConfig !== null) {
        fn.vpcConfig.vpcId = share(fn.vpcConfig.vpcId);
        shareAll(fn.vpcConfig.subnetIds);
        shareAll(fn.vpcConfig.securityGroupIds);
      }
      for (const variable of fn.environment) {
        if (variable.bucketName !== null) variable.bucketName = share(variable.bucketName);
      }
    }
  }
}
