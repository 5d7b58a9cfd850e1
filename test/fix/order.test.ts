import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderSteps, PlanCycleError } from '../../src/fix/order.js';
import type { Step } from '../../src/fix/plan-model.js';

const step = (id: string, dependsOn: string[] = [], kind: Step['kind'] = 'automated'): Step => ({
  id,
  kind,
  ruleIds: [id.slice(0, 6)],
  title: `step ${id}`,
  service: 'ec2',
  region: 'eu-west-1',
  resourceArn: `arn:aws:ec2:eu-west-1:1:x/${id}`,
  resolves: [],
  api:
    kind === 'automated'
      ? [{ service: 'ec2', operation: 'DescribeX', region: 'eu-west-1', params: {}, purpose: 'a test call' }]
      : [],
  documents: [],
  preconditions: [],
  risks: [],
  dependsOn,
  template: kind === 'manual' ? 'do it by hand' : null,
  notes: [],
});

const ids = (steps: Step[]) => steps.map((s) => s.id);

describe('orderSteps', () => {
  it('puts every step after the steps it depends on, whatever their phase', () => {
    const steps = [
      step('LVS007:b', ['LVS003:v', 'LVS005:g']),
      step('LVS013:b', ['LVS007:b']),
      step('LVS005:g'),
      step('LVS003:v'),
      step('LVS010:fn', ['LVS010:role']),
      step('LVS010:role'),
      step('LVS009:fn', ['LVS009:key']),
      step('LVS009:key'),
    ];
    const ordered = ids(orderSteps(steps));
    for (const s of steps)
      for (const d of s.dependsOn) expect(ordered.indexOf(d)).toBeLessThan(ordered.indexOf(s.id));
    expect(ordered).toEqual([
      'LVS003:v',
      'LVS005:g',
      'LVS007:b',
      'LVS013:b',
      'LVS009:key',
      'LVS009:fn',
      'LVS010:role',
      'LVS010:fn',
    ]);
  });

  it('breaks ties by phase then ID, and puts manual steps last in rule order', () => {
    const ordered = ids(
      orderSteps([
        step('LVS012:a', [], 'manual'),
        step('LVS011:b'),
        step('LVS001:c', [], 'manual'),
        step('LVS003:z'),
        step('LVS003:a'),
      ]),
    );
    expect(ordered).toEqual(['LVS003:a', 'LVS003:z', 'LVS011:b', 'LVS001:c', 'LVS012:a']);
  });

  it('is deterministic: any input order gives the same plan', () => {
    const steps = [
      step('LVS007:b', ['LVS003:v']),
      step('LVS003:v'),
      step('LVS006:e', ['LVS003:v']),
      step('LVS011:f'),
      step('LVS008:r', [], 'manual'),
    ];
    const expected = ids(orderSteps(steps));
    fc.assert(
      fc.property(fc.shuffledSubarray(steps, { minLength: steps.length }), (shuffled) => {
        expect(ids(orderSteps(shuffled))).toEqual(expected);
      }),
    );
  });

  it('drops dependencies on steps that are not in the plan', () => {
    const [only] = orderSteps([step('LVS007:b', ['LVS003:filtered-out'])]);
    expect(only?.dependsOn).toEqual([]);
  });

  it('refuses a cycle', () => {
    expect(() => orderSteps([step('LVS003:a', ['LVS007:b']), step('LVS007:b', ['LVS003:a'])])).toThrow(
      PlanCycleError,
    );
  });

  it('refuses duplicate IDs', () => {
    expect(() => orderSteps([step('LVS003:a'), step('LVS003:a')])).toThrow(/duplicate/);
  });
});
