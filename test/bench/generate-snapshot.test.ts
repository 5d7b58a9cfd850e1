import { describe, expect, it } from 'vitest';
import { createRng, generateSnapshot } from '../../bench/generate-snapshot.js';
import { parsePolicy } from '../../src/policy/document.js';
import {
  accountSnapshotSchema,
  type AccountSnapshot,
  type LambdaFunction,
} from '../../src/snapshot/schema.js';

const N = 200;
const snapshot = generateSnapshot({ functions: N, seed: 42 });

const okValue = <T>(f: { status: string; value?: T }): T => {
  if (f.status !== 'ok' || f.value === undefined) throw new Error('expected ok');
  return f.value;
};
const allFunctions = (s: AccountSnapshot): LambdaFunction[] => s.regions.flatMap((r) => okValue(r.functions));

describe('bench/generate-snapshot', () => {
  it('produces a schema-valid snapshot', () => {
    const parsed = accountSnapshotSchema.safeParse(snapshot);
    if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues.slice(0, 3)));
    expect(parsed.data).toEqual(snapshot);
  });

  it('is deterministic for a seed and varies with it', () => {
    expect(JSON.stringify(generateSnapshot({ functions: N, seed: 42 }))).toBe(JSON.stringify(snapshot));
    expect(JSON.stringify(generateSnapshot({ functions: N, seed: 43 }))).not.toBe(JSON.stringify(snapshot));
    const a = createRng(7);
    const b = createRng(7);
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
  });

  it('has the requested size and proportions', () => {
    const fns = allFunctions(snapshot);
    expect(fns).toHaveLength(N);
    expect(new Set(fns.map((f) => f.functionArn)).size).toBe(N);
    expect(snapshot.regions.map((r) => r.region)).toEqual(['eu-west-1', 'us-east-1', 'ap-southeast-2']);
    for (const region of snapshot.regions) expect(okValue(region.functions).length).toBeGreaterThan(0);
    expect(snapshot.regions.flatMap((r) => okValue(r.vpcs))).toHaveLength(Math.max(3, Math.round(N / 50)));
    expect(Object.keys(snapshot.iam.roles)).toHaveLength(N / 10);
    const owned = Object.values(snapshot.s3.buckets).filter((b) => b.ownedByAccount);
    expect(owned.length).toBeGreaterThan(N / 40);
    expect(owned.length).toBeLessThanOrEqual(N / 20);
    expect(allFunctions(generateSnapshot({ functions: 1 }))).toHaveLength(1);
    expect(() => generateSnapshot({ functions: 0 })).toThrow(RangeError);
  });

  it('is referentially intact: everything a function or role names is in the snapshot', () => {
    for (const region of snapshot.regions) {
      const subnets = new Set(okValue(region.subnets).map((s) => s.subnetId));
      const groups = new Set(okValue(region.securityGroups).map((g) => g.groupId));
      const tables = okValue(region.routeTables);
      const endpoints = new Map(okValue(region.vpcEndpoints).map((e) => [e.vpcEndpointId, e]));
      for (const fn of okValue(region.functions)) {
        expect(fn.functionArn).toContain(`:${region.region}:`);
        expect(snapshot.iam.roles).toHaveProperty([fn.role]);
        if (fn.kmsKeyArn !== null) expect(snapshot.kms.keys).toHaveProperty([fn.kmsKeyArn]);
        for (const id of fn.vpcConfig?.subnetIds ?? []) expect(subnets.has(id)).toBe(true);
        for (const id of fn.vpcConfig?.securityGroupIds ?? []) expect(groups.has(id)).toBe(true);
        for (const v of fn.environment)
          if (v.bucketName !== null) expect(snapshot.s3.buckets).toHaveProperty([v.bucketName]);
        expect(fn.environment.map((v) => v.name)).toEqual(
          fn.environment.map((v) => v.name).sort((a, b) => a.localeCompare(b)),
        );
      }
      // One main table per VPC; endpoints list exactly the tables that route to them.
      for (const vpc of okValue(region.vpcs)) {
        expect(
          tables.filter((t) => t.vpcId === vpc.vpcId && t.associations.some((a) => a.main)),
        ).toHaveLength(1);
      }
      for (const endpoint of endpoints.values()) {
        const routed = tables
          .filter((t) => t.routes.some((r) => r.gatewayId === endpoint.vpcEndpointId))
          .map((t) => t.routeTableId);
        expect(endpoint.routeTableIds.sort()).toEqual(routed.sort());
      }
    }
    for (const role of Object.values(snapshot.iam.roles)) {
      if (role.status !== 'ok') continue;
      for (const { policyArn } of role.value.attachedPolicies)
        expect(snapshot.iam.managedPolicies).toHaveProperty([policyArn]);
    }
    const bucketNames = okValue(snapshot.s3.bucketNames);
    for (const bucket of Object.values(snapshot.s3.buckets))
      expect(bucketNames.includes(bucket.name)).toBe(bucket.ownedByAccount);
    // The account-level error list is exactly the failed reads found in place.
    const inPlace = JSON.stringify(snapshot).match(/"status":"error"/g)?.length ?? 0;
    expect(snapshot.errors).toHaveLength(inPlace);
  });

  it('mixes compliant and misconfigured functions and resources', () => {
    const fns = allFunctions(snapshot);
    const count = (predicate: (f: LambdaFunction) => boolean) => fns.filter(predicate).length;
    const goldenLike = count(
      (f) =>
        f.vpcConfig !== null &&
        f.vpcConfig.subnetIds.length === 2 &&
        f.tracingMode === 'Active' &&
        f.kmsKeyArn !== null &&
        f.resourcePolicy.status !== 'ok' &&
        f.environment.every((v) => v.credentialPatterns.length === 0),
    );
    expect(goldenLike).toBeGreaterThan(N * 0.25);
    expect(goldenLike).toBeLessThan(N * 0.9);
    expect(count((f) => f.vpcConfig === null)).toBeGreaterThan(0);
    expect(count((f) => f.tracingMode !== 'Active')).toBeGreaterThan(0);
    expect(count((f) => f.kmsKeyArn === null)).toBeGreaterThan(0);

    const roleDocs = Object.values(snapshot.iam.roles).flatMap((r) =>
      r.status === 'ok' ? r.value.inlinePolicies.map((p) => p.document) : [],
    );
    expect(roleDocs.some((d) => d.includes('"Resource":"*"') && d.includes('s3:*'))).toBe(true);
    const roleUse = new Map<string, number>();
    for (const f of fns) roleUse.set(f.role, (roleUse.get(f.role) ?? 0) + 1);
    expect([...roleUse.values()].some((c) => c > 1)).toBe(true);
    expect(
      Object.keys(snapshot.iam.managedPolicies).some((arn) => arn.startsWith('arn:aws:iam::aws:policy/')),
    ).toBe(true);

    const policies = Object.values(snapshot.s3.buckets).map((b) => b.policy);
    expect(policies.some((p) => p.status === 'absent')).toBe(true);
    expect(
      policies.some(
        (p) => p.status === 'ok' && p.value.includes('aws:SourceVpce') && p.value.includes('"Deny"'),
      ),
    ).toBe(true);
    expect(policies.some((p) => p.status === 'ok' && !p.value.includes('aws:SourceVpce'))).toBe(true);
    expect(policies.some((p) => p.status === 'ok' && !parsePolicy(p.value).ok)).toBe(true);

    const tables = snapshot.regions.flatMap((r) => okValue(r.routeTables));
    const subnets = snapshot.regions.flatMap((r) => okValue(r.subnets));
    const explicit = new Set(
      tables.flatMap((t) => t.associations.flatMap((a) => (a.subnetId ? [a.subnetId] : []))),
    );
    expect(subnets.some((s) => !explicit.has(s.subnetId))).toBe(true);
  });

  it('scales to 10,000 functions quickly', () => {
    const start = performance.now();
    const big = generateSnapshot({ functions: 10_000, seed: 42 });
    expect(allFunctions(big)).toHaveLength(10_000);
    expect(performance.now() - start).toBeLessThan(5_000);
  });
});
