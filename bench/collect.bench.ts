/**
 * Live-collection speed and cost on a synthetic account (bench/lib/synthetic-account.ts) served by
 * mocked AWS clients with per-call latency and a throttling emulator enforcing AWS's documented
 * quotas (bench/lib/aws-emulator.ts). Each N runs in its own process (so peak RSS is per N) and
 * prints: API calls by operation, calls per function, the minimal plan of issue 3 and the ratio,
 * wall time, the quota floor (max over API families of calls / quota), wall / floor, throttles seen,
 * retries, errors, resources read twice, peak RSS. Prints figures; asserts nothing.
 *
 *   npx tsx bench/collect.bench.ts                    # N = 100 and 1,000, real time
 *   npx tsx bench/collect.bench.ts 10000 --scale 10   # N = 10,000, quotas x10 and latency /10
 *   options: --latency MS (default 40) --jitter MS (default 20) --concurrency N (default 32) --pace F (default 0.9)
 *            --no-tags (skip lambda:ListTags, as `lvs audit` may without a stack -> template map)
 *            --available F (default 1: the emulator leaves lvs only F of each quota, a throttle storm
 *            caused by other callers; the floor is still computed at the documented quota)
 *            --iam-plan auto|per-role|account-details (default auto: lvs chooses by expected cost)
 *            --gaad-page-kb K (default 512: a GetAccountAuthorizationDetails page ends at MaxItems
 *            items or once its items pass K KB, whichever comes first)
 *
 * --scale k compresses time: every quota (client pacing and emulator alike) is multiplied by k and
 * every latency divided by k, which leaves calls, wall / floor and throttling behaviour unchanged
 * and divides wall time by k (the printed wall time is also given unscaled).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createAwsClients } from '../src/collect/clients.js';
import { collectAccountWithStats } from '../src/collect/collect-account.js';
import type { IamPlanOption, IamPlanReport } from '../src/collect/iam.js';
import { familyOf, QUOTAS, type Quota } from '../src/collect/rate-limit.js';
import { loadIamActionCatalog } from '../src/iam/load-catalog.js';
import { AwsEmulator } from './lib/aws-emulator.js';
import { DEFAULT_GAAD_PAGE_BYTES, REGION, syntheticAccount, SyntheticAws } from './lib/synthetic-account.js';

interface RunResult {
  n: number;
  scale: number;
  wallMs: number;
  calls: Record<string, number>;
  attempts: Record<string, number>;
  totalCalls: number;
  minimalPlan: number;
  minimalPlanWithTags: number;
  briefPlan: number;
  iamPlan: IamPlanReport | undefined;
  iamCalls: number;
  tags: boolean;
  floorMs: number;
  floorFamily: string;
  throttles: number;
  retries: number;
  errors: number;
  duplicates: number;
  peakRssMb: number;
  baseRssMb: number;
  shape: {
    roles: number;
    managedPolicies: number;
    buckets: number;
    keys: number;
    vpcs: number;
    accountRoles: number;
    accountPolicies: number;
  };
}

const IAM_PLANS: readonly IamPlanOption[] = ['auto', 'per-role', 'account-details'];

function iamPlanOption(args: string[]): IamPlanOption {
  const i = args.indexOf('--iam-plan');
  const value = i >= 0 ? args[i + 1] : 'auto';
  const plan = IAM_PLANS.find((p) => p === value);
  if (plan === undefined) throw new Error(`--iam-plan must be one of ${IAM_PLANS.join(', ')}`);
  return plan;
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

async function runOne(n: number, args: string[]): Promise<RunResult> {
  const scale = option(args, '--scale', 1);
  const account = syntheticAccount(n);
  const aws = new SyntheticAws(account, {
    gaadPageBytes: option(args, '--gaad-page-kb', DEFAULT_GAAD_PAGE_BYTES / 1024) * 1024,
  });
  const emulator = new AwsEmulator(aws, {
    latencyMs: option(args, '--latency', 40),
    jitterMs: option(args, '--jitter', 20),
    scale,
    available: option(args, '--available', 1),
  });
  const quotas: Record<string, Quota> = Object.fromEntries(
    Object.entries(QUOTAS).map(([key, q]) => [key, { ...q, rate: q.rate * scale }]),
  );
  const restore = emulator.install();
  const clients = createAwsClients({
    env: {},
    credentials: { accessKeyId: 'AKIABENCHBENCHBENCH0', secretAccessKey: 'bench' },
  });
  const iamCatalog = await loadIamActionCatalog(['s3']);
  const baseRssMb = process.resourceUsage().maxRSS / 1024;
  const start = performance.now();
  const { snapshot, stats, iamPlan } = await collectAccountWithStats({
    regions: [REGION],
    env: {},
    clients,
    iamCatalog,
    quotas,
    concurrency: option(args, '--concurrency', 32),
    readTags: !args.includes('--no-tags'),
    pace: option(args, '--pace', 0.9),
    iamPlan: iamPlanOption(args),
  });
  const wallMs = performance.now() - start;
  restore();
  clients.destroy();

  const calls = Object.fromEntries([...stats.callsByOperation].sort(([a], [b]) => a.localeCompare(b)));
  // Quota floor: the busiest family's calls over its documented quota.
  const perFamily = new Map<string, { calls: number; rate: number }>();
  for (const [op, count] of emulator.answered) {
    const [service, operation] = op.split(':') as [string, string];
    const { family, quotaKey } = familyOf(service, operation);
    const key = `${service} ${family}`;
    const entry = perFamily.get(key) ?? { calls: 0, rate: (QUOTAS[quotaKey]?.rate ?? 1) * scale };
    entry.calls += count;
    perFamily.set(key, entry);
  }
  let floorMs = 0;
  let floorFamily = '';
  for (const [key, { calls: c, rate }] of perFamily) {
    const ms = (c / rate) * 1000;
    if (ms > floorMs) [floorMs, floorFamily] = [ms, key];
  }
  const roles = Object.keys(snapshot.iam.roles).length;
  const managedPolicies = Object.keys(snapshot.iam.managedPolicies).length;
  const buckets = Object.values(snapshot.s3.buckets).filter((b) => b.ownedByAccount).length;
  const keys = Object.keys(snapshot.kms.keys).length;
  const ec2Calls = Object.entries(calls)
    .filter(([k]) => k.startsWith('ec2:'))
    .reduce((sum, [, v]) => sum + v, 0);
  // Issue 3's minimal plan: one GetPolicy per function, ceil(N/50) ListFunctions pages, the
  // per-region EC2 constant, four S3 reads per reached bucket, two per key, one per role or
  // managed policy; plus the three account-level reads (STS, ListBuckets, S3 Control).
  const minimalPlan = n + Math.ceil(n / 50) + ec2Calls + 4 * buckets + 2 * keys + roles + managedPolicies + 3;
  // The plan lvs follows: as above, plus one ListTags per function (unless --no-tags) and
  // GetFunctionUrlConfig for the functions whose policy grants URL invocation (1% here); IAM as the
  // chosen plan reads it: per role, GetRole + ListRolePolicies + one GetRolePolicy per inline
  // policy (1 here) + ListAttachedRolePolicies, and GetPolicy + GetPolicyVersion per managed policy;
  // account-wide, the GetAccountAuthorizationDetails pages the emulator served. GetAccountSummary
  // (the plan choice) is one call either way, unless the plan is forced.
  const tags = !args.includes('--no-tags');
  const urlGrants = Math.ceil(n / 100);
  const summaryCalls = calls['iam:GetAccountSummary'] ?? 0;
  const iamPlanned =
    iamPlan?.plan === 'account-details'
      ? summaryCalls + (emulator.answered.get('iam:GetAccountAuthorizationDetails') ?? 0)
      : summaryCalls + 4 * roles + 2 * managedPolicies;
  const iamCalls = Object.entries(calls)
    .filter(([k]) => k.startsWith('iam:'))
    .reduce((sum, [, v]) => sum + v, 0);
  const briefPlan =
    n + Math.ceil(n / 50) + ec2Calls + 4 * buckets + 2 * keys + iamPlanned + 3 + (tags ? n : 0) + urlGrants;
  return {
    n,
    scale,
    wallMs,
    calls,
    attempts: Object.fromEntries(emulator.attemptsByOperation),
    totalCalls: stats.calls,
    minimalPlan,
    minimalPlanWithTags: minimalPlan + n,
    briefPlan,
    iamPlan,
    iamCalls,
    tags,
    floorMs,
    floorFamily,
    throttles: emulator.throttled,
    retries: stats.retries,
    errors: snapshot.errors.length,
    duplicates: emulator.duplicateReads,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    baseRssMb,
    shape: {
      roles,
      managedPolicies,
      buckets,
      keys,
      vpcs: account.vpcs,
      accountRoles: account.roles + account.otherRoles,
      accountPolicies: account.customerPolicies + account.otherPolicies,
    },
  };
}

function describePlan(r: RunResult): string {
  const p = r.iamPlan;
  const head = `${r.iamCalls} calls for ${r.shape.roles} execution roles + ${r.shape.managedPolicies} managed policies (account: ${r.shape.accountRoles} roles, ${r.shape.accountPolicies} customer policies)`;
  if (p === undefined) return `${head}; no role to read`;
  const estimate =
    p.estimate !== undefined
      ? ` (estimate at ${p.rolesAtDecision} roles: per role ${p.estimate.perRoleCalls} calls, account-wide ${p.estimate.accountDetailsCalls} page(s))`
      : '';
  const fallback =
    p.fallback !== undefined
      ? `; fell back to per role after ${p.fallback.pages} pages (${p.fallback.code})`
      : '';
  return `${head}; plan ${p.plan}, ${p.why}${estimate}${fallback}`;
}

function print(r: RunResult): void {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const unscaled = r.scale === 1 ? '' : ` (x${r.scale} time compression; unscaled ${s(r.wallMs * r.scale)})`;
  console.log(
    [
      `N = ${r.n.toLocaleString('en')} functions (${r.shape.vpcs} VPCs, ${r.shape.roles} roles, ${r.shape.managedPolicies} managed policies, ${r.shape.buckets} reached buckets, ${r.shape.keys} keys)`,
      `  calls ${r.totalCalls.toLocaleString('en')} = ${(r.totalCalls / r.n).toFixed(2)} per function (throttled attempts included: ${r.throttles})`,
      `  minimal plan (issue 3) ${r.minimalPlan.toLocaleString('en')} -> ratio ${(r.totalCalls / r.minimalPlan).toFixed(2)}` +
        (r.tags
          ? ` | + one ListTags per function ${r.minimalPlanWithTags.toLocaleString('en')} -> ratio ${(r.totalCalls / r.minimalPlanWithTags).toFixed(2)}`
          : ' (tags not read)'),
      `  lvs's plan (IAM as chosen, tags, URL reads where granted) ${r.briefPlan.toLocaleString('en')} -> ratio ${(r.totalCalls / r.briefPlan).toFixed(2)}`,
      `  IAM: ${describePlan(r)}`,
      `  wall ${s(r.wallMs)}${unscaled} | quota floor ${s(r.floorMs)} (${r.floorFamily}) | wall / floor ${(r.wallMs / r.floorMs).toFixed(2)}`,
      `  throttles seen ${r.throttles} | retries ${r.retries} | errors in snapshot ${r.errors} | resources read twice ${r.duplicates} | peak RSS ${r.peakRssMb.toFixed(0)} MB (${r.baseRssMb.toFixed(0)} MB before collecting: node + tsx + SDK + mocks)`,
      `  calls by operation:`,
      ...Object.entries(r.calls).map(
        ([op, c]) =>
          `    ${op.padEnd(34)} ${String(c).padStart(7)}${r.attempts[op] !== c ? `  (${r.attempts[op] ?? 0} attempts)` : ''}`,
      ),
    ].join('\n'),
  );
}

const args = process.argv.slice(2);
const oneIndex = args.indexOf('--one');
if (oneIndex >= 0) {
  const result = await runOne(Number(args[oneIndex + 1]), args);
  process.send?.(result);
} else {
  const flags = new Set([
    '--scale',
    '--latency',
    '--jitter',
    '--concurrency',
    '--pace',
    '--available',
    '--iam-plan',
    '--gaad-page-kb',
  ]);
  const sizes: number[] = [];
  for (let i = 0; i < args.length; i++) {
    if (flags.has(args[i]!)) i++;
    else if (Number(args[i]) > 0) sizes.push(Number(args[i]));
  }
  for (const n of sizes.length > 0 ? sizes : [100, 1000]) {
    const result = await new Promise<RunResult>((resolve, reject) => {
      const child = fork(fileURLToPath(import.meta.url), ['--one', String(n), ...args], {
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
      child.on('message', (m) => resolve(m as RunResult));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`N=${n}: exit ${code}`))));
    });
    print(result);
  }
}
