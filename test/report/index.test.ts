import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { render, renderers, REPORT_FORMATS } from '../../src/report/index.js';
import { makeReport } from './build-report.js';

describe('report registry', () => {
  it('has terminal, json and sarif renderers that return strings ending in a newline', async () => {
    expect(REPORT_FORMATS).toEqual(['terminal', 'json', 'sarif']);
    const report = await makeReport();
    for (const format of REPORT_FORMATS) {
      const text = renderers[format](report, { chalk: new Chalk({ level: 0 }) });
      expect(typeof text).toBe('string');
      expect(text.endsWith('\n')).toBe(true);
    }
    expect(JSON.parse(render('json', report))).toMatchObject({ schemaVersion: 1 });
    expect(JSON.parse(render('sarif', report, { informationUri: 'https://example.org/lvs' }))).toMatchObject({
      runs: [{ tool: { driver: { informationUri: 'https://example.org/lvs' } } }],
    });
  });

  it('does not mutate the report', async () => {
    const report = await makeReport();
    const before = structuredClone(report);
    for (const format of REPORT_FORMATS) renderers[format](report);
    expect(report).toEqual(before);
  });
});
