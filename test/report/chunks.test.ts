import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { generateSnapshot } from '../../bench/generate-snapshot.js';
import { auditSnapshot } from '../../src/audit.js';
import { CHECKS } from '../../src/checks/registry.js';
import { loadIamActionCatalog, servicesReferenced } from '../../src/iam/load-catalog.js';
import { chunkRenderers, chunksToText, renderers, REPORT_FORMATS } from '../../src/report/index.js';
import { parseSnapshot } from '../../src/snapshot/load.js';

// Enough functions for the terminal report to come in several chunks (a chunk is a few hundred lines).
const snapshot = parseSnapshot(
  JSON.parse(JSON.stringify(generateSnapshot({ functions: 120, seed: 7 }))),
  'generated',
);
const report = auditSnapshot(snapshot, await loadIamActionCatalog(servicesReferenced(snapshot)), {
  checks: CHECKS,
  toolVersion: 'test',
  now: new Date('2026-11-21T10:00:00Z'),
  failOn: 'low',
  suppressions: [],
  functionFilter: [],
  locations: {},
});

describe('chunk renderers', () => {
  it.each(REPORT_FORMATS)(
    '%s: the chunks, in order, are the document the string renderer gives',
    (format) => {
      for (const options of [
        { chalk: new Chalk({ level: 0 }) },
        { chalk: new Chalk({ level: 1 }), verbose: true },
      ]) {
        const chunks = [...chunkRenderers[format](report, options)];
        expect(chunksToText(chunks)).toBe(renderers[format](report, options));
        expect(chunks.every((c) => c.length > 0)).toBe(true);
      }
    },
  );

  it('terminal: a large report comes in several chunks, each ending a line', () => {
    const chunks = [...chunkRenderers.terminal(report, { chalk: new Chalk({ level: 0 }) })];
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunksToText([chunk]).endsWith('\n')).toBe(true);
  });
});
