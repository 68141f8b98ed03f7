/**
 * AWS IAM in a member account, as the function cores see it. The real implementation is
 * `member-account.ts`; tests and the simulator inject in-memory or loopback ones.
 */

/** An IAM policy document as IAM returns it after URL-decoding and JSON parsing. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: readonly PolicyStatement[] | PolicyStatement;
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: '*' | Readonly<Record<string, string | readonly string[]>>;
  readonly NotPrincipal?: '*' | Readonly<Record<string, string | readonly string[]>>;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  /** As policy-document.ts reads it: strings, booleans (`Bool`), numbers (`NumericLessThan`), or lists of them. */
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, ConditionValue>>>>;
}

type ConditionScalar = string | boolean | number;

export type ConditionValue = ConditionScalar | readonly ConditionScalar[];

export interface RoleState {
  readonly roleName: string;
  /**
   * IAM's unique ID of this incarnation of the role (`AROA…`): a role deleted and created
   * again under the same name gets a new one (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids).
   */
  readonly roleId: string;
  readonly arn: string;
  readonly trustPolicy: PolicyDocument;
  readonly tags: Readonly<Record<string, string>>;
}

/** IAM in one member account, reached through the `web-identity-automation` role. */
export interface MemberAccountIam {
  readonly accountId: string;
  /** `null` when the role does not exist (any more). */
  getRole(roleName: string): Promise<RoleState | null>;
  /** Throws `RoleNotFoundError` when the role is gone. */
  updateTrustPolicy(roleName: string, policy: PolicyDocument): Promise<void>;
  /** Throws `RoleNotFoundError` when the role is gone. */
  tagRole(roleName: string, tags: Readonly<Record<string, string>>): Promise<void>;
  /** Throws `RoleNotFoundError` when the role is gone. */
  untagRole(roleName: string, keys: readonly string[]): Promise<void>;
  /** The role's inline policy of that name; `null` when the policy (or the role) does not exist. */
  getRolePolicy(roleName: string, policyName: string): Promise<PolicyDocument | null>;
  /**
   * Creates or replaces the role's inline policy of that name. Throws `InlinePolicyQuotaError`
   * when the role's inline policies would exceed IAM's quota, `RoleNotFoundError` when the role is gone.
   */
  putRolePolicy(roleName: string, policyName: string, policy: PolicyDocument): Promise<void>;
  /** Deletes the role's inline policy of that name; an absent policy or role counts as done. */
  deleteRolePolicy(roleName: string, policyName: string): Promise<void>;
  /**
   * Idempotent; retries `ConcurrentModification`; throws `AudienceLimitExceededError` at
   * IAM's limit and `OidcProviderNotFoundError` when the account has no such provider.
   */
  addClientId(providerArn: string, clientId: string): Promise<void>;
  /** Idempotent; retries `ConcurrentModification`; a missing provider counts as done. */
  removeClientId(providerArn: string, clientId: string): Promise<void>;
  /** The provider's client IDs (audiences); `null` when the account has no such provider. */
  getProviderClientIds(providerArn: string): Promise<readonly string[] | null>;
}

/** Opens IAM in a member account; `sessionName` tells CloudTrail which execution acted. */
export type OpenMemberAccount = (accountId: string, sessionName: string) => Promise<MemberAccountIam>;

/**
 * A role as `iam:ListRoles` returns it: no tags, which the listing leaves out
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoles.html: "this operation does
 * not return … tags"); `getRole` reads them where needed.
 */
export interface ListedRole {
  readonly roleName: string;
  readonly roleId: string;
  readonly arn: string;
  readonly path: string;
  readonly trustPolicy: PolicyDocument;
  /** ISO 8601, as IAM returns `CreateDate`; `null` when absent. */
  readonly createDate: string | null;
}

/** A member account read whole, through the reader role (the sweep's inspection). */
export interface MemberAccountLister {
  /** Every role of the account, every page; throws when a page cannot be read (the account is then not read completely). */
  listRoles(): Promise<readonly ListedRole[]>;
  /**
   * Every role of the account with its inline policies, every page; throws when a page cannot be
   * read. Only roles that hold at least one inline policy are returned.
   */
  listRoleInlinePolicies(): Promise<readonly RoleInlinePolicies[]>;
}

/** A role's inline policies by name, as `iam:GetAccountAuthorizationDetails` returns them (decoded). */
export interface RoleInlinePolicies {
  readonly roleName: string;
  readonly roleId: string;
  readonly path: string;
  readonly policies: Readonly<Record<string, PolicyDocument>>;
}

export type OpenMemberAccountLister = (accountId: string, sessionName: string) => Promise<MemberAccountIam & MemberAccountLister>;
