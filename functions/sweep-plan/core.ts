import * as z from 'zod/mini';
import { describeIssues, type HandlerDeps, InvalidInputError } from '../shared/runtime';
import { parseApplicationUniqueName, type DeletedItem, type EntraInventory } from '../shared/entra';
import {
  type BaselineAccounts,
  type CreatedObjectCounter,
  type SweepStore,
  sweepId,
  sweepInputSchema,
  type AccountItem,
  type Finding,
  type SweepContext,
  type TenantPlan,
} from '../shared/sweep';

export const FUNCTION_NAME = 'sweep-plan';

/**
 * What the state machine hands the plan: the execution's input as the operator (or the
 * schedule) wrote it, and the execution's own name and start time (context object:
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html).
 */
export const inputSchema = z.object({
  input: z.unknown(),
  executionName: z.string().check(z.minLength(1), z.maxLength(80)),
  startedAt: z.string().check(z.minLength(1)),
});
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly inventory: EntraInventory;
  readonly baseline: BaselineAccounts;
  readonly store: SweepStore;
  /** The automation identities in order (the first one's is `inventory`), each counting what it created. */
  readonly identities: readonly CreatedObjectCounter[];
  readonly settings: { readonly identityQuotaShare: number };
}

const START_EXAMPLE = '{"mode":"report"} or {"mode":"repair","deletionCap":25}';

/** The operator's input, checked with the field named and an example of the form. */
function parseSweepInput(raw: unknown) {
  const fix = `Start the sweep with ${START_EXAMPLE} (docs/operator.md#the-sweep).`;
  // A misspelt field must not pass silently (zod/mini's strict objects do not name the key).
  const known = Object.keys(sweepInputSchema.shape);
  const unknown = raw !== null && typeof raw === 'object' ? Object.keys(raw).filter((key) => !known.includes(key)) : [];
  if (unknown.length > 0) {
    throw new InvalidInputError(
      `sweep input: unknown field ${unknown.map((key) => `"${key}"`).join(', ')} (expected ${known.join(', ')}). ${fix}`,
    );
  }
  const result = z.safeParse(sweepInputSchema, raw);
  if (!result.success) throw new InvalidInputError(`sweep input: ${describeIssues(result.error)}. ${fix}`);
  return result.data;
}

/**
 * The deleted items that could be the automation's: applications named as it names them, and
 * service principals of those or of its live applications. Each is then checked against Graph's
 * own record (`createdObjects`); where the tenant's record does not list soft-deleted objects
 * (the documentation does not say), none is provable and all are reported, never purged.
 */
async function softDeleted(inventory: EntraInventory, ownAppIds: ReadonlySet<string>) {
  const [applications, servicePrincipals] = await Promise.all([
    inventory.listDeletedItems('application'),
    inventory.listDeletedItems('servicePrincipal'),
  ]);
  const named = applications.filter((item) => item.uniqueName !== null && parseApplicationUniqueName(item.uniqueName) !== null);
  const appIds = new Set([...ownAppIds, ...named.map((item) => item.appId)]);
  const candidates: DeletedItem[] = [...named, ...servicePrincipals.filter((item) => appIds.has(item.appId))];
  const proven: DeletedItem[] = [];
  const unproven: DeletedItem[] = [];
  for (const item of candidates) ((await inventory.isOwnObject(item.id)) ? proven : unproven).push(item);
  return { proven, unproven };
}

/**
 * Lists Entra once (the automation's applications and service principals, and the deleted
 * items that may be its own), lists where the member baseline is deployed, and writes one
 * item per account (the account and the applications named for it) for the inspection map.
 * Reads only; a `report` and a `repair` run plan alike.
 */
export async function planSweep(deps: Deps, input: Input): Promise<{ sweep: SweepContext }> {
  const request = parseSweepInput(input.input);
  const id = sweepId(input.executionName);
  const prefix = `sweeps/${input.executionName}/`;

  const [instances, applications, servicePrincipals, identityObjects] = await Promise.all([
    deps.baseline.list(),
    deps.inventory.listOwnApplications(),
    deps.inventory.listOwnServicePrincipals(),
    // What the identity pool counts before it moves on (identity-pool.ts): the gauge per identity.
    Promise.all(deps.identities.map((identity) => identity.createdObjectCount())),
  ]);
  const servicePrincipalByAppId = new Map(servicePrincipals.map((sp) => [sp.appId.toLowerCase(), sp.id]));
  const items = new Map<string, AccountItem>(
    instances.map((instance) => [instance.accountId, { accountId: instance.accountId, applications: [] }]),
  );
  const outside = new Map<string, number>();
  for (const app of applications) {
    const named = parseApplicationUniqueName(app.uniqueName);
    if (!named) continue;
    const item = items.get(named.accountId);
    if (!item) {
      outside.set(named.accountId, (outside.get(named.accountId) ?? 0) + 1);
      continue;
    }
    item.applications.push({
      id: app.id,
      appId: app.appId,
      uniqueName: app.uniqueName,
      roleId: named.roleId,
      createdDateTime: app.createdDateTime,
      servicePrincipalId: servicePrincipalByAppId.get(app.appId.toLowerCase()) ?? null,
    });
  }

  const findings: Finding[] = [...outside]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([account, count]) => ({
      kind: 'unreadable-account',
      account,
      action: 'none',
      result: 'reported',
      detail: `no member baseline stack instance: ${count} application(s) of the automation name this account and are kept`,
    }));
  const { proven, unproven } = await softDeleted(deps.inventory, new Set(applications.map((app) => app.appId.toLowerCase())));
  const accountOf = (item: DeletedItem) => (item.uniqueName ? (parseApplicationUniqueName(item.uniqueName)?.accountId ?? null) : null);
  for (const item of proven) {
    findings.push({
      kind: 'soft-deleted',
      account: accountOf(item),
      appId: item.appId,
      objectId: item.id,
      action: 'purge-deleted-item',
      result: 'proposed',
      detail: item.kind,
    });
  }
  for (const item of unproven) {
    findings.push({
      kind: 'soft-deleted',
      account: accountOf(item),
      appId: item.appId,
      objectId: item.id,
      action: 'none',
      result: 'reported',
      detail: `${item.kind}: Graph's record (createdObjects) does not show the automation created it, so it is not purged; a tenant administrator may (docs/operator.md#the-sweep)`,
    });
  }
  const tenant: TenantPlan = {
    findings,
    purge: proven.map((item) => ({ id: item.id, kind: item.kind, appId: item.appId })),
    // Unproven soft-deleted objects may be the automation's too: counting them errs on the side of the alarm.
    directoryObjects: applications.length + servicePrincipals.length + proven.length + unproven.length,
    accounts: items.size,
    identities: identityObjects.map((objects, index) => ({ identity: index + 1, objects, share: deps.settings.identityQuotaShare })),
  };

  const sweep: SweepContext = {
    id,
    executionName: input.executionName,
    mode: request.mode,
    ...(request.deletionCap === undefined ? {} : { deletionCap: request.deletionCap }),
    startedAt: input.startedAt,
    bucket: deps.store.bucket,
    prefix,
    accountsKey: `${prefix}accounts.json`,
    inspectPrefix: `${prefix}inspect`,
    repairPrefix: `${prefix}repair`,
    tenantKey: `${prefix}tenant.json`,
    accounts: items.size,
  };
  await deps.store.putJson(sweep.accountsKey, [...items.values()]);
  await deps.store.putJson(sweep.tenantKey, tenant);
  deps.logger.info('sweep planned', {
    sweepId: id,
    mode: request.mode,
    accounts: items.size,
    applications: applications.length,
    servicePrincipals: servicePrincipals.length,
    softDeleted: { proven: proven.length, unproven: unproven.length },
  });
  return { sweep };
}
