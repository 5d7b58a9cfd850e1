import { join } from 'node:path';
import { createAwsClients } from '../../../src/collect/clients.js';
import { collectAccount } from '../../../src/collect/collect-account.js';
import { isReadOnlyOperation } from '../../../src/collect/read-only-guard.js';
import type { ApplyIo } from '../../../src/fix/apply.js';
import { createWriteClients } from '../../../src/fix/apply/clients.js';
import type { AccountSnapshot } from '../../../src/snapshot/schema.js';
import {
  awsError,
  FixtureServer,
  goldenFixtures,
  only,
  type ErrorSpec,
  type Fixtures,
} from '../../collect/helpers/api-fixtures.js';
import { FAKE_CREDENTIALS } from '../../collect/helpers/run-collect.js';
import { G, iamCatalog } from '../../helpers/golden.js';

/**
 * The golden account's API answers (FixtureServer) made stateful for `lvs fix --apply`: the
 * mutating calls the plans send change the answers that later reads (the executor's backups and
 * verifications, the re-collection) get, so a test can apply a plan, collect again, audit and
 * plan again. Everything else is served from the fixtures, exactly as for the collector tests.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- AWS JSON, edited freely here
type Json = Record<string, any>;
type Service = Parameters<FixtureServer['respond']>[0];

const META = { httpStatusCode: 200, requestId: 'live-account', attempts: 1, totalRetryDelay: 0 };
/** The key policy KMS gives a key created without one. */
const DEFAULT_KEY_POLICY = {
  Version: '2012-10-17',
  Id: 'key-default-1',
  Statement: [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${G.accountId}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};
const encode = (text: string) => encodeURIComponent(text);

export class LiveAccount extends FixtureServer {
  /** "service:Operation" -> the error the next such call gets (deleted once thrown). */
  readonly failNext = new Map<string, ErrorSpec>();
  /** "service:Operation" of mutating calls AWS accepts but that change nothing (an account that drifts back). */
  readonly ineffective = new Set<string>();
  /** Every call and every write of the test's io, in the order they happened. */
  readonly events: string[] = [];
  /** Polls of GetFunctionConfiguration that answer InProgress after an update. */
  updatePolls = 1;
  private readonly pending = new Map<string, number>();
  /** Keys created by kms:CreateKey: ARN -> rotation on. */
  readonly createdKeys = new Map<string, boolean>();
  /** KeyState of created keys that are not Enabled (a test disables one, or schedules its deletion). */
  readonly keyStates = new Map<string, string>();
  /** Key policies of created keys (absent: KMS's default policy). */
  readonly keyPolicies = new Map<string, string>();
  /** KMS aliases of created keys: alias name -> key ARN. */
  readonly aliases = new Map<string, string>();

  constructor(fixtures: Fixtures = goldenFixtures()) {
    super(fixtures);
  }

  /** The mutating calls received, as [service:Operation, input]. */
  get writes(): Array<[string, unknown]> {
    return this.calls
      .filter((c) => !isReadOnlyOperation(c.operation))
      .map((c) => [`${c.service}:${c.operation}`, c.input]);
  }

  out(key: string): Json {
    return only(this.fixtures, key).output as Json;
  }

  get fn(): Json {
    return this.out('lambda/ListFunctions').Functions[0] as Json;
  }

  role(name: string): Json {
    const role = (this.out('iam/GetAccountAuthorizationDetails').RoleDetailList as Json[]).find(
      (r) => r.RoleName === name,
    );
    if (role === undefined) throw new Error(`no role ${name}`);
    return role;
  }

  get group(): Json {
    return this.out('ec2/DescribeSecurityGroups').SecurityGroups[0] as Json;
  }

  override async respond(
    service: Service,
    operation: string,
    rawInput: unknown,
    region = '',
  ): Promise<unknown> {
    const input = JSON.parse(JSON.stringify(rawInput ?? {})) as Json;
    this.events.push(`${service}:${operation}`);
    const handler = this.handler(service, operation, input);
    if (handler === undefined) return super.respond(service, operation, rawInput, region);
    this.calls.push({ service, operation, input, region });
    const failure = this.failNext.get(`${service}:${operation}`);
    if (failure !== undefined) {
      this.failNext.delete(`${service}:${operation}`);
      throw awsError(service, failure);
    }
    if (this.ineffective.has(`${service}:${operation}`)) return { $metadata: META };
    return { ...handler(), $metadata: META };
  }

  private functionNamed(name: string): Json {
    const fn = (this.out('lambda/ListFunctions').Functions as Json[]).find(
      (f) => f.FunctionName === name || f.FunctionArn === name,
    );
    if (fn === undefined)
      throw awsError('lambda', { name: 'ResourceNotFoundException', message: name, httpStatusCode: 404 });
    return fn;
  }

  /** The answer of a call this class handles, or undefined to serve it from the fixtures. */
  private handler(service: Service, operation: string, input: Json): (() => Json) | undefined {
    switch (`${service}:${operation}`) {
      case 'lambda:GetFunctionConfiguration':
        return () => {
          const fn = this.functionNamed(String(input.FunctionName));
          const left = this.pending.get(fn.FunctionArn as string) ?? 0;
          this.pending.set(fn.FunctionArn as string, Math.max(0, left - 1));
          return {
            ...structuredClone(fn),
            State: 'Active',
            LastUpdateStatus: left > 0 ? 'InProgress' : 'Successful',
          };
        };
      case 'lambda:UpdateFunctionConfiguration':
        return () => {
          const fn = this.functionNamed(String(input.FunctionName));
          if ((this.pending.get(fn.FunctionArn as string) ?? 0) > 0)
            throw awsError('lambda', {
              name: 'ResourceConflictException',
              message: 'An update is in progress for resource',
              httpStatusCode: 409,
            });
          if (input.TracingConfig !== undefined) fn.TracingConfig = input.TracingConfig;
          if (input.KMSKeyArn !== undefined) {
            if (input.KMSKeyArn === '') delete fn.KMSKeyArn;
            else fn.KMSKeyArn = input.KMSKeyArn;
          }
          this.pending.set(fn.FunctionArn as string, this.updatePolls);
          return { ...structuredClone(fn), LastUpdateStatus: 'InProgress' };
        };
      case 's3:PutBucketPolicy':
        return () => {
          const entries = this.fixtures.get('s3/GetBucketPolicy') ?? [];
          const rest = entries.filter((e) => e.input.Bucket !== input.Bucket);
          this.fixtures.set('s3/GetBucketPolicy', [
            ...rest,
            { input: { Bucket: input.Bucket }, output: { Policy: input.Policy } },
          ]);
          return {};
        };
      case 'ec2:DescribeSecurityGroups':
        if (input.GroupIds === undefined) return undefined;
        return () => ({
          SecurityGroups: structuredClone(
            (this.out('ec2/DescribeSecurityGroups').SecurityGroups as Json[]).filter((g) =>
              (input.GroupIds as string[]).includes(g.GroupId as string),
            ),
          ),
        });
      case 'ec2:DescribeVpcEndpoints':
        if (input.VpcEndpointIds === undefined) return undefined;
        return () => ({
          VpcEndpoints: structuredClone(
            (this.out('ec2/DescribeVpcEndpoints').VpcEndpoints as Json[]).filter((e) =>
              (input.VpcEndpointIds as string[]).includes(e.VpcEndpointId as string),
            ),
          ),
        });
      case 'ec2:RevokeSecurityGroupEgress':
        return () => {
          const group = this.groupOf(String(input.GroupId));
          for (const p of input.IpPermissions as Json[]) {
            const same = (r: Json) =>
              r.IpProtocol === p.IpProtocol && r.FromPort === p.FromPort && r.ToPort === p.ToPort;
            for (const rule of (group.IpPermissionsEgress as Json[]).filter(same)) {
              const drop = (list: Json[] | undefined, field: string, gone: Json[] | undefined) =>
                (list ?? []).filter((x) => !(gone ?? []).some((g) => g[field] === x[field]));
              rule.IpRanges = drop(rule.IpRanges, 'CidrIp', p.IpRanges);
              rule.Ipv6Ranges = drop(rule.Ipv6Ranges, 'CidrIpv6', p.Ipv6Ranges);
              rule.PrefixListIds = drop(rule.PrefixListIds, 'PrefixListId', p.PrefixListIds);
            }
            group.IpPermissionsEgress = (group.IpPermissionsEgress as Json[]).filter(
              (r) =>
                (r.IpRanges ?? []).length +
                  (r.Ipv6Ranges ?? []).length +
                  (r.PrefixListIds ?? []).length +
                  (r.UserIdGroupPairs ?? []).length >
                0,
            );
          }
          return { Return: true };
        };
      case 'ec2:AuthorizeSecurityGroupEgress':
        return () => {
          const group = this.groupOf(String(input.GroupId));
          for (const p of input.IpPermissions as Json[])
            (group.IpPermissionsEgress as Json[]).push({
              UserIdGroupPairs: [],
              IpRanges: [],
              Ipv6Ranges: [],
              PrefixListIds: [],
              ...structuredClone(p),
            });
          return { Return: true };
        };
      case 'iam:GetRolePolicy':
        return () => {
          const policy = (this.role(String(input.RoleName)).RolePolicyList as Json[]).find(
            (p) => p.PolicyName === input.PolicyName,
          );
          if (policy === undefined)
            throw awsError('iam', {
              name: 'NoSuchEntity',
              message: `The role policy with name ${String(input.PolicyName)} cannot be found.`,
              httpStatusCode: 404,
            });
          return {
            RoleName: input.RoleName,
            PolicyName: input.PolicyName,
            PolicyDocument: policy.PolicyDocument,
          };
        };
      case 'iam:PutRolePolicy':
        return () => {
          const role = this.role(String(input.RoleName));
          const list = (role.RolePolicyList as Json[]).filter((p) => p.PolicyName !== input.PolicyName);
          list.push({ PolicyName: input.PolicyName, PolicyDocument: encode(String(input.PolicyDocument)) });
          role.RolePolicyList = list;
          const names = this.fixtures
            .get('iam/ListRolePolicies')
            ?.find((c) => c.input.RoleName === input.RoleName);
          if (names?.output !== undefined) names.output.PolicyNames = list.map((p) => p.PolicyName as string);
          return {};
        };
      case 'kms:CreateKey':
        return () => {
          const id = `00000000-0000-4000-8000-${String(this.createdKeys.size + 1).padStart(12, '0')}`;
          const arn = `arn:aws:kms:${G.region}:${G.accountId}:key/${id}`;
          this.createdKeys.set(arn, false);
          return { KeyMetadata: this.keyMetadata(arn) };
        };
      case 'kms:CreateAlias':
        return () => {
          const name = String(input.AliasName);
          if (this.aliases.has(name))
            throw awsError('kms', {
              name: 'AlreadyExistsException',
              message: `An alias with the name arn:aws:kms:${G.region}:${G.accountId}:${name} already exists`,
              httpStatusCode: 400,
            });
          this.aliases.set(name, this.createdKey(String(input.TargetKeyId)));
          return {};
        };
      case 'kms:PutKeyPolicy':
        return () => {
          this.keyPolicies.set(this.createdKey(String(input.KeyId)), String(input.Policy));
          return {};
        };
      case 'kms:GetKeyPolicy':
        if (!this.createdKeys.has(String(input.KeyId))) return undefined;
        return () => ({
          PolicyName: 'default',
          Policy: this.keyPolicies.get(String(input.KeyId)) ?? JSON.stringify(DEFAULT_KEY_POLICY),
        });
      case 'kms:EnableKeyRotation':
        return () => {
          this.createdKeys.set(this.createdKey(String(input.KeyId)), true);
          return {};
        };
      case 'kms:DescribeKey': {
        const id = String(input.KeyId);
        const alias = id.startsWith('alias/') ? id : /^arn:aws:kms:[^:]+:\d+:(alias\/.+)$/.exec(id)?.[1];
        if (alias !== undefined)
          return () => {
            const arn = this.aliases.get(alias);
            if (arn === undefined)
              throw awsError('kms', {
                name: 'NotFoundException',
                message: `Alias arn:aws:kms:${G.region}:${G.accountId}:${alias} is not found.`,
                httpStatusCode: 400,
              });
            return { KeyMetadata: this.keyMetadata(arn) };
          };
        if (!this.createdKeys.has(id)) return undefined;
        return () => ({ KeyMetadata: this.keyMetadata(id) });
      }
      case 'kms:GetKeyRotationStatus':
        if (!this.createdKeys.has(String(input.KeyId))) return undefined;
        return () => ({ KeyId: input.KeyId, KeyRotationEnabled: this.createdKeys.get(String(input.KeyId)) });
      default:
        return undefined;
    }
  }

  private createdKey(arn: string): string {
    if (!this.createdKeys.has(arn))
      throw awsError('kms', { name: 'NotFoundException', message: `${arn} not found`, httpStatusCode: 400 });
    return arn;
  }

  private keyMetadata(arn: string): Json {
    const state = this.keyStates.get(arn) ?? 'Enabled';
    return {
      AWSAccountId: G.accountId,
      KeyId: arn.slice(arn.lastIndexOf('/') + 1),
      Arn: arn,
      Enabled: state === 'Enabled',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: state,
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      KeySpec: 'SYMMETRIC_DEFAULT',
    };
  }

  private groupOf(id: string): Json {
    const group = (this.out('ec2/DescribeSecurityGroups').SecurityGroups as Json[]).find(
      (g) => g.GroupId === id,
    );
    if (group === undefined) throw new Error(`no group ${id}`);
    return group;
  }

  /** collectAccount through the read-only clients, as lvs collect does. */
  async collect(): Promise<AccountSnapshot> {
    const clients = createAwsClients({ env: {}, credentials: FAKE_CREDENTIALS });
    try {
      return await collectAccount({
        regions: [G.region],
        env: {},
        clients,
        iamCatalog: await iamCatalog(),
        now: () => new Date('2026-11-21T09:00:00.000Z'),
        collector: { name: 'lvs', version: '0.1.0' },
        throttleBackoffMs: 1,
      });
    } finally {
      clients.destroy();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// API-level variants of the golden account (the snapshot variants of fixtures/variants, as AWS answers them)

export function tracingPassThrough(account: LiveAccount): void {
  account.fn.TracingConfig = { Mode: 'PassThrough' };
}

/** The scorer role without AWSXRayDaemonWriteAccess: LVS010 then needs the role's permission first. */
export function withoutXRayPermission(account: LiveAccount): void {
  const role = account.role('lvs-golden-scorer-role');
  role.AttachedManagedPolicies = (role.AttachedManagedPolicies as Json[]).filter(
    (p) => p.PolicyArn !== G.xrayPolicyArn,
  );
  const attached = account.fixtures.get('iam/ListAttachedRolePolicies')?.[0]?.output;
  if (attached !== undefined)
    attached.AttachedPolicies = (attached.AttachedPolicies as Json[]).filter(
      (p) => p.PolicyArn !== G.xrayPolicyArn,
    );
}

/** lvs007-no-deny: the bucket policy keeps only the TLS Deny. */
export const NO_DENY_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${G.bucket}`, `arn:aws:s3:::${G.bucket}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
});

export function bucketPolicy(account: LiveAccount, policy: string): void {
  account.out('s3/GetBucketPolicy').Policy = policy;
}

/** lvs005-default-allow-all-egress: the group keeps AWS's default all-traffic egress rule. */
export function openEgress(account: LiveAccount): void {
  (account.group.IpPermissionsEgress as Json[]).push({
    IpProtocol: '-1',
    UserIdGroupPairs: [],
    IpRanges: [{ CidrIp: '0.0.0.0/0' }],
    Ipv6Ranges: [],
    PrefixListIds: [],
  });
}

/** lvs009-no-customer-key: the function's environment uses the AWS managed key. */
export function withoutCustomerKey(account: LiveAccount): void {
  delete account.fn.KMSKeyArn;
}

// ---------------------------------------------------------------------------------------------
// The executor's world

export interface MemoryIo extends ApplyIo {
  files: Map<string, string>;
  dirs: string[];
  log: (text: string) => void;
  output(): string;
  questions: string[];
}

/** An in-memory ApplyIo that records writes in `events` (shared with the LiveAccount's calls). */
export function memoryIo(events: string[], answer = true): MemoryIo {
  const files = new Map<string, string>();
  const dirs: string[] = [];
  const questions: string[] = [];
  let text = '';
  return {
    files,
    dirs,
    questions,
    log: (line) => void (text += line),
    output: () => text,
    writeFile: (path, content) => {
      events.push(`write ${path}`);
      files.set(path, content);
      return Promise.resolve();
    },
    mkdir: (path) => {
      dirs.push(path);
      return Promise.resolve();
    },
    fileExists: (path) => Promise.resolve(files.has(path)),
    confirm: (question) => {
      questions.push(question);
      return Promise.resolve(answer);
    },
  };
}

export const BACKUP = '/backup/run-1';
export const backupFile = (name: string) => join(BACKUP, name);

/** The clients the CLI gives the executor: read-only ones for reads, write ones for the plan's calls. */
export function executorClients() {
  const read = createAwsClients({ env: {}, credentials: FAKE_CREDENTIALS });
  const write = createWriteClients({ env: {}, credentials: FAKE_CREDENTIALS });
  return {
    read,
    write,
    sleep: () => Promise.resolve(),
    destroy: () => {
      read.destroy();
      write.destroy();
    },
  };
}
