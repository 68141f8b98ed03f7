import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { applicationUniqueName } from '../../functions/shared/entra';
import { silentLogger } from '../../functions/shared/runtime';
import { parseConfig, type FederationConfigInput } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { updateAssumeRolePolicyEvent } from '../../simulation/engine/cloudtrail-events';
import { parseEvents, runSimulation } from '../../simulation/engine/run-simulation';
import { parseWorld } from '../../simulation/engine/world';
import { evaluateWebIdentity } from '../support/trust-oracle';

/**
 * The one judgement (functions/shared/federation), tried on generated worlds and judged by an
 * oracle that does not trust it (__tests__/support/trust-oracle.ts, IAM's documented rules).
 *
 * Each case is one account: a role whose trust policy has one to four statements (StringEquals,
 * StringLike, ForAnyValue:, IfExists, negated operators, value lists, key case variants, Deny
 * statements, a Principal "*" statement of another action) naming client IDs of the role's own
 * application of ours, a foreign application, a managed identity (a service principal with no
 * application), the gateway, and nothing; a provider holding some of them. A batch of cases runs
 * through the simulator in one audience mode and token version (shared with v2 is refused by the
 * configuration): an UpdateAssumeRolePolicy event on each role, then a sweep in repair mode.
 * Then, for every case:
 *
 * 1. no role is open while tagged `entra:access = pinned`: the oracle, asked for a token of a
 *    random identity of the tenant carrying each client ID the provider holds, denies it;
 * 2. nothing not ours is deleted or rewritten: the foreign application and the managed identity
 *    live, and their client IDs (and the gateway's) stay on the provider;
 * 3. what a team pinned by hand is unchanged: each statement generated as hand-made (aud pinned
 *    to the foreign application or the managed identity) is in the final policy as written.
 *
 * `npm test` runs 8 batches of 25 cases with a fixed seed. More: ONE_JUDGEMENT_RUNS=<batches>
 * (and ONE_JUDGEMENT_SEED=<seed>, by default the fixed one) on this file alone, e.g.
 * `ONE_JUDGEMENT_RUNS=200 ONE_JUDGEMENT_SEED=$RANDOM npx jest __tests__/security/one-judgement`.
 * A counterexample fast-check reports is kept below as a fixed case (`examples`).
 */

const TENANT = EXAMPLE_CONFIG.entra.tenantId;
const GATEWAY = '9a7e9a7e-6a7e-4a7e-8a7e-9a7e0a7e0001';
const OWNER = '4a000000-0000-4000-8000-00000000004a';
const SEED = Number(process.env.ONE_JUDGEMENT_SEED ?? 17);
const BATCHES = Number(process.env.ONE_JUDGEMENT_RUNS ?? 8);
const CASES_PER_BATCH = 25;

type Variant = { readonly tokenVersion: 1 | 2; readonly audienceMode: 'per-role' | 'shared' };
const VARIANTS: readonly Variant[] = [
  { tokenVersion: 1, audienceMode: 'per-role' },
  { tokenVersion: 1, audienceMode: 'shared' },
  { tokenVersion: 2, audienceMode: 'per-role' },
];
const hostOf = (v: Variant) => (v.tokenVersion === 1 ? `sts.windows.net/${TENANT}/` : `login.microsoftonline.com/${TENANT}/v2.0`);

/** The names a case's values are drawn from; each case gets its own GUIDs for them. */
const AUD_NAMES = ['placeholder', 'gateway', 'own', 'foreign', 'mi', 'dead'] as const;
const SUB_NAMES = ['ownSp', 'foreignSp', 'miSp', 'stranger'] as const;
const HELD_NAMES = ['gateway', 'own', 'foreign', 'mi', 'dead'] as const;
type SubName = (typeof SUB_NAMES)[number];

type Test = { readonly operator: string; readonly keyCase: 'lower' | 'upper' | 'mixed'; readonly values: readonly string[] };
type StatementSpec =
  | { readonly kind: 'hand-made'; readonly aud: 'foreign' | 'mi'; readonly sub?: SubName }
  | { readonly kind: 'web'; readonly effect: 'Allow' | 'Deny'; readonly aud?: Test; readonly sub?: Test }
  | { readonly kind: 'wildcard-other' };
interface CaseSpec {
  readonly hasOwnApp: boolean;
  readonly held: readonly (typeof HELD_NAMES)[number][];
  readonly statements: readonly StatementSpec[];
}

const AUD_OPERATORS = [
  'StringEquals',
  'StringLike',
  'ForAnyValue:StringEquals',
  'StringEqualsIfExists',
  'StringEqualsIgnoreCase',
  'StringNotEquals',
  'ForAnyValue:StringLike',
] as const;
const keyCase = fc.constantFrom<Test['keyCase']>('lower', 'lower', 'upper', 'mixed');
const audTest: fc.Arbitrary<Test> = fc.record({
  operator: fc.constantFrom(...AUD_OPERATORS),
  keyCase,
  values: fc.uniqueArray(fc.constantFrom<string>(...AUD_NAMES, '*', 'api://*'), { minLength: 1, maxLength: 3 }),
});
const subTest: fc.Arbitrary<Test> = fc.record({
  operator: fc.constantFrom('StringEquals', 'StringEquals', 'StringLike', 'StringNotEquals'),
  keyCase,
  values: fc.uniqueArray(fc.constantFrom<string>(...SUB_NAMES, '*'), { minLength: 1, maxLength: 2 }),
});
const statementSpec: fc.Arbitrary<StatementSpec> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constant('hand-made' as const),
        aud: fc.constantFrom('foreign' as const, 'mi' as const),
        sub: fc.option(fc.constantFrom(...SUB_NAMES), { nil: undefined }),
      },
      { requiredKeys: ['kind', 'aud'] },
    ),
  },
  {
    weight: 6,
    arbitrary: fc.record(
      {
        kind: fc.constant('web' as const),
        effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Allow', 'Allow', 'Allow', 'Deny'),
        aud: fc.option(audTest, { nil: undefined }),
        sub: fc.option(subTest, { nil: undefined, freq: 2 }),
      },
      { requiredKeys: ['kind', 'effect'] },
    ),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'wildcard-other' as const }) },
);
const caseSpec: fc.Arbitrary<CaseSpec> = fc.record({
  hasOwnApp: fc.boolean(),
  held: fc.uniqueArray(fc.constantFrom(...HELD_NAMES), { maxLength: 5 }),
  statements: fc.array(statementSpec, { minLength: 1, maxLength: 4 }),
});

/** A case's concrete IDs: readable, unique per case. */
function idsOf(index: number) {
  const n = String(index).padStart(8, '0');
  const id = (prefix: string) => `${prefix}-0000-4000-8000-0000${n}`;
  return {
    account: String(100000000000 + index),
    roleId: `AROAPROPERTY${String(index).padStart(9, '0')}`,
    own: id('0a000001'),
    ownObject: id('0a000002'),
    ownSp: id('0a000003'),
    foreign: id('f0000001'),
    foreignObject: id('f0000002'),
    foreignSp: id('f0000003'),
    mi: id('3d000001'),
    miSp: id('3d000003'),
    dead: id('dead0001'),
    stranger: id('5e000003'),
    gateway: GATEWAY,
    placeholder: 'api://replace-me',
  };
}
type Ids = ReturnType<typeof idsOf>;

const keyName = (host: string, key: 'aud' | 'sub', variant: Test['keyCase']) =>
  `${host}:${variant === 'lower' ? key : variant === 'upper' ? key.toUpperCase() : key[0]!.toUpperCase() + key.slice(1)}`;
const idValue = (ids: Ids, name: string) => (name in ids ? String(ids[name as keyof Ids]) : name);

function statementOf(spec: StatementSpec, ids: Ids, variant: Variant): object {
  const host = hostOf(variant);
  const base = { Principal: { Federated: `arn:aws:iam::${ids.account}:oidc-provider/${host}` }, Action: 'sts:AssumeRoleWithWebIdentity' };
  if (spec.kind === 'wildcard-other') return { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' };
  if (spec.kind === 'hand-made') {
    const condition = { [`${host}:aud`]: idValue(ids, spec.aud), ...(spec.sub ? { [`${host}:sub`]: idValue(ids, spec.sub) } : {}) };
    return { Effect: 'Allow', ...base, Condition: { StringEquals: condition } };
  }
  const condition: Record<string, Record<string, string | string[]>> = {};
  for (const [key, test] of [
    ['aud', spec.aud],
    ['sub', spec.sub],
  ] as const) {
    if (!test) continue;
    const values = test.values.map((name) => idValue(ids, name));
    condition[test.operator] = {
      ...condition[test.operator],
      [keyName(host, key, test.keyCase)]: values.length === 1 ? values[0]! : values,
    };
  }
  return { Effect: spec.effect, ...base, ...(Object.keys(condition).length ? { Condition: condition } : {}) };
}

function worldOf(cases: readonly CaseSpec[], variant: Variant) {
  const accounts: Record<string, object> = {};
  const applications: object[] = [];
  const servicePrincipals: object[] = [];
  const policies: object[][] = [];
  cases.forEach((spec, index) => {
    const ids = idsOf(index);
    const statements = spec.statements.map((s) => statementOf(s, ids, variant));
    policies.push(statements);
    accounts[ids.account] = {
      roles: [{ roleName: 'subject', roleId: ids.roleId, assumeRolePolicyDocument: { Version: '2012-10-17', Statement: statements } }],
      oidcProviders: [
        {
          url: `https://${hostOf(variant)}`,
          clientIds: spec.held.filter((name) => name !== 'own' || spec.hasOwnApp).map((name) => idValue(ids, name)),
        },
      ],
    };
    applications.push({
      id: ids.foreignObject,
      appId: ids.foreign,
      displayName: 'team-app',
      servicePrincipalId: ids.foreignSp,
      createdBy: OWNER,
      owners: [OWNER],
    });
    if (spec.hasOwnApp) {
      applications.push({
        id: ids.ownObject,
        appId: ids.own,
        uniqueName: applicationUniqueName(ids.account, 'subject', ids.roleId),
        displayName: `web-identity-${ids.account}-subject`,
        servicePrincipalId: ids.ownSp,
      });
    }
    servicePrincipals.push({ id: ids.miSp, appId: ids.mi, displayName: 'vm-identity', servicePrincipalType: 'ManagedIdentity' });
  });
  return { world: { accounts, entra: { users: [OWNER], applications, servicePrincipals } }, policies };
}

type Role = { roleName: string; tags: Record<string, string>; assumeRolePolicyDocument: { Statement: object[] } };
type Account = { roles: Role[]; oidcProviders: { clientIds: string[] }[] };

async function runBatch(variant: Variant, cases: readonly CaseSpec[]): Promise<void> {
  const { world, policies } = worldOf(cases, variant);
  const config: FederationConfigInput = {
    ...EXAMPLE_CONFIG,
    entra: { ...EXAMPLE_CONFIG.entra, tokenVersion: variant.tokenVersion, audienceMode: variant.audienceMode },
  };
  const events = cases.map((_, index) => {
    const ids = idsOf(index);
    return updateAssumeRolePolicyEvent(
      'subject',
      { Version: '2012-10-17', Statement: policies[index] as never },
      { accountId: ids.account, eventId: `property-${index}` },
    );
  });
  const output = await runSimulation({
    world: parseWorld(world),
    events: parseEvents(events),
    config: parseConfig(config),
    logger: silentLogger,
    sweep: { mode: 'repair' },
  });
  const host = hostOf(variant);
  cases.forEach((spec, index) => {
    const ids = idsOf(index);
    const account = output.iam[ids.account] as Account;
    const role = account.roles.find((r) => r.roleName === 'subject')!;
    const held = account.oidcProviders[0]?.clientIds ?? [];
    const where = `case ${index} (${JSON.stringify(variant)}): ${JSON.stringify(spec)} → ${JSON.stringify(role)} held ${JSON.stringify(held)}`;

    // 1. Not open while tagged pinned: a random identity of the tenant, a token for each held client ID.
    if (role.tags['entra:access'] === 'pinned') {
      for (const aud of held) {
        const decision = evaluateWebIdentity(role.assumeRolePolicyDocument, {
          providerArn: `arn:aws:iam::${ids.account}:oidc-provider/${host}`,
          keyPrefix: host,
          aud,
          sub: randomUUID(),
        });
        if (decision === 'allow') throw new Error(`open while tagged pinned (aud ${aud}): ${where}`);
      }
    }
    // 2. Nothing not ours deleted or rewritten.
    if (!output.entra.applications.some((app) => app.appId === ids.foreign)) throw new Error(`foreign application deleted: ${where}`);
    if (!output.entra.servicePrincipals.some((sp) => sp.id === ids.miSp) && !JSON.stringify(output.entra).includes(ids.miSp)) {
      throw new Error(`managed identity gone: ${where}`);
    }
    for (const name of ['foreign', 'mi', 'gateway'] as const) {
      if (spec.held.includes(name) && !held.includes(idValue(ids, name))) throw new Error(`client ID of ${name} removed: ${where}`);
    }
    // 3. What the team pinned by hand is unchanged.
    spec.statements.forEach((statement, position) => {
      if (statement.kind !== 'hand-made') return;
      const written = JSON.stringify(policies[index]![position]);
      if (!role.assumeRolePolicyDocument.Statement.some((s) => JSON.stringify(s) === written)) {
        throw new Error(`hand-made statement ${position} rewritten: ${where}`);
      }
    });
  });
}

describe('one judgement of a role, judged by an independent oracle (property)', () => {
  it(`holds for ${BATCHES} × ${CASES_PER_BATCH} generated roles (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...VARIANTS),
        fc.array(caseSpec, { minLength: CASES_PER_BATCH, maxLength: CASES_PER_BATCH }),
        async (variant, cases) => runBatch(variant, cases),
      ),
      {
        seed: SEED,
        numRuns: BATCHES,
        endOnFailure: true,
        // Counterexamples, kept as fixed cases: seed 17 on main before the one judgement (a v2
        // managed identity's client ID removed by the sweep), and issue 17's item 1 (the gateway
        // without a sub, called hand-made by the sweep, shared mode).
        examples: [
          [
            { tokenVersion: 2, audienceMode: 'per-role' },
            [{ hasOwnApp: true, held: ['mi', 'foreign'], statements: [{ kind: 'hand-made', aud: 'mi', sub: 'miSp' }] }],
          ],
          [
            { tokenVersion: 1, audienceMode: 'shared' },
            [
              {
                hasOwnApp: true,
                held: ['gateway'],
                statements: [{ kind: 'web', effect: 'Allow', aud: { operator: 'StringEquals', keyCase: 'lower', values: ['gateway'] } }],
              },
            ],
          ],
        ],
      },
    );
  }, 600_000);
});
