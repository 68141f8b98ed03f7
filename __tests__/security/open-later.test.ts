import { randomUUID } from 'node:crypto';
import { type PolicyDocument, isOpen, openStatements, withLock } from '../../functions/shared/iam';
import { createRoleEvent } from '../fixtures/cloudtrail';
import { ACCOUNT, HOST, PROVIDER_ARN, federatedPolicy, startE2eWorld, type E2eWorld } from '../e2e/harness';

/**
 * REVIEW FINDING 2 (high): "open" is judged against the client IDs the provider holds at the
 * moment of the failure, and the lock decision is never revisited. A statement whose `aud` test
 * admits client IDs the provider does not hold *yet* (no `aud` test in an account whose provider
 * is still empty; `StringNotEquals`; a partial `StringLike` pattern) is tagged
 * `entra:access = closed` and left without a lock. As soon as any other role of the account is
 * federated, its client ID joins the provider and the failed role is open to every workload of
 * the tenant (any service principal can get an app-only token for that client ID).
 *
 * Typical trigger, no attacker needed: the first federated role of a new account is written
 * without an audience test and meets a Graph outage (or any other failure before the pin).
 *
 * Minimal fix: judge openness against "any client ID the provider may ever hold": a statement
 * that pins no `sub` is open unless every `aud` test is an exact-match test
 * (`StringEquals`/`StringEqualsIgnoreCase`, no wildcard) whose values the provider does not
 * hold; at least evaluate it against the held IDs plus a fresh GUID.
 */

let world: E2eWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const keys = { providerArn: PROVIDER_ARN, conditionKeyPrefix: HOST };
const openPolicy = (): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithWebIdentity' }],
});

describe('attack: a role the automation could not pin does not become open later', () => {
  it('the first role of an account, written open, fails during a Graph outage: once a second role federates, it must not be open', async () => {
    // Prepare: a new account (its provider holds no client ID yet), Graph down for the first role.
    world = await startE2eWorld();
    world.graph.faults.inject({ method: 'POST', route: '/applications', kind: 'unavailable', count: 1000 });
    await world.play(createRoleEvent('open-role', openPolicy(), { accountId: ACCOUNT, eventId: randomUUID() }));
    const afterFailure = world.iam.role(ACCOUNT, 'open-role');
    expect(afterFailure?.tags['entra:federation-status']).toBe('failed:graph-unavailable');

    // Act: Graph is back; another team federates its role in the same account.
    world.graph.faults.clear();
    await world.play(createRoleEvent('other-team', federatedPolicy(), { accountId: ACCOUNT, eventId: randomUUID() }));

    // Assess: the provider now holds a client ID any workload of the tenant can get a token for;
    // 'open-role' must not let such a token in.
    const held = world.iam.provider(ACCOUNT, PROVIDER_ARN)?.clientIds ?? [];
    expect(held).toHaveLength(1);
    const policy = world.iam.role(ACCOUNT, 'open-role')!.assumeRolePolicyDocument as PolicyDocument;
    expect(isOpen(policy, keys, held)).toBe(false);
  });

  it.each([
    ['no aud test, provider empty', undefined],
    ['StringNotEquals aud, provider empty', { StringNotEquals: { [`${HOST}:aud`]: 'api://replace-me' } }],
    ['StringLike aud with a partial pattern no held ID matches yet', { StringLike: { [`${HOST}:aud`]: 'f*' } }],
  ])('openStatements flags a statement that admits client IDs the provider will hold later (%s)', (_, condition) => {
    // Prepare: what the provider holds now (nothing, or one ID not matching the pattern).
    const held = ['0a000000-0000-4000-8000-0000000000a0'];
    const heldNow = condition && 'StringLike' in condition ? held : [];
    const policy: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: PROVIDER_ARN },
          Action: 'sts:AssumeRoleWithWebIdentity',
          ...(condition ? { Condition: condition } : {}),
        },
      ],
    };
    // Act
    const flagged = openStatements(policy, keys, heldNow);
    // Assess: a later client ID (here one starting with "f") would get in; the statement is open.
    expect(openStatements(policy, keys, [...heldNow, 'f0000000-0000-4000-8000-0000000000f0'])).toHaveLength(1);
    expect(flagged).toHaveLength(1);
  });

  it('control: the lock itself holds whatever the provider holds later', () => {
    const locked = withLock(openPolicy(), keys, 2048);
    expect(isOpen(locked, keys, ['f0000000-0000-4000-8000-0000000000f0'])).toBe(false);
  });
});
