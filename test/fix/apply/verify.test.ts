import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../src/collect/clients.js';
import { commandFor, lookupCommandFor } from '../../../src/fix/apply/commands.js';
import {
  docKindOf,
  droppedStatements,
  egressAtoms,
  matchesBefore,
  readCallState,
  samePolicy,
  verifyStep,
  type LiveItem,
} from '../../../src/fix/apply/live-state.js';
import type { ApiCall, Plan } from '../../../src/fix/plan-model.js';
import { parseSnapshot } from '../../../src/snapshot/load.js';
import type { AccountSnapshot } from '../../../src/snapshot/schema.js';
import { G } from '../../helpers/golden.js';
import { applyVariant, loadVariants } from '../../helpers/variants.js';
import { demoSnapshot, planOf } from '../helpers.js';

/**
 * The executor reads what each step replaces and compares it with the plan's "before". Here the
 * reads are answered from the very snapshot the plan was made from (the account has not moved), so
 * every automated step of every golden variant's plan, and of the demo account's, must verify:
 * nothing unverifiable, nothing "changed since planned", no statement dropped.
 */

const apiError = (name: string) => Object.assign(new Error(name), { name });

/** Read-only clients answering from a snapshot, in the SDK's output shapes. */
function snapshotClients(snapshot: AccountSnapshot): AwsClients {
  const functions = snapshot.regions.flatMap((r) => (r.functions.status === 'ok' ? r.functions.value : []));
  const fnOf = (name: unknown) => {
    const fn = functions.find((f) => f.functionArn === name || f.functionName === name);
    if (fn === undefined) throw apiError('ResourceNotFoundException');
    return fn;
  };
  const list = <T>(get: (r: AccountSnapshot['regions'][number]) => { status: string; value?: T[] }) =>
    snapshot.regions.flatMap((r) => get(r).value ?? []);
  const bucketOf = (name: unknown) => {
    const bucket = snapshot.s3.buckets[String(name)];
    if (bucket === undefined) throw apiError('NoSuchBucket');
    return bucket;
  };
  const answer = (command: { constructor: { name: string }; input: Record<string, unknown> }): unknown => {
    const input = command.input;
    switch (command.constructor.name) {
      case 'GetBucketPolicyCommand': {
        const policy = bucketOf(input.Bucket).policy;
        if (policy.status !== 'ok') throw apiError('NoSuchBucketPolicy');
        return { Policy: policy.value };
      }
      case 'GetBucketEncryptionCommand': {
        const enc = bucketOf(input.Bucket).encryption;
        if (enc.status !== 'ok') throw apiError('ServerSideEncryptionConfigurationNotFoundError');
        return {
          ServerSideEncryptionConfiguration: {
            Rules: enc.value.rules.map((r) => ({
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: r.sseAlgorithm,
                ...(r.kmsMasterKeyId !== null ? { KMSMasterKeyID: r.kmsMasterKeyId } : {}),
              },
              BucketKeyEnabled: r.bucketKeyEnabled,
            })),
          },
        };
      }
      case 'GetPublicAccessBlockCommand': {
        const pab = bucketOf(input.Bucket).publicAccessBlock;
        if (pab.status !== 'ok') throw apiError('NoSuchPublicAccessBlockConfiguration');
        return {
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: pab.value.blockPublicAcls,
            IgnorePublicAcls: pab.value.ignorePublicAcls,
            BlockPublicPolicy: pab.value.blockPublicPolicy,
            RestrictPublicBuckets: pab.value.restrictPublicBuckets,
          },
        };
      }
      case 'DescribeVpcEndpointsCommand':
        return {
          VpcEndpoints: list((r) => r.vpcEndpoints)
            .filter((e) => (input.VpcEndpointIds as string[]).includes(e.vpcEndpointId))
            .map((e) => ({
              VpcEndpointId: e.vpcEndpointId,
              VpcEndpointType: e.vpcEndpointType,
              ServiceName: e.serviceName,
              State: e.state,
              RouteTableIds: e.routeTableIds,
              // AWS always answers a gateway endpoint's policy; the default one when none was set.
              PolicyDocument:
                e.policyDocument ??
                '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}',
            })),
        };
      case 'DescribeSecurityGroupsCommand':
        return {
          SecurityGroups: list((r) => r.securityGroups)
            .filter((g) => (input.GroupIds as string[]).includes(g.groupId))
            .map((g) => ({
              GroupId: g.groupId,
              IpPermissionsEgress: g.egress.map((rule) => ({
                IpProtocol: rule.ipProtocol,
                ...(rule.fromPort !== null ? { FromPort: rule.fromPort } : {}),
                ...(rule.toPort !== null ? { ToPort: rule.toPort } : {}),
                IpRanges: rule.ipv4Ranges.map((c) => ({ CidrIp: c, Description: 'kept' })),
                Ipv6Ranges: rule.ipv6Ranges.map((c) => ({ CidrIpv6: c })),
                PrefixListIds: rule.prefixListIds.map((p) => ({ PrefixListId: p })),
                UserIdGroupPairs: rule.referencedGroupIds.map((id) => ({
                  GroupId: id,
                  UserId: snapshot.accountId,
                })),
              })),
            })),
        };
      case 'DescribeRouteTablesCommand':
        return {
          RouteTables: list((r) => r.routeTables)
            .filter((t) => (input.RouteTableIds as string[]).includes(t.routeTableId))
            .map((t) => ({ RouteTableId: t.routeTableId, VpcId: t.vpcId, Routes: t.routes })),
        };
      case 'GetFunctionConfigurationCommand': {
        const fn = fnOf(input.FunctionName);
        return {
          FunctionName: fn.functionName,
          FunctionArn: fn.functionArn,
          KMSKeyArn: fn.kmsKeyArn ?? undefined,
          TracingConfig: { Mode: fn.tracingMode ?? 'PassThrough' },
        };
      }
      case 'GetFunctionUrlConfigCommand': {
        const url = fnOf(input.FunctionName).urlConfig;
        if (url.status !== 'ok') throw apiError('ResourceNotFoundException');
        return { FunctionUrl: url.value.functionUrl, AuthType: url.value.authType };
      }
      case 'GetPolicyCommand': {
        const policy = fnOf(input.FunctionName).resourcePolicy;
        if (policy.status !== 'ok') throw apiError('ResourceNotFoundException');
        return { Policy: policy.value };
      }
      case 'GetRolePolicyCommand': {
        for (const role of Object.values(snapshot.iam.roles)) {
          if (role.status !== 'ok' || role.value.roleName !== input.RoleName) continue;
          const policy = role.value.inlinePolicies.find((p) => p.policyName === input.PolicyName);
          if (policy !== undefined) return { PolicyDocument: encodeURIComponent(policy.document) };
        }
        throw apiError('NoSuchEntity');
      }
      case 'GetKeyRotationStatusCommand':
        return { KeyRotationEnabled: false };
      case 'DescribeKeyCommand':
        return { KeyMetadata: { KeyId: input.KeyId, KeyState: 'Disabled' } };
      default:
        throw new Error(`unexpected read ${command.constructor.name}`);
    }
  };
  const client = { send: (command: never) => Promise.resolve().then(() => answer(command)) };
  return new Proxy({}, { get: (_t, prop) => (prop === 'destroy' ? () => {} : () => client) }) as AwsClients;
}

async function readStep(clients: AwsClients, calls: readonly ApiCall[]): Promise<Map<ApiCall, LiveItem[]>> {
  const out = new Map<ApiCall, LiveItem[]>();
  for (const call of calls)
    out.set(call, await readCallState(call, { clients, regionOf: (c) => c.region ?? G.region }));
  return out;
}

const cases: Array<[string, () => AccountSnapshot]> = [
  ...loadVariants().map((v): [string, () => AccountSnapshot] => [
    v.slug,
    () => parseSnapshot(applyVariant(v), v.slug),
  ]),
  ['demo account', demoSnapshot],
];

describe('every automated step of the variants and the demo account verifies against an unchanged account', () => {
  it.each(cases)('%s', async (_name, load) => {
    const snapshot = load();
    const { plan } = await planOf(snapshot);
    const clients = snapshotClients(snapshot);
    for (const step of plan.steps.filter((s) => s.kind === 'automated')) {
      for (const call of step.api) {
        expect(commandFor(call), `${step.id} ${call.operation}`).toBeDefined();
        if (call.reuse !== undefined)
          expect(lookupCommandFor(call), `${step.id} ${call.operation} lookup`).toBeDefined();
      }
      const items = await readStep(clients, step.api);
      expect(verifyStep(step, [...items.values()].flat()), step.id).toEqual({
        unverifiable: [],
        changed: [],
      });
      for (const call of step.api) {
        const { dropped, unreadable } = droppedStatements(call, items.get(call) ?? []);
        expect(dropped, `${step.id} ${call.operation}`).toEqual([]);
        if (unreadable) expect(step.risks.map((r) => r.kind)).toContain('replaces-document');
      }
    }
  });
});

describe('changes since the plan are detected', () => {
  async function planAndItems(snapshot: AccountSnapshot): Promise<{ plan: Plan; clients: AwsClients }> {
    const { plan } = await planOf(snapshot);
    return { plan, clients: snapshotClients(snapshot) };
  }

  it('a statement added to the bucket policy after planning', async () => {
    const variant = loadVariants().find((v) => v.slug === 'lvs007-no-deny');
    if (variant === undefined) throw new Error('variant');
    const snapshot = parseSnapshot(applyVariant(variant), variant.slug);
    const { plan } = await planAndItems(snapshot);
    const bucket = snapshot.s3.buckets[G.bucket];
    if (bucket?.policy.status !== 'ok') throw new Error('policy');
    const policy = JSON.parse(bucket.policy.value);
    policy.Statement.push({
      Sid: 'Late',
      Effect: 'Allow',
      Principal: { AWS: G.roleArn },
      Action: 's3:GetObject',
      Resource: '*',
    });
    bucket.policy.value = JSON.stringify(policy);
    const step = plan.steps[0];
    if (step === undefined) throw new Error('step');
    const items = await readStep(snapshotClients(snapshot), step.api);
    expect(verifyStep(step, [...items.values()].flat()).changed).toEqual([
      `bucket policy of arn:aws:s3:::${G.bucket}`,
    ]);
    // And the planned document would drop the late statement.
    expect(droppedStatements(step.api[0]!, items.get(step.api[0]!) ?? []).dropped).toMatchObject([
      { Sid: 'Late' },
    ]);
  });

  it('compares policies by meaning, egress rules by destination, settings by value', () => {
    expect(
      samePolicy(
        '{"Statement":[{"Effect":"Allow","Action":["b","a"],"Resource":"*"}]}',
        '{\n "Statement": {"Resource":["*"],"Action":["a","b"],"Effect":"Allow"}}',
      ),
    ).toBe(true);
    expect(
      samePolicy(
        '{"Statement":[{"Effect":"Allow","Action":"a","Resource":"*"}]}',
        '{"Statement":[{"Effect":"Deny","Action":"a","Resource":"*"}]}',
      ),
    ).toBe(false);
    expect(samePolicy(null, '{"Statement":[]}')).toBe(false);
    expect(
      egressAtoms([
        { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'x' }], PrefixListIds: [] },
      ]),
    ).toEqual(['all * ipv4:0.0.0.0/0']);
    expect(
      egressAtoms([
        {
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          IpRanges: [{ CidrIp: '10.0.0.0/8' }, { CidrIp: '0.0.0.0/0' }],
        },
      ]),
    ).toEqual(['tcp 443-443 ipv4:0.0.0.0/0', 'tcp 443-443 ipv4:10.0.0.0/8']);
    expect(
      matchesBefore(
        'public-access-block',
        '{"BlockPublicAcls":true}',
        '{"BlockPublicAcls":true,"IgnorePublicAcls":false}',
      ),
    ).toBe(true);
    expect(
      matchesBefore('public-access-block', '{"BlockPublicAcls":true}', '{"BlockPublicAcls":false}'),
    ).toBe(false);
    expect(
      matchesBefore(
        'bucket-encryption',
        '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"},"BucketKeyEnabled":false}]}',
        '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}',
      ),
    ).toBe(true);
    expect(
      matchesBefore('url-config', '{"AuthType":"NONE"}', '{"AuthType":"AWS_IAM","FunctionUrl":"u"}'),
    ).toBe(false);
    expect(docKindOf({ label: 'something new' })).toBeUndefined();
  });
});
