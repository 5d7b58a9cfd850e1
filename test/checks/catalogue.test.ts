import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkMetaSchema } from '../../src/checks/define-check.js';
import { CHECKS } from '../../src/checks/registry.js';
import { renderRuleDoc, ruleDocPath, withRuleTable } from '../../src/report/catalogue.js';
import { loadVariants } from '../helpers/variants.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const stemOf = (id: string, name: string) => `${id.toLowerCase()}-${name}`;
const ruleFiles = readdirSync(`${ROOT}src/checks`).filter((f) => /^lvs\d{3}-.*\.ts$/.test(f));
const variants = loadVariants();

describe('rule catalogue', () => {
  it('has the 13 rules of SPEC section 2, in ID order, with unique IDs and names', () => {
    const ids = CHECKS.map((c) => c.meta.id);
    expect(ids).toEqual(Array.from({ length: 13 }, (_, i) => `LVS${String(i + 1).padStart(3, '0')}`));
    expect(new Set(CHECKS.map((c) => c.meta.name)).size).toBe(CHECKS.length);
  });

  it('registers exactly the rule files, each named after its ID and name', () => {
    expect(CHECKS.map((c) => `${stemOf(c.meta.id, c.meta.name)}.ts`).sort()).toEqual([...ruleFiles].sort());
  });

  it.each(CHECKS.map((c) => [c.meta.id, c] as const))('%s: metadata is complete and valid', (_id, check) => {
    expect(checkMetaSchema.safeParse(check.meta).success).toBe(true);
    const statuses = new Set(Object.values(check.meta.reasons).map((r) => r.status));
    expect(statuses.has('pass'), 'a pass reason').toBe(true);
    expect(statuses.has('fail'), 'at least one fail reason').toBe(true);
  });

  it.each(CHECKS.map((c) => [c.meta.id, c] as const))(
    '%s: every reason is exercised by its tests',
    (_id, check) => {
      const testFile = `${ROOT}test/checks/${stemOf(check.meta.id, check.meta.name)}.test.ts`;
      expect(existsSync(testFile), `${testFile} exists`).toBe(true);
      const text = readFileSync(testFile, 'utf8');
      const untested = Object.keys(check.meta.reasons).filter(
        (id) => !new RegExp(`['"\`]${id}['"\`]`).test(text),
      );
      expect(untested).toEqual([]);
    },
  );

  it.each(CHECKS.map((c) => [c.meta.id, c] as const))(
    '%s: every fail reason has a golden variant',
    (id, check) => {
      const covered = new Set(
        variants.flatMap((v) => v.expect.filter((e) => e.ruleId === id).map((e) => e.reasonId)),
      );
      const failReasons = Object.entries(check.meta.reasons)
        .filter(([, r]) => r.status === 'fail')
        .map(([rid]) => rid);
      expect(failReasons.filter((r) => !covered.has(r))).toEqual([]);
    },
  );

  it('LVS007 distinguishes at least five failure reasons (SPEC 2.3)', () => {
    const lvs007 = CHECKS.find((c) => c.meta.id === 'LVS007');
    expect(
      Object.values(lvs007?.meta.reasons ?? {}).filter((r) => r.status === 'fail').length,
    ).toBeGreaterThanOrEqual(5);
  });

  it('generated docs are current (npm run docs:gen)', () => {
    for (const { meta } of CHECKS) {
      const path = `${ROOT}${ruleDocPath(meta)}`;
      expect(existsSync(path), `${path} exists`).toBe(true);
      expect(readFileSync(path, 'utf8'), `${path} is stale: run npm run docs:gen`).toBe(renderRuleDoc(meta));
    }
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    expect(readme, 'README rule table is stale: run npm run docs:gen').toBe(
      withRuleTable(
        readme,
        CHECKS.map((c) => c.meta),
      ),
    );
  });
});
