import { describe, expect, it } from 'vitest';
import { planFixes } from '../../src/fix/plan.js';
import { AUTOMATED_RULES } from '../../src/fix/planners/index.js';
import { buildIndex } from '../../src/snapshot/derive.js';
import { parseSnapshot } from '../../src/snapshot/load.js';
import { golden, iamCatalog } from '../helpers/golden.js';
import { applyVariant, loadVariants } from '../helpers/variants.js';
import {
  NOW,
  applied,
  auditResults,
  demoSnapshot,
  failing,
  fixedByApply,
  MANUAL_BY_DESIGN,
  planOf,
  positionOf,
  stepById,
  worsened,
} from './helpers.js';

const variants = loadVariants();
const automated = new Set(AUTOMATED_RULES);

const withAutomatedFailure = variants.filter((v) =>
  v.expect.some((e) => e.status === 'fail' && automated.has(e.ruleId)),
);
const others = variants.filter((v) => !withAutomatedFailure.includes(v));

describe('planFixes on the golden variants', () => {
  it('covers the variants', () => {
    expect(withAutomatedFailure.length).toBeGreaterThanOrEqual(25);
    expect(Object.keys(MANUAL_BY_DESIGN).every((slug) => variants.some((v) => v.slug === slug))).toBe(true);
  });

  it('plans nothing for the golden snapshot', async () => {
    const { plan } = await planOf(golden());
    expect(plan.steps).toEqual([]);
  });

  it.each(withAutomatedFailure.map((v) => [v.slug, v] as const))(
    '%s: the plan, applied in memory, makes its automated rules pass, worsens nothing, and a second plan is empty',
    async (slug, variant) => {
      const snapshot = parseSnapshot(applyVariant(variant), slug);
      const { plan, results } = await planOf(snapshot);
      const targets = [
        ...new Set(
          variant.expect
            .filter((e) => e.status === 'fail' && fixedByApply(slug, e.ruleId))
            .map((e) => e.ruleId),
        ),
      ];

      // Every failing finding is named by some step; those of automated rules by an automated step.
      const resolvedBy = new Map(
        plan.steps.flatMap((s) => s.resolves.map((r) => [r.fingerprint, s] as const)),
      );
      for (const finding of failing(results)) {
        const step = resolvedBy.get(finding.fingerprint);
        expect(step, `${finding.ruleId} ${finding.reasonId} is planned`).toBeDefined();
        if (targets.includes(finding.ruleId)) expect(step?.kind).toBe('automated');
      }
      for (const rule of MANUAL_BY_DESIGN[slug] ?? []) {
        const steps = plan.steps.filter((s) => s.ruleIds.includes(rule));
        expect(steps.length).toBeGreaterThan(0);
        expect(steps.every((s) => s.kind === 'manual' && (s.template ?? '').length > 20)).toBe(true);
      }

      const after = await auditResults(applied(plan, snapshot));
      for (const rule of targets) {
        const left = after.filter((r) => r.ruleId === rule && (r.status === 'fail' || r.status === 'error'));
        expect(left.map((r) => `${r.ruleId} ${r.status} ${r.reasonId}`)).toEqual([]);
      }
      // LVS004 is resolved by the LVS003/LVS005 steps when the plan lists it under them.
      if (plan.steps.some((s) => s.kind === 'automated' && s.ruleIds.includes('LVS004')))
        expect(failing(after, 'LVS004')).toEqual([]);
      expect(worsened(results, after)).toEqual([]);

      const second = await planOf(applied(plan, snapshot));
      expect(second.plan.steps.filter((s) => s.kind === 'automated').map((s) => s.id)).toEqual([]);
      for (const rule of targets) expect(second.plan.steps.some((s) => s.ruleIds.includes(rule))).toBe(false);
    },
  );

  it.each(others.map((v) => [v.slug, v] as const))(
    '%s: only manual steps, each with a template, and nothing changes in memory',
    async (slug, variant) => {
      const snapshot = parseSnapshot(applyVariant(variant), slug);
      const { plan, results } = await planOf(snapshot);
      expect(plan.steps.every((s) => s.kind === 'manual' && s.template !== null && s.api.length === 0)).toBe(
        true,
      );
      const failed = failing(results);
      expect(plan.steps.flatMap((s) => s.resolves.map((r) => r.fingerprint)).sort()).toEqual(
        failed.map((r) => r.fingerprint).sort(),
      );
      expect(applied(plan, snapshot)).toEqual(snapshot);
    },
  );
});

describe('planFixes on the demo account', () => {
  const VPC = 'LVS003:arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-0a1b2c3d4e5f60001';
  const IOT_SG = 'LVS005:arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0d3e4f5a6b7c80042';
  const TELEMETRY = 'arn:aws:s3:::lvs-demo-telemetry-111122223333';
  const RECORDS = 'arn:aws:s3:::lvs-demo-records-111122223333';
  const EU_KEY = 'LVS009:arn:aws:kms:eu-west-1:111122223333:key/new';
  const IOT = 'arn:aws:lambda:eu-west-1:111122223333:function:iot-telemetry-ingest';

  it('orders the steps as SPEC 6 requires', async () => {
    const { plan } = await planOf(demoSnapshot());
    const at = (id: string) => positionOf(plan, id);
    // The endpoint and its routes, and the security group's path to S3, before the bucket pin.
    expect(at(VPC)).toBeLessThan(at(`LVS007:${TELEMETRY}`));
    expect(at(IOT_SG)).toBeLessThan(at(`LVS007:${TELEMETRY}`));
    expect(stepById(plan, `LVS007:${TELEMETRY}`).dependsOn).toEqual([IOT_SG, VPC].sort());
    // The bucket policy before Block Public Access on the same bucket.
    expect(stepById(plan, `LVS013:${RECORDS}`).dependsOn).toEqual([`LVS007:${RECORDS}`]);
    // The key policy before KMSKeyArn; the X-Ray permission before tracing.
    for (const fn of ['iot-telemetry-ingest', 'medical-records-sync', 'public-scoring-api']) {
      const id = `LVS009:arn:aws:lambda:eu-west-1:111122223333:function:${fn}`;
      expect(stepById(plan, id).dependsOn).toEqual([EU_KEY]);
      expect(at(EU_KEY)).toBeLessThan(at(id));
    }
    const role = 'LVS010:arn:aws:iam::111122223333:role/iot-ingest-role';
    expect(stepById(plan, `LVS010:${IOT}`).dependsOn).toEqual([role]);
    expect(at(role)).toBeLessThan(at(`LVS010:${IOT}`));
    // A role that already may write traces (AdministratorAccess) gets no step.
    expect(
      plan.steps.some((s) => s.id === 'LVS010:arn:aws:iam::111122223333:role/legacy-exporter-role'),
    ).toBe(false);
    // Every dependency is earlier; automated steps first.
    plan.steps.forEach((s, i) => s.dependsOn.forEach((d) => expect(at(d)).toBeLessThan(i)));
    const kinds = plan.steps.map((s) => s.kind);
    expect(kinds.lastIndexOf('automated')).toBeLessThan(kinds.indexOf('manual'));
  });

  it('anticipates the pin of a bucket whose function the plan routes to the endpoint', async () => {
    const { plan, results } = await planOf(demoSnapshot());
    expect(results.some((r) => r.ruleId === 'LVS007' && r.functionArn === IOT && r.status === 'fail')).toBe(
      false,
    );
    const pin = stepById(plan, `LVS007:${TELEMETRY}`);
    expect(pin.resolves).toEqual([
      expect.objectContaining({ ruleId: 'LVS007', reasonId: 'noBucketPolicy', anticipated: true }),
    ]);
    // Without the re-audit the plan cannot know: the pin is missing and the audit gets worse.
    const index = buildIndex(demoSnapshot(), await iamCatalog());
    const blind = planFixes(results, index, { now: NOW });
    expect(blind.steps.some((s) => s.id === `LVS007:${TELEMETRY}`)).toBe(false);
    expect(worsened(results, await auditResults(applied(blind, demoSnapshot())))).toContain(`LVS007 ${IOT}`);
  });

  it('fixes every automated finding, worsens nothing, and a second run plans no automated step', async () => {
    const snapshot = demoSnapshot();
    const { plan, results } = await planOf(snapshot);
    const after = await auditResults(applied(plan, snapshot));
    expect(worsened(results, after)).toEqual([]);
    expect(failing(after).filter((r) => automated.has(r.ruleId) || r.ruleId === 'LVS004')).toEqual([]);
    const second = await planOf(applied(plan, snapshot));
    expect(second.plan.steps.filter((s) => s.kind === 'automated')).toEqual([]);
    expect(second.plan.steps.map((s) => s.id)).toEqual(
      plan.steps.filter((s) => s.kind === 'manual').map((s) => s.id),
    );
  });

  it('gives every manual step a template and every automated step calls', async () => {
    const { plan } = await planOf(demoSnapshot());
    const manual = plan.steps.filter((s) => s.kind === 'manual');
    expect(manual.map((s) => s.ruleIds[0]).sort()).toEqual([
      'LVS001',
      'LVS001',
      'LVS002',
      'LVS008',
      'LVS008',
      'LVS012',
      'LVS012',
    ]);
    for (const s of manual) expect(s.template?.split('\n').some((l) => l.startsWith('aws '))).toBe(true);
    for (const s of plan.steps.filter((x) => x.kind === 'automated')) expect(s.api.length).toBeGreaterThan(0);
  });

  it('is deterministic', async () => {
    const { plan, results } = await planOf(demoSnapshot());
    const index = buildIndex(demoSnapshot(), await iamCatalog());
    const shuffled = [...results].reverse();
    const again = planFixes(shuffled, index, { now: NOW, reevaluate: () => [] });
    const first = planFixes(results, index, { now: NOW, reevaluate: () => [] });
    expect(again).toEqual(first);
    expect((await planOf(demoSnapshot())).plan).toEqual(plan);
  });
});

describe('planFixes options', () => {
  it('plans only fail results (error, suppressed, pass and not-applicable are ignored)', async () => {
    const snapshot = demoSnapshot();
    const results = await auditResults(snapshot);
    const index = buildIndex(snapshot, await iamCatalog());
    const muted = results.map((r) =>
      r.status === 'fail' ? { ...r, status: 'suppressed' as const, suppressedStatus: 'fail' as const } : r,
    );
    expect(planFixes(muted, index, { now: NOW }).steps).toEqual([]);
  });

  it('--only and --function narrow the plan', async () => {
    const snapshot = demoSnapshot();
    const { plan } = await planOf(snapshot, { only: ['LVS010', 'LVS009'], functionFilter: ['iot-*'] });
    expect(plan.steps.map((s) => s.id)).toEqual([
      'LVS009:arn:aws:kms:eu-west-1:111122223333:key/new',
      'LVS009:arn:aws:lambda:eu-west-1:111122223333:function:iot-telemetry-ingest',
      'LVS010:arn:aws:iam::111122223333:role/iot-ingest-role',
      'LVS010:arn:aws:lambda:eu-west-1:111122223333:function:iot-telemetry-ingest',
    ]);
    expect(plan.generatedAt).toBe(NOW.toISOString());
  });
});
