import { describe, expect, it } from 'vitest';
import {
  fillPlaceholders,
  placeholder,
  placeholdersIn,
  planSchema,
  stepSchema,
  type Plan,
  type Step,
} from '../../src/fix/plan-model.js';

const automated = (id: string, extra: Partial<Step> = {}): Step => ({
  id,
  kind: 'automated',
  ruleIds: [id.slice(0, 6)],
  title: 'an automated step',
  service: 'ec2',
  region: 'eu-west-1',
  resourceArn: 'arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-1',
  resolves: [],
  api: [
    { service: 'ec2', operation: 'ModifyVpcEndpoint', region: 'eu-west-1', params: {}, purpose: 'a call' },
  ],
  documents: [],
  preconditions: [],
  risks: [],
  dependsOn: [],
  template: null,
  notes: [],
  ...extra,
});
const plan = (steps: Step[]): Plan => ({
  schemaVersion: 1,
  generatedAt: '2026-11-21T10:00:00.000Z',
  accountId: '111122223333',
  steps,
});

describe('plan schema', () => {
  it('accepts a well-formed plan', () => {
    expect(
      planSchema.safeParse(plan([automated('LVS003:a'), automated('LVS007:b', { dependsOn: ['LVS003:a'] })]))
        .success,
    ).toBe(true);
  });

  it('requires calls of automated steps and a template, without calls, of manual ones', () => {
    expect(stepSchema.safeParse(automated('LVS003:a', { api: [] })).success).toBe(false);
    expect(stepSchema.safeParse(automated('LVS001:a', { kind: 'manual' })).success).toBe(false);
    expect(
      stepSchema.safeParse(automated('LVS001:a', { kind: 'manual', api: [], template: 'aws lambda …' }))
        .success,
    ).toBe(true);
  });

  it('rejects a dependency on a later or unknown step, and duplicate IDs', () => {
    expect(
      planSchema.safeParse(plan([automated('LVS007:b', { dependsOn: ['LVS003:a'] }), automated('LVS003:a')]))
        .success,
    ).toBe(false);
    expect(planSchema.safeParse(plan([automated('LVS003:a'), automated('LVS003:a')])).success).toBe(false);
  });

  it('rejects a placeholder used before a call captures it', () => {
    const create = automated('LVS003:a', {
      api: [
        {
          service: 'ec2',
          operation: 'CreateVpcEndpoint',
          region: 'eu-west-1',
          params: {},
          captures: { 'new-vpce-vpc-1': 'VpcEndpoint.VpcEndpointId' },
          purpose: 'create it',
        },
      ],
    });
    const use = automated('LVS007:b', {
      api: [
        {
          service: 's3',
          operation: 'PutBucketPolicy',
          region: 'eu-west-1',
          params: { Policy: placeholder('new-vpce-vpc-1') },
          purpose: 'use it',
        },
      ],
    });
    expect(planSchema.safeParse(plan([create, use])).success).toBe(true);
    expect(planSchema.safeParse(plan([use, create])).success).toBe(false);
  });

  it('accepts a reuse that captures what its call captures, with a read lookup free of placeholders', () => {
    const reuse = {
      lookup: { operation: 'DescribeKey', params: { KeyId: 'alias/lvs/lambda-environment' } },
      notFound: ['NotFoundException'],
      requires: { 'KeyMetadata.KeyState': ['Enabled'] },
      captures: { 'new-key-eu-west-1': 'KeyMetadata.Arn' },
      label: 'key from a previous run',
      otherwise: 'delete the alias, or enable the key',
    };
    const withCall = (call: Partial<Step['api'][number]>) =>
      plan([
        automated('LVS009:k', {
          api: [
            {
              service: 'kms',
              operation: 'CreateKey',
              region: 'eu-west-1',
              params: {},
              captures: { 'new-key-eu-west-1': 'KeyMetadata.Arn' },
              purpose: 'create it',
              ...call,
            },
          ],
        }),
      ]);
    expect(planSchema.safeParse(withCall({ reuse })).success).toBe(true);
    // A skipped call must still define the variables later calls use.
    expect(planSchema.safeParse(withCall({ reuse: { ...reuse, captures: undefined } })).success).toBe(false);
    expect(
      planSchema.safeParse(withCall({ reuse: { ...reuse, captures: { other: 'KeyMetadata.Arn' } } })).success,
    ).toBe(false);
    // The lookup runs before any change: a read, and no placeholder.
    expect(
      planSchema.safeParse(
        withCall({ reuse: { ...reuse, lookup: { operation: 'CreateAlias', params: {} } } }),
      ).success,
    ).toBe(false);
    expect(
      planSchema.safeParse(
        withCall({
          reuse: { ...reuse, lookup: { operation: 'DescribeKey', params: { KeyId: placeholder('x') } } },
        }),
      ).success,
    ).toBe(false);
    expect(planSchema.safeParse(withCall({ reuse: { ...reuse, notFound: [] } })).success).toBe(false);
  });

  it('rejects unknown fields and a wrong schema version', () => {
    expect(planSchema.safeParse({ ...plan([]), extra: 1 }).success).toBe(false);
    expect(planSchema.safeParse({ ...plan([]), schemaVersion: 2 }).success).toBe(false);
  });
});

describe('placeholders', () => {
  it('are found and filled', () => {
    const text = `{"a":"${placeholder('new-key-eu-west-1')}","b":"${placeholder('x')}","c":"${placeholder('x')}"}`;
    expect(placeholdersIn(text)).toEqual(['new-key-eu-west-1', 'x']);
    expect(fillPlaceholders(text, { x: 'X' })).toBe(
      `{"a":"${placeholder('new-key-eu-west-1')}","b":"X","c":"X"}`,
    );
  });
});
