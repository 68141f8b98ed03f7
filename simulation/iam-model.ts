import {
  AddClientIDToOpenIDConnectProviderCommand,
  ConcurrentModificationException,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  EntityAlreadyExistsException,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  IAMClient,
  IAMServiceException,
  InvalidInputException,
  LimitExceededException,
  ListRoleTagsCommand,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  type Tag,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { encodePolicyDocument, parsePolicyDocument } from '../functions/shared/policy-document';
import type { PolicyDocument } from '../functions/shared/ports';

/**
 * An in-memory, multi-account IAM (and the STS `AssumeRole` in front of it) that behaves
 * like the documented API, installed behind the REAL SDK clients with aws-sdk-client-mock,
 * so the code under test builds its `IAMClient`/`STSClient` exactly as in Lambda.
 *
 * Which account an IAM call is for: `AssumeRole` hands out credentials whose access key ID
 * the model remembers (key → account, session, expiry). `mockClient(IAMClient)` stubs
 * `IAMClient.prototype.send` for every instance; inside the fake, `getClient()` is the
 * instance whose `send` is running (the last `this` sinon recorded, read synchronously
 * before any `await`, so concurrent calls cannot mix it up), and
 * `await client.config.credentials()` gives the access key it was built with. A call with
 * an unknown or expired key fails like AWS does (`InvalidClientTokenId`, `ExpiredToken`).
 *
 * Documented behaviour enforced (IAM API reference, https://docs.aws.amazon.com/IAM/latest/APIReference/):
 * - role names `[\w+=,.@-]{1,64}`, unique case-insensitively (EntityAlreadyExists);
 * - a trust policy that is not valid JSON / not a policy → MalformedPolicyDocument; over the
 *   account's quota (2,048 characters by default, whitespace not counted,
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html) → LimitExceeded;
 * - 50 tags per role → LimitExceeded; tag key 1–128, value 0–256 characters → InvalidInput;
 * - OIDC provider: 100 client IDs (the 101st → LimitExceeded), client ID 1–255 characters
 *   → InvalidInput; Add/RemoveClientID are idempotent; one provider per URL;
 * - `GetRole` returns the trust policy URL-encoded (RFC 3986) and the role's tags;
 *   `GetOpenIDConnectProvider` returns the URL without `https://`.
 * Errors are the SDK's own exception classes (names like `NoSuchEntityException`);
 * throttling has no modelled class in IAM, so it is an `IAMServiceException` named `Throttling`,
 * which is what the SDK produces for IAM's `Throttling` error code.
 */

/** CloudTrail records tags as `[{ key, value }]` (lower case); the API takes `[{ Key, Value }]`. */
function cloudTrailTags(tags: unknown): Tag[] {
  return Array.isArray(tags)
    ? (tags as { key?: string; value?: string }[]).map((t) => ({ Key: String(t.key), Value: String(t.value ?? '') }))
    : [];
}

export type FaultKind = 'ConcurrentModification' | 'Throttling';

/** Keys of `calls` and of fault injection; they appear in the simulator output (docs/simulate.md#output-stdout-one-json-document). */
export type CallKey =
  | 'iam:GetRole'
  | 'iam:CreateRole'
  | 'iam:DeleteRole'
  | 'iam:UpdateAssumeRolePolicy'
  | 'iam:TagRole'
  | 'iam:UntagRole'
  | 'iam:ListRoleTags'
  | 'iam:GetOpenIDConnectProvider'
  | 'iam:AddClientIDToOpenIDConnectProvider'
  | 'iam:RemoveClientIDFromOpenIDConnectProvider'
  | 'iam:CreateOpenIDConnectProvider'
  | 'sts:AssumeRole';

export const MAX_CLIENT_IDS_PER_PROVIDER = 100;
export const MAX_TAGS_PER_ROLE = 50;
export const DEFAULT_TRUST_POLICY_QUOTA = 2048;

interface ModelRole {
  roleName: string;
  path: string;
  arn: string;
  roleId: string;
  createDate: Date;
  /** Stored as IAM returns it: URL-encoded minified JSON. */
  assumeRolePolicyDocument: string;
  tags: Map<string, string>;
}

interface ModelProvider {
  /** As created, with `https://`. */
  url: string;
  arn: string;
  clientIds: string[];
  thumbprints: string[];
  createDate: Date;
}

interface ModelAccount {
  maxTrustPolicyChars: number;
  /** Keyed by lower-cased role name: IAM role names are unique regardless of case. */
  roles: Map<string, ModelRole>;
  providers: Map<string, ModelProvider>;
}

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
}

export interface ProviderSpec {
  /** `https://host/path`, as CreateOpenIDConnectProvider takes it. */
  readonly url: string;
  readonly clientIds?: readonly string[];
  readonly thumbprints?: readonly string[];
}

export interface RoleView {
  readonly roleName: string;
  readonly path: string;
  readonly arn: string;
  readonly assumeRolePolicyDocument: PolicyDocument;
  readonly tags: Record<string, string>;
}

/** Output format of one account (docs/simulate.md#output-stdout-one-json-document). */
export interface AccountSnapshot {
  readonly roles: { roleName: string; arn: string; assumeRolePolicyDocument: PolicyDocument; tags: Record<string, string> }[];
  readonly oidcProviders: { url: string; arn: string; clientIds: string[] }[];
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
  /** The fault injected into this call, if any. */
  readonly fault: FaultKind | null;
}

export interface IamModelOptions {
  readonly seed?: number;
  /** Model clock (ms since epoch) for credential expiry and create dates. */
  readonly now?: () => number;
}

/** mulberry32: small, seedable, good enough to make fault storms reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

const noSuchEntity = (message: string) => new NoSuchEntityException({ message, ...meta(404) });
const invalidInput = (message: string) => new InvalidInputException({ message, ...meta(400) });
const limitExceeded = (message: string) => new LimitExceededException({ message, ...meta(409) });
const malformedPolicy = (message: string) => new MalformedPolicyDocumentException({ message, ...meta(400) });

function iamError(name: string, message: string, httpStatusCode: number): IAMServiceException {
  return new IAMServiceException({ name, message, $fault: 'client', ...meta(httpStatusCode) });
}

function stsError(name: string, message: string, httpStatusCode: number): STSServiceException {
  return new STSServiceException({ name, message, $fault: 'client', ...meta(httpStatusCode) });
}

function faultError(kind: FaultKind, key: CallKey): Error {
  if (kind === 'Throttling') {
    return key.startsWith('sts:') ? stsError('Throttling', 'Rate exceeded', 400) : iamError('Throttling', 'Rate exceeded', 400);
  }
  return new ConcurrentModificationException({
    message: 'This resource is being modified by another request. Please try again.',
    ...meta(409),
  });
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]{1,64})$/;

export class IamModel {
  /** Remote calls by key, faulted ones included: each was a round trip. */
  readonly calls: Partial<Record<CallKey, number>> = {};
  readonly history: CallRecord[] = [];

  private readonly accounts = new Map<string, ModelAccount>();
  private readonly sessions = new Map<string, Session>();
  private readonly pendingFaults = new Map<CallKey, FaultKind[]>();
  private readonly random: () => number;
  private readonly now: () => number;
  private storm: StormOptions | null = null;
  private sessionCounter = 0;
  private mocks: { iam: AwsStub<any, any, any>; sts: AwsStub<any, any, any> } | null = null;

  constructor(options: IamModelOptions = {}) {
    this.random = seededRandom(options.seed ?? 1);
    this.now = options.now ?? Date.now;
  }

  // ---------- world set-up and inspection (not counted as calls) ----------

  addAccount(accountId: string, options: { maxTrustPolicyChars?: number } = {}): void {
    if (!/^\d{12}$/.test(accountId)) throw new Error(`iam-model: account "${accountId}" is not a 12-digit account ID`);
    const existing = this.accounts.get(accountId);
    if (existing) {
      if (options.maxTrustPolicyChars !== undefined) existing.maxTrustPolicyChars = options.maxTrustPolicyChars;
      return;
    }
    this.accounts.set(accountId, {
      maxTrustPolicyChars: options.maxTrustPolicyChars ?? DEFAULT_TRUST_POLICY_QUOTA,
      roles: new Map(),
      providers: new Map(),
    });
  }

  hasAccount(accountId: string): boolean {
    return this.accounts.has(accountId);
  }

  /** Creates a role as `CreateRole` would (same checks and errors); creates the account if needed. */
  createRole(accountId: string, spec: RoleSpec): RoleView {
    this.addAccount(accountId);
    this.doCreateRole(accountId, {
      RoleName: spec.roleName,
      Path: spec.path,
      AssumeRolePolicyDocument:
        typeof spec.assumeRolePolicyDocument === 'string' ? spec.assumeRolePolicyDocument : JSON.stringify(spec.assumeRolePolicyDocument),
      Tags: Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    });
    return this.role(accountId, spec.roleName)!;
  }

  /** Creates an OIDC provider as `CreateOpenIDConnectProvider` would; returns its ARN. */
  createOidcProvider(accountId: string, spec: ProviderSpec): string {
    this.addAccount(accountId);
    return this.doCreateProvider(accountId, {
      Url: spec.url,
      ClientIDList: [...(spec.clientIds ?? [])],
      ThumbprintList: [...(spec.thumbprints ?? [])],
    }).OpenIDConnectProviderArn;
  }

  deleteRole(accountId: string, roleName: string): void {
    this.doDeleteRole(accountId, { RoleName: roleName });
  }

  role(accountId: string, roleName: string): RoleView | null {
    const role = this.accounts.get(accountId)?.roles.get(roleName.toLowerCase());
    return role ? this.viewRole(role) : null;
  }

  provider(accountId: string, arn: string): { url: string; arn: string; clientIds: string[] } | null {
    const provider = this.accounts.get(accountId)?.providers.get(arn);
    return provider ? { url: provider.url, arn: provider.arn, clientIds: [...provider.clientIds] } : null;
  }

  /** Every account's roles and providers in the output format of docs/simulate.md, sorted for stable output. */
  snapshot(): Record<string, AccountSnapshot> {
    const result: Record<string, AccountSnapshot> = {};
    for (const accountId of [...this.accounts.keys()].sort()) {
      const account = this.accounts.get(accountId)!;
      result[accountId] = {
        roles: [...account.roles.values()]
          .sort((a, b) => a.roleName.localeCompare(b.roleName))
          .map((role) => {
            const view = this.viewRole(role);
            return { roleName: view.roleName, arn: view.arn, assumeRolePolicyDocument: view.assumeRolePolicyDocument, tags: view.tags };
          }),
        oidcProviders: [...account.providers.values()]
          .sort((a, b) => a.url.localeCompare(b.url))
          .map((p) => ({ url: p.url, arn: p.arn, clientIds: [...p.clientIds] })),
      };
    }
    return result;
  }

  /**
   * Applies an IAM call recorded by CloudTrail (the record's `requestParameters`) to the
   * model, for the simulator. The call succeeded in AWS, so it is applied leniently: a
   * CreateRole for an existing role replaces it, a DeleteRole for a missing role is a no-op.
   * A record that cannot be applied (missing field, unknown event) throws, naming the field.
   */
  applyCloudTrailCall(
    accountId: string,
    eventName: string,
    requestParameters: Readonly<Record<string, unknown>> | null | undefined,
  ): 'created' | 'replaced' | 'updated' | 'deleted' | 'absent' {
    const params = requestParameters ?? {};
    const field = (name: string): string => {
      const value = params[name];
      if (typeof value !== 'string' || value === '') {
        throw new Error(`iam-model: ${eventName} record needs requestParameters.${name} (a non-empty string)`);
      }
      return value;
    };
    this.addAccount(accountId);
    const account = this.accounts.get(accountId)!;
    const roleName = field('roleName');
    const existing = account.roles.get(roleName.toLowerCase());
    switch (eventName) {
      case 'CreateRole': {
        const tags = cloudTrailTags(params['tags']);
        if (existing) account.roles.delete(roleName.toLowerCase());
        this.doCreateRole(accountId, {
          RoleName: roleName,
          Path: typeof params['path'] === 'string' ? params['path'] : undefined,
          AssumeRolePolicyDocument: field('assumeRolePolicyDocument'),
          Tags: tags,
        });
        return existing ? 'replaced' : 'created';
      }
      case 'UpdateAssumeRolePolicy':
        if (!existing) return 'absent';
        this.doUpdateAssumeRolePolicy(accountId, { RoleName: roleName, PolicyDocument: field('policyDocument') });
        return 'updated';
      case 'DeleteRole':
        if (!existing) return 'absent';
        account.roles.delete(roleName.toLowerCase());
        return 'deleted';
      case 'TagRole':
        if (!existing) return 'absent';
        this.doTagRole(accountId, { RoleName: roleName, Tags: cloudTrailTags(params['tags']) });
        return 'updated';
      default:
        throw new Error(
          `iam-model: cannot apply CloudTrail event "${eventName}"; expected CreateRole, UpdateAssumeRolePolicy, DeleteRole or TagRole`,
        );
    }
  }

  // ---------- fault injection ----------

  /** The next `count` calls of `key` fail with `fault` (before touching state). */
  failNext(key: CallKey, fault: FaultKind, count = 1): void {
    const queue = this.pendingFaults.get(key) ?? [];
    for (let i = 0; i < count; i++) queue.push(fault);
    this.pendingFaults.set(key, queue);
  }

  /** From now on each matching call fails with probability `rate`, drawn from the seeded generator. */
  startStorm(options: StormOptions): void {
    if (!(options.rate >= 0 && options.rate <= 1)) throw new Error(`iam-model: storm rate ${options.rate} must be in [0, 1]`);
    this.storm = options;
  }

  stopStorm(): void {
    this.storm = null;
  }

  // ---------- mocks ----------

  /** Installs the model behind every `IAMClient` and `STSClient`; call `restore()` when done. */
  install(): { iam: AwsStub<any, any, any>; sts: AwsStub<any, any, any> } {
    if (this.mocks) return this.mocks;
    const iam = mockClient(IAMClient);
    const sts = mockClient(STSClient);
    iam.onAnyCommand().callsFake(() => {
      throw new Error('iam-model: this IAM command is not modelled');
    });
    sts.onAnyCommand().callsFake(() => {
      throw new Error('iam-model: this STS command is not modelled');
    });

    const route = <I, O>(command: any, key: CallKey, handler: (accountId: string, input: I) => O) => {
      iam.on(command).callsFake((input: I, getClient: () => IAMClient) => {
        // Read the client synchronously: it is the last `this` recorded, correct only now.
        const client = getClient();
        return this.dispatch(client, key, (accountId) => handler(accountId, input));
      });
    };
    route(GetRoleCommand, 'iam:GetRole', (a, i: { RoleName: string }) => this.doGetRole(a, i));
    route(CreateRoleCommand, 'iam:CreateRole', (a, i: CreateRoleInput) => this.doCreateRole(a, i));
    route(DeleteRoleCommand, 'iam:DeleteRole', (a, i: { RoleName: string }) => this.doDeleteRole(a, i));
    route(UpdateAssumeRolePolicyCommand, 'iam:UpdateAssumeRolePolicy', (a, i: { RoleName: string; PolicyDocument: string }) =>
      this.doUpdateAssumeRolePolicy(a, i),
    );
    route(TagRoleCommand, 'iam:TagRole', (a, i: { RoleName: string; Tags: Tag[] }) => this.doTagRole(a, i));
    route(UntagRoleCommand, 'iam:UntagRole', (a, i: { RoleName: string; TagKeys: string[] }) => this.doUntagRole(a, i));
    route(ListRoleTagsCommand, 'iam:ListRoleTags', (a, i: { RoleName: string }) => ({
      Tags: [...this.requireRole(a, i.RoleName).tags].map(([Key, Value]) => ({ Key, Value })),
      IsTruncated: false,
    }));
    route(GetOpenIDConnectProviderCommand, 'iam:GetOpenIDConnectProvider', (a, i: { OpenIDConnectProviderArn: string }) =>
      this.doGetProvider(a, i),
    );
    route(
      AddClientIDToOpenIDConnectProviderCommand,
      'iam:AddClientIDToOpenIDConnectProvider',
      (a, i: { OpenIDConnectProviderArn: string; ClientID: string }) => this.doAddClientId(a, i),
    );
    route(
      RemoveClientIDFromOpenIDConnectProviderCommand,
      'iam:RemoveClientIDFromOpenIDConnectProvider',
      (a, i: { OpenIDConnectProviderArn: string; ClientID: string }) => this.doRemoveClientId(a, i),
    );
    route(CreateOpenIDConnectProviderCommand, 'iam:CreateOpenIDConnectProvider', (a, i: CreateProviderInput) =>
      this.doCreateProvider(a, i),
    );

    sts.on(AssumeRoleCommand).callsFake(async (input: { RoleArn: string; RoleSessionName: string; DurationSeconds?: number }) => {
      const match = ROLE_ARN.exec(input.RoleArn ?? '');
      this.count('sts:AssumeRole', match?.[1] ?? null, input.RoleSessionName ?? null);
      this.injectFault('sts:AssumeRole');
      return this.doAssumeRole(input, match);
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

  private async dispatch<O>(client: IAMClient, key: CallKey, handler: (accountId: string) => O): Promise<O> {
    const credentials = await client.config.credentials();
    const session = this.sessions.get(credentials.accessKeyId);
    this.count(key, session?.accountId ?? null, session?.sessionName ?? null);
    if (!session) {
      throw iamError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
    }
    if (session.expiresAt <= this.now()) {
      throw iamError('ExpiredToken', 'The security token included in the request is expired', 403);
    }
    this.injectFault(key);
    return handler(session.accountId);
  }

  private count(key: CallKey, accountId: string | null, sessionName: string | null): void {
    this.calls[key] = (this.calls[key] ?? 0) + 1;
    this.history.push({ key, accountId, sessionName, fault: null });
  }

  private injectFault(key: CallKey): void {
    let fault: FaultKind | undefined = this.pendingFaults.get(key)?.shift();
    const stormHits = this.storm !== null && (this.storm.commands === undefined || this.storm.commands.includes(key));
    if (fault === undefined && this.storm && stormHits) {
      if (this.random() < this.storm.rate) {
        const kinds = this.storm.faults ?? ['ConcurrentModification', 'Throttling'];
        fault = kinds[Math.floor(this.random() * kinds.length)];
      }
    }
    if (fault === undefined) return;
    const last = this.history[this.history.length - 1]!;
    this.history[this.history.length - 1] = { ...last, fault };
    throw faultError(fault, key);
  }

  private doAssumeRole(input: { RoleArn: string; RoleSessionName: string; DurationSeconds?: number }, match: RegExpExecArray | null) {
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
    if (!this.accounts.has(accountId)) {
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

  private account(accountId: string): ModelAccount {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`iam-model: unknown account ${accountId}`);
    return account;
  }

  private requireRole(accountId: string, roleName: string): ModelRole {
    const role = this.account(accountId).roles.get(String(roleName).toLowerCase());
    if (!role) throw noSuchEntity(`The role with name ${roleName} cannot be found.`);
    return role;
  }

  private requireProvider(accountId: string, arn: string): ModelProvider {
    const provider = this.account(accountId).providers.get(arn);
    if (!provider) throw noSuchEntity(`OpenIDConnect Provider not found for arn ${arn}`);
    return provider;
  }

  private checkedPolicy(accountId: string, document: unknown): string {
    let policy: PolicyDocument;
    try {
      policy = parsePolicyDocument(document);
    } catch {
      throw malformedPolicy('This policy contains invalid Json');
    }
    const size = JSON.stringify(policy).length;
    const quota = this.account(accountId).maxTrustPolicyChars;
    if (size > quota) throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${quota}`);
    return encodePolicyDocument(policy);
  }

  private checkTags(tags: readonly Tag[]): void {
    for (const tag of tags) {
      const key = tag.Key ?? '';
      const value = tag.Value ?? '';
      if (key.length < 1 || key.length > 128) throw invalidInput(`Tag key "${key}" must be 1 to 128 characters.`);
      if (value.length > 256) throw invalidInput(`Tag value for key "${key}" must be at most 256 characters.`);
    }
  }

  private doGetRole(accountId: string, input: { RoleName: string }) {
    const role = this.requireRole(accountId, input.RoleName);
    return {
      Role: {
        Path: role.path,
        RoleName: role.roleName,
        RoleId: role.roleId,
        Arn: role.arn,
        CreateDate: role.createDate,
        AssumeRolePolicyDocument: role.assumeRolePolicyDocument,
        MaxSessionDuration: 3600,
        ...(role.tags.size > 0 ? { Tags: [...role.tags].map(([Key, Value]) => ({ Key, Value })) } : {}),
      },
    };
  }

  private doCreateRole(accountId: string, input: CreateRoleInput) {
    const account = this.account(accountId);
    if (!ROLE_NAME.test(input.RoleName ?? '')) throw invalidInput(`RoleName "${input.RoleName}" must match [\\w+=,.@-]{1,64}`);
    if (account.roles.has(input.RoleName.toLowerCase())) {
      throw new EntityAlreadyExistsException({ message: `Role with name ${input.RoleName} already exists.`, ...meta(409) });
    }
    const path = input.Path ?? '/';
    if (!/^\/(?:[\x21-\x7e]*\/)?$/.test(path)) throw invalidInput(`Path "${path}" must begin and end with "/"`);
    const tags = input.Tags ?? [];
    this.checkTags(tags);
    if (tags.length > MAX_TAGS_PER_ROLE) throw limitExceeded(`Cannot exceed quota for TagsPerRole: ${MAX_TAGS_PER_ROLE}`);
    const role: ModelRole = {
      roleName: input.RoleName,
      path,
      arn: `arn:aws:iam::${accountId}:role${path}${input.RoleName}`,
      roleId: `AROA${Array.from({ length: 17 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[Math.floor(this.random() * 32)]).join('')}`,
      createDate: new Date(this.now()),
      assumeRolePolicyDocument: this.checkedPolicy(accountId, input.AssumeRolePolicyDocument),
      tags: new Map(tags.map((t) => [t.Key!, t.Value ?? ''])),
    };
    account.roles.set(input.RoleName.toLowerCase(), role);
    return this.doGetRole(accountId, { RoleName: input.RoleName });
  }

  private doDeleteRole(accountId: string, input: { RoleName: string }) {
    this.requireRole(accountId, input.RoleName);
    this.account(accountId).roles.delete(input.RoleName.toLowerCase());
    return {};
  }

  private doUpdateAssumeRolePolicy(accountId: string, input: { RoleName: string; PolicyDocument: string }) {
    const role = this.requireRole(accountId, input.RoleName);
    role.assumeRolePolicyDocument = this.checkedPolicy(accountId, input.PolicyDocument);
    return {};
  }

  private doTagRole(accountId: string, input: { RoleName: string; Tags: Tag[] }) {
    const role = this.requireRole(accountId, input.RoleName);
    this.checkTags(input.Tags ?? []);
    const merged = new Map(role.tags);
    for (const tag of input.Tags ?? []) merged.set(tag.Key!, tag.Value ?? '');
    if (merged.size > MAX_TAGS_PER_ROLE) throw limitExceeded(`Cannot exceed quota for TagsPerRole: ${MAX_TAGS_PER_ROLE}`);
    role.tags = merged;
    return {};
  }

  private doUntagRole(accountId: string, input: { RoleName: string; TagKeys: string[] }) {
    const role = this.requireRole(accountId, input.RoleName);
    for (const key of input.TagKeys ?? []) role.tags.delete(key);
    return {};
  }

  private doGetProvider(accountId: string, input: { OpenIDConnectProviderArn: string }) {
    const provider = this.requireProvider(accountId, input.OpenIDConnectProviderArn);
    return {
      Url: provider.url.replace(/^https:\/\//, ''),
      ClientIDList: [...provider.clientIds],
      ThumbprintList: [...provider.thumbprints],
      CreateDate: provider.createDate,
    };
  }

  private checkClientId(clientId: string): void {
    if (typeof clientId !== 'string' || clientId.length < 1 || clientId.length > 255) {
      throw invalidInput('ClientID must be 1 to 255 characters.');
    }
  }

  private doAddClientId(accountId: string, input: { OpenIDConnectProviderArn: string; ClientID: string }) {
    const provider = this.requireProvider(accountId, input.OpenIDConnectProviderArn);
    this.checkClientId(input.ClientID);
    if (provider.clientIds.includes(input.ClientID)) return {};
    if (provider.clientIds.length >= MAX_CLIENT_IDS_PER_PROVIDER) {
      throw limitExceeded(`Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS_PER_PROVIDER}`);
    }
    provider.clientIds.push(input.ClientID);
    return {};
  }

  private doRemoveClientId(accountId: string, input: { OpenIDConnectProviderArn: string; ClientID: string }) {
    const provider = this.requireProvider(accountId, input.OpenIDConnectProviderArn);
    this.checkClientId(input.ClientID);
    provider.clientIds = provider.clientIds.filter((id) => id !== input.ClientID);
    return {};
  }

  private doCreateProvider(accountId: string, input: CreateProviderInput) {
    const account = this.account(accountId);
    if (!/^https:\/\/[^\s]+$/.test(input.Url ?? '')) throw invalidInput(`Url "${input.Url}" must start with https://`);
    const clientIds = [...new Set(input.ClientIDList ?? [])];
    clientIds.forEach((id) => this.checkClientId(id));
    if (clientIds.length > MAX_CLIENT_IDS_PER_PROVIDER) {
      throw limitExceeded(`Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS_PER_PROVIDER}`);
    }
    const arn = `arn:aws:iam::${accountId}:oidc-provider/${input.Url.replace(/^https:\/\//, '')}`;
    if (account.providers.has(arn)) {
      throw new EntityAlreadyExistsException({ message: `Provider with url ${input.Url} already exists.`, ...meta(409) });
    }
    account.providers.set(arn, {
      url: input.Url,
      arn,
      clientIds,
      thumbprints: [...(input.ThumbprintList ?? [])],
      createDate: new Date(this.now()),
    });
    return { OpenIDConnectProviderArn: arn };
  }

  private viewRole(role: ModelRole): RoleView {
    return {
      roleName: role.roleName,
      path: role.path,
      arn: role.arn,
      assumeRolePolicyDocument: parsePolicyDocument(role.assumeRolePolicyDocument),
      tags: Object.fromEntries(role.tags),
    };
  }
}

interface CreateRoleInput {
  RoleName: string;
  Path?: string;
  AssumeRolePolicyDocument: string;
  Tags?: Tag[];
}

interface CreateProviderInput {
  Url: string;
  ClientIDList?: string[];
  ThumbprintList?: string[];
}

/** A fresh model; `seed` makes role IDs and fault storms reproducible. */
export function createIamModel(seed?: number, options: Omit<IamModelOptions, 'seed'> = {}): IamModel {
  return new IamModel({ ...options, seed });
}
