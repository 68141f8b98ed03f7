import { z } from 'zod';
import { accountIdSchema, guidSchema, roleNameSchema } from '../../functions/shared/workflow';
import { describeIssues } from '../../functions/shared/runtime';
import { parsePolicyDocument } from '../../functions/shared/iam';
import { GRAPH_CALL_KEYS } from '../fakes/graph-routes';
import { AUTOMATION, DEFAULT_CREATOR_QUOTA, DEFAULT_READINGS, type GraphFakeState, type GraphReadings } from '../fakes/graph-state';
import { ENTRA_TOKEN_EXCHANGE_AUDIENCE } from '../../functions/shared/workflow';
import type { PolicyDocument } from '../../functions/shared/iam';
import { randomUUID } from 'node:crypto';
import { modeledStatus } from '../fakes/iam-errors';
import { IAM_CALL_KEYS } from '../fakes/iam-model';
import type { LocalWorld } from './local-world';
import { MAX_ROLE_INLINE_POLICY_CHARS, ROLE_ID_PATTERN } from '../fakes/iam-state';
import { applicationUniqueName } from '../../functions/shared/entra/naming';

/**
 * The world file of `npm run simulate`: the IAM accounts and the Entra tenant as they are
 * before the events, and the faults to inject. Public and documented in docs/simulate.md:
 * new fields stay optional, unknown fields are errors naming the field.
 *
 * An output of `npm run simulate` is a world file too (docs/simulate.md#an-output-is-a-world):
 * its world part is written by `captureWorld` below, from what `seedWorld` put in the fakes and
 * the run changed, and `parseWorld` ignores the keys that describe the run (`RUN_KEYS`).
 */

/** A problem with an input file: the CLI prints it and exits 2. */
export class SimulationInputError extends Error {
  override readonly name = 'SimulationInputError';
}

const CALL_KEYS: readonly string[] = [...GRAPH_CALL_KEYS, ...IAM_CALL_KEYS];

const policyInput = z.union([z.record(z.string(), z.unknown()), z.string()]).superRefine((value, ctx) => {
  try {
    parsePolicyDocument(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

/** `automation` (the first automation identity), `automation-2`… (the next ones), as worlds and outputs name them. */
const AUTOMATION_NAME = new RegExp(`^${AUTOMATION}(?:-([2-9]|[1-9]\\d+))?$`);

/** Which automation identity a name stands for (0 for `automation`), or undefined for an object ID. */
function automationIndex(value: string): number | undefined {
  const match = AUTOMATION_NAME.exec(value);
  return match ? Number(match[1] ?? 1) - 1 : undefined;
}

/** `"automation"`, `"automation-2"`… (the automation's identities) or an object ID. */
const principal = z
  .string()
  .refine(
    (value) => automationIndex(value) !== undefined || guidSchema.safeParse(value).success,
    `expected "${AUTOMATION}", "${AUTOMATION}-2"… (an automation identity) or an object ID (a GUID)`,
  );

/** A federated identity credential on an application (https://learn.microsoft.com/graph/api/resources/federatedidentitycredential). */
const federatedCredentialSchema = z
  .object({
    name: z.string().min(1),
    issuer: z.string().min(1),
    subject: z.string().min(1),
    audiences: z.array(z.string().min(1)).optional(),
  })
  .strict();

const roleSchema = z
  .object({
    roleName: roleNameSchema,
    roleId: z.string().regex(ROLE_ID_PATTERN, 'an IAM role ID: AROA followed by 17 capital letters or digits').optional(),
    path: z
      .string()
      .regex(/^\/([\w+=,.@-]+\/)*$/, 'an IAM path such as / or /ci/')
      .optional(),
    assumeRolePolicyDocument: policyInput,
    tags: z.record(z.string(), z.string()).optional(),
    /** Inline policies by name (IAM `PutRolePolicy`; the 10,240-character quota holds, see iam-state.ts). */
    inlinePolicies: z
      .record(z.string().regex(/^[\w+=,.@-]{1,128}$/, 'an IAM policy name: 1-128 of [A-Za-z0-9+=,.@_-]'), policyInput)
      .superRefine((policies, ctx) => {
        // IAM refuses more (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): a world cannot hold it.
        const size = Object.values(policies).reduce<number>((total, policy) => {
          try {
            return total + JSON.stringify(parsePolicyDocument(policy)).length;
          } catch {
            return total;
          }
        }, 0);
        if (size > MAX_ROLE_INLINE_POLICY_CHARS) {
          ctx.addIssue({
            code: 'custom',
            message: `the role's inline policies take ${size} characters (whitespace not counted); IAM allows ${MAX_ROLE_INLINE_POLICY_CHARS}: shorten them`,
          });
        }
      })
      .optional(),
    /** When IAM created it (ISO 8601); default `WORLD_EPOCH`: what the world holds existed before the run. */
    createDate: z.iso.datetime({ error: 'an ISO 8601 date-time such as 2025-01-01T00:00:00Z' }).optional(),
  })
  .strict();

const applicationSchema = z
  .object({
    id: z.optional(guidSchema),
    appId: guidSchema,
    /** `null` (as outputs write it) is the same as absent: an application without one. */
    uniqueName: z.string().min(1).nullable().optional(),
    displayName: z.string().min(1),
    servicePrincipalId: z.optional(guidSchema),
    owners: z.array(principal).default([AUTOMATION]),
    createdBy: principal.default(AUTOMATION),
    /** When it was created (ISO 8601); default `WORLD_EPOCH`. */
    createdDateTime: z.iso.datetime({ error: 'an ISO 8601 date-time such as 2025-01-01T00:00:00Z' }).optional(),
    federatedIdentityCredentials: z.array(federatedCredentialSchema).optional(),
  })
  .strict();

const faultSchema = z
  .object({
    call: z.string().refine((key) => CALL_KEYS.includes(key), {
      error: (issue) => `${JSON.stringify(issue.input)} is not a call key; expected one of ${CALL_KEYS.join(', ')}`,
    }),
    status: z.number().int().min(400, 'an HTTP error status (400-599)').max(599, 'an HTTP error status (400-599)'),
    code: z.string().min(1, 'the error code the service answers, e.g. Authorization_RequestDenied'),
    times: z.number().int().min(0, 'how many matching calls fail: 1 or more, or 0 for every one').default(1),
    skip: z.number().int().min(0, 'how many matching calls succeed first: 0 or more').default(0),
  })
  .strict()
  .superRefine((fault, ctx) => {
    // An IAM or STS code the SDK models has one status; any other would be a fault AWS never sends.
    const expected = fault.call.startsWith('graph:') ? undefined : modeledStatus(fault.call, fault.code);
    if (expected !== undefined && expected !== fault.status) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: `AWS answers ${fault.code} with ${expected}, not ${fault.status}` });
    }
  });

const EMPTY_DELETED = { applications: [], servicePrincipals: [] };

const entraSchema = z
  .object({
    users: z.array(guidSchema).default([]),
    applications: z.array(applicationSchema).default([]),
    servicePrincipals: z
      .array(
        z
          .object({
            id: guidSchema,
            appId: guidSchema,
            displayName: z.string().min(1),
            servicePrincipalType: z.enum(['Application', 'ManagedIdentity']),
            /** `false`: disabled (it gets no tokens), as `{Prefix}-Role-Revoke` leaves it. */
            accountEnabled: z.boolean().default(true),
            /** Who created it; absent or `null`: nobody the fake knows (it counts against no quota). */
            createdBy: principal.nullable().optional(),
          })
          .strict(),
      )
      .default([]),
    deletedItems: z
      .object({
        applications: z
          .array(
            z
              .object({
                id: guidSchema,
                appId: guidSchema,
                uniqueName: z.string().min(1).nullable().optional(),
                displayName: z.string().min(1),
                createdBy: principal.optional(),
              })
              .strict(),
          )
          .default([]),
        /** `createdBy`: absent, its application's creator; `null`, nobody the fake knows. */
        servicePrincipals: z
          .array(z.object({ id: guidSchema, appId: guidSchema, createdBy: principal.nullable().optional() }).strict())
          .default([]),
      })
      .strict()
      .default(EMPTY_DELETED),
    quota: z.number().int().min(0, 'the number of directory objects the automation may create, 0 or more').default(DEFAULT_CREATOR_QUOTA),
    /** Whether Graph's `createdObjects` lists soft-deleted objects too (its page does not say; see docs/simulate.md). */
    createdObjectsIncludeDeleted: z.boolean().default(false),
    // The open readings of Graph (issue 20): the defaults are today's behaviour; see
    // docs/simulate.md#the-open-readings for each and the source that leaves it open.
    createdObjectsCast: z.enum(['accepted', 'rejected']).default(DEFAULT_READINGS.createdObjectsCast),
    createdObjectsListApplications: z.boolean().default(DEFAULT_READINGS.createdObjectsListApplications),
    filterOnUniqueName: z.enum(['accepted', 'rejected']).default(DEFAULT_READINGS.filterOnUniqueName),
    deletedItemsFilterOnAppId: z.enum(['accepted', 'rejected']).default(DEFAULT_READINGS.deletedItemsFilterOnAppId),
  })
  .strict();

/**
 * The automation's own record of its creations (functions/shared/entra/records.ts), one per
 * application name: what the DynamoDB table of the central account holds.
 */
const automationRecordSchema = z
  .object({
    uniqueName: z.string().min(1),
    /** The automation identity that wrote it: `"automation"`, `"automation-2"`… or its service principal's object ID. */
    identity: principal,
    account: accountIdSchema,
    roleName: roleNameSchema,
    roleId: z.string().regex(ROLE_ID_PATTERN, 'an IAM role ID: AROA followed by 17 capital letters or digits'),
    /** The intent's nonce, carried in the application's notes by the create; absent: one nobody knows (it proves nothing). */
    nonce: z.string().min(16, 'at least 16 characters: the random value the create carried in the notes').optional(),
    appId: z.optional(guidSchema),
    applicationId: z.optional(guidSchema),
    servicePrincipalId: z.optional(guidSchema),
    state: z.enum(['intent', 'created']),
    at: z.iso.datetime({ error: 'an ISO 8601 date-time such as 2025-01-01T00:00:00Z' }),
  })
  .strict();

export const worldSchema = z
  .object({
    accounts: z.record(
      accountIdSchema,
      z
        .object({
          roles: z.array(roleSchema).default([]),
          oidcProviders: z
            .array(z.object({ url: z.url({ protocol: /^https$/ }), clientIds: z.array(z.string().min(1)).default([]) }).strict())
            .default([]),
          /** `false`: the member baseline's roles are missing there (the central functions cannot assume them). */
          memberRoles: z.boolean().default(true),
        })
        .strict(),
    ),
    entra: entraSchema.default({
      users: [],
      applications: [],
      servicePrincipals: [],
      deletedItems: EMPTY_DELETED,
      quota: DEFAULT_CREATOR_QUOTA,
      createdObjectsIncludeDeleted: false,
      ...DEFAULT_READINGS,
    }),
    /** The automation's record of what it created (docs/simulate.md#automationrecords). */
    automationRecords: z.array(automationRecordSchema).default([]),
    faults: z.array(faultSchema).default([]),
    /**
     * `applicationNamePrefix` (`aws-{account}-{16 hex}-`) of each role whose Delete, or whose
     * Create's compensation, failed in an earlier run (an output carries them): the invariants
     * report their leftovers apart (`afterFailedDeletes`), as the run that wrote them did.
     */
    failedRemovals: z
      .array(z.string().regex(/^aws-\d{12}-[0-9a-f]{16}-$/, 'an application name prefix: aws-{account}-{16 hex}-'))
      .default([]),
  })
  .strict()
  .superRefine(checkReferences);
export type World = z.infer<typeof worldSchema>;
type Entra = World['entra'];

/** Each soft-deleted service principal's creator: as stated (`null`: nobody), else its application's, else the automation. */
function deletedSpCreators(entra: Entra): (string | null)[] {
  const appCreators = new Map<string, string>();
  for (const app of entra.applications) appCreators.set(app.appId.toLowerCase(), app.createdBy);
  for (const app of entra.deletedItems.applications) appCreators.set(app.appId.toLowerCase(), app.createdBy ?? AUTOMATION);
  return entra.deletedItems.servicePrincipals.map((sp) =>
    sp.createdBy === null ? null : (sp.createdBy ?? appCreators.get(sp.appId.toLowerCase()) ?? AUTOMATION),
  );
}

/** Directory objects the world says each automation identity created, live and soft-deleted (its creator quota). */
function automationCreations(entra: Entra): Map<string, number> {
  const counts = new Map<string, number>();
  const count = (creator: string | null | undefined) => {
    if (creator && automationIndex(creator) !== undefined) counts.set(creator, (counts.get(creator) ?? 0) + 1);
  };
  for (const app of entra.applications) {
    count(app.createdBy);
    if (app.servicePrincipalId) count(app.createdBy);
  }
  for (const sp of entra.servicePrincipals) count(sp.createdBy);
  for (const app of entra.deletedItems.applications) count(app.createdBy ?? AUTOMATION);
  for (const creator of deletedSpCreators(entra)) count(creator);
  return counts;
}

/** What one field alone cannot say: unique IDs and names, owners that exist, the quota, unique role IDs. */
function checkReferences(world: World, ctx: z.core.$RefinementCtx<World>): void {
  const { entra } = world;
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

  const objectIds = new Map<string, string>();
  const claim = (id: string | undefined, path: (string | number)[]) => {
    if (!id) return;
    const key = id.toLowerCase();
    const first = objectIds.get(key);
    if (first) issue(path, `object ID ${id} is already ${first}'s; object IDs are unique in the tenant`);
    else objectIds.set(key, path.join('.'));
  };
  for (const [i, id] of entra.users.entries()) claim(id, ['entra', 'users', i]);
  entra.applications.forEach((app, i) => {
    claim(app.id, ['entra', 'applications', i, 'id']);
    claim(app.servicePrincipalId, ['entra', 'applications', i, 'servicePrincipalId']);
  });
  for (const [i, sp] of entra.servicePrincipals.entries()) claim(sp.id, ['entra', 'servicePrincipals', i, 'id']);
  for (const [i, app] of entra.deletedItems.applications.entries()) claim(app.id, ['entra', 'deletedItems', 'applications', i, 'id']);
  for (const [i, sp] of entra.deletedItems.servicePrincipals.entries())
    claim(sp.id, ['entra', 'deletedItems', 'servicePrincipals', i, 'id']);

  const appIds = new Map<string, string>();
  const uniqueNames = new Map<string, string>();
  const allApps: [(string | number)[], { appId: string; uniqueName?: string | null | undefined }][] = [
    ...entra.applications.map((a, i): [(string | number)[], typeof a] => [['entra', 'applications', i], a]),
    ...entra.deletedItems.applications.map((a, i): [(string | number)[], typeof a] => [['entra', 'deletedItems', 'applications', i], a]),
  ];
  for (const [path, app] of allApps) {
    const appId = app.appId.toLowerCase();
    if (appIds.has(appId)) issue([...path, 'appId'], `appId ${app.appId} is already ${appIds.get(appId)}'s; each application has its own`);
    else appIds.set(appId, path.join('.'));
    if (app.uniqueName === undefined || app.uniqueName === null) continue;
    if (uniqueNames.has(app.uniqueName)) {
      issue(
        [...path, 'uniqueName'],
        `uniqueName ${app.uniqueName} is already ${uniqueNames.get(app.uniqueName)}'s (live and soft-deleted applications share the names)`,
      );
    } else uniqueNames.set(app.uniqueName, path.join('.'));
  }

  // One live service principal per application.
  const spAppIds = new Map<string, string>();
  const claimSpApp = (appId: string, path: (string | number)[]) => {
    const key = appId.toLowerCase();
    if (spAppIds.has(key))
      issue(path, `appId ${appId} already has a service principal (${spAppIds.get(key)}); an application has at most one`);
    else spAppIds.set(key, path.join('.'));
  };
  for (const [i, app] of entra.applications.entries())
    if (app.servicePrincipalId) claimSpApp(app.appId, ['entra', 'applications', i, 'servicePrincipalId']);
  for (const [i, sp] of entra.servicePrincipals.entries()) claimSpApp(sp.appId, ['entra', 'servicePrincipals', i, 'appId']);

  const principals = new Set(
    [
      ...entra.users,
      ...entra.servicePrincipals.map((sp) => sp.id),
      ...entra.applications.flatMap((a) => (a.servicePrincipalId ? [a.servicePrincipalId] : [])),
    ].map((id) => id.toLowerCase()),
  );
  for (const [i, app] of entra.applications.entries()) {
    for (const [j, owner] of app.owners.entries()) {
      if (app.owners.findIndex((o) => o.toLowerCase() === owner.toLowerCase()) < j) {
        issue(['entra', 'applications', i, 'owners', j], `${owner} is listed twice; an object is an owner once`);
      } else if (automationIndex(owner) === undefined && !principals.has(owner.toLowerCase())) {
        issue(
          ['entra', 'applications', i, 'owners', j],
          `${owner} is not in entra.users nor a service principal of the world; owners must exist in the tenant (or be "${AUTOMATION}")`,
        );
      }
    }
  }

  for (const [creator, created] of automationCreations(entra)) {
    if (created > entra.quota) {
      const who = creator === AUTOMATION ? 'the automation' : creator;
      issue(
        ['entra', 'quota'],
        `the world already holds ${created} directory objects ${who} created (live and soft-deleted), more than its quota of ${entra.quota}`,
      );
    }
  }

  // A record's key is the name its role incarnation makes (functions/shared/entra/naming.ts); one record per name.
  const recordNames = new Set<string>();
  world.automationRecords.forEach((record, i) => {
    const expected = applicationUniqueName(record.account, record.roleName, record.roleId);
    if (record.uniqueName !== expected) {
      issue(
        ['automationRecords', i, 'uniqueName'],
        `"${record.uniqueName}" is not the name account, roleName and roleId make: expected "${expected}"`,
      );
    }
    if (recordNames.has(record.uniqueName))
      issue(['automationRecords', i, 'uniqueName'], `a second record of ${record.uniqueName}; one per name`);
    recordNames.add(record.uniqueName);
  });

  const roleIds = new Map<string, string>();
  for (const [accountId, account] of Object.entries(world.accounts)) {
    account.roles.forEach((role, i) => {
      if (!role.roleId) return;
      const path = ['accounts', accountId, 'roles', i, 'roleId'];
      if (roleIds.has(role.roleId)) issue(path, `role ID ${role.roleId} is already ${roleIds.get(role.roleId)}'s; role IDs are unique`);
      else roleIds.set(role.roleId, path.join('.'));
    });
  }
}

/**
 * The keys of an output of `npm run simulate` that describe the run, not the world
 * (docs/simulate.md#an-output-is-a-world): a world file may carry them, so that an output can be
 * the world of the next run, and they are ignored. Every other key is the world's.
 */
export const RUN_KEYS: readonly string[] = ['iam', 'executions', 'calls', 'summary', 'sweep', 'load', 'invariants', 'ignoredEvents'];

export function parseWorld(raw: unknown, source = 'world'): World {
  const world =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw)
      ? Object.fromEntries(Object.entries(raw).filter(([key]) => !RUN_KEYS.includes(key)))
      : raw;
  const result = worldSchema.safeParse(world);
  if (!result.success) throw new SimulationInputError(`${source}: ${describeIssues(result.error)}`);
  return result.data;
}

/**
 * When the roles and applications of a world were created, unless it says: before the run (a
 * fixed date keeps the output reproducible). The sweep leaves alone what is younger than an hour.
 */
export const WORLD_EPOCH = '2025-01-01T00:00:00.000Z';

/** Puts the world file's content in a running IAM model and Graph fake (none of it counts as calls). */
export function seedWorld(target: Pick<LocalWorld, 'iam' | 'graph'> & Partial<Pick<LocalWorld, 'records'>>, content: World): void {
  const { iam, graph } = target;
  seededWorlds.set(graph.state, content);
  for (const [accountId, account] of Object.entries(content.accounts)) {
    iam.addAccount(accountId);
    if (!account.memberRoles) iam.removeMemberRoles(accountId);
    for (const role of account.roles) {
      iam.createRole(accountId, {
        roleName: role.roleName,
        ...(role.roleId ? { roleId: role.roleId } : {}),
        ...(role.path ? { path: role.path } : {}),
        assumeRolePolicyDocument: role.assumeRolePolicyDocument,
        ...(role.tags ? { tags: role.tags } : {}),
        ...(role.inlinePolicies ? { inlinePolicies: role.inlinePolicies } : {}),
        createDate: new Date(role.createDate ?? WORLD_EPOCH),
      });
    }
    for (const provider of account.oidcProviders) {
      iam.createOidcProvider(accountId, { url: provider.url, clientIds: provider.clientIds });
    }
  }

  const { entra } = content;
  const state = graph.state;
  const identities = state.automationIdentities();
  const principalId = (value: string) => {
    const index = automationIndex(value);
    if (index === undefined) return value;
    const identity = identities[index];
    if (!identity) {
      throw new SimulationInputError(
        `world: "${value}" names automation identity ${index + 1}, but the configuration has ${identities.length} (entra.automationIdentities)`,
      );
    }
    return identity.servicePrincipalId;
  };
  state.ownedObjectLimit = entra.quota;
  state.createdObjectsIncludeDeleted = entra.createdObjectsIncludeDeleted;
  state.readings = {
    createdObjectsCast: entra.createdObjectsCast,
    createdObjectsListApplications: entra.createdObjectsListApplications,
    filterOnUniqueName: entra.filterOnUniqueName,
    deletedItemsFilterOnAppId: entra.deletedItemsFilterOnAppId,
  };
  state.addUsers(...entra.users);
  for (const sp of entra.servicePrincipals) {
    const { createdBy, ...rest } = sp;
    state.seedServicePrincipal({ ...rest, ...(createdBy ? { createdBy: principalId(createdBy) } : {}) });
  }
  for (const app of entra.applications) {
    const seeded = state.seedApplication({
      ...(app.id ? { id: app.id } : {}),
      appId: app.appId,
      displayName: app.displayName,
      ...(app.uniqueName ? { uniqueName: app.uniqueName } : {}),
      ...(app.servicePrincipalId ? { servicePrincipalId: app.servicePrincipalId } : {}),
      owners: app.owners.map(principalId),
      createdBy: principalId(app.createdBy),
      createdDateTime: app.createdDateTime ?? WORLD_EPOCH,
    });
    for (const credential of app.federatedIdentityCredentials ?? []) {
      seeded.federatedCredentials.push({
        id: randomUUID(),
        name: credential.name,
        issuer: credential.issuer,
        subject: credential.subject,
        audiences: [...(credential.audiences ?? [ENTRA_TOKEN_EXCHANGE_AUDIENCE])],
      });
    }
  }
  for (const app of entra.deletedItems.applications) {
    state.seedApplication({
      id: app.id,
      appId: app.appId,
      displayName: app.displayName,
      ...(app.uniqueName ? { uniqueName: app.uniqueName } : {}),
      createdBy: principalId(app.createdBy ?? AUTOMATION),
      deleted: true,
      createdDateTime: WORLD_EPOCH,
    });
  }
  const creators = deletedSpCreators(entra);
  for (const [i, sp] of entra.deletedItems.servicePrincipals.entries()) {
    const creator = creators[i] ?? null;
    state.seedServicePrincipal({ id: sp.id, appId: sp.appId, createdBy: creator === null ? null : principalId(creator), deleted: true });
  }

  for (const record of content.automationRecords) {
    const { nonce, identity, ...rest } = record;
    target.records?.seed({ ...rest, identity: principalId(identity), nonce: nonce ?? randomUUID() });
  }

  for (const fault of content.faults) {
    const rule = { call: fault.call, answer: { status: fault.status, code: fault.code }, times: fault.times, skip: fault.skip };
    if (fault.call.startsWith('graph:')) graph.faults.add(rule);
    else iam.faults.add(rule);
  }
}

/** What each Graph fake was seeded with (`seedWorld`): the fields of it no run changes are carried as they came. */
const seededWorlds = new WeakMap<GraphFakeState, World>();

/** `automation` for the first automation identity, `automation-2`… for the others, else the object ID. */
export function principalNamer(state: GraphFakeState): (id: string | null) => string | null {
  const names = new Map(
    state.automationIdentities().map((identity, i) => [identity.servicePrincipalId, i === 0 ? AUTOMATION : `${AUTOMATION}-${i + 1}`]),
  );
  return (id) => (id === null ? null : (names.get(id) ?? id));
}

/** One account as a world file states it. */
export interface CapturedAccount {
  roles: {
    roleName: string;
    roleId: string;
    path: string;
    assumeRolePolicyDocument: PolicyDocument;
    tags: Record<string, string>;
    inlinePolicies: Record<string, PolicyDocument>;
    /** Only where the world stated it (see `captureWorld`). */
    createDate?: string;
  }[];
  oidcProviders: { url: string; clientIds: string[] }[];
  memberRoles: boolean;
}

/** The tenant as a world file states it ("automation", "automation-2"… name the automation's identities). */
export interface CapturedEntra {
  users: string[];
  applications: {
    id: string;
    appId: string;
    uniqueName: string | null;
    displayName: string;
    owners: string[];
    createdBy: string;
    /** Only where the world stated it (see `captureWorld`). */
    createdDateTime?: string;
    federatedIdentityCredentials: { name: string; issuer: string; subject: string; audiences: string[] }[];
  }[];
  servicePrincipals: {
    id: string;
    appId: string;
    displayName: string;
    servicePrincipalType: 'Application' | 'ManagedIdentity';
    accountEnabled: boolean;
    createdBy: string | null;
  }[];
  deletedItems: {
    applications: { id: string; appId: string; uniqueName: string | null; displayName: string; createdBy: string }[];
    servicePrincipals: { id: string; appId: string; createdBy: string | null }[];
  };
  quota: number;
  createdObjectsIncludeDeleted: boolean;
  createdObjectsCast: GraphReadings['createdObjectsCast'];
  createdObjectsListApplications: boolean;
  filterOnUniqueName: GraphReadings['filterOnUniqueName'];
  deletedItemsFilterOnAppId: GraphReadings['deletedItemsFilterOnAppId'];
}

/** `{ [key]: value }` when the world stated that creation time (the same instant) and it is not the default, else nothing. */
function worldDate<K extends string>(value: string, stated: string | undefined, key: K): Partial<Record<K, string>> {
  if (stated === undefined || Date.parse(stated) !== Date.parse(value) || Date.parse(value) === Date.parse(WORLD_EPOCH)) return {};
  return { [key]: stated } as Partial<Record<K, string>>;
}

/** A world file's content, as `captureWorld` writes it. */
export type WorldDocument = Omit<World, 'accounts' | 'entra' | 'faults' | 'failedRemovals' | 'automationRecords'> & {
  automationRecords: World['automationRecords'];
  failedRemovals: string[];
  accounts: Record<string, CapturedAccount>;
  entra: Omit<World['entra'], keyof CapturedEntra> & CapturedEntra;
  faults: { call: string; status: number; code: string; times: number; skip: number }[];
};

/**
 * The world as it stands in a running IAM model and Graph fake, written as a world file: what
 * `seedWorld` would put back (docs/simulate.md#an-output-is-a-world). The parts a run changes are
 * read from the fakes (accounts, the tenant's objects, the faults that have not fired); every other
 * field of the world it was seeded with is carried as it came, so a world field added later is
 * carried without a change here, unless runs change it (then it is read here too).
 */
export function captureWorld(
  target: Pick<LocalWorld, 'iam' | 'graph'> & Partial<Pick<LocalWorld, 'records'>>,
  failedRemovals: ReadonlySet<string> = new Set(),
): WorldDocument {
  const { iam, graph } = target;
  const { state } = graph;
  const base = seededWorlds.get(state) ?? parseWorld({ accounts: {} });
  const name = principalNamer(state);
  const snapshot = iam.snapshot();
  // Creation times are written only where the world stated them: what a run creates is stamped
  // with the wall clock, which would make outputs differ between identical runs. In the next run
  // such an object existed before it, as the default says (WORLD_EPOCH).
  const seededRoleDates = new Map(
    Object.entries(base.accounts).flatMap(([accountId, account]) =>
      account.roles.flatMap((role) => (role.createDate ? [[`${accountId}/${role.roleName}`, role.createDate] as const] : [])),
    ),
  );
  const seededAppDates = new Map(
    base.entra.applications.flatMap((app) => (app.createdDateTime ? [[app.appId.toLowerCase(), app.createdDateTime] as const] : [])),
  );
  const accounts = Object.fromEntries(
    Object.entries(snapshot).map(([accountId, account]): [string, CapturedAccount] => [
      accountId,
      {
        roles: iam.roles(accountId).map((role) => ({
          roleName: role.roleName,
          roleId: role.roleId,
          path: role.path,
          assumeRolePolicyDocument: role.assumeRolePolicyDocument,
          tags: role.tags,
          inlinePolicies: role.inlinePolicies,
          ...worldDate(role.createDate.toISOString(), seededRoleDates.get(`${accountId}/${role.roleName}`), 'createDate'),
        })),
        oidcProviders: account.oidcProviders.map((provider) => ({ url: provider.url, clientIds: provider.clientIds })),
        memberRoles: iam.hasMemberRoles(accountId),
      },
    ]),
  );
  const entra: CapturedEntra = {
    users: state.listUsers(),
    applications: state.listApplications().map((app) => ({
      id: app.id,
      appId: app.appId,
      uniqueName: app.uniqueName,
      displayName: app.displayName,
      owners: app.owners.map((owner) => name(owner)!),
      createdBy: name(app.createdBy)!,
      ...worldDate(app.createdDateTime, seededAppDates.get(app.appId), 'createdDateTime'),
      federatedIdentityCredentials: app.federatedCredentials.map(({ name: credential, issuer, subject, audiences }) => ({
        name: credential,
        issuer,
        subject,
        audiences: [...audiences],
      })),
    })),
    servicePrincipals: state.listServicePrincipals().map((sp) => ({
      id: sp.id,
      appId: sp.appId,
      displayName: sp.displayName,
      servicePrincipalType: sp.servicePrincipalType,
      accountEnabled: sp.accountEnabled,
      createdBy: name(sp.createdBy),
    })),
    deletedItems: {
      applications: state.listDeletedApplications().map((app) => ({
        id: app.id,
        appId: app.appId,
        uniqueName: app.uniqueName,
        displayName: app.displayName,
        createdBy: name(app.createdBy)!,
      })),
      servicePrincipals: state.listDeletedServicePrincipals().map((sp) => ({ id: sp.id, appId: sp.appId, createdBy: name(sp.createdBy) })),
    },
    quota: state.ownedObjectLimit,
    createdObjectsIncludeDeleted: state.createdObjectsIncludeDeleted,
    ...state.readings,
  };
  const faults = [...graph.faults.pending(), ...iam.faults.pending()].map(({ call, answer, times, skip }) => ({
    call,
    status: answer.status,
    code: answer.code,
    times,
    skip,
  }));
  const automationRecords = target.records
    ? target.records.all().map((record) => ({ ...record, identity: name(record.identity)! }))
    : base.automationRecords;
  return {
    ...base,
    accounts,
    entra: { ...base.entra, ...entra },
    automationRecords,
    faults,
    failedRemovals: [...new Set([...base.failedRemovals, ...failedRemovals])].sort(),
  };
}
