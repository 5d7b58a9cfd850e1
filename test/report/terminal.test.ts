import fc from 'fast-check';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { markOf, renderTerminal, wrap } from '../../src/report/terminal.js';
import { G } from '../helpers/golden.js';
import { BUCKET_ARN, makeReport, result } from './build-report.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;
const plain = new Chalk({ level: 0 });

describe('renderTerminal', () => {
  it('has no escape codes at chalk level 0', async () => {
    const out = renderTerminal(await makeReport(), { chalk: plain, verbose: true });
    expect(out).not.toMatch(ANSI);
  });

  it('colours at chalk level 1', async () => {
    const out = renderTerminal(await makeReport(), { chalk: new Chalk({ level: 1 }) });
    expect(out).toMatch(ANSI);
    // Same text once the codes are stripped.
    // eslint-disable-next-line no-control-regex
    expect(out.replace(/\u001b\[[0-9;]*m/g, '')).toBe(renderTerminal(await makeReport(), { chalk: plain }));
  });

  it('draws the data path as a tree with a mark per layer', async () => {
    const out = renderTerminal(await makeReport(), { chalk: plain });
    expect(out).toContain(`${G.functionName}  ${G.region} · account ${G.accountId}`);
    const tree = [
      `  – function ${G.functionName}`,
      `  ├─ ✗ VPC ${G.vpcId}`,
      `  │  ├─ ✗ subnet ${G.subnetA} (eu-west-1a)`,
      `  │  │  └─ – route table ${G.routeTableA} (explicit)`,
      `  │  │     └─ – S3 gateway endpoint ${G.endpointId}`,
      `  │  │        └─ ! bucket ${G.bucket}`,
      `  │  └─ ✗ subnet ${G.subnetB} (eu-west-1b)`,
      `  │     └─ – route table ${G.routeTableB} (explicit)`,
      `  │        └─ – S3 gateway endpoint ${G.endpointId} (buckets as above)`,
      `  ├─ – security group ${G.securityGroupId}`,
      `  ├─ – role ${G.roleArn}`,
      `  ├─ – KMS key ${G.keyArn}`,
      `  └─ ~ X-Ray tracing Active`,
    ].join('\n');
    expect(out).toContain(tree);
  });

  it('marks a layer only from results about it: a pass on one bucket does not hide a fail on another', async () => {
    const report = await makeReport();
    report.dataPaths[0]?.buckets.push('other-bucket');
    report.results = [
      result({ ruleId: 'LVS007', status: 'pass', reasonId: 'pinned', resourceArn: BUCKET_ARN }),
      result({
        ruleId: 'LVS007',
        status: 'fail',
        reasonId: 'noDeny',
        resourceArn: 'arn:aws:s3:::other-bucket',
      }),
      result({
        ruleId: 'LVS007',
        status: 'error',
        reasonId: 'bucketSetUnbounded',
        resourceArn: 'arn:aws:s3:::*',
      }),
      result({ ruleId: 'LVS001', status: 'pass', reasonId: 'inVpc' }),
    ];
    const out = renderTerminal(report, { chalk: plain });
    expect(out).toContain(`├─ ✓ bucket ${G.bucket}`);
    expect(out).toContain('✗ bucket other-bucket');
    expect(out).toContain('! bucket * (unbounded: the role allows every bucket)');
    expect(out).toContain(`├─ ✓ VPC ${G.vpcId}`);
  });

  it('lists failing and error results most severe first, with evidence and the fix; suppressed ones on a line', async () => {
    const report = await makeReport();
    report.results.push(
      result({
        ruleId: 'LVS010',
        status: 'fail',
        reasonId: 'notActive',
        severity: 'low',
        remediation: 'Set TracingConfig Mode=Active.',
      }),
      result({
        ruleId: 'LVS011',
        status: 'fail',
        reasonId: 'publicPolicy',
        severity: 'critical',
        ruleName: 'function-not-public',
      }),
    );
    const out = renderTerminal(report, { chalk: plain });
    const order = ['CRITICAL LVS011', 'HIGH     LVS001', 'HIGH     LVS007', 'LOW      LVS010'].map((s) =>
      out.indexOf(s),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(out).toContain('· VpcConfig: absent; expected VpcId, SubnetIds, SecurityGroupIds');
    expect(out).toContain('fix: Attach the function to private subnets');
    expect(out).toContain('fix: Set TracingConfig Mode=Active.');
    expect(out).toContain('LVS007 bucket-policy-pinned-to-endpoint could not be evaluated');
    expect(out).toContain(`resource ${BUCKET_ARN}`);
    expect(out).toMatch(
      /~ suppressed LVS010 xray-tracing-active: tracing is too costly for this batch job \(until\s+2099-01-01\)/,
    );
  });

  it('prints the summary table, the verdict against --fail-on, API errors and warnings', async () => {
    const out = renderTerminal(await makeReport(), { chalk: plain });
    expect(out).toMatch(/high\s+1\s+1\s+0/);
    expect(out).toMatch(/medium\s+0\s+0\s+1/);
    expect(out).toContain(
      '2 function(s), 5 result(s): 1 pass, 1 fail, 1 error, 1 not applicable, 1 suppressed',
    );
    expect(out).toContain('1 failing result(s) at or above low');
    expect(out).toContain('API errors (1)');
    expect(out).toContain(`s3:GetBucketPolicy ${G.region} ${BUCKET_ARN}: AccessDenied (denied)`);
    expect(out).toContain('Warnings (1)');
    expect(out).toContain('expired on 2020-01-01');
  });

  it('says the audit is incomplete when nothing fails at the threshold but something errored', async () => {
    const out = renderTerminal(await makeReport({ failOn: 'critical' }), { chalk: plain });
    expect(out).toContain('incomplete: 1 result(s) could not be evaluated');
  });

  it('lists passing results only when verbose', async () => {
    const quiet = renderTerminal(await makeReport(), { chalk: plain });
    const verbose = renderTerminal(await makeReport(), { chalk: plain, verbose: true });
    expect(quiet).not.toContain('LVS001 pass inVpc message for other-fn');
    expect(verbose).toContain('✓ LVS001 lambda-in-vpc: LVS001 pass inVpc message for other-fn.');
  });

  it('stays within 100 columns', async () => {
    const report = await makeReport();
    report.results.push(
      result({
        ruleId: 'LVS010',
        status: 'fail',
        reasonId: 'long',
        message: 'word '.repeat(60),
        remediation: 'step '.repeat(30),
      }),
    );
    const out = renderTerminal(report, { chalk: plain });
    const long = out.split('\n').filter((l) => [...l].length > 100);
    expect(long).toEqual([]);
  });

  it('draws a function outside a VPC with its buckets directly under it', async () => {
    const report = await makeReport();
    const path = report.dataPaths[0];
    if (!path) throw new Error('no path');
    Object.assign(path, { vpcId: null, subnets: [], securityGroupIds: [], kmsKeyArn: null });
    const out = renderTerminal(report, { chalk: plain });
    expect(out).toContain('├─ ✗ VPC (not attached)');
    expect(out).toContain(`├─ ! bucket ${G.bucket} (reached without a VPC)`);
    expect(out).toContain('KMS key (AWS managed key, no KMSKeyArn)');
  });

  it('draws a finding larger than its encoding buffer whole (the buffer grows mid-chunk)', async () => {
    // One step of ~600 kB (some of it two bytes a character): more than the 256 kB a chunk starts with.
    const words = Array.from({ length: 40_000 }, (_, i) => `función-${i}`);
    const report = await makeReport({
      results: [
        result({
          ruleId: 'LVS008',
          status: 'fail',
          reasonId: 'sharedRole',
          evidence: [{ resourceArn: '', field: 'functions using the role', observed: words.join(', ') }],
        }),
      ],
    });
    const out = renderTerminal(report, { chalk: plain });
    expect(Buffer.byteLength(out)).toBeGreaterThan(1 << 18);
    const from = out.indexOf('· functions using the role: ') + 2;
    const step = out.slice(from, out.indexOf('\n      fix:', from));
    expect(step.replace(/\n +/g, ' ')).toBe(`functions using the role: ${words.join(', ')}`);
    // What was drawn before the step, in the same chunk, is kept when the buffer grows.
    expect(out.startsWith(`${G.functionName}  ${G.region} · account ${G.accountId}\n`)).toBe(true);
    expect(out).toContain('Summary');
  });
});

describe('markOf', () => {
  const r = (status: 'pass' | 'fail' | 'error' | 'not-applicable' | 'suppressed') =>
    result({ ruleId: 'LVS001', status, reasonId: 'x' });
  it('fail beats error beats suppressed beats pass; nothing is not applicable', () => {
    expect(markOf([r('pass'), r('error'), r('fail')])).toBe('fail');
    expect(markOf([r('pass'), r('error')])).toBe('error');
    expect(markOf([r('pass'), r('suppressed')])).toBe('suppressed');
    expect(markOf([r('pass'), r('not-applicable')])).toBe('pass');
    expect(markOf([r('not-applicable')])).toBe('na');
    expect(markOf([])).toBe('na');
  });
});

/** The wrap contract, written plainly: per line of the text, its words refilled greedily. */
function referenceWrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter((w) => w !== '')) {
      if (line === '') line = word;
      else if (line.length + 1 + word.length <= width) line += ` ${word}`;
      else {
        out.push(line);
        line = word;
      }
    }
    out.push(line);
  }
  return out;
}

describe('wrap', () => {
  it('wraps at the width and never breaks a long token', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    const arn = 'arn:aws:lambda:eu-west-1:111122223333:function:x';
    expect(wrap(`see ${arn}`, 10)).toEqual(['see', arn]);
    expect(wrap(`${arn} and more`, 10)).toEqual([arn, 'and more']);
    expect(wrap('', 10)).toEqual(['']);
    expect(wrap('a  b\tc\n\nd', 10)).toEqual(['a b c', '', 'd']);
  });

  it('is greedy refill of words for any text and width (single-spaced text takes a faster path)', () => {
    const piece = fc.constantFrom('a', 'bb', 'cccc', 'dddddddddd', ' ', ' ', ' ', '  ', '\n', '\t', '·', '│');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.integer({ min: 0, max: 24 }), (pieces, width) => {
        const text = pieces.join('');
        expect(wrap(text, width)).toEqual(referenceWrap(text, width));
      }),
      { numRuns: 2000 },
    );
  });
});
