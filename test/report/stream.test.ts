import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { generateSnapshot } from '../../bench/generate-snapshot.js';
import { auditSnapshot, streamAudit } from '../../src/audit.js';
import { CHECKS } from '../../src/checks/registry.js';
import { exitCodeFor, exitCodeOf } from '../../src/cli/exit-code.js';
import { loadIamActionCatalog, servicesReferenced } from '../../src/iam/load-catalog.js';
import { chunksToText } from '../../src/report/chunks.js';
import { renderTerminal, renderTerminalStreamChunks } from '../../src/report/terminal.js';
import { parseSnapshot } from '../../src/snapshot/load.js';
import type { AccountSnapshot } from '../../src/snapshot/schema.js';
import type { Suppression } from '../../src/suppress/config.js';

const generated = (): AccountSnapshot =>
  parseSnapshot(JSON.parse(JSON.stringify(generateSnapshot({ functions: 80, seed: 11 }))), 'generated');
const snapshot = generated();
const iam = await loadIamActionCatalog(servicesReferenced(snapshot));
const now = new Date('2026-11-21T10:00:00Z');

const SUPPRESSIONS: Suppression[] = [
  { rule: 'LVS010', resource: 'arn:aws:lambda:*:function:*1*', reason: 'tracing is handled by a sidecar' },
  { rule: 'LVS009', resource: '*', reason: 'expired entry for the test', expires: '2001-01-01' },
  { rule: 'LVS001', resource: 'arn:aws:lambda:*:function:nothing-matches-this', reason: 'an unused entry' },
  { rule: 'LVS007', resource: '*', reason: 'bucket pinning tracked elsewhere' },
];

describe('streamAudit + renderTerminalStreamChunks', () => {
  it.each([
    ['no config, plain', [], 'low', []],
    ['suppressions (used, expired, unused), colour, verbose', SUPPRESSIONS, 'low', []],
    ['fail-on critical, a function filter', SUPPRESSIONS, 'critical', ['*-0*']],
  ] as const)(
    '%s: the same report, warnings and exit code as auditSnapshot + renderTerminal',
    (_, suppressions, failOn, functionFilter) => {
      const options = {
        checks: CHECKS,
        now,
        failOn,
        suppressions: [...suppressions],
        functionFilter: [...functionFilter],
      } as const;
      const report = auditSnapshot(snapshot, iam, { ...options, toolVersion: 'test', locations: {} });
      if (suppressions.length > 0) {
        expect(report.results.some((r) => r.status === 'suppressed')).toBe(true);
        expect(report.warnings.some((w) => w.includes('matched no failing'))).toBe(true);
        expect(report.warnings.some((w) => w.includes(' expired on '))).toBe(true);
      }
      for (const render of [
        { chalk: new Chalk({ level: 0 }) },
        { chalk: new Chalk({ level: 1 }), verbose: true },
      ]) {
        const stream = streamAudit(snapshot, iam, options);
        expect(stream.sharesArns).toBe(false);
        expect(stream.functionCount).toBe(report.dataPaths.length);
        const chunks = [...renderTerminalStreamChunks(stream, render)];
        expect(chunksToText(chunks)).toBe(renderTerminal(report, render));
        expect(chunks.every((c) => chunksToText([c]).endsWith('\n'))).toBe(true);
        expect(stream.warnings()).toEqual(report.warnings);
        expect(stream.expiredWarnings).toEqual(report.warnings.filter((w) => w.includes(' expired on ')));
        expect(exitCodeOf(stream.outcome(), stream.errors)).toBe(
          exitCodeFor(report.results, report.errors, failOn),
        );
      }
    },
  );

  it('draws "No Lambda functions found." as the report does when nothing is selected', () => {
    const options = {
      checks: CHECKS,
      now,
      failOn: 'low',
      suppressions: [],
      functionFilter: ['none-*'],
    } as const;
    const report = auditSnapshot(snapshot, iam, { ...options, toolVersion: 'test', locations: {} });
    const stream = streamAudit(snapshot, iam, options);
    expect(stream.functionCount).toBe(0);
    expect(chunksToText(renderTerminalStreamChunks(stream))).toBe(renderTerminal(report));
  });

  it('says when two functions share an ARN (the report merges them; the CLI then does not stream)', () => {
    const twice = generated();
    const region = twice.regions[0]!;
    if (region.functions.status !== 'ok') throw new Error('expected functions');
    const [first] = region.functions.value;
    region.functions.value.push({ ...first!, functionName: `${first!.functionName}-again` });
    const stream = streamAudit(twice, iam, {
      checks: CHECKS,
      now,
      failOn: 'low',
      suppressions: [],
      functionFilter: [],
    });
    expect(stream.sharesArns).toBe(true);
  });
});
