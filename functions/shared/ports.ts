/**
 * The two remote systems the function cores talk to, as the cores see them. The real
 * implementations are `graph-client.ts` (Microsoft Graph) and `iam.ts` (AWS IAM in a
 * member account); tests and the simulator inject in-memory or loopback ones.
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

export interface EntraApplication {
  /** Directory object ID (`/applications/{id}`). */
  readonly id: string;
  /** Client ID: the audience the workload's tokens carry. */
  readonly appId: string;
  readonly uniqueName: string;
  readonly displayName: string;
}

export interface ApplicationSpec {
  readonly uniqueName: string;
  readonly displayName: string;
  readonly notes: string;
  /** v1 (`sts.windows.net`) or v2 (`login.microsoftonline.com/…/v2.0`) access tokens. */
  readonly tokenVersion: 1 | 2;
}

/** An application the automation proved it created itself, and whether this call created it. */
export interface RegisteredApplication {
  readonly application: EntraApplication;
  readonly created: boolean;
}

/** How adding one owner went; `refused` carries Graph's error code (e.g. `Authorization_RequestDenied`). */
export type AddOwnerOutcome = 'added' | 'already-owner' | 'not-found' | { readonly refused: string };

/** A service principal of the tenant, whoever made it (an application's, a managed identity…). */
export interface DirectoryServicePrincipal {
  /** Object ID: the `sub` of its app-only tokens. */
  readonly id: string;
  /** Client ID. */
  readonly appId: string;
  readonly displayName: string;
  /** `Application`, `ManagedIdentity`, `Legacy`, `SocialIdp` (https://learn.microsoft.com/graph/api/resources/serviceprincipal). */
  readonly servicePrincipalType: string;
}

/** A federated identity credential: Entra accepts the `issuer`'s tokens for `subject` as the application. */
export interface FederatedCredentialSpec {
  /** 1–120 URL-friendly characters, unique on the application. */
  readonly name: string;
  /** The external token's `iss`, an https URL. */
  readonly issuer: string;
  /** The external token's `sub`. */
  readonly subject: string;
}

/**
 * How adding one federated identity credential went: `already-present` when one of that name
 * with the same issuer and subject exists (a retry), `conflict` when one of that name says
 * something else; `refused` carries Graph's error code.
 */
export type AddFederatedCredentialOutcome = 'added' | 'already-present' | 'conflict' | { readonly refused: string };

/**
 * The part of Microsoft Graph the automation uses, with retries and error mapping inside.
 *
 * "Ours" means created by the automation's own service principal, as Graph records it
 * (`/servicePrincipals/{id}/createdObjects`), never who owns an application today: a
 * tenant user can make the automation a co-owner of an application of their own.
 */
export interface EntraDirectory {
  /**
   * Creates the application under `spec.uniqueName`, or returns the existing one when the
   * automation created it (a retry). Never modifies an application it did not create:
   * throws `ApplicationNameTakenError` instead; `EntraQuotaExceededError` at the quota.
   */
  registerApplication(spec: ApplicationSpec): Promise<RegisteredApplication>;
  /** Creates the service principal unless it exists; retries replication lag. Returns its object ID. */
  ensureServicePrincipal(appId: string): Promise<string>;
  /** The automation's live application with that unique name, or `null` (none, or not ours). */
  findOwnApplication(uniqueName: string): Promise<EntraApplication | null>;
  /** The automation's live applications whose unique name starts with `prefix`. */
  findOwnApplications(uniqueNamePrefix: string): Promise<readonly EntraApplication[]>;
  /** The live application with that client ID, whoever created it, and whether the automation did. */
  findApplicationByAppId(appId: string): Promise<{ readonly application: EntraApplication; readonly ours: boolean } | null>;
  /**
   * Soft-deletes the application (its service principal goes with it), then purges both
   * from `directory/deletedItems`, where they would keep counting against the quota.
   * Missing objects count as done.
   */
  deleteApplication(application: EntraApplication): Promise<void>;
  /** Adds a user as owner of the application. */
  addOwner(applicationObjectId: string, userObjectId: string): Promise<AddOwnerOutcome>;
  /** Adds a federated identity credential (audience `api://AzureADTokenExchange`) to an application of ours. */
  addFederatedCredential(applicationObjectId: string, credential: FederatedCredentialSpec): Promise<AddFederatedCredentialOutcome>;
  /** A live service principal of the tenant by object ID, whoever created it, or `null`. */
  getServicePrincipal(objectId: string): Promise<DirectoryServicePrincipal | null>;
  /** The unique names of the live applications (anyone's) that start with `prefix`. */
  applicationNamesWithPrefix(prefix: string): Promise<readonly string[]>;
}

// ---------------------------------------------------------------------------------------
// What the sweep reads besides the above (docs/architecture.md#the-sweep).
// ---------------------------------------------------------------------------------------

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
}

export type OpenMemberAccountLister = (accountId: string, sessionName: string) => Promise<MemberAccountIam & MemberAccountLister>;

/** An application the automation created, as the sweep lists them. */
export interface InventoryApplication extends EntraApplication {
  /** ISO 8601; `null` when Graph did not say. */
  readonly createdDateTime: string | null;
}

/** A soft-deleted application or service principal in `directory/deletedItems`. */
export interface DeletedItem {
  readonly kind: 'application' | 'servicePrincipal';
  readonly id: string;
  readonly appId: string;
  /** Applications only. */
  readonly uniqueName: string | null;
}

/**
 * The automation's objects in Entra, listed once per sweep, every page at Graph's maximum of
 * 999 objects (https://learn.microsoft.com/graph/paging).
 */
export interface EntraInventory {
  /** Every live application the automation's service principal created (its `createdObjects`). */
  listOwnApplications(): Promise<readonly InventoryApplication[]>;
  /** Every live service principal it created: `{ id, appId }`. */
  listOwnServicePrincipals(): Promise<readonly { readonly id: string; readonly appId: string }[]>;
  /** Every soft-deleted application, or service principal, of the tenant. */
  listDeletedItems(kind: DeletedItem['kind']): Promise<readonly DeletedItem[]>;
  /** Whether Graph's record (`createdObjects`) says the automation created this object. */
  isOwnObject(objectId: string): Promise<boolean>;
  /** Purges one soft-deleted object; one already gone counts as done. */
  purgeDeletedItem(objectId: string): Promise<void>;
}

/** One account where the member baseline's StackSet has a stack instance. */
export interface BaselineInstance {
  readonly accountId: string;
  /** `CURRENT`, `OUTDATED` or `INOPERABLE` (StackInstanceSummary.Status). */
  readonly status: string;
  /** `SUCCEEDED`, `FAILED`, `RUNNING`… (StackInstanceComprehensiveStatus.DetailedStatus), when known. */
  readonly detailedStatus?: string;
}

/** Where the member baseline is deployed: every account the sweep covers. */
export interface BaselineAccounts {
  list(): Promise<readonly BaselineInstance[]>;
}

/** JSON objects under the sweep's bucket (the items, the map results, the report). */
export interface SweepStore {
  readonly bucket: string;
  putJson(key: string, value: unknown): Promise<void>;
  /** Throws when the object does not exist or is not JSON. */
  getJson(key: string): Promise<unknown>;
}
