/**
 * Microsoft Entra ID (through Microsoft Graph), as the function cores see it. The real
 * implementation is `graph-client.ts`; tests and the simulator inject in-memory or loopback ones.
 */

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
  /** The role incarnation it is for: what the automation's own record of the creation says (records.ts). */
  readonly role?: { readonly account: string; readonly roleName: string; readonly roleId: string };
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

/** How setting a service principal's `accountEnabled` went; `refused` carries Graph's error code (403: not the automation's). */
export type SetAccountEnabledOutcome = 'done' | 'not-found' | { readonly refused: string };

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
  /**
   * Whether the automation identity that manages the application is among its owners
   * (https://learn.microsoft.com/graph/api/application-list-owners); `false` only for an
   * application that exists (one deleted meanwhile is nobody's refusal): under
   * `Application.ReadWrite.OwnedBy` it can change or delete only what it owns. Read it through
   * `applicationOwnership` (shared/federation), the one judgement of it.
   */
  ownsApplication(applicationObjectId: string): Promise<boolean>;
  /** Adds a user as owner of the application. */
  addOwner(applicationObjectId: string, userObjectId: string): Promise<AddOwnerOutcome>;
  /** Adds a federated identity credential (audience `api://AzureADTokenExchange`) to an application of ours. */
  addFederatedCredential(applicationObjectId: string, credential: FederatedCredentialSpec): Promise<AddFederatedCredentialOutcome>;
  /** A live service principal of the tenant by object ID, whoever created it, or `null`. */
  getServicePrincipal(objectId: string): Promise<DirectoryServicePrincipal | null>;
  /** The live service principal of a client ID, whoever made it (it may have no application in the tenant), or `null`. */
  getServicePrincipalByAppId(appId: string): Promise<DirectoryServicePrincipal | null>;
  /**
   * The unique names of the automation's own live applications (by the proof of creation) that
   * start with `prefix`: what the account cap counts, so that names a tenant user registers under
   * an account's prefix never fill it (issue 17, item 6).
   */
  ownApplicationNamesWithPrefix(prefix: string): Promise<readonly string[]>;
  /** Enables or disables (`accountEnabled`) a service principal the automation owns. */
  setServicePrincipalEnabled(objectId: string, enabled: boolean): Promise<SetAccountEnabledOutcome>;
}

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
