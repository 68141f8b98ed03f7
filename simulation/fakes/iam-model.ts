import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetAccountAuthorizationDetailsCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  type IAMClientResolvedConfig,
  type ServiceInputTypes as IamInput,
  type ServiceOutputTypes as IamOutput,
  type Tag,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  STSClient,
  type STSClientResolvedConfig,
  type ServiceInputTypes as StsInput,
  type ServiceOutputTypes as StsOutput,
} from '@aws-sdk/client-sts';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { policyDigest } from '../../functions/shared/workflow';
import { FaultInjector, type FaultAnswer } from './faults';
import { iamError, sdkErrorFor, stsError } from './iam-errors';
import { IamState, type AccountSnapshot, type CreateProviderInput, type CreateRoleInput, type RoleView } from './iam-state';
import { seededRandom } from './seeded-random';

/** The SDK mocks the model answers through (aws-sdk-client-mock). */
type Stubs = { iam: AwsStub<IamInput, IamOutput, IAMClientResolvedConfig>; sts: AwsStub<StsInput, StsOutput, STSClientResolvedConfig> };

/**
 * An in-memory, multi-account IAM (and the STS `AssumeRole` in front of it), installed behind
 * the REAL SDK clients with aws-sdk-client-mock, so the code under test builds its
 * `IAMClient`/`STSClient` exactly as in Lambda. This file is the SDK side: credentials, call
 * counting, fault injection; the accounts and IAM's rules are iam-state.ts, the errors
 * iam-errors.ts, the fault mechanism faults.ts (shared with the Graph fake).
 *
 * Which account an IAM call is for: `AssumeRole` hands out credentials whose access key ID
 * the model remembers (key → account, session, expiry). `mockClient(IAMClient)` stubs
 * `IAMClient.prototype.send` for every instance; inside the fake, `getClient()` is the
 * instance whose `send` is running (the last `this` sinon recorded, read synchronously
 * before any `await`, so concurrent calls cannot mix it up), and
 * `await client.config.credentials()` gives the access key it was built with. A call with
 * an unknown or expired key fails like AWS does (`InvalidClientTokenId`, `ExpiredToken`).
 *
 * Under load (a `timing`, i.e. the simulator's virtual clock): each request travels, IAM takes
 * a while to apply a write, then the answer travels back, so the calls of concurrent executions
 * overlap. A write that arrives while another write to the same role or provider is still being
 * applied is refused with `ConcurrentModification` by the operations whose API pages list that
 * error ("The request was rejected because multiple requests to change this object were
 * submitted simultaneously", HTTP 409:
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddClientIDToOpenIDConnectProvider.html,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_TagRole.html; the SDK's `@throws`
 * agree, see `CONCURRENT_MODIFICATION_CALLS`). The pages do not say which other writes an
 * operation conflicts with; the model takes the stricter reading: any write in progress on the
 * same role or provider. `UpdateAssumeRolePolicy` lists no such error: it is never refused,
 * and two of them in flight end last-writer-wins.
 */

/** Keys of `calls` and of fault injection; the simulator prints them. */
export const IAM_CALL_KEYS = [
  'iam:GetRole',
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:ListRoleTags',
  'iam:ListRoles',
  'iam:GetAccountAuthorizationDetails',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:GetRolePolicy',
  'iam:ListRolePolicies',
  'iam:GetOpenIDConnectProvider',
  'iam:AddClientIDToOpenIDConnectProvider',
  'iam:RemoveClientIDFromOpenIDConnectProvider',
  'iam:CreateOpenIDConnectProvider',
  'sts:AssumeRole',
] as const;
export type CallKey = (typeof IAM_CALL_KEYS)[number];

/**
 * The calls whose API reference lists `ConcurrentModification` (and whose SDK command documents
 * `@throws ConcurrentModificationException`); `__tests__/simulation/fakes/iam-model.test.ts` checks
 * the list against the SDK.
 */
export const CONCURRENT_MODIFICATION_CALLS: ReadonlySet<CallKey> = new Set([
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:AddClientIDToOpenIDConnectProvider',
  'iam:RemoveClientIDFromOpenIDConnectProvider',
  'iam:CreateOpenIDConnectProvider',
]);

/** Writes, and the resource each one changes (a role or a provider), for the overlap model. */
const WRITE_RESOURCE: Partial<Record<CallKey, (accountId: string, input: Record<string, unknown>) => string>> = {
  'iam:CreateRole': (a, i) => `${a}/role/${String(i.RoleName).toLowerCase()}`,
  'iam:DeleteRole': (a, i) => `${a}/role/${String(i.RoleName).toLowerCase()}`,
  'iam:UpdateAssumeRolePolicy': (a, i) => `${a}/role/${String(i.RoleName).toLowerCase()}`,
  'iam:TagRole': (a, i) => `${a}/role/${String(i.RoleName).toLowerCase()}`,
  'iam:UntagRole': (a, i) => `${a}/role/${String(i.RoleName).toLowerCase()}`,
  'iam:PutRolePolicy': (a, i) => `${a}/role/${String(i.RoleName).toLowerCase()}`,
  'iam:DeleteRolePolicy': (a, i) => `${a}/role/${String(i.RoleName).toLowerCase()}`,
  'iam:AddClientIDToOpenIDConnectProvider': (a, i) => `${a}/${String(i.OpenIDConnectProviderArn)}`,
  'iam:RemoveClientIDFromOpenIDConnectProvider': (a, i) => `${a}/${String(i.OpenIDConnectProviderArn)}`,
  'iam:CreateOpenIDConnectProvider': (a, i) => `${a}/provider/${String(i.Url)}`,
};

/** The simulator's virtual clock, as the model uses it (simulation/engine/scheduler.ts). */
export interface RemoteTiming {
  /** Half a round trip of that kind (`iam`, `sts`). */
  travel(kind: string): Promise<void>;
  sleep(ms: number): Promise<void>;
  latency(kind: string): number;
}

export type FaultKind = 'ConcurrentModification' | 'Throttling';

// Throttling has no modelled class in IAM: the SDK names the exception after IAM's `Throttling` code.
const KIND_ANSWERS: Readonly<Record<FaultKind, FaultAnswer>> = {
  ConcurrentModification: { status: 409, code: 'ConcurrentModification' },
  Throttling: { status: 400, code: 'Throttling' },
};

interface Session {
  accountId: string;
  roleArn: string;
  sessionName: string;
  expiresAt: number;
}

export interface RoleSpec {
  readonly roleName: string;
  readonly path?: string;
  /** An object, a JSON string or a URL-encoded JSON string. */
  readonly assumeRolePolicyDocument: unknown;
  readonly tags?: Readonly<Record<string, string>>;
  /** IAM's unique ID for the role; generated when absent. */
  readonly roleId?: string;
  /** When IAM created it; now when absent. */
  readonly createDate?: Date;
  /** Inline policies by name (objects or JSON strings), put as `PutRolePolicy` would. */
  readonly inlinePolicies?: Readonly<Record<string, unknown>>;
}

export interface ProviderSpec {
  /** `https://host/path`, as CreateOpenIDConnectProvider takes it. */
  readonly url: string;
  readonly clientIds?: readonly string[];
  readonly thumbprints?: readonly string[];
}

export interface StormOptions {
  /** Chance in [0, 1] that a call fails. */
  readonly rate: number;
  readonly faults?: readonly FaultKind[];
  /** Calls the storm hits; default: every IAM write and read and `sts:AssumeRole`. */
  readonly commands?: readonly CallKey[];
}

export interface CallRecord {
  readonly key: CallKey;
  readonly accountId: string | null;
  readonly sessionName: string | null;
  /** The code of the fault injected into this call, if any. */
  readonly fault: string | null;
}

/** A trust policy the automation wrote over one it had not read: someone else wrote in between. */
export interface TrustPolicyOverwrite {
  readonly accountId: string;
  readonly roleName: string;
  /** The session that overwrote it (which function, which event). */
  readonly sessionName: string;
  /**
   * Whether the team's last write to the role was written again after the overwrite (by the
   * automation applying it again, or by the team itself), or the role was deleted since: the
   * end state is then the team's last write (judged as any update). Computed at the end of a run.
   */
  readonly repaired: boolean;
}

/** A trust policy write, in the order IAM applied them: the team's (CloudTrail calls) and the automation's. */
interface TrustPolicyWriteRecord {
  readonly role: string;
  readonly roleId: string;
  readonly digest: string;
  readonly by: 'team' | 'automation';
}

export interface IamModelOptions {
  readonly seed?: number;
  /** Model clock (ms since epoch) for credential expiry and create dates. */
  readonly now?: () => number;
  /** Virtual time: calls take time and writes overlap (see the header). Absent: every call is instantaneous. */
  readonly timing?: RemoteTiming;
}

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]{1,64})$/;

export class IamModel {
  /** Remote calls by key, faulted ones included: each was a round trip. */
  readonly calls: Partial<Record<CallKey, number>> = {};
  readonly history: CallRecord[] = [];
  /**
   * `UpdateAssumeRolePolicy` calls that replaced a trust policy other than the one the same
   * session last read with `GetRole`: a write by someone else (the app team) landed between the
   * automation's read and its write. IAM has no conditional write for trust policies; the team's
   * event applies it again (docs/architecture.md#a-team-write-is-never-lost), and `repaired` says
   * whether the team's last write was written after the overwrite.
   */
  get trustPolicyOverwrites(): TrustPolicyOverwrite[] {
    return this.overwrites.map(({ roleId, write, ...overwrite }) => {
      const role = `${overwrite.accountId}/${overwrite.roleName.toLowerCase()}`;
      const writes = this.trustWrites.filter((w) => w.role === role);
      const later = this.trustWrites.slice(write + 1).filter((w) => w.role === role);
      const lastTeam = writes.filter((w): w is TrustPolicyWriteRecord => 'by' in w && w.by === 'team' && w.roleId === roleId).at(-1);
      const repaired =
        later.some((w) => 'deleted' in w) ||
        (lastTeam !== undefined && later.some((w) => 'digest' in w && w.roleId === roleId && w.digest === lastTeam.digest));
      return { ...overwrite, repaired };
    });
  }
  private readonly overwrites: (Omit<TrustPolicyOverwrite, 'repaired'> & { readonly roleId: string; readonly write: number })[] = [];
  /** Every trust policy write and role deletion, in order (`trustPolicyOverwrites` reads it). */
  private readonly trustWrites: (TrustPolicyWriteRecord | { readonly role: string; readonly deleted: true })[] = [];
  /** The trust policy each session last read, by role. */
  private readonly lastRead = new Map<string, string>();
  /** Rules on IAM and STS call keys (world files' `faults`); `failNext` and storms use it too. */
  readonly faults: FaultInjector;

  private readonly state: IamState;
  private readonly sessions = new Map<string, Session>();
  /** Accounts whose roles no central principal may assume (their member baseline roles are missing). */
  private readonly unassumable = new Set<string>();
  private readonly now: () => number;
  private sessionCounter = 0;
  private readonly timing: RemoteTiming | undefined;
  /** Writes being applied, by resource (under `timing` only). */
  private readonly applying = new Map<string, number>();
  private mocks: Stubs | null = null;

  constructor(options: IamModelOptions = {}) {
    const random = seededRandom(options.seed ?? 1);
    this.now = options.now ?? Date.now;
    this.timing = options.timing;
    this.state = new IamState(random, this.now);
    this.faults = new FaultInjector(random);
  }

  // ---------- world set-up and inspection (not counted as calls) ----------

  addAccount(accountId: string, options: { maxTrustPolicyChars?: number } = {}): void {
    this.state.addAccount(accountId, options);
  }

  hasAccount(accountId: string): boolean {
    return this.state.hasAccount(accountId);
  }

  /** Every account of the world, sorted. */
  accountIds(): string[] {
    return this.state.accountIds();
  }

  /** Creates a role as `CreateRole` would (same checks and errors); creates the account if needed. */
  createRole(accountId: string, spec: RoleSpec): RoleView {
    this.state.addAccount(accountId);
    this.state.createRole(
      accountId,
      {
        RoleName: spec.roleName,
        Path: spec.path,
        AssumeRolePolicyDocument:
          typeof spec.assumeRolePolicyDocument === 'string' ? spec.assumeRolePolicyDocument : JSON.stringify(spec.assumeRolePolicyDocument),
        Tags: Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
      },
      spec.roleId,
      spec.createDate,
    );
    for (const [PolicyName, document] of Object.entries(spec.inlinePolicies ?? {})) {
      this.state.putRolePolicy(accountId, {
        RoleName: spec.roleName,
        PolicyName,
        PolicyDocument: typeof document === 'string' ? document : JSON.stringify(document),
      });
    }
    return this.state.role(accountId, spec.roleName)!;
  }

  /** Creates an OIDC provider as `CreateOpenIDConnectProvider` would; returns its ARN. */
  createOidcProvider(accountId: string, spec: ProviderSpec): string {
    this.state.addAccount(accountId);
    return this.state.createProvider(accountId, {
      Url: spec.url,
      ClientIDList: [...(spec.clientIds ?? [])],
      ThumbprintList: [...(spec.thumbprints ?? [])],
    }).OpenIDConnectProviderArn;
  }

  /** From now on `sts:AssumeRole` into the account is denied, as when its member baseline's roles are missing. */
  removeMemberRoles(accountId: string): void {
    this.state.addAccount(accountId);
    this.unassumable.add(accountId);
  }

  deleteRole(accountId: string, roleName: string): void {
    this.state.deleteRole(accountId, { RoleName: roleName });
    this.trustWrites.push({ role: `${accountId}/${roleName.toLowerCase()}`, deleted: true });
  }

  /** Whether the account's member baseline roles are there (see `removeMemberRoles`). */
  hasMemberRoles(accountId: string): boolean {
    return !this.unassumable.has(accountId);
  }

  /** The account's roles, sorted by name. */
  roles(accountId: string): RoleView[] {
    return this.state.roles(accountId);
  }

  role(accountId: string, roleName: string): RoleView | null {
    return this.state.role(accountId, roleName);
  }

  provider(accountId: string, arn: string): { url: string; arn: string; clientIds: string[] } | null {
    return this.state.provider(accountId, arn);
  }

  /** Every account's roles and providers in the simulator's output format, sorted for stable output. */
  snapshot(): Record<string, AccountSnapshot> {
    return this.state.snapshot();
  }

  /** See `IamState.applyCloudTrailCall`. */
  applyCloudTrailCall(
    accountId: string,
    eventName: string,
    requestParameters: Readonly<Record<string, unknown>> | null | undefined,
    roleId?: string,
  ): ReturnType<IamState['applyCloudTrailCall']> {
    const applied = this.state.applyCloudTrailCall(accountId, eventName, requestParameters, roleId);
    const roleName = String(requestParameters?.roleName ?? '');
    const role = `${accountId}/${roleName.toLowerCase()}`;
    const current = this.state.role(accountId, roleName);
    if (applied === 'deleted' || applied === 'replaced') this.trustWrites.push({ role, deleted: true });
    if (current && (eventName === 'CreateRole' || (eventName === 'UpdateAssumeRolePolicy' && applied === 'updated'))) {
      this.trustWrites.push({ role, roleId: current.roleId, digest: policyDigest(current.assumeRolePolicyDocument), by: 'team' });
    }
    return applied;
  }

  // ---------- fault injection ----------

  /** The next `count` calls of `key` fail with `fault` (before touching state). */
  failNext(key: CallKey, fault: FaultKind, count = 1): void {
    if (fault === 'ConcurrentModification' && !CONCURRENT_MODIFICATION_CALLS.has(key)) {
      throw new Error(`iam-model: ${key} never answers ConcurrentModification (see CONCURRENT_MODIFICATION_CALLS)`);
    }
    if (count > 0) this.faults.add({ call: key, answer: KIND_ANSWERS[fault], times: count });
  }

  /**
   * From now on each matching call fails with probability `rate`, drawn from the seeded generator,
   * with one of the kinds the call may get: `ConcurrentModification` only on the calls whose SDK
   * command lists it (`CONCURRENT_MODIFICATION_CALLS`; __tests__/contracts/aws-contract.test.ts).
   */
  startStorm(options: StormOptions): void {
    const kinds = options.faults ?? (['ConcurrentModification', 'Throttling'] as const);
    const commands = options.commands;
    this.faults.startStorm({
      rate: options.rate,
      answers: kinds.map((kind) => KIND_ANSWERS[kind]),
      allows: (key, answer) => answer.code !== 'ConcurrentModification' || CONCURRENT_MODIFICATION_CALLS.has(key as CallKey),
      ...(commands ? { calls: (key: string) => commands.includes(key as CallKey) } : {}),
    });
  }

  stopStorm(): void {
    this.faults.stopStorm();
  }

  // ---------- mocks ----------

  /** Installs the model behind every `IAMClient` and `STSClient`; call `restore()` when done. */
  install(): Stubs {
    if (this.mocks) return this.mocks;
    const iam = mockClient(IAMClient);
    const sts = mockClient(STSClient);
    iam.onAnyCommand().callsFake(() => {
      throw new Error('iam-model: this IAM command is not modelled');
    });
    sts.onAnyCommand().callsFake(() => {
      throw new Error('iam-model: this STS command is not modelled');
    });

    // biome-ignore lint/suspicious/noExplicitAny: aws-sdk-client-mock's on() is generic per command class, each with its own input type; one router for all of them needs the erased constructor type.
    const route = <I, O>(command: any, key: CallKey, handler: (accountId: string, input: I) => O) => {
      iam.on(command).callsFake((input: I, getClient: () => IAMClient) => {
        // Read the client synchronously: it is the last `this` recorded, correct only now.
        const client = getClient();
        return this.dispatch(client, key, input as Record<string, unknown>, (accountId) => handler(accountId, input));
      });
    };
    const s = this.state;
    route(GetRoleCommand, 'iam:GetRole', (a, i: { RoleName: string }) => s.getRole(a, i));
    route(CreateRoleCommand, 'iam:CreateRole', (a, i: CreateRoleInput) => s.createRole(a, i));
    route(DeleteRoleCommand, 'iam:DeleteRole', (a, i: { RoleName: string }) => s.deleteRole(a, i));
    route(UpdateAssumeRolePolicyCommand, 'iam:UpdateAssumeRolePolicy', (a, i: { RoleName: string; PolicyDocument: string }) =>
      s.updateAssumeRolePolicy(a, i),
    );
    route(TagRoleCommand, 'iam:TagRole', (a, i: { RoleName: string; Tags: Tag[] }) => s.tagRole(a, i));
    route(UntagRoleCommand, 'iam:UntagRole', (a, i: { RoleName: string; TagKeys: string[] }) => s.untagRole(a, i));
    route(ListRoleTagsCommand, 'iam:ListRoleTags', (a, i: { RoleName: string }) => s.listRoleTags(a, i));
    type RolePolicyInput = { RoleName: string; PolicyName: string };
    route(PutRolePolicyCommand, 'iam:PutRolePolicy', (a, i: RolePolicyInput & { PolicyDocument: string }) => s.putRolePolicy(a, i));
    route(DeleteRolePolicyCommand, 'iam:DeleteRolePolicy', (a, i: RolePolicyInput) => s.deleteRolePolicy(a, i));
    route(GetRolePolicyCommand, 'iam:GetRolePolicy', (a, i: RolePolicyInput) => s.getRolePolicy(a, i));
    route(ListRolePoliciesCommand, 'iam:ListRolePolicies', (a, i: { RoleName: string }) => s.listRolePolicies(a, i));
    route(ListRolesCommand, 'iam:ListRoles', (a, i: { Marker?: string; MaxItems?: number; PathPrefix?: string }) => s.listRoles(a, i));
    route(
      GetAccountAuthorizationDetailsCommand,
      'iam:GetAccountAuthorizationDetails',
      (a, i: { Filter?: string[]; Marker?: string; MaxItems?: number }) => s.getAccountAuthorizationDetails(a, i),
    );
    route(GetOpenIDConnectProviderCommand, 'iam:GetOpenIDConnectProvider', (a, i: { OpenIDConnectProviderArn: string }) =>
      s.getProvider(a, i),
    );
    route(
      AddClientIDToOpenIDConnectProviderCommand,
      'iam:AddClientIDToOpenIDConnectProvider',
      (a, i: { OpenIDConnectProviderArn: string; ClientID: string }) => s.addClientId(a, i),
    );
    route(
      RemoveClientIDFromOpenIDConnectProviderCommand,
      'iam:RemoveClientIDFromOpenIDConnectProvider',
      (a, i: { OpenIDConnectProviderArn: string; ClientID: string }) => s.removeClientId(a, i),
    );
    route(CreateOpenIDConnectProviderCommand, 'iam:CreateOpenIDConnectProvider', (a, i: CreateProviderInput) => s.createProvider(a, i));

    sts.on(AssumeRoleCommand).callsFake(async (input: { RoleArn: string; RoleSessionName: string; DurationSeconds?: number }) => {
      const match = ROLE_ARN.exec(input.RoleArn ?? '');
      return this.roundTrip('sts', () => {
        const call = this.count('sts:AssumeRole', match?.[1] ?? null, input.RoleSessionName ?? null);
        this.injectFault('sts:AssumeRole', call);
        return this.assumeRole(input, match);
      });
    });

    this.mocks = { iam, sts };
    return this.mocks;
  }

  restore(): void {
    this.mocks?.iam.restore();
    this.mocks?.sts.restore();
    this.mocks = null;
  }

  // ---------- internals ----------

  private async dispatch<O>(
    client: IAMClient,
    key: CallKey,
    input: Record<string, unknown>,
    handler: (accountId: string) => O,
  ): Promise<O> {
    const credentials = await client.config.credentials();
    return this.roundTrip('iam', async () => {
      const session = this.sessions.get(credentials.accessKeyId);
      const call = this.count(key, session?.accountId ?? null, session?.sessionName ?? null);
      if (!session) {
        throw iamError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      }
      if (session.expiresAt <= this.now()) {
        throw iamError('ExpiredToken', 'The security token included in the request is expired', 403);
      }
      this.injectFault(key, call);
      const observed = () => {
        const written = this.observeTrustPolicy(key, credentials.accessKeyId, session, input);
        const answer = handler(session.accountId);
        written?.();
        return answer;
      };
      const resourceOf = WRITE_RESOURCE[key];
      if (!this.timing || !resourceOf) return observed();
      return this.applyWrite(key, resourceOf(session.accountId, input), call, observed);
    });
  }

  /**
   * Remembers what a session read of a trust policy; notes a write over a policy it did not read.
   * For a write, returns what records it once IAM has applied it.
   */
  private observeTrustPolicy(
    key: CallKey,
    accessKeyId: string,
    session: Session,
    input: Record<string, unknown>,
  ): (() => void) | undefined {
    if (key !== 'iam:GetRole' && key !== 'iam:UpdateAssumeRolePolicy') return;
    // Read only here: the other operations have no RoleName member (__tests__/contracts/aws-contract.test.ts).
    const roleName = String(input.RoleName ?? '');
    const slot = `${accessKeyId}|${session.accountId}/${roleName.toLowerCase()}`;
    const current = this.state.role(session.accountId, roleName);
    const document = current ? JSON.stringify(current.assumeRolePolicyDocument) : undefined;
    if (key === 'iam:GetRole') {
      if (document !== undefined) this.lastRead.set(slot, document);
      return;
    }
    if (!current) return;
    const read = this.lastRead.get(slot);
    if (read !== undefined && read !== document) {
      this.overwrites.push({
        accountId: session.accountId,
        roleName: current.roleName,
        sessionName: session.sessionName,
        roleId: current.roleId,
        write: this.trustWrites.length,
      });
    }
    return () => {
      const after = this.state.role(session.accountId, roleName)!;
      const role = `${session.accountId}/${roleName.toLowerCase()}`;
      this.trustWrites.push({ role, roleId: after.roleId, digest: policyDigest(after.assumeRolePolicyDocument), by: 'automation' });
    };
  }

  /** Under `timing`: the request travels, the service handles it, the answer (or error) travels back. */
  private async roundTrip<O>(kind: 'iam' | 'sts', serve: () => O | Promise<O>): Promise<O> {
    if (!this.timing) return serve();
    await this.timing.travel(kind);
    let answer: { value: O } | { error: unknown };
    try {
      answer = { value: await serve() };
    } catch (error) {
      answer = { error };
    }
    await this.timing.travel(kind);
    if ('error' in answer) throw answer.error;
    return answer.value;
  }

  /** A write takes effect after IAM has applied it; meanwhile the resource is being modified. */
  private async applyWrite<O>(key: CallKey, resource: string, call: number, apply: () => O): Promise<O> {
    if ((this.applying.get(resource) ?? 0) > 0 && CONCURRENT_MODIFICATION_CALLS.has(key)) {
      this.markFault(call, 'ConcurrentModification');
      throw sdkErrorFor(key, KIND_ANSWERS.ConcurrentModification);
    }
    this.applying.set(resource, (this.applying.get(resource) ?? 0) + 1);
    try {
      await this.timing!.sleep(this.timing!.latency('iam-write'));
      return apply();
    } finally {
      const left = (this.applying.get(resource) ?? 1) - 1;
      if (left > 0) this.applying.set(resource, left);
      else this.applying.delete(resource);
    }
  }

  /** Counts a call; returns its index in `history`. */
  private count(key: CallKey, accountId: string | null, sessionName: string | null): number {
    this.calls[key] = (this.calls[key] ?? 0) + 1;
    return this.history.push({ key, accountId, sessionName, fault: null }) - 1;
  }

  private injectFault(key: CallKey, call: number): void {
    const answer = this.faults.take(key);
    if (!answer) return;
    this.markFault(call, answer.code);
    throw sdkErrorFor(key, answer);
  }

  /** Records what a call was answered with. */
  private markFault(call: number, code: string): void {
    this.history[call] = { ...this.history[call]!, fault: code };
  }

  private assumeRole(input: { RoleArn: string; RoleSessionName: string; DurationSeconds?: number }, match: RegExpExecArray | null) {
    if (!match) throw stsError('ValidationError', `RoleArn "${input.RoleArn}" is not a role ARN`, 400);
    if (!SESSION_NAME.test(input.RoleSessionName ?? '')) {
      throw stsError(
        'ValidationError',
        `1 validation error detected: Value '${input.RoleSessionName}' at 'roleSessionName' failed to satisfy constraint: ` +
          'Member must satisfy regular expression pattern: [\\w+=,.@-]*',
        400,
      );
    }
    const duration = input.DurationSeconds ?? 3600;
    if (duration < 900 || duration > 43200) throw stsError('ValidationError', `DurationSeconds ${duration} is out of range`, 400);
    const accountId = match[1]!;
    if (!this.state.hasAccount(accountId) || this.unassumable.has(accountId)) {
      throw stsError('AccessDenied', `User is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`, 403);
    }
    this.sessionCounter += 1;
    const accessKeyId = `ASIA${accountId}${String(this.sessionCounter).padStart(8, '0')}`;
    const expiresAt = this.now() + duration * 1000;
    this.sessions.set(accessKeyId, { accountId, roleArn: input.RoleArn, sessionName: input.RoleSessionName, expiresAt });
    return {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: `model-secret-${this.sessionCounter}`,
        SessionToken: `model-session-${accountId}-${this.sessionCounter}`,
        Expiration: new Date(expiresAt),
      },
      AssumedRoleUser: {
        AssumedRoleId: `AROAMODEL:${input.RoleSessionName}`,
        Arn: `arn:aws:sts::${accountId}:assumed-role/${match[2]}/${input.RoleSessionName}`,
      },
    };
  }
}

/** A fresh model; `seed` makes role IDs and fault storms reproducible. */
export function createIamModel(seed?: number, options: Omit<IamModelOptions, 'seed'> = {}): IamModel {
  return new IamModel({ ...options, seed });
}
