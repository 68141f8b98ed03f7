import { applicationNamePrefix, applicationUniqueName } from '../../functions/shared/entra';
import type { PolicyDocument } from '../../functions/shared/iam';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { createRoleEvent, deleteRoleEvent, tagRoleEvent, updateAssumeRolePolicyEvent } from './cloudtrail-events';
import type { SimulationOutput } from './run-simulation';
import { seededRandom, seededUuid } from '../fakes/seeded-random';

/**
 * A burst of role events over many accounts, as a new account vended with fifty roles or a
 * Terraform apply that creates two hundred produces (docs/simulate.md#under-load): every role
 * follows one of the lifecycles below, its calls a fraction of a second to a few seconds apart,
 * the roles starting at random times within `spreadSeconds`. Generated from a seed, so a
 * failing burst can be written out and replayed (`npm run simulate -- --burst …`).
 *
 * Each role's expected end says what the automation must make of it whatever the order of
 * delivery and the interleaving of executions.
 */

export type Lifecycle =
  /** created federated, tagged, its trust policy edited (still federated) → ready */
  | 'edited'
  /** created federated, deleted → gone, nothing left */
  | 'deleted'
  /** created federated, then its trust policy no longer names the provider → no application */
  | 'unfederated'
  /** created, deleted and created again under the same name → ready, a new application */
  | 'recreated'
  /** created federated, edited to a wildcard (refused), fixed → ready */
  | 'fixed'
  /** created open (no audience test) → pinned, ready */
  | 'open'
  /** created with a wildcard action → failed:wildcard, nothing left, not open */
  | 'refused';

export type ExpectedEnd = 'ready' | 'gone' | 'unfederated' | 'failed:wildcard';

export const EXPECTED_END: Readonly<Record<Lifecycle, ExpectedEnd>> = {
  edited: 'ready',
  deleted: 'gone',
  unfederated: 'unfederated',
  recreated: 'ready',
  fixed: 'ready',
  open: 'ready',
  refused: 'failed:wildcard',
};

export interface BurstOptions {
  readonly seed: number;
  /** Events in all (default 500). */
  readonly events?: number;
  /** Member accounts (default 50). */
  readonly accounts?: number;
  /** Roles start within this many seconds (default 60). */
  readonly spreadSeconds?: number;
  /** Chance that a role's CreateRole is in the file twice (EventBridge redelivered it; default 0.1). */
  readonly redeliveries?: number;
  /** Only these lifecycles (default: all, weighted). */
  readonly lifecycles?: readonly Lifecycle[];
  /** Seconds between one role's calls, at least and at most (default 0.3 to 3). */
  readonly stepSeconds?: readonly [number, number];
}

export interface BurstRole {
  readonly accountId: string;
  readonly roleName: string;
  readonly lifecycle: Lifecycle;
  readonly expected: ExpectedEnd;
}

export interface Burst {
  /** A world file: the accounts with the tenant's provider, a raised Entra quota. */
  readonly world: object;
  /** An events file, in the order the calls happened. */
  readonly events: object[];
  readonly roles: readonly BurstRole[];
}

const TENANT = EXAMPLE_CONFIG.entra.tenantId;
const HOST = `sts.windows.net/${TENANT}/`;
const providerArn = (accountId: string) => `arn:aws:iam::${accountId}:oidc-provider/${HOST}`;

function webIdentity(
  accountId: string,
  options: { action?: string; aud?: string | null; extra?: Record<string, string> } = {},
): PolicyDocument {
  const conditions = {
    ...(options.aud === null ? {} : { [`${HOST}:aud`]: options.aud ?? 'placeholder' }),
    ...options.extra,
  };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn(accountId) },
        Action: options.action ?? 'sts:AssumeRoleWithWebIdentity',
        ...(Object.keys(conditions).length > 0 ? { Condition: { StringEquals: conditions } } : {}),
      },
    ],
  };
}

const EC2: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** Calls per lifecycle (a redelivered CreateRole adds one). */
const LENGTH: Readonly<Record<Lifecycle, number>> = { edited: 3, deleted: 2, unfederated: 2, recreated: 3, fixed: 3, open: 1, refused: 1 };
const WEIGHTS: readonly (readonly [Lifecycle, number])[] = [
  ['edited', 30],
  ['deleted', 15],
  ['unfederated', 10],
  ['recreated', 15],
  ['fixed', 10],
  ['open', 10],
  ['refused', 10],
];

/** A generated burst: exactly `events` events over `accounts` accounts. */
export function generateBurst(options: BurstOptions): Burst {
  const random = seededRandom(options.seed ^ 0xb0057);
  const uuid = seededUuid(random);
  const total = options.events ?? 500;
  const accountCount = options.accounts ?? 50;
  const spreadMs = (options.spreadSeconds ?? 60) * 1000;
  const redeliveryChance = options.redeliveries ?? 0.1;
  const epoch = Date.parse('2026-02-02T09:00:00Z');
  const accounts = Array.from({ length: accountCount }, (_, i) => `4000000${String(i + 1).padStart(5, '0')}`);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const [stepMin, stepMax] = (options.stepSeconds ?? [0.3, 3]).map((seconds) => Math.round(seconds * 1000)) as [number, number];
  const allowed = options.lifecycles ?? WEIGHTS.map(([lifecycle]) => lifecycle);
  const weighted = (fits: (lifecycle: Lifecycle) => boolean): Lifecycle => {
    const candidates = WEIGHTS.filter(([lifecycle]) => allowed.includes(lifecycle) && fits(lifecycle));
    if (candidates.length === 0) throw new Error(`burst: no lifecycle of ${allowed.join(', ')} fits the ${left} events left`);
    let draw = random() * candidates.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [lifecycle, weight] of candidates) {
      draw -= weight;
      if (draw < 0) return lifecycle;
    }
    return candidates[candidates.length - 1]![0];
  };

  const timed: { at: number; seq: number; event: object }[] = [];
  const roles: BurstRole[] = [];
  const counters = new Map<string, number>();
  let seq = 0;
  let left = total;
  while (left > 0) {
    const lifecycle = weighted((candidate) => LENGTH[candidate] <= left);
    const accountId = pick(accounts);
    const n = (counters.get(accountId) ?? 0) + 1;
    counters.set(accountId, n);
    const roleName = `app-${lifecycle}-${n}`;
    let at = Math.floor(random() * spreadMs);
    const emit = (event: object) => {
      timed.push({ at, seq: seq++, event });
      at += stepMin + Math.floor(random() * (stepMax - stepMin + 1));
    };
    const options = (extra: object = {}) => ({ accountId, eventId: uuid(), time: new Date(epoch + at).toISOString(), ...extra });
    const create = (policy: PolicyDocument) => {
      const event = createRoleEvent(roleName, policy, options());
      emit(event);
      if (LENGTH[lifecycle] < left && random() < redeliveryChance) {
        timed.push({ at: at + Math.floor(random() * 5000), seq: seq++, event: structuredClone(event) });
        left -= 1;
      }
    };
    switch (lifecycle) {
      case 'edited':
        create(webIdentity(accountId));
        emit(tagRoleEvent(roleName, { team: `team-${n}` }, options()));
        emit(updateAssumeRolePolicyEvent(roleName, webIdentity(accountId, { extra: { [`${HOST}:amr`]: 'ignored' } }), options()));
        break;
      case 'deleted':
        create(webIdentity(accountId));
        emit(deleteRoleEvent(roleName, options()));
        break;
      case 'unfederated':
        create(webIdentity(accountId));
        emit(updateAssumeRolePolicyEvent(roleName, EC2, options()));
        break;
      case 'recreated':
        create(webIdentity(accountId));
        emit(deleteRoleEvent(roleName, options()));
        emit(createRoleEvent(roleName, webIdentity(accountId), options()));
        break;
      case 'fixed':
        create(webIdentity(accountId));
        emit(updateAssumeRolePolicyEvent(roleName, webIdentity(accountId, { action: 'sts:*' }), options()));
        emit(updateAssumeRolePolicyEvent(roleName, webIdentity(accountId, { extra: { [`${HOST}:amr`]: 'fixed' } }), options()));
        break;
      case 'open':
        create(webIdentity(accountId, { aud: null }));
        break;
      case 'refused':
        create(webIdentity(accountId, { action: 'sts:*' }));
        break;
    }
    left -= LENGTH[lifecycle];
    roles.push({ accountId, roleName, lifecycle, expected: EXPECTED_END[lifecycle] });
  }
  timed.sort((a, b) => a.at - b.at || a.seq - b.seq);

  return {
    world: {
      accounts: Object.fromEntries(
        accounts.map((accountId) => [accountId, { roles: [], oidcProviders: [{ url: `https://${HOST}`, clientIds: [] }] }]),
      ),
      // Two directory objects per live role (application and service principal): this is about
      // concurrency, not the creator quota.
      entra: { quota: 4 * total },
    },
    events: timed.map(({ event }) => event),
    roles,
  };
}

/**
 * The app teams' burst of docs/architecture.md#a-team-write-is-never-lost: in each of `accounts`
 * accounts six roles (`svc-1` … `svc-6`) are created federated in the first second, and one second
 * later the account's team takes `svc-2` out of federation (an EC2-only trust) while its Create
 * may still run. Causally ordered: each call happens at its own CloudTrail time, which is to the
 * second as CloudTrail records it (the six Creates of a second in the order the file lists them).
 * `svc-2` must end without an application whatever the interleaving; the others ready.
 */
export function generateTeamWriteBurst(options: { readonly seed: number; readonly accounts?: number }): Burst {
  const random = seededRandom(options.seed ^ 0x7ea3);
  const uuid = seededUuid(random);
  const epoch = Date.parse('2026-02-02T09:00:00Z');
  const accounts = Array.from({ length: options.accounts ?? 50 }, (_, i) => `4100000${String(i + 1).padStart(5, '0')}`);
  const at = (second: number) => new Date(epoch + second * 1000).toISOString().replace('.000Z', 'Z');
  const creates: object[] = [];
  const updates: object[] = [];
  const roles: BurstRole[] = [];
  for (const accountId of accounts) {
    for (let n = 1; n <= 6; n++) {
      const roleName = `svc-${n}`;
      creates.push(createRoleEvent(roleName, webIdentity(accountId), { accountId, eventId: uuid(), time: at(0) }));
      roles.push({ accountId, roleName, lifecycle: n === 2 ? 'unfederated' : 'edited', expected: n === 2 ? 'unfederated' : 'ready' });
    }
    updates.push(updateAssumeRolePolicyEvent('svc-2', EC2, { accountId, eventId: uuid(), time: at(1) }));
  }
  return {
    world: {
      accounts: Object.fromEntries(
        accounts.map((accountId) => [accountId, { roles: [], oidcProviders: [{ url: `https://${HOST}`, clientIds: [] }] }]),
      ),
      entra: { quota: 4 * roles.length },
    },
    events: [...creates, ...updates],
    roles,
  };
}

/**
 * The roles of a burst that did not end as their lifecycle says, each with what it is instead.
 * `ready`: tagged ready with exactly its own incarnation's application; `gone`: no role, no
 * application; `unfederated`: the role without an application; `failed:wildcard`: tagged so,
 * without an application. A trust-policy edit the automation overwrote is applied again
 * (docs/architecture.md#a-team-write-is-never-lost), so every role ends as its lifecycle says.
 */
export function unexpectedEnds(output: SimulationOutput, burst: Burst): string[] {
  const problems: string[] = [];
  const iam = output.iam as Record<string, { roles: { roleName: string; roleId: string; tags: Record<string, string> }[] }>;
  for (const expected of burst.roles) {
    const role = iam[expected.accountId]?.roles.find((r) => r.roleName === expected.roleName);
    const prefix = applicationNamePrefix(expected.accountId, expected.roleName);
    const apps = output.entra.applications.filter((app) => app.uniqueName?.startsWith(prefix));
    const status = role?.tags['entra:federation-status'];
    const where = `${expected.accountId}/${expected.roleName} (${expected.lifecycle})`;
    const end = expected.expected;
    if (end === 'ready') {
      if (!role || status !== 'ready') problems.push(`${where}: expected ready, is ${role ? status : 'gone'}`);
      else if (apps.map((app) => app.uniqueName).join() !== applicationUniqueName(expected.accountId, role.roleName, role.roleId)) {
        problems.push(`${where}: expected exactly its own application, found ${apps.map((app) => app.uniqueName).join(', ') || 'none'}`);
      }
    } else if (end === 'gone') {
      if (role || apps.length > 0)
        problems.push(`${where}: expected gone with nothing left, found ${role ? 'the role and ' : ''}${apps.length} application(s)`);
    } else if (end === 'unfederated') {
      if (!role || apps.length > 0)
        problems.push(`${where}: expected the role without an application, found ${role ? `${apps.length} application(s)` : 'no role'}`);
    } else if (!role || status !== end || apps.length > 0) {
      problems.push(`${where}: expected ${end} with no application, is ${status} with ${apps.length}`);
    }
  }
  return problems;
}
