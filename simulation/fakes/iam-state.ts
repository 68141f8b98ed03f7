import { DEFAULT_MAX_TRUST_POLICY_CHARS, encodePolicyDocument, parsePolicyDocument, type PolicyDocument } from '../../functions/shared/iam';
import type { Tag } from '@aws-sdk/client-iam';
import { entityAlreadyExists, iamError, invalidInput, limitExceeded, malformedPolicy, noSuchEntity } from './iam-errors';

/**
 * The IAM accounts the model holds (roles, OIDC providers) and the operations on them, with the
 * checks and errors of the documented API (IAM API reference,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/). No SDK wiring here: iam-model.ts
 * installs this behind the SDK clients.
 *
 * - role names `[\w+=,.@-]{1,64}`, unique case-insensitively (EntityAlreadyExists);
 * - a trust policy that is not valid JSON / not a policy → MalformedPolicyDocument; over the
 *   account's quota (2,048 characters by default, whitespace not counted,
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html) → LimitExceeded;
 * - 50 tags per role → LimitExceeded; tag key 1–128, value 0–256 characters → InvalidInput;
 * - OIDC provider: 100 client IDs (the 101st → LimitExceeded), client ID 1–255 characters
 *   → InvalidInput; Add/RemoveClientID are idempotent; one provider per URL;
 * - `GetRole` returns the trust policy URL-encoded (RFC 3986) and the role's tags;
 *   `GetOpenIDConnectProvider` returns the URL without `https://`;
 * - each role has a unique ID, `AROA` + 17 characters
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids);
 * - inline role policies (`PutRolePolicy` creates or replaces one by name, `DeleteRolePolicy`,
 *   `GetRolePolicy` URL-encoded like `GetRole`, `ListRolePolicies`): names of 1–128 of
 *   `[\w+=,.@-]`; the aggregate size of a role's inline policies at most 10,240 characters,
 *   whitespace not counted ("Role policy size cannot exceed 10,240 characters", "IAM does not
 *   count white space": https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)
 *   → LimitExceeded; a missing policy → NoSuchEntity.
 */

const MAX_CLIENT_IDS_PER_PROVIDER = 100;
const MAX_TAGS_PER_ROLE = 50;
/** IAM's quota on the aggregate size of a role's inline policies (reference_iam-quotas.html), whitespace not counted. */
export const MAX_ROLE_INLINE_POLICY_CHARS = 10_240;
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;

/** The unique ID of a role: the `AROA` prefix, then 17 characters. */
export const ROLE_ID_PATTERN = /^AROA[A-Z0-9]{17}$/;

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

interface ModelRole {
  roleName: string;
  path: string;
  arn: string;
  roleId: string;
  createDate: Date;
  /** Stored as IAM returns it: URL-encoded minified JSON. */
  assumeRolePolicyDocument: string;
  tags: Map<string, string>;
  /** Inline policies by name, each stored as IAM returns it (URL-encoded minified JSON). */
  inlinePolicies: Map<string, string>;
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

export interface CreateRoleInput {
  RoleName: string;
  Path?: string;
  AssumeRolePolicyDocument: string;
  Tags?: Tag[];
}

export interface CreateProviderInput {
  Url: string;
  ClientIDList?: string[];
  ThumbprintList?: string[];
}

export interface RoleView {
  readonly roleName: string;
  readonly roleId: string;
  readonly path: string;
  readonly arn: string;
  readonly createDate: Date;
  readonly assumeRolePolicyDocument: PolicyDocument;
  readonly tags: Record<string, string>;
  /** Inline policies by name, sorted by name. */
  readonly inlinePolicies: Record<string, PolicyDocument>;
}

/** The simulator's output of one account. */
export interface AccountSnapshot {
  readonly roles: {
    roleName: string;
    roleId: string;
    arn: string;
    assumeRolePolicyDocument: PolicyDocument;
    tags: Record<string, string>;
    inlinePolicies: Record<string, PolicyDocument>;
  }[];
  readonly oidcProviders: { url: string; arn: string; clientIds: string[] }[];
}

/** CloudTrail records tags as `[{ key, value }]` (lower case); the API takes `[{ Key, Value }]`. */
function cloudTrailTags(tags: unknown): Tag[] {
  return Array.isArray(tags)
    ? (tags as { key?: string; value?: string }[]).map((t) => ({ Key: String(t.key), Value: String(t.value ?? '') }))
    : [];
}

export class IamState {
  private readonly accounts = new Map<string, ModelAccount>();
  /** Every role's unique ID, across accounts. */
  private readonly roleIds = new Set<string>();

  constructor(
    private readonly random: () => number,
    private readonly now: () => number,
  ) {}

  addAccount(accountId: string, options: { maxTrustPolicyChars?: number } = {}): void {
    if (!/^\d{12}$/.test(accountId)) throw new Error(`iam-model: account "${accountId}" is not a 12-digit account ID`);
    const existing = this.accounts.get(accountId);
    if (existing) {
      if (options.maxTrustPolicyChars !== undefined) existing.maxTrustPolicyChars = options.maxTrustPolicyChars;
      return;
    }
    this.accounts.set(accountId, {
      maxTrustPolicyChars: options.maxTrustPolicyChars ?? DEFAULT_MAX_TRUST_POLICY_CHARS,
      roles: new Map(),
      providers: new Map(),
    });
  }

  hasAccount(accountId: string): boolean {
    return this.accounts.has(accountId);
  }

  /** Every account, sorted. */
  accountIds(): string[] {
    return [...this.accounts.keys()].sort();
  }

  role(accountId: string, roleName: string): RoleView | null {
    const role = this.accounts.get(accountId)?.roles.get(roleName.toLowerCase());
    return role ? viewRole(role) : null;
  }

  /** The account's roles, sorted by name as `snapshot` sorts them. */
  roles(accountId: string): RoleView[] {
    return [...(this.accounts.get(accountId)?.roles.values() ?? [])].sort((a, b) => a.roleName.localeCompare(b.roleName)).map(viewRole);
  }

  provider(accountId: string, arn: string): { url: string; arn: string; clientIds: string[] } | null {
    const provider = this.accounts.get(accountId)?.providers.get(arn);
    return provider ? { url: provider.url, arn: provider.arn, clientIds: [...provider.clientIds] } : null;
  }

  /** Every account's roles and providers, sorted for stable output. */
  snapshot(): Record<string, AccountSnapshot> {
    const result: Record<string, AccountSnapshot> = {};
    for (const accountId of [...this.accounts.keys()].sort()) {
      const account = this.accounts.get(accountId)!;
      result[accountId] = {
        roles: [...account.roles.values()]
          .sort((a, b) => a.roleName.localeCompare(b.roleName))
          .map((role) => {
            const view = viewRole(role);
            return {
              roleName: view.roleName,
              roleId: view.roleId,
              arn: view.arn,
              assumeRolePolicyDocument: view.assumeRolePolicyDocument,
              tags: view.tags,
              inlinePolicies: view.inlinePolicies,
            };
          }),
        oidcProviders: [...account.providers.values()]
          .sort((a, b) => a.url.localeCompare(b.url))
          .map((p) => ({ url: p.url, arn: p.arn, clientIds: [...p.clientIds] })),
      };
    }
    return result;
  }

  /**
   * Applies an IAM call recorded by CloudTrail (the record's `requestParameters`). The call
   * succeeded in AWS, so it is applied leniently: a CreateRole for an existing role replaces
   * it, a DeleteRole for a missing role is a no-op. A record that cannot be applied (missing
   * field, unknown event) throws, naming the field.
   */
  applyCloudTrailCall(
    accountId: string,
    eventName: string,
    requestParameters: Readonly<Record<string, unknown>> | null | undefined,
    /** CreateRole: the role ID IAM answered with (`responseElements.role.roleId`), when recorded. */
    roleId?: string,
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
    const account = this.account(accountId);
    const roleName = field('roleName');
    const existing = account.roles.get(roleName.toLowerCase());
    switch (eventName) {
      case 'CreateRole': {
        const tags = cloudTrailTags(params.tags);
        if (existing) this.removeRole(account, existing);
        this.createRole(
          accountId,
          {
            RoleName: roleName,
            Path: typeof params.path === 'string' ? params.path : undefined,
            AssumeRolePolicyDocument: field('assumeRolePolicyDocument'),
            Tags: tags,
          },
          roleId,
        );
        return existing ? 'replaced' : 'created';
      }
      case 'UpdateAssumeRolePolicy':
        if (!existing) return 'absent';
        this.updateAssumeRolePolicy(accountId, { RoleName: roleName, PolicyDocument: field('policyDocument') });
        return 'updated';
      case 'DeleteRole':
        if (!existing) return 'absent';
        this.removeRole(account, existing);
        return 'deleted';
      case 'TagRole':
        if (!existing) return 'absent';
        this.tagRole(accountId, { RoleName: roleName, Tags: cloudTrailTags(params.tags) });
        return 'updated';
      default:
        throw new Error(
          `iam-model: cannot apply CloudTrail event "${eventName}"; expected CreateRole, UpdateAssumeRolePolicy, DeleteRole or TagRole`,
        );
    }
  }

  // ---------- the API operations (inputs as the SDK commands take them) ----------

  getRole(accountId: string, input: { RoleName: string }) {
    const role = this.requireRole(accountId, input.RoleName);
    return {
      Role: {
        ...apiRole(role),
        ...(role.tags.size > 0 ? { Tags: [...role.tags].map(([Key, Value]) => ({ Key, Value })) } : {}),
      },
    };
  }

  /** `roleId` and `createDate` are the world's: absent, IAM generates the ID and the date is now. */
  createRole(accountId: string, input: CreateRoleInput, roleId?: string, createDate?: Date) {
    const account = this.account(accountId);
    if (!ROLE_NAME.test(input.RoleName ?? '')) throw invalidInput(`RoleName "${input.RoleName}" must match [\\w+=,.@-]{1,64}`);
    if (account.roles.has(input.RoleName.toLowerCase())) throw entityAlreadyExists(`Role with name ${input.RoleName} already exists.`);
    const path = input.Path ?? '/';
    if (!/^\/(?:[\x21-\x7e]*\/)?$/.test(path)) throw invalidInput(`Path "${path}" must begin and end with "/"`);
    const tags = input.Tags ?? [];
    this.checkTags(tags);
    if (tags.length > MAX_TAGS_PER_ROLE) throw limitExceeded(`Cannot exceed quota for TagsPerRole: ${MAX_TAGS_PER_ROLE}`);
    if (roleId !== undefined) this.checkNewRoleId(roleId);
    const role: ModelRole = {
      roleName: input.RoleName,
      path,
      arn: `arn:aws:iam::${accountId}:role${path}${input.RoleName}`,
      roleId: roleId ?? this.newRoleId(),
      createDate: createDate ?? new Date(this.now()),
      assumeRolePolicyDocument: this.checkedPolicy(accountId, input.AssumeRolePolicyDocument),
      tags: new Map(tags.map((t) => [t.Key!, t.Value ?? ''])),
      inlinePolicies: new Map(),
    };
    account.roles.set(input.RoleName.toLowerCase(), role);
    this.roleIds.add(role.roleId);
    return this.getRole(accountId, { RoleName: input.RoleName });
  }

  deleteRole(accountId: string, input: { RoleName: string }) {
    this.removeRole(this.account(accountId), this.requireRole(accountId, input.RoleName));
    return {};
  }

  updateAssumeRolePolicy(accountId: string, input: { RoleName: string; PolicyDocument: string }) {
    const role = this.requireRole(accountId, input.RoleName);
    role.assumeRolePolicyDocument = this.checkedPolicy(accountId, input.PolicyDocument);
    return {};
  }

  tagRole(accountId: string, input: { RoleName: string; Tags: Tag[] }) {
    const role = this.requireRole(accountId, input.RoleName);
    this.checkTags(input.Tags ?? []);
    const merged = new Map(role.tags);
    for (const tag of input.Tags ?? []) merged.set(tag.Key!, tag.Value ?? '');
    if (merged.size > MAX_TAGS_PER_ROLE) throw limitExceeded(`Cannot exceed quota for TagsPerRole: ${MAX_TAGS_PER_ROLE}`);
    role.tags = merged;
    return {};
  }

  untagRole(accountId: string, input: { RoleName: string; TagKeys: string[] }) {
    const role = this.requireRole(accountId, input.RoleName);
    for (const key of input.TagKeys ?? []) role.tags.delete(key);
    return {};
  }

  /**
   * https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html: creates or
   * replaces the inline policy of that name; refused when the role's inline policies together
   * would exceed the quota (the replaced version does not count).
   */
  putRolePolicy(accountId: string, input: { RoleName: string; PolicyName: string; PolicyDocument: string }) {
    const role = this.requireRole(accountId, input.RoleName);
    checkPolicyName(input.PolicyName);
    let policy: PolicyDocument;
    try {
      policy = parsePolicyDocument(input.PolicyDocument);
    } catch {
      throw malformedPolicy('Syntax errors in policy.');
    }
    const others = [...role.inlinePolicies].filter(([name]) => name !== input.PolicyName);
    const size = others.reduce((total, [, document]) => total + policySize(parsePolicyDocument(document)), policySize(policy));
    if (size > MAX_ROLE_INLINE_POLICY_CHARS) {
      throw limitExceeded(`Maximum policy size of ${MAX_ROLE_INLINE_POLICY_CHARS} bytes exceeded for role ${role.roleName}`);
    }
    role.inlinePolicies.set(input.PolicyName, encodePolicyDocument(policy));
    return {};
  }

  deleteRolePolicy(accountId: string, input: { RoleName: string; PolicyName: string }) {
    const role = this.requireRole(accountId, input.RoleName);
    checkPolicyName(input.PolicyName);
    if (!role.inlinePolicies.delete(input.PolicyName)) {
      throw noSuchEntity(`The role policy with name ${input.PolicyName} cannot be found.`);
    }
    return {};
  }

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html: the document URL-encoded (RFC 3986). */
  getRolePolicy(accountId: string, input: { RoleName: string; PolicyName: string }) {
    const role = this.requireRole(accountId, input.RoleName);
    checkPolicyName(input.PolicyName);
    const document = role.inlinePolicies.get(input.PolicyName);
    if (document === undefined) throw noSuchEntity(`The role policy with name ${input.PolicyName} cannot be found.`);
    return { RoleName: role.roleName, PolicyName: input.PolicyName, PolicyDocument: document };
  }

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRolePolicies.html: names only, in one page (a role's policies fit the quota). */
  listRolePolicies(accountId: string, input: { RoleName: string }) {
    const role = this.requireRole(accountId, input.RoleName);
    return { PolicyNames: [...role.inlinePolicies.keys()].sort(), IsTruncated: false };
  }

  /**
   * https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoles.html: roles in order, at
   * most `MaxItems` (1–1000, default 100) a page, `IsTruncated` and an opaque `Marker`; the trust
   * policy URL-encoded, and no tags ("this operation does not return … tags").
   */
  listRoles(accountId: string, input: { Marker?: string; MaxItems?: number; PathPrefix?: string }) {
    const maxItems = input.MaxItems ?? 100;
    // ListRoles models no InvalidInput (its page and the SDK's @throws list only ServiceFailure): a
    // value out of its range is the common ValidationError
    // (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html), as __tests__/contracts checks.
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1000) {
      throw iamError(
        'ValidationError',
        `1 validation error detected: Value '${maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`,
        400,
      );
    }
    const roles = [...this.account(accountId).roles.values()]
      .filter((role) => role.path.startsWith(input.PathPrefix ?? '/'))
      .sort((a, b) => a.roleName.toLowerCase().localeCompare(b.roleName.toLowerCase()));
    const start = input.Marker === undefined ? 0 : Number.parseInt(Buffer.from(input.Marker, 'base64').toString('utf8'), 10);
    if (!Number.isInteger(start) || start < 0) throw iamError('ValidationError', 'Invalid Marker.', 400);
    const page = roles.slice(start, start + maxItems);
    const truncated = start + maxItems < roles.length;
    return {
      // ListRoles returns no tags (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoles.html).
      Roles: page.map(apiRole),
      IsTruncated: truncated,
      ...(truncated ? { Marker: Buffer.from(String(start + maxItems), 'utf8').toString('base64') } : {}),
    };
  }

  /**
   * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html:
   * `Filter` takes `User`, `Role`, `Group`, `LocalManagedPolicy`, `AWSManagedPolicy` (anything
   * else is the common ValidationError); without it, every kind. The model holds only roles, so
   * the other lists are empty. Roles in order, at most `MaxItems` (1–1000, default 100) a page,
   * `IsTruncated` and an opaque `Marker`; each `RoleDetail` carries its trust policy, tags and
   * inline policies (`RolePolicyList[]`: `PolicyName`, `PolicyDocument` URL-encoded).
   */
  getAccountAuthorizationDetails(accountId: string, input: { Filter?: string[]; Marker?: string; MaxItems?: number }) {
    const filters = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'];
    const bad = (input.Filter ?? []).find((filter) => !filters.includes(filter));
    if (bad !== undefined) {
      throw iamError(
        'ValidationError',
        `1 validation error detected: Value '[${bad}]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${filters.join(', ')}]]`,
        400,
      );
    }
    const wantsRoles = input.Filter === undefined || input.Filter.length === 0 || input.Filter.includes('Role');
    const { Roles, IsTruncated, Marker } = this.listRoles(accountId, {
      ...(input.Marker !== undefined ? { Marker: input.Marker } : {}),
      ...(input.MaxItems !== undefined ? { MaxItems: input.MaxItems } : {}),
    });
    const account = this.account(accountId);
    return {
      UserDetailList: [],
      GroupDetailList: [],
      Policies: [],
      RoleDetailList: wantsRoles
        ? Roles.map((listed) => {
            const role = account.roles.get(listed.RoleName.toLowerCase()) as ModelRole;
            return {
              ...listed,
              Tags: [...role.tags].map(([Key, Value]) => ({ Key, Value })),
              RolePolicyList: [...role.inlinePolicies]
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([PolicyName, PolicyDocument]) => ({ PolicyName, PolicyDocument })),
              AttachedManagedPolicies: [],
              InstanceProfileList: [],
            };
          })
        : [],
      IsTruncated: wantsRoles ? IsTruncated : false,
      ...(wantsRoles && Marker !== undefined ? { Marker } : {}),
    };
  }

  listRoleTags(accountId: string, input: { RoleName: string }) {
    return { Tags: [...this.requireRole(accountId, input.RoleName).tags].map(([Key, Value]) => ({ Key, Value })), IsTruncated: false };
  }

  getProvider(accountId: string, input: { OpenIDConnectProviderArn: string }) {
    const provider = this.requireProvider(accountId, input.OpenIDConnectProviderArn);
    return {
      Url: provider.url.replace(/^https:\/\//, ''),
      ClientIDList: [...provider.clientIds],
      ThumbprintList: [...provider.thumbprints],
      CreateDate: provider.createDate,
    };
  }

  addClientId(accountId: string, input: { OpenIDConnectProviderArn: string; ClientID: string }) {
    const provider = this.requireProvider(accountId, input.OpenIDConnectProviderArn);
    checkClientId(input.ClientID);
    if (provider.clientIds.includes(input.ClientID)) return {};
    if (provider.clientIds.length >= MAX_CLIENT_IDS_PER_PROVIDER) {
      throw limitExceeded(`Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS_PER_PROVIDER}`);
    }
    provider.clientIds.push(input.ClientID);
    return {};
  }

  removeClientId(accountId: string, input: { OpenIDConnectProviderArn: string; ClientID: string }) {
    const provider = this.requireProvider(accountId, input.OpenIDConnectProviderArn);
    checkClientId(input.ClientID);
    provider.clientIds = provider.clientIds.filter((id) => id !== input.ClientID);
    return {};
  }

  createProvider(accountId: string, input: CreateProviderInput) {
    const account = this.account(accountId);
    if (!/^https:\/\/[^\s]+$/.test(input.Url ?? '')) throw invalidInput(`Url "${input.Url}" must start with https://`);
    const clientIds = [...new Set(input.ClientIDList ?? [])];
    clientIds.forEach(checkClientId);
    if (clientIds.length > MAX_CLIENT_IDS_PER_PROVIDER) {
      throw limitExceeded(`Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS_PER_PROVIDER}`);
    }
    const arn = `arn:aws:iam::${accountId}:oidc-provider/${input.Url.replace(/^https:\/\//, '')}`;
    if (account.providers.has(arn)) throw entityAlreadyExists(`Provider with url ${input.Url} already exists.`);
    account.providers.set(arn, {
      url: input.Url,
      arn,
      clientIds,
      thumbprints: [...(input.ThumbprintList ?? [])],
      createDate: new Date(this.now()),
    });
    return { OpenIDConnectProviderArn: arn };
  }

  // ---------- internals ----------

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

  private removeRole(account: ModelAccount, role: ModelRole): void {
    account.roles.delete(role.roleName.toLowerCase());
    this.roleIds.delete(role.roleId);
  }

  private checkNewRoleId(roleId: string): void {
    if (!ROLE_ID_PATTERN.test(roleId))
      throw new Error(`iam-model: role ID "${roleId}" must be AROA followed by 17 capital letters or digits`);
    if (this.roleIds.has(roleId)) throw new Error(`iam-model: role ID "${roleId}" is already another role's (role IDs are unique)`);
  }

  private newRoleId(): string {
    for (;;) {
      const id = `AROA${Array.from({ length: 17 }, () => ROLE_ID_ALPHABET[Math.floor(this.random() * 32)]).join('')}`;
      if (!this.roleIds.has(id)) return id;
    }
  }
}

/** Characters IAM counts against a policy quota: the minified document, whitespace outside strings not counted. */
function policySize(policy: PolicyDocument): number {
  return JSON.stringify(policy).length;
}

/**
 * The role-policy operations list no InvalidInput (their pages and the SDK's @throws): a name
 * outside the API's pattern is the common ValidationError
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html), as __tests__/contracts checks.
 */
function checkPolicyName(name: string): void {
  if (typeof name !== 'string' || !POLICY_NAME.test(name)) {
    throw iamError(
      'ValidationError',
      `1 validation error detected: Value '${name}' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`,
      400,
    );
  }
}

function checkClientId(clientId: string): void {
  if (typeof clientId !== 'string' || clientId.length < 1 || clientId.length > 255) {
    throw invalidInput('ClientID must be 1 to 255 characters.');
  }
}

function viewRole(role: ModelRole): RoleView {
  return {
    roleName: role.roleName,
    roleId: role.roleId,
    path: role.path,
    arn: role.arn,
    createDate: role.createDate,
    assumeRolePolicyDocument: parsePolicyDocument(role.assumeRolePolicyDocument),
    tags: Object.fromEntries(role.tags),
    inlinePolicies: Object.fromEntries(
      [...role.inlinePolicies].sort(([a], [b]) => a.localeCompare(b)).map(([name, document]) => [name, parsePolicyDocument(document)]),
    ),
  };
}

/** A role as IAM's API returns it (GetRole adds its tags; ListRoles does not). */
function apiRole(role: ModelRole) {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: role.createDate,
    AssumeRolePolicyDocument: role.assumeRolePolicyDocument,
    MaxSessionDuration: 3600,
  };
}
