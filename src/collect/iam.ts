import {
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  type AttachedPolicy,
  type EntityType,
  type Role,
} from '@aws-sdk/client-iam';
import { absent, failed, ok, type Fetched } from '../snapshot/fetched.js';
import type { IamRole, ManagedPolicy } from '../snapshot/schema.js';
import { errorCode, type CallContext } from './call.js';
import type { CollectContext } from './context.js';
import {
  normalizeManagedPolicy,
  normalizeManagedPolicyDetail,
  normalizeRole,
  normalizeRoleDetail,
  roleNameFromArn,
} from './normalize/iam.js';

/** IAM's answer when the role or policy does not exist: a fact ("absent"), not a failed read. */
const NOT_FOUND = ['NoSuchEntity', 'NoSuchEntityException'];

/**
 * How IAM is read (SPEC 3: "each distinct role and each distinct managed policy fetched once, or
 * GetAccountAuthorizationDetails when that is cheaper"):
 * - `per-role`: role = GetRole + ListRolePolicies (+ GetRolePolicy per inline policy) +
 *   ListAttachedRolePolicies; managed policy = GetPolicy + GetPolicyVersion of its default version.
 * - `account-details`: iam:GetAccountAuthorizationDetails (roles, customer managed policies and the
 *   AWS managed policies attached in the account), a page per up to 1,000 items; only the roles the
 *   functions use and the managed policies those roles attach are kept. Whatever it does not give
 *   (a role or policy missing from the answer, an item lvs cannot read, pages after a failure) is
 *   read the per-role way, so both plans yield the same snapshot.
 * - `auto` (default): chosen by expected cost (see `choosePlan`).
 */
export type IamPlan = 'per-role' | 'account-details';
export type IamPlanOption = 'auto' | IamPlan;

/** The counts of iam:GetAccountSummary the choice uses. */
export interface AccountSummaryCounts {
  /** SummaryMap.Roles: IAM roles in the account. */
  roles: number;
  /** SummaryMap.Policies: customer managed policies in the account. */
  policies: number;
  /**
   * SummaryMap.PolicyVersionsInUse: managed policies attached to users, groups or roles. GAAD lists
   * AWS managed policies only when they are attached in the account, so this bounds their number.
   */
  attachedPolicies: number;
}

/** What the plan choice saw and decided (for the benchmark and for debugging). */
export interface IamPlanReport {
  plan: IamPlan;
  /** forced (CollectOptions.iamPlan), estimate (choosePlan), or no-summary (GetAccountSummary failed: per role). */
  why: 'forced' | 'estimate' | 'no-summary';
  /** Distinct execution roles known when the plan was chosen (more may follow while functions are listed). */
  rolesAtDecision: number;
  summary?: AccountSummaryCounts;
  estimate?: { perRoleCalls: number; accountDetailsCalls: number };
  /** GetAccountAuthorizationDetails failed after `pages` pages: what it gave is kept, the rest is read per role. */
  fallback?: { code: string; pages: number };
}

/** GetAccountAuthorizationDetails page size: the API's maximum (MaxItems 1-1000). */
export const ACCOUNT_DETAILS_PAGE_SIZE = 1000;
/** Only what lvs needs: no users, no groups. */
export const ACCOUNT_DETAILS_FILTER: readonly EntityType[] = [
  'Role',
  'LocalManagedPolicy',
  'AWSManagedPolicy',
];
/**
 * Items per GetAccountAuthorizationDetails page assumed by the estimate. lvs asks for 1,000, but the
 * API reference warns that "IAM might return fewer results, even when there are more results
 * available" (and a role item carries all its inline documents); 100, IAM's default page size,
 * keeps the estimate on the dear side, so the account-wide read is only chosen when it is clearly
 * cheaper.
 */
export const ACCOUNT_DETAILS_ITEMS_PER_PAGE = 100;

/** Expected calls of the account-wide plan: its pages (the summary is already spent when this is asked). */
export function accountDetailsCalls(summary: AccountSummaryCounts): number {
  const items = summary.roles + summary.policies + summary.attachedPolicies;
  return Math.max(1, Math.ceil(items / ACCOUNT_DETAILS_ITEMS_PER_PAGE));
}

/**
 * Expected calls of the per-role plan for `roles` distinct roles: 3 per role (GetRole,
 * ListRolePolicies, ListAttachedRolePolicies) + 2 per distinct managed policy (GetPolicy,
 * GetPolicyVersion). Inline policies (one GetRolePolicy each) and managed policies are unknown until
 * the roles are read: counted are the 3 per role and a single managed policy (the basic or VPC
 * execution policy nearly every Lambda role attaches), a lower bound, so that per role is never
 * given up for an account-wide read that is not cheaper.
 */
export function perRoleCalls(roles: number): number {
  return roles === 0 ? 0 : 3 * roles + 2 * 1;
}

/**
 * The plan rule: read the whole account when its pages cost fewer calls than reading the needed
 * roles one by one. Figures (ACCOUNT_DETAILS_ITEMS_PER_PAGE = 100):
 * - golden account, 1 execution role; 4 roles, 1 customer policy, 5 attached: 1 page < 5 -> account-details.
 * - 1 function in an account of 2,000 roles, 300 customer policies, 400 attached: 27 pages > 5 -> per-role.
 * - benchmark N = 1,000 (bench/collect.bench.ts): 100 of the account's 140 roles needed, 17 customer
 *   policies, 27 attached: 2 pages < 302 -> account-details, decided while the functions are still
 *   being listed (at 50 roles: 152 > 2); N = 10,000: 1,000 of 1,220 roles, 125 + 135 -> 15 pages.
 * - break-even: per role wins while 3 x roles + 2 <= (roles + policies + attached) / 100, i.e. when
 *   the functions use fewer than ~1 in 300 of the account's IAM items.
 * The per-role estimate only grows as functions are listed, so account-details, once it wins, is
 * chosen at once (its pages then overlap the listing); per-role is chosen when the listing ends.
 */
export function choosePlan(roles: number, summary: AccountSummaryCounts): IamPlan {
  return accountDetailsCalls(summary) < perRoleCalls(roles) ? 'account-details' : 'per-role';
}

class ReadFailed extends Error {
  constructor(
    readonly ctx: CallContext,
    readonly original: unknown,
  ) {
    super(`${ctx.operation} failed`);
  }
}

interface AccountDetails {
  /** By lower-cased role name: what GetRole looks a role up by (IAM names are case-insensitive). */
  roles: Map<string, IamRole>;
  /** By policy ARN. */
  policies: Map<string, ManagedPolicy>;
}

type State = 'undecided' | 'reading-details' | 'resolving';

/**
 * Every distinct execution role and managed policy, each read once per run. `role` is told each
 * function's role as it is listed; `settled` is called once every function is listed and gives
 * every role and the managed policies they attach.
 */
export class IamCollector {
  /** Every role a function names, in the order they were met. */
  private readonly needed = new Set<string>();
  private readonly roles = new Map<string, Promise<Fetched<IamRole>>>();
  private readonly policies = new Map<string, Promise<Fetched<ManagedPolicy>>>();
  private state: State;
  /** undefined: not known yet; null: GetAccountSummary failed or lacked Roles. */
  private summary: AccountSummaryCounts | null | undefined;
  private summaryRead: Promise<void> | undefined;
  private detailsRead: Promise<void> | undefined;
  private details: AccountDetails | undefined;
  private chosen: IamPlanReport | undefined;

  constructor(
    private readonly ctx: CollectContext,
    private readonly option: IamPlanOption = 'auto',
  ) {
    this.state = 'undecided';
    if (option === 'per-role') this.resolveAll({ plan: 'per-role', why: 'forced', rolesAtDecision: 0 });
  }

  /** The plan followed (undefined while undecided, or when no function named a role). */
  get plan(): IamPlanReport | undefined {
    return this.chosen;
  }

  /** A function uses this role: it will be read (once), by whichever plan is chosen. */
  role(roleArn: string): void {
    if (this.needed.has(roleArn)) return;
    this.needed.add(roleArn);
    if (this.state === 'resolving') this.resolveRole(roleArn);
    else if (this.state === 'undecided') this.decide(false);
  }

  /** Every role named so far and the managed policies they attach, once they are all read. */
  async settled(): Promise<{
    roles: Record<string, Fetched<IamRole>>;
    managedPolicies: Record<string, Fetched<ManagedPolicy>>;
  }> {
    if (this.needed.size > 0) {
      // Every function is listed: the set of roles is final.
      if (this.state === 'undecided') {
        await this.summaryRead;
        this.decide(true);
      }
      if (this.state === 'reading-details') await this.detailsRead;
    }
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
    // The rest of the account's IAM is not needed any more.
    this.details = undefined;
    return { roles, managedPolicies };
  }

  /** Chooses the plan once it can (`final`: no more roles will come). */
  private decide(final: boolean): void {
    if (this.state !== 'undecided') return;
    const rolesAtDecision = this.needed.size;
    if (this.option === 'account-details') {
      this.readDetails({ plan: 'account-details', why: 'forced', rolesAtDecision });
      return;
    }
    if (this.summary === undefined && !final) {
      this.summaryRead ??= this.readSummary().then((summary) => {
        this.summary = summary;
        this.decide(false);
      });
      return;
    }
    const summary = this.summary ?? null;
    if (summary === null) {
      this.resolveAll({ plan: 'per-role', why: 'no-summary', rolesAtDecision });
      return;
    }
    const plan = choosePlan(rolesAtDecision, summary);
    const report: IamPlanReport = {
      plan,
      why: 'estimate',
      rolesAtDecision,
      summary,
      estimate: {
        perRoleCalls: perRoleCalls(rolesAtDecision),
        accountDetailsCalls: accountDetailsCalls(summary),
      },
    };
    if (plan === 'account-details') this.readDetails(report);
    else if (final) this.resolveAll(report);
  }

  private readDetails(report: IamPlanReport): void {
    this.chosen = report;
    this.state = 'reading-details';
    this.detailsRead = this.readAccountDetails().then(({ details, failure }) => {
      this.details = details;
      if (failure !== undefined) report.fallback = failure;
      this.resolveAll();
    });
  }

  /** From now on every role is read as soon as it is named: from the account details when they have it. */
  private resolveAll(report?: IamPlanReport): void {
    if (report !== undefined) this.chosen = report;
    this.state = 'resolving';
    for (const roleArn of this.needed) this.resolveRole(roleArn);
  }

  private resolveRole(roleArn: string): void {
    if (this.roles.has(roleArn)) return;
    const known = this.details?.roles.get(roleNameFromArn(roleArn).toLowerCase());
    const pending = (known !== undefined ? Promise.resolve(ok(known)) : this.readRole(roleArn)).then(
      (role) => {
        if (role.status === 'ok')
          for (const p of role.value.attachedPolicies) this.managedPolicy(p.policyArn);
        return role;
      },
    );
    this.roles.set(roleArn, pending);
  }

  private managedPolicy(policyArn: string): void {
    if (this.policies.has(policyArn)) return;
    const known = this.details?.policies.get(policyArn);
    this.policies.set(
      policyArn,
      known !== undefined ? Promise.resolve(ok(known)) : this.readManagedPolicy(policyArn),
    );
  }

  private at(operation: string, resource?: string): CallContext {
    return {
      service: 'iam',
      operation,
      region: this.ctx.globalRegion,
      ...(resource !== undefined ? { resource } : {}),
    };
  }

  /**
   * iam:GetAccountSummary, for the plan choice only. Its failure (AccessDenied under a policy
   * older than this read, an emulator without it) is not recorded: it is an optimisation, not a
   * fact any rule judges, and the per-role plan then reads everything the snapshot needs.
   */
  private async readSummary(): Promise<AccountSummaryCounts | null> {
    const iam = this.ctx.clients.iam(this.ctx.globalRegion);
    try {
      const output = await this.ctx.caller.send(this.at('GetAccountSummary'), () =>
        iam.send(new GetAccountSummaryCommand({})),
      );
      const map = output.SummaryMap ?? {};
      const count = (key: string) => {
        const value = (map as Record<string, number | undefined>)[key];
        return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
      };
      const roles = count('Roles');
      if (roles === undefined) return null;
      return { roles, policies: count('Policies') ?? 0, attachedPolicies: count('PolicyVersionsInUse') ?? 0 };
    } catch {
      return null;
    }
  }

  /**
   * Every page of iam:GetAccountAuthorizationDetails. Never fails: a failed page (AccessDenied on
   * the whole call, a throttle storm mid-way) ends the reading with what the earlier pages gave;
   * the roles and policies they did not cover are then read per role, and nothing is recorded as
   * an error unless those reads fail too. An item lvs cannot map is left out the same way.
   */
  private async readAccountDetails(): Promise<{
    details: AccountDetails;
    failure?: { code: string; pages: number };
  }> {
    const iam = this.ctx.clients.iam(this.ctx.globalRegion);
    const details: AccountDetails = { roles: new Map(), policies: new Map() };
    const markers = new Set<string>();
    let pages = 0;
    let Marker: string | undefined;
    try {
      do {
        const marker = Marker;
        const page = await this.ctx.caller.send(this.at('GetAccountAuthorizationDetails'), () =>
          iam.send(
            new GetAccountAuthorizationDetailsCommand({
              Filter: [...ACCOUNT_DETAILS_FILTER],
              MaxItems: ACCOUNT_DETAILS_PAGE_SIZE,
              ...(marker !== undefined ? { Marker: marker } : {}),
            }),
          ),
        );
        pages += 1;
        for (const detail of page.RoleDetailList ?? []) {
          try {
            const role = normalizeRoleDetail(detail);
            details.roles.set(role.roleName.toLowerCase(), role);
          } catch {
            // Read per role instead, where the error (if any) is recorded.
          }
        }
        for (const detail of page.Policies ?? []) {
          try {
            const policy = normalizeManagedPolicyDetail(detail);
            details.policies.set(policy.policyArn, policy);
          } catch {
            // Read with GetPolicy + GetPolicyVersion instead.
          }
        }
        Marker = page.IsTruncated === true && page.Marker ? page.Marker : undefined;
        // An emulator that repeats a marker would loop forever: what is missing is read per role.
        if (Marker !== undefined && markers.has(Marker)) break;
        if (Marker !== undefined) markers.add(Marker);
      } while (Marker !== undefined);
      return { details };
    } catch (error) {
      return { details, failure: { code: errorCode(error), pages } };
    }
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
