import { describe, expect, it } from 'vitest';
import { LvsInputError } from '../../src/core/errors.js';
import { parseConfig, parseConfigText } from '../../src/suppress/config.js';

const KNOWN = ['LVS001', 'LVS007', 'LVS010'];
const entry = {
  rule: 'LVS010',
  resource: 'arn:aws:lambda:*:111122223333:function:batch-*',
  reason: 'tracing is too costly here',
};

function inputError(fn: () => unknown): LvsInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LvsInputError) return e;
    throw e;
  }
  throw new Error('expected an LvsInputError');
}

describe('parseConfig', () => {
  it('accepts a full config', () => {
    const config = parseConfig(
      {
        $schema: './lvs.config.schema.json',
        suppressions: [entry, { ...entry, rule: 'LVS007', resource: '*', expires: '2027-02-28' }],
        templates: { 'lvs-golden': 'infra/template.yaml' },
      },
      'lvs.config.json',
      KNOWN,
    );
    expect(config.suppressions).toHaveLength(2);
    expect(config.suppressions[1]?.expires).toBe('2027-02-28');
    expect(config.templates).toEqual({ 'lvs-golden': 'infra/template.yaml' });
  });

  it('rejects an unknown rule ID, naming it and its JSON path', () => {
    const e = inputError(() =>
      parseConfig({ suppressions: [entry, { ...entry, rule: 'LVS099' }] }, 'lvs.config.json', KNOWN),
    );
    expect(e.jsonPath).toBe('$.suppressions[1].rule');
    expect(e.file).toBe('lvs.config.json');
    expect(e.message).toContain('unknown rule ID "LVS099"');
    expect(e.oneLine).toMatch(/^lvs\.config\.json: \$\.suppressions\[1\]\.rule: /);
  });

  it.each([
    ['a short reason', { suppressions: [{ ...entry, reason: 'because' }] }, '$.suppressions[0].reason'],
    ['a blank reason', { suppressions: [{ ...entry, reason: '            ' }] }, '$.suppressions[0].reason'],
    ['a bad date', { suppressions: [{ ...entry, expires: '2026-02-30' }] }, '$.suppressions[0].expires'],
    [
      'a date in another format',
      { suppressions: [{ ...entry, expires: '01/02/2026' }] },
      '$.suppressions[0].expires',
    ],
    ['an unknown key in an entry', { suppressions: [{ ...entry, ruleId: 'LVS001' }] }, '$.suppressions[0]'],
    ['an unknown top-level key', { suppressions: [], suppression: [] }, '$'],
    [
      'a resource that is not an ARN glob',
      { suppressions: [{ ...entry, resource: 'my-function' }] },
      '$.suppressions[0].resource',
    ],
    [
      'a missing rule',
      { suppressions: [{ resource: '*', reason: 'some long reason' }] },
      '$.suppressions[0].rule',
    ],
    ['no suppressions array', {}, '$.suppressions'],
    ['templates that are not strings', { suppressions: [], templates: { stack: 3 } }, '$.templates.stack'],
  ])('rejects %s with the path of the problem', (_what, json, path) => {
    expect(inputError(() => parseConfig(json, 'c.json', KNOWN)).jsonPath).toBe(path);
  });

  it('parseConfigText turns a JSON syntax error into an input error naming the file', () => {
    const e = inputError(() => parseConfigText('{"suppressions": [', 'lvs.config.json', KNOWN));
    expect(e.file).toBe('lvs.config.json');
    expect(e.message).toMatch(/not valid JSON/);
    expect(parseConfigText(JSON.stringify({ suppressions: [entry] }), 'f', KNOWN).suppressions).toHaveLength(
      1,
    );
  });
});
