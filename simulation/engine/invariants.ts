import { ROLE_TAGS, ACCESS, FAILED_PREFIX, federationFor } from '../../functions/shared/workflow';
import { applicationNamePrefix, applicationUniqueName } from '../../functions/shared/entra';
import { pinnedAudiences, pinnedSubjects, referencesProvider, type ProviderKeys } from '../../functions/shared/iam';
import { type ClientIdKind, type DirectoryFacts, isLiveClientId, judgeRole, namedInPolicy } from '../../functions/shared/federation';
import { AUTOMATION, DEFAULT_GATEWAY_APP_ID } from '../fakes/graph-state';
import type { AccountSnapshot } from '../fakes/iam-state';

/**
 * What must hold of IAM and Entra whatever the events, their order, their duplicates and the
 * interleaving of the executions (docs/simulate.md#invariants). The simulator checks them after
 * every run; `--check` turns a violation into exit code 3; a world file can be checked alone.
 * The checker reads only the world as it stands (the output's `iam` and `entra`), so it can
 * check a world the automation never ran on.
 *
 * Definitions, shared with the security model (docs/architecture.md#security-model):
 * - an application is **ours** when the automation's service principal created it;
 * - hand-made, brought, ours, open: the one judgement (functions/shared/federation), fed with
 *   what the world's Entra says about each client ID and `sub` (the gateway is the platform's);
 * - a role is **federated** when it trusts the tenant's provider for web identity, is not
 *   hand-made, and is not tagged `failed:<reason>` (a failed role keeps what it had, closed:
 *   its status says why).
 */

/** Every invariant, by the name a violation carries (docs/simulate.md#invariants lists them). */
export const INVARIANTS = [
  'federated-role-not-pinned',
  'pinned-to-missing-identity',
  'pinned-to-another-role',
  'client-id-without-application',
  'application-without-role',
  'role-open',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export interface Violation {
  readonly invariant: InvariantName;
  readonly accountId: string;
  readonly roleName?: string;
  readonly message: string;
}

export interface InvariantReport {
  /** What the checker looked at. */
  readonly checked: { readonly roles: number; readonly applications: number; readonly clientIds: number };
  readonly violations: Violation[];
  /**
   * Applications of ours without a role incarnation whose role had a Delete (or a Create's
   * compensation) fail in this run: its alarm fired and the runbook removes them
   * (docs/operator.md#re-running-one-role). Not violations: the failure is already reported.
   */
  readonly afterFailedDeletes: Violation[];
}

/** The world as the simulator outputs it (its `iam` and `entra`). */
export interface WorldView {
  readonly iam: Readonly<Record<string, AccountSnapshot>>;
  readonly entra: {
    readonly applications: readonly { readonly appId: string; readonly uniqueName: string | null; readonly createdBy: string }[];
    readonly servicePrincipals: readonly { readonly id: string; readonly appId: string }[];
  };
}

export interface CheckOptions {
  /**
   * `applicationNamePrefix` of every role whose Delete, or whose Create's compensation, failed
   * in the run: their leftovers are reported apart (see `afterFailedDeletes`).
   */
  readonly failedRemovals?: ReadonlySet<string>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `applicationUniqueName`: `aws-{account}-{16 hex}-{role ID, lower case}`. */
const UNIQUE_NAME = /^aws-(\d{12})-([0-9a-f]{16})-([a-z0-9]{16,128})$/;

export function checkInvariants(
  world: WorldView,
  settings: { tenantId: string; tokenVersion: 1 | 2; gatewayClientId?: string },
  options: CheckOptions = {},
): InvariantReport {
  const gatewayClientId = (settings.gatewayClientId ?? DEFAULT_GATEWAY_APP_ID).toLowerCase();
  const violations: Violation[] = [];
  const afterFailedDeletes: Violation[] = [];
  const lower = (value: string) => value.toLowerCase();
  const applications = new Map(world.entra.applications.map((app) => [lower(app.appId), app]));
  const servicePrincipals = new Map(world.entra.servicePrincipals.map((sp) => [lower(sp.id), sp]));
  const spByAppId = new Map(world.entra.servicePrincipals.map((sp) => [lower(sp.appId), sp]));
  const ours = (app: { createdBy: string } | undefined) => app?.createdBy === AUTOMATION;
  /** What the world's Entra says a client ID names, in the one judgement's vocabulary. */
  const kindOf = (clientId: string): ClientIdKind => {
    if (lower(clientId) === gatewayClientId) return 'platform';
    const app = applications.get(lower(clientId));
    if (app) return ours(app) ? 'ours' : 'foreign-application';
    return spByAppId.has(lower(clientId)) ? 'service-principal' : 'nothing';
  };
  /** A client ID names something a token can carry: the gateway, a live application, or a service principal (of another tenant's application, a managed identity). */
  const namesIdentity = (clientId: string) => isLiveClientId(kindOf(clientId));
  const factsFor = (named: { clientIds: readonly string[]; subjects: readonly string[] }): DirectoryFacts => {
    const subjects = new Map(named.subjects.map((sub) => [lower(sub), servicePrincipals.get(lower(sub))?.appId.toLowerCase() ?? null]));
    const clientIds = new Map(
      [...named.clientIds, ...[...subjects.values()].filter((id): id is string => id !== null)].map((id) => [lower(id), kindOf(id)]),
    );
    return { clientIds, subjects };
  };
  let roles = 0;
  let clientIds = 0;

  for (const [accountId, account] of Object.entries(world.iam)) {
    const federation = federationFor(settings, accountId);
    const keys: ProviderKeys = { providerArn: federation.providerArn, conditionKeyPrefix: federation.host };
    const provider = account.oidcProviders.find((p) => p.arn === federation.providerArn);
    const held = provider?.clientIds ?? [];
    const violation = (invariant: InvariantName, message: string, roleName?: string) =>
      violations.push({ invariant, accountId, ...(roleName === undefined ? {} : { roleName }), message });

    for (const clientId of held) {
      clientIds += 1;
      if (GUID.test(clientId) && !namesIdentity(clientId)) {
        violation(
          'client-id-without-application',
          `the provider holds client ID ${clientId}, which names no application or service principal in the tenant`,
        );
      }
    }

    for (const role of account.roles) {
      roles += 1;
      const policy = role.assumeRolePolicyDocument;
      const audiences = pinnedAudiences(policy, keys);
      const subjects = pinnedSubjects(policy, keys);
      const judgement = judgeRole(policy, {
        keys,
        held,
        tokenVersion: settings.tokenVersion,
        gatewayClientId,
        facts: factsFor(namedInPolicy(policy, keys)),
      });
      const failed = (role.tags[ROLE_TAGS.status] ?? '').startsWith(FAILED_PREFIX);
      const expectedName = applicationUniqueName(accountId, role.roleName, role.roleId);
      const say = (invariant: InvariantName, message: string) => violation(invariant, `role ${role.roleName}: ${message}`, role.roleName);

      if (judgement.open) {
        const flagged = role.tags[ROLE_TAGS.access] === ACCESS.open ? ' (tagged entra:access=open: the role-open alarm fired)' : '';
        say('role-open', `a web identity statement pins no sub and admits a client ID the provider holds${flagged}`);
      }

      // Pins must name identities that exist, and an application of ours only for its own role incarnation.
      if (subjects.length > 0) {
        for (const sub of subjects) {
          if (!servicePrincipals.has(lower(sub)))
            say('pinned-to-missing-identity', `sub is pinned to ${sub}, which is no live service principal`);
        }
        for (const aud of audiences.filter((value) => GUID.test(value))) {
          if (!namesIdentity(aud)) say('pinned-to-missing-identity', `aud is pinned to ${aud}, which names no live application`);
        }
      }
      for (const aud of audiences) {
        const app = applications.get(lower(aud));
        if (ours(app) && app!.uniqueName !== expectedName) {
          say(
            'pinned-to-another-role',
            `aud is pinned to the application ${app!.uniqueName ?? app!.appId} of another role or incarnation (its own would be ${expectedName})`,
          );
        }
      }
      for (const sub of subjects) {
        const app = applications.get(lower(servicePrincipals.get(lower(sub))?.appId ?? ''));
        if (ours(app) && app!.uniqueName !== expectedName) {
          say(
            'pinned-to-another-role',
            `sub is pinned to the service principal of ${app!.uniqueName ?? app!.appId}, another role's or incarnation's (its own would be ${expectedName})`,
          );
        }
      }

      if (judgement.kind !== 'not-federated' && judgement.kind !== 'hand-made' && !failed) {
        const own = world.entra.applications.find((app) => ours(app) && app.uniqueName === expectedName);
        const sp = own ? spByAppId.get(lower(own.appId)) : undefined;
        // Every statement the team did not federate by hand names, by `sub`, the identity it is
        // pinned to: a brought one (the judgement checked it is live and its audience fits), or
        // this incarnation's service principal through its own audience or the gateway.
        const pinnedToOwn = (statement: (typeof judgement.statements)[number]) =>
          own !== undefined &&
          sp !== undefined &&
          statement.subjects.length === 1 &&
          statement.subjects[0] === lower(sp.id) &&
          statement.audiences.length > 0 &&
          statement.audiences.every((aud) => aud === lower(own.appId) || aud === gatewayClientId);
        const unpinned = judgement.statements.filter(
          (statement) => statement.kind !== 'hand-made' && statement.kind !== 'brought' && !pinnedToOwn(statement),
        );
        if (unpinned.length > 0) {
          say(
            'federated-role-not-pinned',
            own
              ? `it trusts the provider and is not tagged failed, but is not pinned to aud ${own.appId} and sub ${sp?.id ?? '(no service principal)'} of its application ${expectedName} (pins aud ${JSON.stringify(audiences)}, sub ${JSON.stringify(subjects)})`
              : `it trusts the provider and is not tagged failed, but its application ${expectedName} does not exist`,
          );
        }
      }
    }
  }

  // Every application of ours belongs to a role incarnation that exists and still trusts the provider.
  const incarnations = new Map<string, { accountId: string; trusts: boolean }>();
  for (const [accountId, account] of Object.entries(world.iam)) {
    const { providerArn } = federationFor(settings, accountId);
    for (const role of account.roles) {
      incarnations.set(applicationUniqueName(accountId, role.roleName, role.roleId), {
        accountId,
        trusts: referencesProvider(role.assumeRolePolicyDocument, providerArn),
      });
    }
  }
  const ourApplications = world.entra.applications.filter((app) => ours(app));
  for (const app of ourApplications) {
    const name = app.uniqueName ?? '';
    const parsed = UNIQUE_NAME.exec(name);
    const accountId = parsed?.[1] ?? '(unknown)';
    const incarnation = incarnations.get(name);
    if (incarnation?.trusts) continue;
    const entry: Violation = {
      invariant: 'application-without-role',
      accountId,
      message: !parsed
        ? `application ${app.appId} (${name || 'no uniqueName'}) is ours but not named after a role incarnation`
        : incarnation
          ? `application ${name} belongs to a role that no longer trusts the provider`
          : `application ${name} belongs to no existing role incarnation`,
    };
    const prefix = parsed ? `aws-${parsed[1]}-${parsed[2]}-` : undefined;
    if (prefix !== undefined && options.failedRemovals?.has(prefix)) afterFailedDeletes.push(entry);
    else violations.push(entry);
  }

  return { checked: { roles, applications: ourApplications.length, clientIds }, violations, afterFailedDeletes };
}

/** The `failedRemovals` of a run: the roles whose Delete, or whose Create's compensation, failed. */
export function failedRemovalsOf(
  executions: readonly {
    readonly stateMachine: string;
    readonly status: string;
    readonly states: readonly string[];
    readonly input: { readonly accountId: string; readonly roleName: string };
  }[],
): Set<string> {
  const failed = executions.filter(
    (execution) =>
      (execution.stateMachine.endsWith('-Role-Delete') && execution.status !== 'SUCCEEDED') ||
      execution.states.includes('CompensationFailed') ||
      execution.status === 'TIMED_OUT',
  );
  return new Set(failed.map((execution) => applicationNamePrefix(execution.input.accountId, execution.input.roleName)));
}
