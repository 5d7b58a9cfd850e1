import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  type AttachedPolicy,
  type Role,
} from '@aws-sdk/client-iam';
import { absent, failed, ok, type Fetched } from '../snapshot/fetched.js';
import type { IamRole, ManagedPolicy } from '../snapshot/schema.js';
import { errorCode, type CallContext } from './call.js';
import type { CollectContext } from './context.js';
import { normalizeManagedPolicy, normalizeRole, roleNameFromArn } from './normalize/iam.js';

/** IAM's answer when the role or policy does not exist: a fact ("absent"), not a failed read. */
const NOT_FOUND = ['NoSuchEntity', 'NoSuchEntityException'];

class ReadFailed extends Error {
  constructor(
    readonly ctx: CallContext,
    readonly original: unknown,
  ) {
    super(`${ctx.operation} failed`);
  }
}

/**
 * Every distinct execution role and managed policy, each read once per run (SPEC 3 plan):
 * role = GetRole + ListRolePolicies (+ GetRolePolicy per inline policy) + ListAttachedRolePolicies;
 * managed policy = GetPolicy + GetPolicyVersion of its default version. Reads start the first time
 * a function names the role, while other functions are still being listed.
 */
export class IamCollector {
  private readonly roles = new Map<string, Promise<Fetched<IamRole>>>();
  private readonly policies = new Map<string, Promise<Fetched<ManagedPolicy>>>();

  constructor(private readonly ctx: CollectContext) {}

  /** Starts (once) reading the role and its managed policies. */
  role(roleArn: string): Promise<Fetched<IamRole>> {
    let pending = this.roles.get(roleArn);
    if (pending === undefined) {
      pending = this.readRole(roleArn).then((role) => {
        if (role.status === 'ok')
          for (const p of role.value.attachedPolicies) void this.managedPolicy(p.policyArn);
        return role;
      });
      this.roles.set(roleArn, pending);
    }
    return pending;
  }

  managedPolicy(policyArn: string): Promise<Fetched<ManagedPolicy>> {
    let pending = this.policies.get(policyArn);
    if (pending === undefined) {
      pending = this.readManagedPolicy(policyArn);
      this.policies.set(policyArn, pending);
    }
    return pending;
  }

  /** Every role and managed policy read so far, once they are all settled. */
  async settled(): Promise<{
    roles: Record<string, Fetched<IamRole>>;
    managedPolicies: Record<string, Fetched<ManagedPolicy>>;
  }> {
    const roles: Record<string, Fetched<IamRole>> = {};
    for (const [arn, pending] of [...this.roles].sort(([a], [b]) => a.localeCompare(b)))
      roles[arn] = await pending;
    // Roles settle before their policies are known; wait until no new policy appears.
    let size = -1;
    while (size !== this.policies.size) {
      size = this.policies.size;
      await Promise.all(this.policies.values());
    }
    const managedPolicies: Record<string, Fetched<ManagedPolicy>> = {};
    for (const [arn, pending] of [...this.policies].sort(([a], [b]) => a.localeCompare(b)))
      managedPolicies[arn] = await pending;
    return { roles, managedPolicies };
  }

  private async send<T>(ctx: CallContext, request: () => Promise<T>): Promise<T> {
    try {
      return await this.ctx.caller.send(ctx, request);
    } catch (error) {
      throw new ReadFailed(ctx, error);
    }
  }

  private async readRole(roleArn: string): Promise<Fetched<IamRole>> {
    const iam = this.ctx.clients.iam(this.ctx.globalRegion);
    const region = this.ctx.globalRegion;
    const RoleName = roleNameFromArn(roleArn);
    const at = (operation: string): CallContext => ({ service: 'iam', operation, region, resource: roleArn });
    try {
      const [role, inline, attached] = await Promise.all([
        this.send(at('GetRole'), () => iam.send(new GetRoleCommand({ RoleName }))).then((o): Role => {
          if (o.Role === undefined)
            throw new ReadFailed(at('GetRole'), {
              name: 'UnexpectedResponse',
              message: 'the answer has no Role',
            });
          return o.Role;
        }),
        this.inlinePolicies(RoleName, at),
        this.attachedPolicies(RoleName, at),
      ]);
      return ok(normalizeRole(role, inline, attached));
    } catch (error) {
      const failure =
        error instanceof ReadFailed
          ? error
          : new ReadFailed(at('GetRole'), { name: 'UnexpectedResponse', message: String(error) });
      // The role does not exist (deleted after the function was created): each of its reads says so.
      if (NOT_FOUND.includes(errorCode(failure.original))) return absent();
      return this.ctx.caller.failure(failure.ctx, failure.original, this.ctx.errors);
    }
  }

  private async inlinePolicies(
    RoleName: string,
    at: (operation: string) => CallContext,
  ): Promise<Array<{ policyName: string; document: string }>> {
    const iam = this.ctx.clients.iam(this.ctx.globalRegion);
    const names: string[] = [];
    let Marker: string | undefined;
    do {
      const marker = Marker;
      const page = await this.send(at('ListRolePolicies'), () =>
        iam.send(
          new ListRolePoliciesCommand({ RoleName, ...(marker !== undefined ? { Marker: marker } : {}) }),
        ),
      );
      names.push(...(page.PolicyNames ?? []));
      Marker = page.IsTruncated === true && page.Marker ? page.Marker : undefined;
    } while (Marker !== undefined);
    return Promise.all(
      names.map(async (PolicyName) => {
        const ctx: CallContext = {
          ...at('GetRolePolicy'),
          resource: `${at('GetRolePolicy').resource ?? ''}/inline/${PolicyName}`,
        };
        const output = await this.send(ctx, () =>
          iam.send(new GetRolePolicyCommand({ RoleName, PolicyName })),
        );
        if (typeof output.PolicyDocument !== 'string') {
          throw new ReadFailed(ctx, {
            name: 'UnexpectedResponse',
            message: 'the answer has no PolicyDocument',
          });
        }
        return { policyName: PolicyName, document: output.PolicyDocument };
      }),
    );
  }

  private async attachedPolicies(
    RoleName: string,
    at: (operation: string) => CallContext,
  ): Promise<AttachedPolicy[]> {
    const iam = this.ctx.clients.iam(this.ctx.globalRegion);
    const attached: AttachedPolicy[] = [];
    let Marker: string | undefined;
    do {
      const marker = Marker;
      const page = await this.send(at('ListAttachedRolePolicies'), () =>
        iam.send(
          new ListAttachedRolePoliciesCommand({
            RoleName,
            ...(marker !== undefined ? { Marker: marker } : {}),
          }),
        ),
      );
      attached.push(...(page.AttachedPolicies ?? []));
      Marker = page.IsTruncated === true && page.Marker ? page.Marker : undefined;
    } while (Marker !== undefined);
    return attached;
  }

  private async readManagedPolicy(policyArn: string): Promise<Fetched<ManagedPolicy>> {
    const iam = this.ctx.clients.iam(this.ctx.globalRegion);
    const region = this.ctx.globalRegion;
    const at = (operation: string): CallContext => ({
      service: 'iam',
      operation,
      region,
      resource: policyArn,
    });
    const policy = await this.ctx.caller.fetch(
      at('GetPolicy'),
      () => iam.send(new GetPolicyCommand({ PolicyArn: policyArn })),
      (o) => {
        if (o.Policy?.DefaultVersionId === undefined)
          throw new Error('the answer has no Policy.DefaultVersionId');
        return o.Policy;
      },
      { absentCodes: NOT_FOUND, errors: this.ctx.errors },
    );
    if (policy.status !== 'ok') return policy.status === 'absent' ? absent() : failed(policy.error);
    const VersionId = policy.value.DefaultVersionId;
    return this.ctx.caller.fetch(
      at('GetPolicyVersion'),
      () => iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId })),
      (o) => {
        if (o.PolicyVersion === undefined) throw new Error('the answer has no PolicyVersion');
        return normalizeManagedPolicy(policy.value, o.PolicyVersion);
      },
      { errors: this.ctx.errors },
    );
  }
}
