import { describe, expect, it } from 'vitest';
import { environmentReadError } from '../../src/snapshot/derive.js';
import type { AccountSnapshot } from '../../src/snapshot/schema.js';
import { parseSnapshot } from '../../src/snapshot/load.js';
import { G, golden, goldenFunction, indexOf, okValue, regionOf } from '../helpers/golden.js';
import { applyVariant, loadVariants } from '../helpers/variants.js';

/** SPEC 2.2 (b): buckets named by environment values. An environment Lambda could not decrypt is unknown. */

const KMS_DENIED = {
  errorCode: 'KMSAccessDeniedException',
  message: 'Lambda was unable to decrypt the environment variables because KMS access was denied.',
};
const expectedProblem = {
  kind: 'api-error',
  error: {
    service: 'lambda',
    operation: 'ListFunctions',
    region: G.region,
    resource: G.functionArn,
    code: 'KMSAccessDeniedException',
    message: `environment variables not readable: ${KMS_DENIED.message}`,
  },
};

async function reachOf(snapshot: AccountSnapshot, functionName: string = G.functionName) {
  const index = await indexOf(snapshot);
  const entry = index.functions.find((e) => e.fn.functionName === functionName);
  if (!entry) throw new Error(functionName);
  return index.bucketsReached(entry);
}

describe('computeReach and an unreadable environment', () => {
  it('golden: the bucket through the role and RESULTS_BUCKET, no problem', async () => {
    const reach = await reachOf(golden());
    expect(reach.problems).toEqual([]);
    expect(reach.buckets.map((b) => [b.name, b.paths.map((p) => p.via).sort()])).toEqual([
      [G.bucket, ['environment', 'role']],
    ]);
  });

  it('adds the failed read as a problem, keeping what the role reaches', async () => {
    const reach = await reachOf(
      golden((s) => {
        const fn = goldenFunction(s);
        fn.environment = [];
        fn.environmentError = KMS_DENIED;
      }),
    );
    expect(reach.problems).toEqual([expectedProblem]);
    expect(reach.buckets.map((b) => [b.name, b.paths.map((p) => p.via)])).toEqual([[G.bucket, ['role']]]);
    expect(reach.unbounded).toBeUndefined();
  });

  it('adds it beside the buckets the variables it did show name', async () => {
    const reach = await reachOf(golden((s) => void (goldenFunction(s).environmentError = KMS_DENIED)));
    expect(reach.problems).toEqual([expectedProblem]);
    expect(reach.buckets[0]?.paths.map((p) => p.via).sort()).toEqual(['environment', 'role']);
  });

  it("does not leak into the role's shared reach: another function of the role has no problem", async () => {
    const snapshot = golden((s) => {
      const fns = okValue(regionOf(s).functions, 'functions');
      const twin = {
        ...structuredClone(fns[0]!),
        functionName: 'twin',
        functionArn: `arn:aws:lambda:${G.region}:${G.accountId}:function:twin`,
        environment: [],
      };
      fns[0]!.environment = [];
      fns[0]!.environmentError = KMS_DENIED;
      fns.push(twin);
    });
    const index = await indexOf(snapshot);
    const [broken, twin] = index.functions;
    expect(index.bucketsReached(broken!).problems).toHaveLength(1);
    expect(index.bucketsReached(twin!).problems).toEqual([]);
    expect(index.bucketsReached(broken!).problems).toHaveLength(1);
  });

  it('is the same record collection writes to snapshot.errors (variant lvs012-environment-unreadable)', () => {
    const variant = loadVariants().find((v) => v.slug === 'lvs012-environment-unreadable');
    if (!variant) throw new Error('variant missing');
    const snapshot = parseSnapshot(applyVariant(variant), variant.slug);
    const fn = goldenFunction(snapshot);
    expect(snapshot.errors).toContainEqual(environmentReadError(fn, G.region));
    expect(environmentReadError(goldenFunction(golden()), G.region)).toBeUndefined();
  });
});
