import type { PolicyDocument, PolicyStatement } from '../iam/ports';
import {
  type ProviderKeys,
  accessOf,
  admitsProviderTokens,
  isOpen,
  pinnedValues,
  referencesProvider,
  statementsOf,
} from '../iam/trust-policy';
import { GUID_PATTERN as GUID } from '../workflow/contracts';

/**
 * THE judgement of a role (docs/architecture.md#security-model): ours, brought, hand-made, to
 * federate, or not a federation, and whether it is open. Pure: what Graph says about the client
 * IDs and identities the trust policy names comes in as `DirectoryFacts` (directory-facts.ts
 * reads them). The router, the Create and Delete functions, the pin and the access tag, the
 * sweep's inspection and repair, and the simulator's invariant checker all call it, so they
 * cannot disagree.
 */

/**
 * What a client ID (a token's `aud`; a v2 token's `azp`, which IAM reads as `aud`) names:
 *
 * - `ours`: an application the automation created (Graph's record, never who owns it today);
 * - `platform`: the gateway or one of the automation's own identities (made by the plan);
 * - `foreign-application`: a live application of the tenant someone else made;
 * - `service-principal`: a live service principal with no application in the tenant (a managed
 *   identity; another tenant's multi-tenant application): live, and not ours;
 * - `nothing`: no live object of the tenant: a dead client ID.
 */
export type ClientIdKind = 'ours' | 'platform' | 'foreign-application' | 'service-principal' | 'nothing';

/** What Graph says about each client ID and each `sub` a role names (keys lower case). */
export interface DirectoryFacts {
  readonly clientIds: ReadonlyMap<string, ClientIdKind>;
  /** A `sub` (service principal object ID) → the client ID of its live service principal, or `null` (none). */
  readonly subjects: ReadonlyMap<string, string | null>;
}

/**
 * One statement that admits the provider's tokens:
 *
 * - `hand-made`: its `aud` pins a live identity that is not ours nor the platform's, and it is
 *   not a brought identity's pin: the team federated it itself; it is kept exactly as it is;
 * - `brought`: its `sub` pins one live identity that is not ours, through the audience a brought
 *   identity uses (the gateway; with v2 tokens also the identity's own client ID): nothing is
 *   created for it (docs/architecture.md#bring-your-own-identity);
 * - `ours`: its `sub` pins the service principal of an application of ours;
 * - `to-federate`: anything else (a placeholder audience, no audience test, the gateway without
 *   a `sub`, a pin to an identity that is gone): the automation federates it, or locks it.
 */
export type StatementKind = 'hand-made' | 'brought' | 'ours' | 'to-federate';

export interface StatementJudgement {
  readonly index: number;
  readonly kind: StatementKind;
  /** GUID-shaped `aud` values it pins exactly (lower case). */
  readonly audiences: readonly string[];
  /** GUID-shaped `sub` values it pins exactly (lower case). */
  readonly subjects: readonly string[];
}

/**
 * The role: `not-federated` (no statement admits the provider's tokens), `to-federate` (some
 * statement is), else `ours`, `brought` or `hand-made` by the first kind its statements have in
 * that order.
 */
export type RoleKind = 'not-federated' | 'to-federate' | 'ours' | 'brought' | 'hand-made';

export interface RoleJudgement {
  readonly kind: RoleKind;
  readonly statements: readonly StatementJudgement[];
  /** The client IDs the hand-made statements pin: the pin leaves those statements as they are, a lock exempts them. */
  readonly handMadeAudiences: readonly string[];
  /** The one definition of open (`openStatements`), with the automation's lock taken into account. */
  readonly open: boolean;
  /** The `entra:access` value the whole policy deserves. */
  readonly access: 'open' | 'locked' | 'pinned' | 'closed';
}

export interface JudgementContext {
  readonly keys: ProviderKeys;
  /** The provider's client IDs. */
  readonly held: readonly string[];
  readonly tokenVersion: 1 | 2;
  readonly gatewayClientId: string;
  readonly facts: DirectoryFacts;
}

const lower = (value: string) => value.toLowerCase();
const guids = (statement: PolicyStatement, key: string) => [
  ...new Set(
    pinnedValues(statement, key)
      .filter((v) => GUID.test(v))
      .map(lower),
  ),
];

/** The client IDs and subjects whose facts `judgeRole` needs (the caller reads them from Graph). */
export function namedInPolicy(policy: PolicyDocument, keys: ProviderKeys): { clientIds: string[]; subjects: string[] } {
  const statements = statementsOf(policy).filter((s) => admitsProviderTokens(s, keys.providerArn));
  return {
    clientIds: [...new Set(statements.flatMap((s) => guids(s, `${keys.conditionKeyPrefix}:aud`)))],
    subjects: [...new Set(statements.flatMap((s) => guids(s, `${keys.conditionKeyPrefix}:sub`)))],
  };
}

/** Whether a client ID is live: it names something a token can carry (anything but `nothing`). */
export const isLiveClientId = (kind: ClientIdKind | undefined): boolean => kind !== undefined && kind !== 'nothing';

function judgeStatement(statement: PolicyStatement, index: number, context: JudgementContext): StatementJudgement {
  const { keys, facts } = context;
  const audiences = guids(statement, `${keys.conditionKeyPrefix}:aud`);
  const subjects = guids(statement, `${keys.conditionKeyPrefix}:sub`);
  const kindOf = (clientId: string): ClientIdKind =>
    lower(clientId) === lower(context.gatewayClientId) ? 'platform' : (facts.clientIds.get(lower(clientId)) ?? 'nothing');
  const foreign = (kind: ClientIdKind) => kind === 'foreign-application' || kind === 'service-principal';
  const judged = (kind: StatementKind): StatementJudgement => ({ index, kind, audiences, subjects });

  const [only] = subjects;
  const subjectApp = subjects.length === 1 && only !== undefined ? facts.subjects.get(only) : undefined;
  if (subjectApp) {
    const subjectKind = kindOf(subjectApp);
    // IAM's :aud reads a v1 token's aud (the gateway, which brought identities ask a token for)
    // and a v2 token's azp (the identity's own client ID): docs/architecture.md#audience-modes.
    const broughtAudiences = new Set([lower(context.gatewayClientId), ...(context.tokenVersion === 2 ? [lower(subjectApp)] : [])]);
    if (foreign(subjectKind) && audiences.every((aud) => broughtAudiences.has(aud))) return judged('brought');
  }
  if (audiences.some((aud) => foreign(kindOf(aud)))) return judged('hand-made');
  if (subjects.some((sub) => kindOf(facts.subjects.get(sub) ?? '') === 'ours')) return judged('ours');
  return judged('to-federate');
}

/**
 * The judgement's first question, the only one answered without Graph: does the role take part
 * in federation at all (some Allow statement admits the provider's tokens for web identity)?
 * `not-federated` otherwise. The router asks only this.
 */
export function isFederation(policy: PolicyDocument, providerArn: string): boolean {
  return referencesProvider(policy, providerArn);
}

/** Judges a role's trust policy (see the module comment). */
export function judgeRole(policy: PolicyDocument, context: JudgementContext): RoleJudgement {
  const { keys, held } = context;
  const statements = statementsOf(policy).flatMap((statement, index) =>
    admitsProviderTokens(statement, keys.providerArn) ? [judgeStatement(statement, index, context)] : [],
  );
  const kinds = new Set(statements.map((s) => s.kind));
  const kind: RoleKind = !isFederation(policy, keys.providerArn)
    ? 'not-federated'
    : ((['to-federate', 'ours', 'brought'] as const).find((k) => kinds.has(k)) ?? 'hand-made');
  const handMadeAudiences = [
    ...new Set(
      statements
        .filter((s) => s.kind === 'hand-made')
        .flatMap((s) =>
          s.audiences.filter((aud) => !['ours', 'platform', 'nothing', undefined].includes(context.facts.clientIds.get(aud))),
        ),
    ),
  ].filter((aud) => aud !== lower(context.gatewayClientId));
  return { kind, statements, handMadeAudiences, open: isOpen(policy, keys, held), access: accessOf(policy, keys, held) };
}
