import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../src/checks/registry.js';
import {
  AUTOMATED_RULES,
  MANUAL_RULES,
  NETWORK_PLANNERS,
  PLANNERS,
} from '../../../src/fix/planners/index.js';

const stems = (dir: string) =>
  readdirSync(fileURLToPath(new URL(dir, import.meta.url)))
    .filter((f) => /^lvs\d{3}-.*\.ts$/.test(f))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();

describe('planner registry', () => {
  it('has one planner per rule of the catalogue, each once', () => {
    const ids = [...NETWORK_PLANNERS, ...PLANNERS].map((p) => p.ruleId);
    expect([...ids].sort()).toEqual(CHECKS.map((c) => c.meta.id).sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...AUTOMATED_RULES, ...MANUAL_RULES].sort()).toEqual(CHECKS.map((c) => c.meta.id).sort());
  });

  it('names each planner file with the stem of its check', () => {
    expect(stems('../../../src/fix/planners/')).toEqual(stems('../../../src/checks/'));
  });
});
