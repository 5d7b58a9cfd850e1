import { describe, expect, it } from 'vitest';
import { G, golden, indexOf, okValue, regionOf } from '../helpers/golden.js';

describe('RegionIndex.s3Path', () => {
  it('walks subnet -> effective route table -> S3 route -> usable endpoint, once per subnet', async () => {
    const region = (await indexOf(golden())).regions[0]!;
    const path = region.s3Path(G.subnetA);
    expect(path.subnetId).toBe(G.subnetA);
    expect(path.table).toMatchObject({ ok: true, value: { association: 'explicit' } });
    expect(path.table.ok && path.table.value.table.routeTableId).toBe(G.routeTableA);
    expect(path.target).toMatchObject({ ok: true, value: { usable: true } });
    expect(path.endpoint?.vpcEndpointId).toBe(G.endpointId);
    expect(region.s3Path(G.subnetA)).toBe(path);
  });

  it('names no endpoint when the table (here the main one) has no S3 route', async () => {
    const snapshot = golden((s) => {
      const a = okValue(regionOf(s).routeTables, 'route tables').find(
        (t) => t.routeTableId === G.routeTableA,
      );
      if (a) a.associations = [];
    });
    const path = (await indexOf(snapshot)).regions[0]!.s3Path(G.subnetA);
    expect(path.table).toMatchObject({ ok: true, value: { association: 'main' } });
    expect(path.target).toMatchObject({ ok: true, value: { route: undefined, usable: false } });
    expect(path.endpoint).toBeUndefined();
  });

  it('names no endpoint when the route targets one that is not available', async () => {
    const snapshot = golden((s) => {
      for (const e of okValue(regionOf(s).vpcEndpoints, 'endpoints')) e.state = 'pending';
    });
    const path = (await indexOf(snapshot)).regions[0]!.s3Path(G.subnetB);
    expect(path.target).toMatchObject({ ok: true, value: { usable: false } });
    expect(path.endpoint).toBeUndefined();
  });

  it('carries the problem of an unknown subnet to the route as well', async () => {
    const path = (await indexOf(golden())).regions[0]!.s3Path('subnet-0000000000000dead');
    expect(path.table).toMatchObject({
      ok: false,
      problem: { kind: 'missing', id: 'subnet-0000000000000dead' },
    });
    expect(path.target).toEqual(path.table);
    expect(path.endpoint).toBeUndefined();
  });
});
