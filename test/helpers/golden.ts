import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IamActionCatalog } from '../../src/iam/action-catalog.js';
import { loadIamActionCatalog } from '../../src/iam/load-catalog.js';
import { buildIndex, type AuditIndex } from '../../src/snapshot/derive.js';
import { parseSnapshot } from '../../src/snapshot/load.js';
import type { AccountSnapshot, LambdaFunction, RegionSnapshot } from '../../src/snapshot/schema.js';

export const GOLDEN_PATH = fileURLToPath(new URL('../../fixtures/golden/snapshot.json', import.meta.url));
const goldenJson: unknown = JSON.parse(readFileSync(GOLDEN_PATH, 'utf8'));

/** Well-known names of the golden stack, for readable tests. */
export const G = {
  accountId: '111122223333',
  region: 'eu-west-1',
  functionName: 'lvs-golden-scorer',
  functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:lvs-golden-scorer',
  roleArn: 'arn:aws:iam::111122223333:role/lvs-golden-scorer-role',
  vpcId: 'vpc-0a1b2c3d4e5f60001',
  subnetA: 'subnet-0a1b2c3d4e5f60011',
  subnetB: 'subnet-0a1b2c3d4e5f60012',
  mainRouteTable: 'rtb-0a1b2c3d4e5f60020',
  routeTableA: 'rtb-0a1b2c3d4e5f60021',
  routeTableB: 'rtb-0a1b2c3d4e5f60022',
  endpointId: 'vpce-0a1b2c3d4e5f60031',
  securityGroupId: 'sg-0a1b2c3d4e5f60041',
  s3PrefixListId: 'pl-6da54004',
  bucket: 'lvs-golden-scores-111122223333',
  keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
  vpcAccessPolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
  xrayPolicyArn: 'arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess',
} as const;

/** A fresh, validated copy of the golden snapshot that a test may mutate. */
export function goldenSnapshot(): AccountSnapshot {
  return parseSnapshot(structuredClone(goldenJson), GOLDEN_PATH);
}

/** The golden snapshot after `mutate`; re-validated so tests cannot build snapshots the loader would reject. */
export function golden(mutate: (s: AccountSnapshot) => void = () => {}): AccountSnapshot {
  const snapshot = goldenSnapshot();
  mutate(snapshot);
  return parseSnapshot(snapshot, 'test snapshot');
}

/** Narrowing accessors into a golden-shaped snapshot, for use inside `golden(s => …)`. */
export function okValue<T>(fetched: { status: string; value?: T }, what: string): T {
  if (fetched.status !== 'ok' || fetched.value === undefined)
    throw new Error(`${what} is not ok in this snapshot`);
  return fetched.value;
}
export const regionOf = (s: AccountSnapshot, i = 0): RegionSnapshot => {
  const region = s.regions[i];
  if (!region) throw new Error(`no region ${i}`);
  return region;
};
export const goldenFunction = (s: AccountSnapshot): LambdaFunction => {
  const fn = okValue(regionOf(s).functions, 'functions')[0];
  if (!fn) throw new Error('golden function missing');
  return fn;
};

let catalog: Promise<IamActionCatalog> | undefined;
/** Every service's actions, loaded once per test file. */
export function iamCatalog(): Promise<IamActionCatalog> {
  catalog ??= loadIamActionCatalog();
  return catalog;
}

export async function indexOf(snapshot: AccountSnapshot): Promise<AuditIndex> {
  return buildIndex(snapshot, await iamCatalog());
}
