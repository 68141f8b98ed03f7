import { NotOwnerError } from '../runtime/errors';
import type { EntraApplication, EntraDirectory } from '../entra/ports';
import type { ClientIdKind, DirectoryFacts } from './role-judgement';

/** The Graph reads the judgement needs (any service principal or application of the tenant, read with Directory.Read.All). */
export type DirectoryReader = Pick<EntraDirectory, 'findApplicationByAppId' | 'getServicePrincipal' | 'getServicePrincipalByAppId'>;

/**
 * Reads what Graph says about client IDs and subjects, once each per reader (a sweep asks about
 * the same client IDs for many roles of an account). The automation's own client IDs are
 * `platform` without asking.
 */
export class DirectoryFactsReader {
  private readonly clientIds = new Map<string, Promise<ClientIdKind>>();
  private readonly subjects = new Map<string, Promise<string | null>>();

  /** `ownClientIds`: client IDs already known to name applications of ours (the sweep's listing of Graph's record). */
  constructor(
    private readonly directory: DirectoryReader,
    private readonly platformClientIds: readonly string[],
    ownClientIds: Iterable<string> = [],
  ) {
    for (const clientId of ownClientIds) this.clientIds.set(clientId.toLowerCase(), Promise.resolve('ours'));
  }

  clientId(clientId: string): Promise<ClientIdKind> {
    const key = clientId.toLowerCase();
    let known = this.clientIds.get(key);
    if (known === undefined) {
      known = this.readClientId(key);
      this.clientIds.set(key, known);
    }
    return known;
  }

  subject(objectId: string): Promise<string | null> {
    const key = objectId.toLowerCase();
    let known = this.subjects.get(key);
    if (known === undefined) {
      known = this.directory.getServicePrincipal(key).then((sp) => sp?.appId.toLowerCase() ?? null);
      this.subjects.set(key, known);
    }
    return known;
  }

  /** The facts about these client IDs and subjects (and the client IDs of the subjects' service principals). */
  async read(named: { readonly clientIds: readonly string[]; readonly subjects: readonly string[] }): Promise<DirectoryFacts> {
    const subjects = new Map<string, string | null>();
    for (const sub of named.subjects) subjects.set(sub.toLowerCase(), await this.subject(sub));
    const clientIds = new Map<string, ClientIdKind>();
    const wanted = [...named.clientIds, ...[...subjects.values()].filter((appId): appId is string => appId !== null)];
    for (const clientId of wanted) clientIds.set(clientId.toLowerCase(), await this.clientId(clientId));
    return { clientIds, subjects };
  }

  private async readClientId(clientId: string): Promise<ClientIdKind> {
    if (this.platformClientIds.some((id) => id.toLowerCase() === clientId)) return 'platform';
    const application = await this.directory.findApplicationByAppId(clientId);
    if (application) return application.ours ? 'ours' : 'foreign-application';
    return (await this.directory.getServicePrincipalByAppId(clientId)) ? 'service-principal' : 'nothing';
  }
}

/**
 * Whether the automation still manages an application of ours (Graph's record says one of its
 * identities created it): `not-owner` when that identity is no longer among its owners. An owner
 * the role's `entra:owners` named may remove it
 * (https://learn.microsoft.com/graph/api/application-delete-owners); under
 * `Application.ReadWrite.OwnedBy`, which "cannot update any apps that it is not an owner of"
 * (https://learn.microsoft.com/graph/permissions-reference#applicationreadwriteownedby), Graph then
 * answers 403 `Authorization_RequestDenied` ("Insufficient privileges to complete the operation.")
 * to any change or delete of it (Graph's error shape, https://learn.microsoft.com/graph/errors; the
 * code and message as https://learn.microsoft.com/answers/questions/2143345 records a 403; the fake:
 * simulation/fakes/graph-errors.ts requestDenied). Reading first, rather than waiting for the 403:
 * an event on a ready role writes nothing to its application, so only a read can tell.
 * The Create, the Delete and the sweep all ask this, and only this.
 */
export type Ownership = 'owned' | 'not-owner';
export type OwnershipReader = Pick<EntraDirectory, 'ownsApplication'>;

export async function applicationOwnership(directory: OwnershipReader, application: Pick<EntraApplication, 'id'>): Promise<Ownership> {
  return (await directory.ownsApplication(application.id)) ? 'owned' : 'not-owner';
}

/** The error an event that would change or delete an application the automation no longer owns ends with (`failed:not-owner`). */
export function notOwnerError(application: Pick<EntraApplication, 'appId'>, doing: string): NotOwnerError {
  return new NotOwnerError(
    `not-owner: the automation is no longer an owner of application ${application.appId}, so it cannot ${doing}: ` +
      "an owner removed it; a tenant administrator adds the automation's service principal back (docs/operator.md#an-owner-removed-the-automation)",
  );
}
