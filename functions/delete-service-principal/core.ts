import * as z from 'zod/mini';
import {
  ROLE_TAGS,
  applicationResultSchema,
  failureSchema,
  workflowInputSchema,
  type DeletedResult,
  alarmFor,
  federationFor,
  sessionNameFor,
} from '../shared/workflow';
import type { HandlerDeps } from '../shared/runtime';
import { applicationNamePrefix, applicationUniqueName, type EntraApplication, type EntraDirectory } from '../shared/entra';
import { type OpenMemberAccount, pinnedAudiences, pinnedSubjects, type ProviderKeys } from '../shared/iam';
import { applicationOwnership, isFederation, notOwnerError } from '../shared/federation';

export const FUNCTION_NAME = 'delete-service-principal';

/**
 * `failure` is present when the Create machine compensates (RemoveApplication); `application`
 * too when its first step had returned.
 */
export const inputSchema = z.extend(workflowInputSchema, {
  failure: z.optional(failureSchema),
  application: z.optional(applicationResultSchema),
});
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: { readonly tenantId: string; readonly tokenVersion: 1 | 2 };
  readonly openAccount: OpenMemberAccount;
  readonly directory: EntraDirectory;
}

/**
 * Deletes and purges what the automation still owns; an application an owner took the automation
 * off cannot be deleted (Graph answers 403): the others go, then the execution fails with
 * `NotOwnerError` naming it (its alarm line), and the sweep keeps reporting it (`not-owner`).
 */
async function remove(deps: Deps, applications: readonly EntraApplication[]): Promise<{ deleted: DeletedResult }> {
  const notOwned: EntraApplication[] = [];
  const appIds: string[] = [];
  for (const application of applications) {
    if ((await applicationOwnership(deps.directory, application)) === 'not-owner') {
      notOwned.push(application);
      continue;
    }
    await deps.directory.deleteApplication(application);
    appIds.push(application.appId);
    deps.logger.info('application and service principal deleted and purged', {
      appId: application.appId,
      uniqueName: application.uniqueName,
    });
  }
  const [first] = notOwned;
  if (first) {
    const error = notOwnerError(first, "delete it: it and its service principal stay against the automation's quota");
    deps.logger.error('an application the automation no longer owns cannot be deleted', {
      alarm: alarmFor('not-owner'),
      appIds: notOwned.map((application) => application.appId),
      deleted: appIds,
      error,
    });
    throw error;
  }
  return { deleted: { appIds, any: appIds.length > 0 } };
}

/**
 * Whether the role's trust policy relies on the application: its `aud` is the application's
 * client ID (the per-role audience), or its `sub` is the application's service principal
 * (behind the gateway audience, docs/architecture.md#audience-modes).
 */
async function isPinnedTo(
  deps: Deps,
  policy: Parameters<typeof pinnedAudiences>[0],
  keys: ProviderKeys,
  application: EntraApplication,
): Promise<boolean> {
  if (pinnedAudiences(policy, keys).includes(application.appId)) return true;
  for (const subject of pinnedSubjects(policy, keys)) {
    if ((await deps.directory.getServicePrincipal(subject))?.appId === application.appId.toLowerCase()) return true;
  }
  return false;
}

/**
 * Delete: removes every application of ours made for this role name, except the one of the
 * incarnation that exists now and still trusts the provider (events arrive late and out of
 * order: a DeleteRole delivered after the role was re-created must not break the new role).
 *
 * Compensation (a failed Create): removes only the application this execution's own request
 * created (`created`: Graph answered 201 Created), of the role incarnation it worked on, and only
 * when no trust policy relies on it. An application it found, a `ready` role's, is kept with its
 * audience whatever failed and whatever the team's new document says. When the execution cannot know its incarnation (an UpdateAssumeRolePolicy whose
 * first step failed) or the role was re-created since, nothing is deleted: another
 * incarnation's application may be about to be pinned by its own Create; an application left
 * unpinned is found again by the next run of the role, or the role's Delete.
 */
export async function deleteIdentity(deps: Deps, input: Input): Promise<{ deleted: DeletedResult }> {
  const { accountId, roleName, eventId } = input;
  const federation = federationFor(deps.settings, accountId);
  const keys = { providerArn: federation.providerArn, conditionKeyPrefix: federation.host };
  const iam = await deps.openAccount(accountId, sessionNameFor(FUNCTION_NAME, eventId));
  const role = await iam.getRole(roleName);

  if (input.failure) {
    const incarnation = input.application?.outcome === 'registered' ? input.application.roleId : input.roleId;
    // Gone: the role's Delete execution removes every incarnation's application.
    if (!role) return { deleted: { appIds: [], any: false } };
    if (incarnation !== role.roleId) {
      deps.logger.info('compensation: not the incarnation this execution worked on (or unknown); nothing deleted', {
        incarnation,
        roleId: role.roleId,
      });
      return { deleted: { appIds: [], any: false } };
    }
    // Only what this execution's own request created (Graph answered 201 Created to it): an
    // application it found (a ready role's, a retry's) is kept with its audience through any
    // failure, whatever the team's new trust policy says; it goes when the role is deleted or
    // leaves federation.
    const application = input.application;
    if (application?.outcome !== 'registered' || !application.created) {
      deps.logger.info('compensation: this execution created no application; nothing deleted', {
        appId: application?.outcome === 'registered' ? application.appId : undefined,
      });
      return { deleted: { appIds: [], any: false } };
    }
    const current = await deps.directory.findOwnApplication(applicationUniqueName(accountId, roleName, role.roleId));
    if (!current || current.appId !== application.appId) return { deleted: { appIds: [], any: false } };
    if (await isPinnedTo(deps, role.trustPolicy, keys, current)) {
      deps.logger.info('the role is pinned to its application; compensation keeps it', { appId: current.appId });
      return { deleted: { appIds: [], any: false } };
    }
    return remove(deps, [current]);
  }

  const federated = role !== null && isFederation(role.trustPolicy, federation.providerArn);
  const keep = federated ? applicationUniqueName(accountId, roleName, role.roleId) : undefined;
  if (keep) deps.logger.info("the role exists and trusts the tenant's provider; its current application is kept", { keep });
  const applications = await deps.directory.findOwnApplications(applicationNamePrefix(accountId, roleName));
  const { deleted } = await remove(
    deps,
    applications.filter((application) => application.uniqueName !== keep),
  );
  // The role still exists, was federated to an identity (its tags name one) and no longer trusts
  // the provider: its team took it out of federation, and the sessions issued before must go too.
  const leftFederation = role !== null && !federated && role.tags[ROLE_TAGS.servicePrincipalId] !== undefined;
  return { deleted: { ...deleted, revokeOlderSessions: leftFederation } };
}
