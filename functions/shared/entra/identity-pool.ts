import { createHash } from 'node:crypto';
import { ApplicationNameTakenError, EntraQuotaExceededError } from '../runtime/errors';
import type { GraphDirectory } from './graph-client';
import type {
  AddFederatedCredentialOutcome,
  AddOwnerOutcome,
  SetAccountEnabledOutcome,
  ApplicationSpec,
  DirectoryServicePrincipal,
  EntraApplication,
  EntraDirectory,
  FederatedCredentialSpec,
  RegisteredApplication,
} from './ports';

/**
 * The automation's identities as one `EntraDirectory` (docs/operator.md#the-creator-quota).
 *
 * Entra limits what one principal without an administrator role may create to 250 directory
 * objects, soft-deleted ones included
 * (https://learn.microsoft.com/entra/identity/users/directory-service-limits-restrictions), and
 * every role with an application of its own costs two. The one documented way around it, a
 * custom role with `microsoft.directory/applications/create`, makes the creator no owner of
 * what it creates (https://learn.microsoft.com/entra/identity/role-based-access-control/quickstart-app-registration-limits,
 * "App registration permissions"), so `Application.ReadWrite.OwnedBy` could no longer manage
 * it. Several identities, each with the same least privilege and its own quota, scale instead:
 *
 * - a role's applications are created by its **preferred** identity, chosen by a hash of the
 *   account and the role name (`preferredIdentity`), so every incarnation of a role name has
 *   the same one; once that identity has used its configured share of the quota, the next one
 *   in the pool creates instead; once every identity has, the Create ends `failed:entra-quota`
 *   (and its alarm fires);
 * - "ours" stays Graph's own record: an application is the automation's when **one of its
 *   identities** created it (`createdObjects`). Every later write goes through that identity,
 *   the only one that owns it. With more than one identity, the application's owners tell which
 *   identities to ask first (owners are only a hint: the proof is `createdObjects`); an application
 *   none of them owns any more cannot be managed by the automation and counts as not ours.
 *
 * With one identity and the whole quota usable this is exactly the single GraphDirectory.
 */
export interface IdentityPoolOptions {
  /** The identities; the first is the deployment's original one (its client ID is `AUTOMATION_CLIENT_ID`). */
  readonly members: readonly GraphDirectory[];
  /**
   * Objects each identity may have created before the pool moves on (share × creator quota).
   * `Infinity` leaves the limit to Graph, which refuses at the quota (`Directory_QuotaExceeded`).
   */
  readonly usableObjectsPerIdentity: number;
  /** Warns when an identity is full and the next one takes over. */
  readonly onIdentityFull?: (index: number, used: number) => void;
}

/** Objects one new role costs: its application and its service principal. */
const OBJECTS_PER_ROLE = 2;

/**
 * The identity (0-based) that creates the applications of a role: SHA-256 of the application
 * name prefix `aws-{account}-{role key}-` (naming.ts), which every incarnation of one role name
 * shares, so the choice never depends on the incarnation.
 */
export function preferredIdentity(uniqueNameOrPrefix: string, poolSize: number): number {
  if (poolSize <= 1) return 0;
  const prefix = /^aws-\d{12}-[0-9a-f]{16}-/.exec(uniqueNameOrPrefix)?.[0] ?? uniqueNameOrPrefix;
  return createHash('sha256').update(prefix, 'utf8').digest().readUInt32BE(0) % poolSize;
}

export class AutomationIdentityPool implements EntraDirectory {
  private readonly members: readonly GraphDirectory[];
  /** Which identity created an application, by object ID and by client ID, as learnt in this invocation. */
  private readonly creators = new Map<string, number>();

  constructor(private readonly options: IdentityPoolOptions) {
    if (options.members.length === 0) throw new Error('AutomationIdentityPool: at least one identity');
    this.members = options.members;
  }

  get size(): number {
    return this.members.length;
  }

  private get first(): GraphDirectory {
    return this.members[0];
  }

  private remember(index: number, application: EntraApplication): void {
    this.creators.set(application.id.toLowerCase(), index);
    this.creators.set(application.appId.toLowerCase(), index);
  }

  /** The identities in the order a role's application is created by: its preferred one first. */
  private order(uniqueName: string): number[] {
    const start = preferredIdentity(uniqueName, this.size);
    return this.members.map((_, i) => (start + i) % this.size);
  }

  private async hasRoom(index: number): Promise<boolean> {
    if (!Number.isFinite(this.options.usableObjectsPerIdentity)) return true;
    const used = await this.members[index].createdObjectCount();
    if (used + OBJECTS_PER_ROLE <= this.options.usableObjectsPerIdentity) return true;
    this.options.onIdentityFull?.(index, used);
    return false;
  }

  /**
   * Which identity created the object, or `null` when none did: those among the owners first, by
   * Graph's record each. For an application, the identity's own record counts too
   * (`isOwnApplication`: issue 20, reading 2). Only asked with several identities: every caller
   * hands a single identity's question to it directly.
   */
  private async creatorOf(object: string | EntraApplication): Promise<number | null> {
    const objectId = typeof object === 'string' ? object : object.id;
    const proves = (member: GraphDirectory) =>
      typeof object === 'string' ? member.isCreatedByAutomation(objectId) : member.isOwnApplication(object);
    const known = this.creators.get(objectId.toLowerCase());
    if (known !== undefined) return known;
    const owners = new Set(await this.first.ownerIds(objectId));
    if (owners.size === 0) return null;
    for (const [index, member] of this.members.entries()) {
      if (!owners.has(await member.ownServicePrincipalId())) continue;
      if (await proves(member)) {
        this.creators.set(objectId.toLowerCase(), index);
        return index;
      }
    }
    return null;
  }

  private async memberFor(application: { readonly id: string } | { readonly appId: string }): Promise<GraphDirectory> {
    if (this.size === 1) return this.first;
    const key = ('id' in application ? application.id : application.appId).toLowerCase();
    const known = this.creators.get(key);
    if (known !== undefined) return this.members[known];
    const app = 'id' in application ? { id: application.id } : await this.first.readApplication({ appId: application.appId });
    const index = app ? await this.creatorOf(app.id) : null;
    // Not any identity's: the first one's request gets Graph's own refusal.
    return this.members[index ?? 0];
  }

  async registerApplication(spec: ApplicationSpec): Promise<RegisteredApplication> {
    const full: number[] = [];
    for (const index of this.order(spec.uniqueName)) {
      if (!(await this.hasRoom(index))) {
        full.push(index);
        continue;
      }
      try {
        const registered = await this.members[index].registerApplication(spec);
        this.remember(index, registered.application);
        return registered;
      } catch (error) {
        if (error instanceof EntraQuotaExceededError) {
          this.options.onIdentityFull?.(index, Number.NaN);
          full.push(index);
          continue;
        }
        // Held by an application this identity did not create: maybe another identity did
        // (a retry after the preferred one filled up).
        if (error instanceof ApplicationNameTakenError && this.size > 1) {
          const existing = await this.first.readApplication({ uniqueName: spec.uniqueName });
          const creator = existing ? await this.creatorOf(existing) : null;
          if (existing && creator !== null) {
            this.remember(creator, existing);
            return { application: existing, created: false };
          }
        }
        throw error;
      }
    }
    throw new EntraQuotaExceededError(
      `every automation identity (${this.size}) has used its share of the Entra creator quota (${full.length} full): ` +
        'purge soft-deleted objects, delete unused federated roles, or add automation identities (entra.automationIdentities, docs/operator.md#the-creator-quota).',
    );
  }

  async ensureServicePrincipal(appId: string): Promise<string> {
    return (await this.memberFor({ appId })).ensureServicePrincipal(appId);
  }

  async findOwnApplication(uniqueName: string): Promise<EntraApplication | null> {
    if (this.size === 1) return this.first.findOwnApplication(uniqueName);
    const app = await this.first.readApplication({ uniqueName });
    const creator = app ? await this.creatorOf(app) : null;
    if (!app || creator === null) return null;
    this.remember(creator, app);
    return app;
  }

  async findOwnApplications(uniqueNamePrefix: string): Promise<readonly EntraApplication[]> {
    if (this.size === 1) return this.first.findOwnApplications(uniqueNamePrefix);
    const candidates = await this.first.applicationsWithPrefix(uniqueNamePrefix);
    if (candidates === null) {
      // The tenant refuses the filter: each identity lists what it created (and what its records prove).
      const lists = await Promise.all(this.members.map((member) => member.findOwnApplications(uniqueNamePrefix)));
      // Each list holds only names with the prefix (GraphDirectory.findOwnApplications).
      return lists.flatMap((apps, index) =>
        apps.map((app) => {
          this.remember(index, app);
          return app;
        }),
      );
    }
    const ours: EntraApplication[] = [];
    for (const app of candidates) {
      const creator = await this.creatorOf(app);
      if (creator === null) continue;
      this.remember(creator, app);
      ours.push(app);
    }
    return ours;
  }

  async findApplicationByAppId(appId: string): Promise<{ application: EntraApplication; ours: boolean } | null> {
    if (this.size === 1) return this.first.findApplicationByAppId(appId);
    const app = await this.first.readApplication({ appId });
    if (!app) return null;
    const creator = await this.creatorOf(app);
    if (creator !== null) this.remember(creator, app);
    return { application: app, ours: creator !== null };
  }

  async deleteApplication(application: EntraApplication): Promise<void> {
    return (await this.memberFor(application)).deleteApplication(application);
  }

  // The identity that created it is the one that must own it (memberFor: the first one when none
  // of them owns it any more, whose answer is then false).
  async ownsApplication(applicationObjectId: string): Promise<boolean> {
    return (await this.memberFor({ id: applicationObjectId })).ownsApplication(applicationObjectId);
  }

  async addOwner(applicationObjectId: string, userObjectId: string): Promise<AddOwnerOutcome> {
    return (await this.memberFor({ id: applicationObjectId })).addOwner(applicationObjectId, userObjectId);
  }

  async addFederatedCredential(applicationObjectId: string, credential: FederatedCredentialSpec): Promise<AddFederatedCredentialOutcome> {
    return (await this.memberFor({ id: applicationObjectId })).addFederatedCredential(applicationObjectId, credential);
  }

  async getServicePrincipal(objectId: string): Promise<DirectoryServicePrincipal | null> {
    return this.first.getServicePrincipal(objectId);
  }

  /** Through the identity that created the service principal's application: only its owner may write it. */
  async setServicePrincipalEnabled(objectId: string, enabled: boolean): Promise<SetAccountEnabledOutcome> {
    if (this.size === 1) return this.first.setServicePrincipalEnabled(objectId, enabled);
    const sp = await this.first.getServicePrincipal(objectId);
    if (!sp) return 'not-found';
    return (await this.memberFor({ appId: sp.appId })).setServicePrincipalEnabled(objectId, enabled);
  }

  async getServicePrincipalByAppId(appId: string): Promise<DirectoryServicePrincipal | null> {
    return this.first.getServicePrincipalByAppId(appId);
  }

  /** Every identity's own, each from its `createdObjects`. */
  async ownApplicationNamesWithPrefix(prefix: string): Promise<readonly string[]> {
    const lists = await Promise.all(this.members.map((member) => member.ownApplicationNamesWithPrefix(prefix)));
    return lists.flat();
  }
}
