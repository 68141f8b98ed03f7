import { z } from 'zod';
import { accountIdSchema, guidSchema, roleNameSchema } from '../../functions/shared/workflow';
import { describeIssues } from '../../functions/shared/runtime';
import { parsePolicyDocument } from '../../functions/shared/iam';
import { GRAPH_CALL_KEYS } from '../fakes/graph-routes';
import { AUTOMATION, DEFAULT_CREATOR_QUOTA } from '../fakes/graph-state';
import { modeledStatus } from '../fakes/iam-errors';
import { IAM_CALL_KEYS } from '../fakes/iam-model';
import type { LocalWorld } from './local-world';
import { ROLE_ID_PATTERN } from '../fakes/iam-state';

/**
 * The world file of `npm run simulate`: the IAM accounts and the Entra tenant as they are
 * before the events, and the faults to inject. Public and documented in docs/simulate.md:
 * new fields stay optional, unknown fields are errors naming the field.
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

/** `"automation"` (the automation's own service principal) or an object ID. */
const principal = z
  .string()
  .refine((value) => value === AUTOMATION || guidSchema.safeParse(value).success, `expected "${AUTOMATION}" or an object ID (a GUID)`);

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
    /** When IAM created it (ISO 8601); default `WORLD_EPOCH`: what the world holds existed before the run. */
    createDate: z.iso.datetime({ error: 'an ISO 8601 date-time such as 2025-01-01T00:00:00Z' }).optional(),
  })
  .strict();

const applicationSchema = z
  .object({
    id: z.optional(guidSchema),
    appId: guidSchema,
    uniqueName: z.string().min(1).optional(),
    displayName: z.string().min(1),
    servicePrincipalId: z.optional(guidSchema),
    owners: z.array(principal).default([AUTOMATION]),
    createdBy: principal.default(AUTOMATION),
    /** When it was created (ISO 8601); default `WORLD_EPOCH`. */
    createdDateTime: z.iso.datetime({ error: 'an ISO 8601 date-time such as 2025-01-01T00:00:00Z' }).optional(),
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
                uniqueName: z.string().min(1).optional(),
                displayName: z.string().min(1),
                createdBy: principal.optional(),
              })
              .strict(),
          )
          .default([]),
        servicePrincipals: z.array(z.object({ id: guidSchema, appId: guidSchema, createdBy: principal.optional() }).strict()).default([]),
      })
      .strict()
      .default(EMPTY_DELETED),
    quota: z.number().int().min(0, 'the number of directory objects the automation may create, 0 or more').default(DEFAULT_CREATOR_QUOTA),
    /** Whether Graph's `createdObjects` lists soft-deleted objects too (its page does not say; see docs/simulate.md). */
    createdObjectsIncludeDeleted: z.boolean().default(false),
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
    }),
    faults: z.array(faultSchema).default([]),
  })
  .strict()
  .superRefine(checkReferences);
export type World = z.infer<typeof worldSchema>;
type Entra = World['entra'];

/** Each soft-deleted service principal's creator: as stated, else its application's, else the automation. */
function deletedSpCreators(entra: Entra): string[] {
  const appCreators = new Map<string, string>();
  for (const app of entra.applications) appCreators.set(app.appId.toLowerCase(), app.createdBy);
  for (const app of entra.deletedItems.applications) appCreators.set(app.appId.toLowerCase(), app.createdBy ?? AUTOMATION);
  return entra.deletedItems.servicePrincipals.map((sp) => sp.createdBy ?? appCreators.get(sp.appId.toLowerCase()) ?? AUTOMATION);
}

/** Directory objects the world says the automation created, live and soft-deleted (the creator quota). */
function automationCreations(entra: Entra): number {
  const liveApps = entra.applications.filter((a) => a.createdBy === AUTOMATION);
  return (
    liveApps.length +
    liveApps.filter((a) => a.servicePrincipalId).length +
    entra.deletedItems.applications.filter((a) => (a.createdBy ?? AUTOMATION) === AUTOMATION).length +
    deletedSpCreators(entra).filter((creator) => creator === AUTOMATION).length
  );
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
  const allApps: [(string | number)[], { appId: string; uniqueName?: string | undefined }][] = [
    ...entra.applications.map((a, i): [(string | number)[], typeof a] => [['entra', 'applications', i], a]),
    ...entra.deletedItems.applications.map((a, i): [(string | number)[], typeof a] => [['entra', 'deletedItems', 'applications', i], a]),
  ];
  for (const [path, app] of allApps) {
    const appId = app.appId.toLowerCase();
    if (appIds.has(appId)) issue([...path, 'appId'], `appId ${app.appId} is already ${appIds.get(appId)}'s; each application has its own`);
    else appIds.set(appId, path.join('.'));
    if (app.uniqueName === undefined) continue;
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
      } else if (owner !== AUTOMATION && !principals.has(owner.toLowerCase())) {
        issue(
          ['entra', 'applications', i, 'owners', j],
          `${owner} is not in entra.users nor a service principal of the world; owners must exist in the tenant (or be "${AUTOMATION}")`,
        );
      }
    }
  }

  const created = automationCreations(entra);
  if (created > entra.quota) {
    issue(
      ['entra', 'quota'],
      `the world already holds ${created} directory objects the automation created (live and soft-deleted), more than its quota of ${entra.quota}`,
    );
  }

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

export function parseWorld(raw: unknown, source = 'world'): World {
  const result = worldSchema.safeParse(raw);
  if (!result.success) throw new SimulationInputError(`${source}: ${describeIssues(result.error)}`);
  return result.data;
}

/**
 * When the roles and applications of a world were created, unless it says: before the run (a
 * fixed date keeps the output reproducible). The sweep leaves alone what is younger than an hour.
 */
export const WORLD_EPOCH = '2025-01-01T00:00:00.000Z';

/** Puts the world file's content in a running IAM model and Graph fake (none of it counts as calls). */
export function seedWorld(target: Pick<LocalWorld, 'iam' | 'graph'>, content: World): void {
  const { iam, graph } = target;
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
        createDate: new Date(role.createDate ?? WORLD_EPOCH),
      });
    }
    for (const provider of account.oidcProviders) {
      iam.createOidcProvider(accountId, { url: provider.url, clientIds: provider.clientIds });
    }
  }

  const { entra } = content;
  const state = graph.state;
  const principalId = (value: string) => (value === AUTOMATION ? state.automationServicePrincipalId : value);
  state.ownedObjectLimit = entra.quota;
  state.createdObjectsIncludeDeleted = entra.createdObjectsIncludeDeleted;
  state.addUsers(...entra.users);
  for (const sp of entra.servicePrincipals) state.seedServicePrincipal(sp);
  for (const app of entra.applications) {
    state.seedApplication({
      ...(app.id ? { id: app.id } : {}),
      appId: app.appId,
      displayName: app.displayName,
      ...(app.uniqueName ? { uniqueName: app.uniqueName } : {}),
      ...(app.servicePrincipalId ? { servicePrincipalId: app.servicePrincipalId } : {}),
      owners: app.owners.map(principalId),
      createdBy: principalId(app.createdBy),
      createdDateTime: app.createdDateTime ?? WORLD_EPOCH,
    });
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
    state.seedServicePrincipal({ id: sp.id, appId: sp.appId, createdBy: principalId(creators[i] ?? AUTOMATION), deleted: true });
  }

  for (const fault of content.faults) {
    const rule = { call: fault.call, answer: { status: fault.status, code: fault.code }, times: fault.times, skip: fault.skip };
    if (fault.call.startsWith('graph:')) graph.faults.add(rule);
    else iam.faults.add(rule);
  }
}
