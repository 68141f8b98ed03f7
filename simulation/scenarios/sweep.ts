import { applicationUniqueName } from '../../functions/shared/entra';
import {
  REVOKE_SESSIONS_POLICY_NAME,
  revokeOlderSessionsPolicy,
  type PolicyDocument,
  type PolicyStatement,
} from '../../functions/shared/iam';
import type { FederationConfigInput } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';

/**
 * The sweep scenarios of docs/simulate.md#sweep-scenarios: worlds that `npm run simulate --
 * --world … --sweep report|repair` sweeps (no events needed), and the generated world of the
 * benchmark. `npm run scenarios:write` writes the scenarios under simulation/examples/sweep/; a
 * test checks the files are these and runs each against its expectation
 * (__tests__/simulation/sweep-scenarios.test.ts).
 */

export interface SweepScenario {
  /** Directory name under simulation/examples/sweep/. */
  readonly name: string;
  readonly shows: string;
  readonly world: object;
  /** A configuration of its own (written as config.json), when the scenario needs one. */
  readonly config?: FederationConfigInput;
}

const TENANT = EXAMPLE_CONFIG.entra.tenantId;
const HOST = `sts.windows.net/${TENANT}/`;
const V2_HOST = `login.microsoftonline.com/${TENANT}/v2.0`;
export const SWEEP_ACCOUNTS = { a: '222222222222', b: '333333333333', c: '444444444444', outside: '555555555555' } as const;
const providerArn = (account: string) => `arn:aws:iam::${account}:oidc-provider/${HOST}`;
export const provider = (clientIds: string[] = []) => ({ url: `https://${HOST}`, clientIds });

const statement = (account: string, conditions?: Record<string, Record<string, string>>): PolicyStatement => ({
  Effect: 'Allow',
  Principal: { Federated: providerArn(account) },
  Action: 'sts:AssumeRoleWithWebIdentity',
  ...(conditions ? { Condition: conditions } : {}),
});
const policy = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
/** As an app team writes it, before (or without) the automation. */
export const placeholderPolicy = (account: string) => policy(statement(account, { StringEquals: { [`${HOST}:aud`]: 'api://replace-me' } }));
/** As the automation writes it. */
export const pinnedPolicy = (account: string, appId: string, servicePrincipalId: string) =>
  policy(statement(account, { StringEquals: { [`${HOST}:aud`]: appId, [`${HOST}:sub`]: servicePrincipalId } }));
/** The tags of a ready role. */
export const readyTags = (appId: string, servicePrincipalId: string) => ({
  'entra:client-id': appId,
  'entra:tenant-id': TENANT,
  'entra:service-principal-id': servicePrincipalId,
  'entra:federation-status': 'ready',
  'entra:access': 'pinned',
});
const ec2Role = (roleName: string) => ({
  roleName,
  assumeRolePolicyDocument: policy({
    Effect: 'Allow',
    Principal: { Service: 'ec2.amazonaws.com' },
    Action: 'sts:AssumeRole',
  } as PolicyStatement),
});

/** Object IDs and client IDs, made up and readable. */
export const SWEEP_IDS = {
  readyApp: 'a0000000-0000-4000-8000-0000000000a1',
  readyAppObject: 'a0000000-0000-4000-8000-0000000000b1',
  readySp: 'a0000000-0000-4000-8000-0000000000c1',
  orphanApp: 'a0000000-0000-4000-8000-0000000000a2',
  orphanAppObject: 'a0000000-0000-4000-8000-0000000000b2',
  orphanSp: 'a0000000-0000-4000-8000-0000000000c2',
  spLessApp: 'a0000000-0000-4000-8000-0000000000a3',
  spLessAppObject: 'a0000000-0000-4000-8000-0000000000b3',
  goneSp: 'a0000000-0000-4000-8000-0000000000c3',
  purgedApp: 'a0000000-0000-4000-8000-0000000000a4',
  purgedSp: 'a0000000-0000-4000-8000-0000000000c4',
  deadClientId: 'dead0000-0000-4000-8000-00000000dead',
  deletedApp: 'a0000000-0000-4000-8000-0000000000a5',
  deletedAppObject: 'a0000000-0000-4000-8000-0000000000b5',
  deletedSp: 'a0000000-0000-4000-8000-0000000000c5',
  handMadeOwner: '4a000000-0000-4000-8000-00000000004a',
  handMadeApp: '4a000000-0000-4000-8000-0000000000a4',
  handMadeAppObject: '4a000000-0000-4000-8000-0000000000b4',
  handMadeSp: '4a000000-0000-4000-8000-0000000000c4',
  squatter: '5a000000-0000-4000-8000-00000000005a',
  squatterApp: '5a000000-0000-4000-8000-0000000000a1',
  squatterAppObject: '5a000000-0000-4000-8000-0000000000b1',
  squatterDeletedApp: '5a000000-0000-4000-8000-0000000000a2',
  squatterDeletedAppObject: '5a000000-0000-4000-8000-0000000000b2',
} as const;

/** IAM role IDs: `AROA` + 17 capitals or digits. */
export const SWEEP_ROLE_IDS = {
  ready: 'AROAREADYREADYREADY01',
  gone: 'AROAGONEGONEGONEGONE1',
  spLess: 'AROASPLESSSPLESSSPLE1',
  purged: 'AROAPURGEDPURGEDPURG1',
  deleted: 'AROADELETEDDELETEDDE1',
  squatted: 'AROASQUATTEDSQUATTED1',
} as const;

const app = (account: string, roleName: string, roleId: string, appId: string, id: string, servicePrincipalId?: string) => ({
  id,
  appId,
  uniqueName: applicationUniqueName(account, roleName, roleId),
  displayName: `web-identity-${account}-${roleName}`,
  ...(servicePrincipalId ? { servicePrincipalId } : {}),
});

function dayOne(): SweepScenario {
  const { a, b } = SWEEP_ACCOUNTS;
  return {
    name: 'day-one',
    shows:
      'Roles created before the automation was installed, never seen as events: report lists them and changes nothing; repair federates each through the Create workflow; a second repair changes nothing.',
    world: {
      accounts: {
        [a]: {
          roles: [
            { roleName: 'payments-ci', assumeRolePolicyDocument: placeholderPolicy(a) },
            { roleName: 'data-export', path: '/teams/data/', assumeRolePolicyDocument: placeholderPolicy(a) },
            ec2Role('batch-worker'),
          ],
          oidcProviders: [provider()],
        },
        [b]: { roles: [{ roleName: 'deployer', assumeRolePolicyDocument: placeholderPolicy(b) }], oidcProviders: [provider()] },
      },
    },
  };
}

function drift(): SweepScenario {
  const { a } = SWEEP_ACCOUNTS;
  const I = SWEEP_IDS;
  const R = SWEEP_ROLE_IDS;
  return {
    name: 'drift',
    shows:
      'What lost events and failures leave behind: an orphan application, a dead client ID, a pin naming a service principal that is gone, a pin naming an application that is gone, a role stuck in a retryable failure, and one refused for a reason its trust policy still has. Repair fixes the first five and leaves the refused role; a second repair changes nothing.',
    world: {
      accounts: {
        [a]: {
          roles: [
            {
              roleName: 'ready-role',
              roleId: R.ready,
              assumeRolePolicyDocument: pinnedPolicy(a, I.readyApp, I.readySp),
              tags: readyTags(I.readyApp, I.readySp),
            },
            {
              roleName: 'ledger-writer',
              roleId: R.spLess,
              assumeRolePolicyDocument: pinnedPolicy(a, I.spLessApp, I.goneSp),
              tags: readyTags(I.spLessApp, I.goneSp),
            },
            {
              roleName: 'audit-reader',
              roleId: R.purged,
              assumeRolePolicyDocument: pinnedPolicy(a, I.purgedApp, I.purgedSp),
              tags: readyTags(I.purgedApp, I.purgedSp),
            },
            {
              roleName: 'flaky-role',
              assumeRolePolicyDocument: placeholderPolicy(a),
              tags: { 'entra:federation-status': 'failed:graph-throttled', 'entra:access': 'closed' },
            },
            {
              roleName: 'wide-open',
              assumeRolePolicyDocument: policy((placeholderPolicy(a).Statement as PolicyStatement[])[0]!, {
                Effect: 'Allow',
                Principal: '*',
                Action: 'sts:AssumeRole',
              }),
              tags: { 'entra:federation-status': 'failed:wildcard', 'entra:access': 'closed' },
            },
          ],
          oidcProviders: [provider([I.readyApp, I.orphanApp, I.spLessApp, I.purgedApp, I.deadClientId])],
        },
      },
      entra: {
        applications: [
          app(a, 'ready-role', R.ready, I.readyApp, I.readyAppObject, I.readySp),
          // Its role (incarnation AROAGONE…) was deleted and the DeleteRole event never arrived.
          app(a, 'deleted-role', R.gone, I.orphanApp, I.orphanAppObject, I.orphanSp),
          // Its service principal was deleted by hand.
          app(a, 'ledger-writer', R.spLess, I.spLessApp, I.spLessAppObject),
        ],
      },
    },
  };
}

function deletionCap(): SweepScenario {
  const { a } = SWEEP_ACCOUNTS;
  const orphans = [1, 2, 3].map((n) => ({
    id: `a0000000-0000-4000-8000-00000000010${n}`,
    appId: `a0000000-0000-4000-8000-00000000020${n}`,
    uniqueName: applicationUniqueName(a, `old-role-${n}`, `AROAOLDROLEOLDROLE00${n}`),
    displayName: `web-identity-${a}-old-role-${n}`,
  }));
  return {
    name: 'deletion-cap',
    shows:
      'A repair that would delete more than the cap (here 2) deletes none of them, reports each as withheld with an over-deletion-cap finding (and the alarm metric), and still federates.',
    world: {
      accounts: {
        [a]: {
          roles: [{ roleName: 'payments-ci', assumeRolePolicyDocument: placeholderPolicy(a) }],
          oidcProviders: [provider(orphans.map((o) => o.appId))],
        },
      },
      entra: { applications: orphans },
    },
    config: { ...EXAMPLE_CONFIG, sweep: { deletionCap: 2 } },
  };
}

function unreadableAccount(): SweepScenario {
  const { a, b, c, outside } = SWEEP_ACCOUNTS;
  const orphan = (account: string, n: number) => ({
    id: `a0000000-0000-4000-8000-00000000030${n}`,
    appId: `a0000000-0000-4000-8000-00000000040${n}`,
    uniqueName: applicationUniqueName(account, 'deleted-role', `AROAGONEGONEGONEGON${n}0`),
    displayName: `web-identity-${account}-deleted-role`,
  });
  return {
    name: 'unreadable-account',
    shows:
      "An account whose member roles cannot be assumed, and an account with no baseline at all, are reported unreadable and nothing named for them is deleted; the readable account's orphan is.",
    world: {
      accounts: {
        [a]: { roles: [], oidcProviders: [provider([orphan(a, 1).appId])] },
        // The baseline's member roles are missing here (a failed stack instance, or deleted by hand).
        [b]: { roles: [], oidcProviders: [provider([orphan(b, 2).appId])], memberRoles: false },
        [c]: { roles: [], oidcProviders: [provider()] },
      },
      // The last names an account with no member baseline (it left the target OUs).
      entra: { applications: [orphan(a, 1), orphan(b, 2), orphan(outside, 3)] },
    },
  };
}

function handMadeAndSquatter(): SweepScenario {
  const { a } = SWEEP_ACCOUNTS;
  const I = SWEEP_IDS;
  return {
    name: 'hand-made-and-squatters',
    shows:
      "A hand-made federation, a squatter's application named like one of the automation's (with the automation as co-owner), and a squatter's soft-deleted one: the sweep reports what it must and never touches any of them, in repair mode too.",
    world: {
      accounts: {
        [a]: {
          roles: [{ roleName: 'legacy-deployer', assumeRolePolicyDocument: pinnedPolicy(a, I.handMadeApp, I.handMadeSp) }],
          oidcProviders: [provider([I.handMadeApp, I.squatterApp])],
        },
      },
      entra: {
        users: [I.handMadeOwner, I.squatter],
        applications: [
          {
            id: I.handMadeAppObject,
            appId: I.handMadeApp,
            displayName: 'legacy deployer',
            servicePrincipalId: I.handMadeSp,
            createdBy: I.handMadeOwner,
            owners: [I.handMadeOwner],
          },
          {
            id: I.squatterAppObject,
            appId: I.squatterApp,
            uniqueName: applicationUniqueName(a, 'future-role', SWEEP_ROLE_IDS.squatted),
            displayName: 'looks like the automation',
            createdBy: I.squatter,
            owners: [I.squatter, 'automation'],
          },
        ],
        deletedItems: {
          applications: [
            {
              id: I.squatterDeletedAppObject,
              appId: I.squatterDeletedApp,
              uniqueName: applicationUniqueName(a, 'another-role', 'AROASQUATTEDSQUATTED2'),
              displayName: 'deleted lookalike',
              createdBy: I.squatter,
            },
          ],
        },
        createdObjectsIncludeDeleted: true,
      },
    },
  };
}

/** The gateway the plan creates, as the simulator's Graph fake seeds it. */
export const GATEWAY_CLIENT_ID = '9a7e9a7e-6a7e-4a7e-8a7e-9a7e0a7e0001';
/** Identities with a service principal and no application in the tenant (managed identities). */
export const IDENTITY_IDS = {
  broughtMi: 'b1000000-0000-4000-8000-0000000000a1',
  broughtMiSp: 'b1000000-0000-4000-8000-0000000000b1',
  handMadeMi: 'b2000000-0000-4000-8000-0000000000a2',
  handMadeMiSp: 'b2000000-0000-4000-8000-0000000000b2',
  sharedApp: 'b3000000-0000-4000-8000-0000000000a3',
  sharedAppObject: 'b3000000-0000-4000-8000-0000000000c3',
  sharedSp: 'b3000000-0000-4000-8000-0000000000b3',
} as const;
export const IDENTITY_ROLE_IDS = { shared: 'AROASHAREDSHAREDSHAR1', brought: 'AROABROUGHTBROUGHTBR1', handMade: 'AROAHANDMADEMIHANDMA1' };
const managedIdentity = (appId: string, id: string, displayName: string) => ({
  id,
  appId,
  displayName,
  servicePrincipalType: 'ManagedIdentity' as const,
});

function gatewayIsNotHandMade(): SweepScenario {
  const { a } = SWEEP_ACCOUNTS;
  const I = IDENTITY_IDS;
  const R = IDENTITY_ROLE_IDS;
  return {
    name: 'gateway-is-not-hand-made',
    shows:
      'Shared audience mode. A ready role whose sub was removed by hand (its event lost) is open to the tenant through the gateway: the sweep re-pins it. A role that brings a managed identity through the gateway is healthy: nothing is done. A role federated by hand through a managed identity (a service principal with no application here) is hand-made: left exactly as it is, and its client ID stays on the provider.',
    config: { ...EXAMPLE_CONFIG, entra: { ...EXAMPLE_CONFIG.entra, audienceMode: 'shared' } },
    world: {
      accounts: {
        [a]: {
          roles: [
            {
              roleName: 'shared-role',
              roleId: R.shared,
              // As the automation pinned it, then its sub removed by hand: aud = the gateway alone.
              assumeRolePolicyDocument: policy(statement(a, { StringEquals: { [`${HOST}:aud`]: GATEWAY_CLIENT_ID } })),
              tags: { ...readyTags(GATEWAY_CLIENT_ID, I.sharedSp), 'entra:identity-mode': 'shared' },
            },
            {
              roleName: 'vm-role',
              roleId: R.brought,
              assumeRolePolicyDocument: pinnedPolicy(a, GATEWAY_CLIENT_ID, I.broughtMiSp),
              tags: { ...readyTags(GATEWAY_CLIENT_ID, I.broughtMiSp), 'entra:identity-mode': 'bring-your-own' },
            },
            { roleName: 'hand-made-vm-role', roleId: R.handMade, assumeRolePolicyDocument: pinnedPolicy(a, I.handMadeMi, I.handMadeMiSp) },
          ],
          oidcProviders: [provider([GATEWAY_CLIENT_ID, I.handMadeMi])],
        },
      },
      entra: {
        applications: [app(a, 'shared-role', R.shared, I.sharedApp, I.sharedAppObject, I.sharedSp)],
        servicePrincipals: [
          managedIdentity(I.broughtMi, I.broughtMiSp, 'vm-identity'),
          managedIdentity(I.handMadeMi, I.handMadeMiSp, 'legacy-vm-identity'),
        ],
      },
    },
  };
}

function broughtIdentityV2(): SweepScenario {
  const { a } = SWEEP_ACCOUNTS;
  const I = IDENTITY_IDS;
  return {
    name: 'brought-managed-identity',
    shows:
      'Token v2: a role brings a managed identity, whose client ID names a service principal and no application. The sweep finds it healthy: the client ID is live, the pin is whole, nothing is created or removed.',
    config: { ...EXAMPLE_CONFIG, entra: { ...EXAMPLE_CONFIG.entra, tokenVersion: 2 } },
    world: {
      accounts: {
        [a]: {
          roles: [
            {
              roleName: 'vm-role',
              roleId: IDENTITY_ROLE_IDS.brought,
              // IAM reads a v2 token's azp as :aud: the identity's own client ID.
              assumeRolePolicyDocument: JSON.parse(
                JSON.stringify(pinnedPolicy(a, I.broughtMi, I.broughtMiSp)).replaceAll(HOST, V2_HOST),
              ) as PolicyDocument,
              tags: { ...readyTags(I.broughtMi, I.broughtMiSp), 'entra:identity-mode': 'bring-your-own' },
            },
          ],
          oidcProviders: [{ url: `https://${V2_HOST}`, clientIds: [I.broughtMi] }],
        },
      },
      entra: { servicePrincipals: [managedIdentity(I.broughtMi, I.broughtMiSp, 'vm-identity')] },
    },
  };
}

function softDeleted(): SweepScenario {
  const { a } = SWEEP_ACCOUNTS;
  const I = SWEEP_IDS;
  return {
    name: 'soft-deleted',
    shows:
      "A soft-deleted application of the automation and its service principal, left in deletedItems by a purge that failed. Where Graph's createdObjects lists soft-deleted objects (this world says so), repair purges both; where it does not (the default), they are reported, never purged.",
    world: {
      accounts: { [a]: { roles: [], oidcProviders: [provider()] } },
      entra: {
        deletedItems: {
          applications: [
            {
              id: I.deletedAppObject,
              appId: I.deletedApp,
              uniqueName: applicationUniqueName(a, 'old-role', SWEEP_ROLE_IDS.deleted),
              displayName: `web-identity-${a}-old-role`,
            },
          ],
          servicePrincipals: [{ id: I.deletedSp, appId: I.deletedApp }],
        },
        createdObjectsIncludeDeleted: true,
      },
    },
  };
}

/** When the expired revocation of `expiredRevocation` revoked from: long past IAM's longest session. */
export const EXPIRED_REVOCATION_TIME = '2025-01-01T00:00:00Z';

function expiredRevocation(): SweepScenario {
  const { a } = SWEEP_ACCOUNTS;
  const revoking = revokeOlderSessionsPolicy(providerArn(a), new Date(EXPIRED_REVOCATION_TIME));
  // A team's own policy of that name, with the automation's Sid and a revocation-like condition:
  // only the automation's exact document may ever be judged expired, and removed.
  const teams: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EntraRevokeOlderWebIdentitySessions',
        Effect: 'Deny',
        Action: 's3:DeleteObject',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': EXPIRED_REVOCATION_TIME } },
      },
    ],
  };
  return {
    name: 'expired-revocation',
    shows: `A role that left federation keeps the automation's ${REVOKE_SESSIONS_POLICY_NAME} policy, long past the longest session it may deny (87,300 s): the sweep finds it through the role's inline policies (the role no longer trusts the provider) and reports it expired-revocation; a repair removes it, after reading it again through the revoke member role; a team's own policy of that name with another document is neither reported nor removed; a report run removes nothing.`,
    world: {
      accounts: {
        [a]: {
          roles: [
            { ...ec2Role('left-federation'), inlinePolicies: { [REVOKE_SESSIONS_POLICY_NAME]: revoking } },
            { ...ec2Role('teams-own'), inlinePolicies: { [REVOKE_SESSIONS_POLICY_NAME]: teams } },
          ],
          oidcProviders: [provider()],
        },
      },
    },
  };
}

export function sweepScenarios(): SweepScenario[] {
  return [
    dayOne(),
    drift(),
    deletionCap(),
    unreadableAccount(),
    handMadeAndSquatter(),
    softDeleted(),
    gatewayIsNotHandMade(),
    broughtIdentityV2(),
    expiredRevocation(),
  ];
}

// ---------------------------------------------------------------------------------------
// A generated organization, for the scale test and the benchmark.
// ---------------------------------------------------------------------------------------

export interface GeneratedWorldOptions {
  readonly accounts: number;
  readonly rolesPerAccount: number;
  /** Every n-th role (counted across the organization) is unfederated: created before the system. */
  readonly unfederatedEvery: number;
  /** Every n-th role's service principal is gone (a broken pin). */
  readonly brokenPinEvery: number;
  /** Every n-th account has an orphan application (its role is gone) with its client ID. */
  readonly orphanEvery: number;
  /** Every n-th account has a dead client ID on its provider. */
  readonly deadClientIdEvery: number;
}

export interface GeneratedWorld {
  readonly world: object;
  /** What a correct sweep finds. */
  readonly expected: {
    readonly unfederated: number;
    readonly brokenPin: number;
    readonly orphans: number;
    readonly deadClientIds: number;
    readonly roles: number;
  };
}

/** A deterministic GUID from a kind (1 hex digit) and a number. */
const guid = (kind: number, n: number) => `${kind.toString(16)}${String(n).padStart(7, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
/** A deterministic role ID: AROA + 17 capitals or digits. */
const roleId = (n: number) => `AROAGEN${String(n).padStart(14, '0')}`;

/** An organization where most roles are federated and a few percent are not as they should be. */
export function generatedSweepWorld(options: GeneratedWorldOptions): GeneratedWorld {
  const accounts: Record<string, object> = {};
  const applications: object[] = [];
  const expected = { unfederated: 0, brokenPin: 0, orphans: 0, deadClientIds: 0, roles: 0 };
  let roleNumber = 0;
  for (let a = 1; a <= options.accounts; a++) {
    const account = String(100000000000 + a);
    const roles: object[] = [];
    const clientIds: string[] = [];
    for (let r = 1; r <= options.rolesPerAccount; r++) {
      roleNumber += 1;
      expected.roles += 1;
      const roleName = `app-${r}`;
      if (roleNumber % options.unfederatedEvery === 0) {
        expected.unfederated += 1;
        roles.push({ roleName, roleId: roleId(roleNumber), assumeRolePolicyDocument: placeholderPolicy(account) });
        continue;
      }
      const appId = guid(1, roleNumber);
      const servicePrincipalId = guid(2, roleNumber);
      const spGone = roleNumber % options.brokenPinEvery === 0;
      if (spGone) expected.brokenPin += 1;
      applications.push({
        ...app(account, roleName, roleId(roleNumber), appId, guid(3, roleNumber), spGone ? undefined : servicePrincipalId),
      });
      clientIds.push(appId);
      roles.push({
        roleName,
        roleId: roleId(roleNumber),
        assumeRolePolicyDocument: pinnedPolicy(account, appId, servicePrincipalId),
        tags: readyTags(appId, servicePrincipalId),
      });
    }
    if (a % options.orphanEvery === 0) {
      expected.orphans += 1;
      const appId = guid(4, a);
      applications.push(app(account, 'deleted-role', `AROAGONE${String(a).padStart(13, '0')}`, appId, guid(5, a), guid(6, a)));
      clientIds.push(appId);
    }
    if (a % options.deadClientIdEvery === 0) {
      expected.deadClientIds += 1;
      clientIds.push(guid(7, a));
    }
    accounts[account] = { roles, oidcProviders: [provider(clientIds)] };
  }
  return { world: { accounts, entra: { applications, quota: 10 * (applications.length + 100) } }, expected };
}
