import { applicationUniqueName } from '../../functions/shared/entra';
import type { PolicyDocument, PolicyStatement } from '../../functions/shared/iam';
import type { FederationConfigInput } from '../../stacks/config';
import type { SweepMode } from '../../functions/shared/sweep';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { updateAssumeRolePolicyEvent } from '../engine/cloudtrail-events';
import type { ShortEvent } from '../engine/short-events';

/**
 * The security scenarios of docs/simulate.md#security-scenarios: each one a world and a list of
 * events that `npm run simulate` replays, showing that an attack or a failure does not give a
 * role away, open it, or destroy what works. `npm run scenarios:write` writes them under
 * simulation/examples/security/ for operators; a test checks those files are these and runs
 * every scenario against its expectation (__tests__/simulation/security-scenarios.test.ts).
 */

export interface Scenario {
  /** Directory name under simulation/examples/security/. */
  readonly name: string;
  /** What it shows. */
  readonly shows: string;
  /** What the automation did before it was fixed. */
  readonly before: string;
  readonly world: object;
  readonly events: readonly object[];
  /** A configuration of its own (written as config.json), when the scenario needs one. */
  readonly config?: FederationConfigInput;
  /** A sweep run after the events (`--sweep <mode>`), when the scenario needs one. */
  readonly sweep?: SweepMode;
}

const TENANT = EXAMPLE_CONFIG.entra.tenantId;
const HOST = `sts.windows.net/${TENANT}/`;
export const ACCOUNT = '222222222222';
export const OTHER_ACCOUNT = '333333333333';
const providerArn = (account = ACCOUNT) => `arn:aws:iam::${account}:oidc-provider/${HOST}`;
const provider = (clientIds: string[] = []) => ({ url: `https://${HOST}`, clientIds });

/** Object IDs, made up and readable. */
export const IDS = {
  squatter: '5a000000-0000-4000-8000-00000000005a',
  strangerApps: ['5a000000-0000-4000-8000-0000000000c1', '5a000000-0000-4000-8000-0000000000c2', '5a000000-0000-4000-8000-0000000000c3'],
  squatterApp: '5a000000-0000-4000-8000-0000000000a1',
  squatterSp: '5a000000-0000-4000-8000-0000000000b1',
  legacySquatterApp: '5a000000-0000-4000-8000-0000000000a2',
  attacker: 'a7000000-0000-4000-8000-0000000000a7',
  bob: 'b0b00000-0000-4000-8000-000000000b0b',
  alice: 'a11ce000-0000-4000-8000-00000000a11c',
  ourApp: '0a000000-0000-4000-8000-0000000000a0',
  ourAppObject: '0a000000-0000-4000-8000-0000000000a3',
  ourSp: '0a000000-0000-4000-8000-0000000000b0',
  otherTeamApp: '07000000-0000-4000-8000-0000000000a0',
  handMadeOwner: '4a000000-0000-4000-8000-00000000004a',
  handMadeApp: '4a000000-0000-4000-8000-0000000000a4',
  handMadeSp: '4a000000-0000-4000-8000-0000000000b4',
  teamApp: '7e000000-0000-4000-8000-0000000000a7',
  teamAppObject: '7e000000-0000-4000-8000-0000000000a8',
  teamSp: '7e000000-0000-4000-8000-0000000000b7',
  managedIdentity: '3d000000-0000-4000-8000-0000000000a3',
  managedIdentitySp: '3d000000-0000-4000-8000-0000000000b3',
  gateway: '9a7e9a7e-6a7e-4a7e-8a7e-9a7e0a7e0001',
  takenApp: '0a000000-0000-4000-8000-0000000000a5',
  takenAppObject: '0a000000-0000-4000-8000-0000000000a6',
  takenSp: '0a000000-0000-4000-8000-0000000000b5',
} as const;

/** IAM role IDs: `AROA` + 17 capitals or digits. */
export const ROLE_IDS = {
  victim: 'AROAVICTIMVICTIMVIC01',
  ready: 'AROAREADYREADYREADY01',
  handMade: 'AROAHANDMADEHANDMADE1',
  taken: 'AROATAKENTAKENTAKEN01',
} as const;

const statement = (conditions: Record<string, Record<string, string | string[]>> | undefined): PolicyStatement => ({
  Effect: 'Allow',
  Principal: { Federated: providerArn() },
  Action: 'sts:AssumeRoleWithWebIdentity',
  ...(conditions ? { Condition: conditions } : {}),
});
const policy = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
/** As app teams write it: the provider with a placeholder audience the provider does not hold. */
const placeholder = () => policy(statement({ StringEquals: { [`${HOST}:aud`]: 'api://replace-me' } }));
const pinned = (appId: string, sp: string, extra: Record<string, Record<string, string | string[]>> = {}) =>
  policy(statement({ StringEquals: { [`${HOST}:aud`]: appId, [`${HOST}:sub`]: sp }, ...extra }));
/** No audience test at all: any token for any client ID the provider holds gets in. */
const open = (...extra: PolicyStatement[]) => policy(statement(undefined), ...extra);

/** An open policy just under IAM's default 2,048-character quota: no room left for the lock. */
function nearlyFullOpenPolicy(): PolicyDocument {
  const services: string[] = [];
  const build = () => open({ Sid: 'ManyServices', Effect: 'Allow', Principal: { Service: services }, Action: 'sts:AssumeRole' });
  while (JSON.stringify(build()).length < 1980) services.push(`svc${String(services.length).padStart(2, '0')}.example.amazonaws.com`);
  services.pop();
  return build();
}

let eventCounter = 0;
/** Deterministic CloudTrail event IDs, so the written files never change by themselves. */
const eventId = (scenario: string) => `${scenario}-${String(++eventCounter).padStart(4, '0')}`.replace(/[^A-Za-z0-9-]/g, '-');
const at = (scenario: string) => ({ accountId: ACCOUNT, eventId: eventId(scenario) });

/**
 * Events in the short form (docs/simulate.md#the-short-form): what happened, without the
 * envelope, which the simulator adds. Only `forged-account` writes its envelope: the forgery is in it.
 */
type At = ReturnType<typeof at> & { readonly tags?: Record<string, string> };
const short = (event: ShortEvent['event'], roleName: string, options: At, trust?: object | string): ShortEvent => ({
  event,
  account: options.accountId,
  roleName,
  ...(trust === undefined ? {} : { trust: trust as ShortEvent['trust'] }),
  ...(options.tags ? { tags: options.tags } : {}),
  id: options.eventId,
});
const createRole = (roleName: string, trust: object | string, options: At) => short('CreateRole', roleName, options, trust);
const updateAssumeRolePolicy = (roleName: string, trust: object | string, options: At) =>
  short('UpdateAssumeRolePolicy', roleName, options, trust);
const deleteRole = (roleName: string, options: At) => short('DeleteRole', roleName, options);
const tagRole = (roleName: string, tags: Record<string, string>, options: At) => short('TagRole', roleName, { ...options, tags });

const graphDown = (call: string) => ({ call, status: 503, code: 'ServiceUnavailable', times: 0 });

/** The GitHub Actions provider of the account: another identity provider, whose sessions a revocation must not touch. */
export const GITHUB_PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

/** A trust without the tenant's provider: EC2, and GitHub Actions for one repository. */
const ec2AndGithub = () =>
  policy(
    { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    {
      Effect: 'Allow',
      Principal: { Federated: GITHUB_PROVIDER_ARN },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:org/app:ref:refs/heads/main' } },
    },
  );

/** A team's inline policy that leaves no room for another: 10,200 of IAM's 10,240 characters. */
function fullInlinePolicy(): PolicyDocument {
  const base = { Version: '2012-10-17', Statement: [{ Sid: '', Effect: 'Allow' as const, Action: 's3:GetObject', Resource: '*' }] };
  return { ...base, Statement: [{ ...base.Statement[0]!, Sid: 'x'.repeat(10_200 - JSON.stringify(base).length) }] };
}

/** A role already federated by the automation: its application of ours, audience, pin and tags. */
export function readyWorld(extra: { faults?: object[]; inlinePolicies?: Record<string, PolicyDocument> } = {}) {
  const { inlinePolicies, ...rest } = extra;
  return {
    accounts: {
      [ACCOUNT]: {
        roles: [
          {
            roleName: 'ci-deployer',
            roleId: ROLE_IDS.ready,
            assumeRolePolicyDocument: pinned(IDS.ourApp, IDS.ourSp),
            tags: { 'entra:client-id': IDS.ourApp, 'entra:service-principal-id': IDS.ourSp, 'entra:federation-status': 'ready' },
            ...(inlinePolicies ? { inlinePolicies } : {}),
          },
        ],
        oidcProviders: [provider([IDS.ourApp])],
      },
    },
    entra: {
      applications: [
        {
          id: IDS.ourAppObject,
          appId: IDS.ourApp,
          uniqueName: applicationUniqueName(ACCOUNT, 'ci-deployer', ROLE_IDS.ready),
          displayName: `web-identity-${ACCOUNT}-ci-deployer`,
          servicePrincipalId: IDS.ourSp,
        },
      ],
    },
    ...rest,
  };
}

export function securityScenarios(): Scenario[] {
  eventCounter = 0;
  return [
    {
      name: 'squatted-application-name',
      shows:
        "A tenant user registered an application under the role's name and made the automation co-owner: the role ends failed:name-taken, the foreign application is not touched, nothing trusts it.",
      before:
        "The upsert found the squatter's application by its predictable name (aws-{account}-r-{role}), pinned the role to the squatter's service principal and added its client ID to the provider: the squatter assumed the role.",
      world: {
        accounts: {
          [ACCOUNT]: {
            roles: [{ roleName: 'payments-deployer', roleId: ROLE_IDS.victim, assumeRolePolicyDocument: placeholder() }],
            oidcProviders: [provider()],
          },
        },
        entra: {
          users: [IDS.squatter],
          applications: [
            {
              appId: IDS.squatterApp,
              uniqueName: applicationUniqueName(ACCOUNT, 'payments-deployer', ROLE_IDS.victim),
              displayName: 'totally-legit',
              servicePrincipalId: IDS.squatterSp,
              owners: [IDS.squatter, 'automation'],
              createdBy: IDS.squatter,
            },
            {
              appId: IDS.legacySquatterApp,
              uniqueName: `aws-${ACCOUNT}-r-payments-deployer`,
              displayName: 'totally-legit-too',
              owners: [IDS.squatter, 'automation'],
              createdBy: IDS.squatter,
            },
          ],
        },
      },
      events: [updateAssumeRolePolicy('payments-deployer', placeholder(), at('squat'))],
    },
    {
      name: 'owners-named-by-tag',
      shows: 'Someone who may only tag the role names themselves in entra:owners: nothing happens; only the CreateRole call names owners.',
      before:
        'The TagRole started a Create that added the tagger as owner of the role’s application: they registered a certificate and assumed the role.',
      world: { accounts: { [ACCOUNT]: { oidcProviders: [provider()] } }, entra: { users: [IDS.attacker] } },
      events: [createRole('ci-deployer', placeholder(), at('tag')), tagRole('ci-deployer', { 'entra:owners': IDS.attacker }, at('tag'))],
    },
    {
      name: 'recreated-role-name',
      shows:
        "Team B's role is deleted while Graph cannot delete its application; team C creates a role with the same name: C gets a new application of its own, without B's owners.",
      before: "The new role adopted B's application (same name) with B's owners and certificates: B assumed C's role.",
      world: {
        accounts: { [ACCOUNT]: { oidcProviders: [provider()] } },
        entra: { users: [IDS.bob] },
        faults: [graphDown('graph:DELETE /applications/{id}')],
      },
      events: [
        createRole('deployer', placeholder(), { ...at('recreate'), tags: { 'entra:owners': IDS.bob } }),
        deleteRole('deployer', at('recreate')),
        createRole('deployer', placeholder(), at('recreate')),
      ],
    },
    {
      name: 'failure-keeps-ready-role',
      shows:
        'A ready role is edited (a wildcard statement added): the Create fails as failed:wildcard, and the role keeps its application, audience and pin.',
      before:
        'The compensation deleted and purged the working application and removed its audience, while the trust policy still pinned the dead service principal.',
      world: readyWorld(),
      events: [
        updateAssumeRolePolicy(
          'ci-deployer',
          policy(...(pinned(IDS.ourApp, IDS.ourSp).Statement as PolicyStatement[]), {
            Effect: 'Allow',
            Principal: '*',
            Action: 'sts:AssumeRole',
          }),
          at('keep'),
        ),
      ],
    },
    {
      name: 'graph-outage-keeps-ready-role',
      shows: 'A ready role is edited while Microsoft Graph is down: failed:graph-unavailable, and the role keeps working.',
      before: 'The compensation deleted the working application and its audience.',
      world: readyWorld({ faults: [graphDown('graph:GET /applications(uniqueName)')] }),
      events: [
        updateAssumeRolePolicy('ci-deployer', pinned(IDS.ourApp, IDS.ourSp, { StringLike: { [`${HOST}:amr`]: 'pwd*' } }), at('outage')),
      ],
    },
    {
      name: 'open-role-locked',
      shows:
        "A role written with no audience test (open to any token for any client ID the provider holds) cannot be federated: the automation locks it with a Deny, keeping the team's statements.",
      before: "The role stayed open: any workload of the tenant could get a token for another team's client ID and assume it.",
      world: {
        accounts: { [ACCOUNT]: { oidcProviders: [provider([IDS.otherTeamApp])] } },
        faults: [graphDown('graph:POST /applications')],
      },
      events: [createRole('open-role', open(), at('lock'))],
    },
    {
      name: 'leave-federation-revokes-sessions',
      shows:
        "A ready role's team takes it out of federation (its trust keeps EC2 and GitHub's provider): the web identity sessions issued through the tenant's provider before are denied everything (EntraRevokeOlderSessions); EC2's and GitHub's are not.",
      before: 'Sessions already issued through the provider kept working until they expired, up to the role’s maximum session duration.',
      world: readyWorld(),
      events: [updateAssumeRolePolicy('ci-deployer', ec2AndGithub(), at('leave'))],
    },
    {
      name: 'repin-revokes-sessions',
      shows:
        "A ready role's team pins it to a managed identity of its own: the role is ready on the new identity, and the sessions the earlier identity took through the tenant's provider are denied.",
      before: 'The earlier identity’s sessions kept working after the role moved to another identity.',
      world: {
        ...readyWorld(),
        entra: {
          ...readyWorld().entra,
          servicePrincipals: [
            { id: IDS.managedIdentitySp, appId: IDS.managedIdentity, displayName: 'vm-payments', servicePrincipalType: 'ManagedIdentity' },
          ],
        },
      },
      events: [
        updateAssumeRolePolicy(
          'ci-deployer',
          policy(statement({ StringEquals: { [`${HOST}:aud`]: 'api://replace-me', [`${HOST}:sub`]: IDS.managedIdentitySp } })),
          at('repin'),
        ),
      ],
    },
    {
      name: 'inline-policy-quota',
      shows:
        "A ready role whose inline policies already fill IAM's 10,240 characters leaves federation: the revocation does not fit, so the role is tagged failed:inline-policy-quota and the inline-policy-quota alarm line is logged; the team's policies are untouched.",
      before: 'Nothing revoked the older sessions, and nothing said so.',
      world: readyWorld({ inlinePolicies: { 'team-permissions': fullInlinePolicy() } }),
      events: [updateAssumeRolePolicy('ci-deployer', ec2AndGithub(), at('quota'))],
    },
    {
      name: 'open-role-too-large-to-lock',
      shows:
        'An open role whose lock would not fit the trust-policy quota: tagged entra:access=open, and the role-open alarm line is logged.',
      before: 'The role stayed open and nothing said so.',
      world: {
        accounts: { [ACCOUNT]: { oidcProviders: [provider([IDS.otherTeamApp])] } },
        faults: [graphDown('graph:POST /applications')],
      },
      events: [createRole('open-big-role', nearlyFullOpenPolicy(), at('toolarge'))],
    },
    {
      name: 'forged-account',
      shows: "An event put on the bus by one account naming another account's role starts nothing.",
      before: "The router took detail.recipientAccountId first, and federated (or unfederated) the other account's role.",
      world: {
        accounts: {
          [ACCOUNT]: { oidcProviders: [provider()] },
          [OTHER_ACCOUNT]: {
            roles: [
              {
                roleName: 'payments-deployer',
                assumeRolePolicyDocument: JSON.parse(JSON.stringify(placeholder()).replaceAll(ACCOUNT, OTHER_ACCOUNT)),
              },
            ],
            oidcProviders: [provider()],
          },
        },
      },
      events: [
        updateAssumeRolePolicyEvent('payments-deployer', JSON.stringify(placeholder()).replaceAll(ACCOUNT, OTHER_ACCOUNT), {
          ...at('forged'),
          recipientAccountId: OTHER_ACCOUNT,
        }),
      ],
    },
    {
      name: 'hand-made-federation',
      shows:
        'A role federated by hand (aud pinned to an application the automation did not create) is edited: it is left exactly as it is.',
      before: "The rewrite stripped the team's pin and federated the role to a new application of the automation's.",
      world: {
        accounts: {
          [ACCOUNT]: {
            roles: [{ roleName: 'legacy', roleId: ROLE_IDS.handMade, assumeRolePolicyDocument: pinned(IDS.handMadeApp, IDS.handMadeSp) }],
            oidcProviders: [provider([IDS.handMadeApp])],
          },
        },
        entra: {
          users: [IDS.handMadeOwner],
          applications: [
            {
              appId: IDS.handMadeApp,
              displayName: 'legacy-batch',
              servicePrincipalId: IDS.handMadeSp,
              owners: [IDS.handMadeOwner],
              createdBy: IDS.handMadeOwner,
            },
          ],
        },
      },
      events: [
        updateAssumeRolePolicy(
          'legacy',
          pinned(IDS.handMadeApp, IDS.handMadeSp, { StringLike: { [`${HOST}:amr`]: 'pwd*' } }),
          at('handmade'),
        ),
      ],
    },
    {
      name: 'owners-refused',
      shows:
        'Graph refuses to add an owner (403 Authorization_RequestDenied): the role is ready and pinned all the same; entra:owners-status says what failed.',
      before: 'The 403 failed the Create, and the compensation deleted the new application: a role tagged entra:owners never federated.',
      world: {
        accounts: { [ACCOUNT]: { oidcProviders: [provider()] } },
        entra: { users: [IDS.alice] },
        faults: [{ call: 'graph:POST /applications/{id}/owners/$ref', status: 403, code: 'Authorization_RequestDenied', times: 0 }],
      },
      events: [createRole('ci-deployer', placeholder(), { ...at('owners'), tags: { 'entra:owners': IDS.alice } })],
    },
    {
      name: 'delete-leaves-nothing',
      shows: 'A deleted role leaves no application and no service principal, live or in deleted items, and no audience.',
      before:
        "The service principal, soft-deleted with its application, stayed in deletedItems for 30 days against the automation's quota.",
      world: { accounts: { [ACCOUNT]: { oidcProviders: [provider()] } } },
      events: [createRole('ci-deployer', placeholder(), at('delete')), deleteRole('ci-deployer', at('delete'))],
    },
    {
      name: 'kept-statement-open-locked',
      shows:
        "A role's second statement, the team's own, tests aud against its application and the gateway and pins no sub: after the pin the role would still admit the tenant through the gateway. It is locked for every audience but the team's application: ready, entra:access=locked, the pinned identity and the team's own path keep working.",
      before:
        'The role was tagged entra:access=pinned while any workload of the tenant could get a gateway token and assume it; no lock, no alarm.',
      world: {
        accounts: { [ACCOUNT]: { oidcProviders: [provider([IDS.teamApp, IDS.gateway])] } },
        entra: {
          users: [IDS.handMadeOwner],
          applications: [
            {
              id: IDS.teamAppObject,
              appId: IDS.teamApp,
              displayName: 'team-batch',
              servicePrincipalId: IDS.teamSp,
              owners: [IDS.handMadeOwner],
              createdBy: IDS.handMadeOwner,
            },
          ],
        },
      },
      events: [
        createRole(
          'two-paths',
          policy(
            statement({ StringEquals: { [`${HOST}:aud`]: 'api://replace-me' } }),
            statement({ StringEquals: { [`${HOST}:aud`]: [IDS.teamApp, IDS.gateway] } }),
          ),
          at('keptopen'),
        ),
      ],
    },
    {
      name: 'hand-made-managed-identity',
      shows:
        'A role federated by hand through a managed identity (a service principal with no application in the tenant: aud its client ID, sub its object ID) is re-applied unchanged: it is left exactly as it is.',
      before:
        "The Create took the managed identity for one the team brings, rewrote aud to the gateway and added the gateway's client ID: the team's workload was locked out.",
      world: {
        accounts: {
          [ACCOUNT]: {
            roles: [
              {
                roleName: 'vm-batch',
                roleId: ROLE_IDS.handMade,
                assumeRolePolicyDocument: pinned(IDS.managedIdentity, IDS.managedIdentitySp),
              },
            ],
            oidcProviders: [provider([IDS.managedIdentity])],
          },
        },
        entra: {
          servicePrincipals: [
            {
              id: IDS.managedIdentitySp,
              appId: IDS.managedIdentity,
              displayName: 'vm-batch-identity',
              servicePrincipalType: 'ManagedIdentity',
            },
          ],
        },
      },
      events: [updateAssumeRolePolicy('vm-batch', pinned(IDS.managedIdentity, IDS.managedIdentitySp), at('handmademi'))],
    },
    {
      name: 'failure-keeps-identity',
      shows:
        'A ready role\'s team re-applies its placeholder document with a Principal "*" statement: the Create fails as failed:wildcard, and the role keeps its application, service principal and audience (this execution created none of them).',
      before:
        'The compensation saw a role no longer pinned to its application and deleted and purged the application and service principal, and removed the audience.',
      world: readyWorld(),
      events: [
        updateAssumeRolePolicy(
          'ci-deployer',
          policy(...(placeholder().Statement as PolicyStatement[]), { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }),
          at('keepidentity'),
        ),
      ],
    },
    {
      name: 'quota-exceeded',
      shows:
        "The automation's creator quota is reached half-way (the service principal is one object too many): failed:entra-quota, and nothing is left behind.",
      before:
        'The quota error was a generic Graph refusal; the half-made application stayed in deletedItems, still counting against the quota.',
      world: { ...readyWorld(), entra: { ...readyWorld().entra, quota: 3 } },
      events: [createRole('one-too-many', placeholder(), at('quota'))],
    },
    {
      name: 'squatter-after-intent',
      shows:
        "Graph lists no application in createdObjects (reading 2); the automation's record holds an intent for the role's name from an attempt that crashed before its create, and a tenant user registered the name since, making the automation its only owner: the role ends failed:name-taken, the application is not adopted, nothing trusts it.",
      before:
        "A record that says only that the automation tried would adopt whatever application holds the name: the squatter's, owned by the automation alone and created after the intent, would have been pinned to the role.",
      world: {
        accounts: {
          [ACCOUNT]: {
            roles: [{ roleName: 'payments-deployer', roleId: ROLE_IDS.victim, assumeRolePolicyDocument: placeholder() }],
            oidcProviders: [provider()],
          },
        },
        entra: {
          users: [IDS.squatter],
          applications: [
            {
              appId: IDS.squatterApp,
              uniqueName: applicationUniqueName(ACCOUNT, 'payments-deployer', ROLE_IDS.victim),
              displayName: 'totally-legit',
              servicePrincipalId: IDS.squatterSp,
              owners: ['automation'],
              createdBy: IDS.squatter,
              createdDateTime: '2025-06-01T00:05:00.000Z',
            },
          ],
          createdObjectsListApplications: false,
        },
        automationRecords: [
          {
            uniqueName: applicationUniqueName(ACCOUNT, 'payments-deployer', ROLE_IDS.victim),
            identity: 'automation',
            account: ACCOUNT,
            roleName: 'payments-deployer',
            roleId: ROLE_IDS.victim,
            nonce: '3c1d5e7f-0a2b-4c6d-8e0f-1a2b3c4d5e6f',
            state: 'intent',
            at: '2025-06-01T00:00:00.000Z',
          },
        ],
      },
      events: [updateAssumeRolePolicy('payments-deployer', placeholder(), at('intent'))],
    },
    {
      name: 'strangers-fill-account-cap',
      shows:
        "With entra.maxApplicationsPerAccount = 2, a tenant user registered three applications named aws-{victim account}-…: the account's new role still ends ready, since only the automation's own creations count; the next one, the automation's third, ends failed:account-quota.",
      before:
        "The cap counted every application whose name starts with aws-{account}-, whoever registered it: the strangers' names filled it and every new role of the account ended failed:account-quota.",
      config: { ...EXAMPLE_CONFIG, entra: { ...EXAMPLE_CONFIG.entra, maxApplicationsPerAccount: 2 } },
      world: {
        ...readyWorld(),
        entra: {
          users: [IDS.squatter],
          applications: [
            ...readyWorld().entra.applications,
            ...IDS.strangerApps.map((appId, i) => ({
              appId,
              uniqueName: applicationUniqueName(ACCOUNT, `stranger-${i + 1}`, `AROASTRANGER00000000${i + 1}`),
              displayName: `stranger-${i + 1}`,
              owners: [IDS.squatter],
              createdBy: IDS.squatter,
            })),
          ],
        },
      },
      events: [createRole('new-role', placeholder(), at('cap')), createRole('third-role', placeholder(), at('cap'))],
    },
    {
      name: 'owner-removed-automation',
      shows:
        "Alice, an owner named by entra:owners, removed the automation from the owners of two ready roles' applications (the world is the directory after she did). The team re-applies one role's trust policy and deletes the other; then a sweep: the first role ends failed:not-owner with the not-owner alarm line, the Delete sends no write to Graph for the application it no longer owns, and alarms, and the sweep reports both applications as not-owner (never as orphans to delete). An administrator gives the ownership back (docs/operator.md#an-owner-removed-the-automation). Replay with --sweep report.",
      before:
        "The re-applied role stayed tagged ready with no alarm; the Delete failed with a generic GraphRequestError (403 Authorization_RequestDenied) and no alarm; the sweep proposed deleting the application as an orphan, which a repair's DELETE would meet with the same 403. Both applications and their service principals stayed against the automation's quota, and nothing named the cause.",
      world: {
        accounts: {
          [ACCOUNT]: {
            roles: [
              {
                roleName: 'ci-deployer',
                roleId: ROLE_IDS.ready,
                assumeRolePolicyDocument: pinned(IDS.ourApp, IDS.ourSp),
                tags: {
                  'entra:client-id': IDS.ourApp,
                  'entra:service-principal-id': IDS.ourSp,
                  'entra:federation-status': 'ready',
                  'entra:owners': IDS.alice,
                },
              },
              {
                roleName: 'nightly-job',
                roleId: ROLE_IDS.taken,
                assumeRolePolicyDocument: pinned(IDS.takenApp, IDS.takenSp),
                tags: {
                  'entra:client-id': IDS.takenApp,
                  'entra:service-principal-id': IDS.takenSp,
                  'entra:federation-status': 'ready',
                  'entra:owners': IDS.alice,
                },
              },
            ],
            oidcProviders: [provider([IDS.ourApp, IDS.takenApp])],
          },
        },
        entra: {
          users: [IDS.alice],
          applications: [
            {
              id: IDS.ourAppObject,
              appId: IDS.ourApp,
              uniqueName: applicationUniqueName(ACCOUNT, 'ci-deployer', ROLE_IDS.ready),
              displayName: `web-identity-${ACCOUNT}-ci-deployer`,
              servicePrincipalId: IDS.ourSp,
              owners: [IDS.alice],
            },
            {
              id: IDS.takenAppObject,
              appId: IDS.takenApp,
              uniqueName: applicationUniqueName(ACCOUNT, 'nightly-job', ROLE_IDS.taken),
              displayName: `web-identity-${ACCOUNT}-nightly-job`,
              servicePrincipalId: IDS.takenSp,
              owners: [IDS.alice],
            },
          ],
        },
      },
      events: [
        updateAssumeRolePolicy('ci-deployer', pinned(IDS.ourApp, IDS.ourSp), at('notowner')),
        deleteRole('nightly-job', at('notowner')),
      ],
      sweep: 'report',
    },
    {
      name: 'reapplied-placeholder',
      shows:
        "A team's Terraform applies its placeholder trust policy again over a ready role (drift): the role is pinned again to the same application, with no Graph write and no new object.",
      before: 'Each re-pin made two failing Graph writes (POST /applications and POST /servicePrincipals, both answered with a conflict).',
      world: readyWorld(),
      events: [updateAssumeRolePolicy('ci-deployer', placeholder(), at('terraform'))],
    },
  ];
}
