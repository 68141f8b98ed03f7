import { randomUUID } from 'node:crypto';
import { type PolicyDocument, type PolicyStatement, LOCK_SID, openStatements, pinTrustPolicy } from '../../functions/shared/iam';
import { createRoleEvent } from '../fixtures/cloudtrail';
import { ACCOUNT, HOST, PROVIDER_ARN, federatedPolicy, startE2eWorld, type E2eWorld } from '../e2e/harness';

/**
 * REVIEW FINDING 3 (medium): the automation recognises its lock by `Sid` and `Effect` alone
 * (`hasLock`, `withoutLock` in functions/shared/iam/trust-policy.ts).
 *
 * (a) A Deny statement that merely carries the Sid `EntraFederationLock` (hand-written, or
 *     copied from a locked role of another account, where its Principal names that account's
 *     provider) makes an open role count as locked: on failure the automation writes no lock,
 *     tags `entra:access = locked`, and raises no `role-open` alarm, while the role admits every
 *     workload of the tenant.
 * (b) A successful pin removes every Deny with that Sid, whatever it denies: a team's own Deny
 *     (here: no AWS principal outside the organization) disappears, and the rewrite widens the
 *     trust policy, against "it never widens access".
 *
 * Minimal fix: recognise the lock by its whole shape (Sid, Deny, `Principal.Federated` = this
 * account's provider, `Action` = `sts:AssumeRoleWithWebIdentity`, no condition other than
 * `StringNotEquals` on the provider's `:sub`); treat a look-alike as the team's statement: keep
 * it when pinning, and do not let it count as a lock (refuse it, or lock anyway).
 */

let world: E2eWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const keys = { providerArn: PROVIDER_ARN, conditionKeyPrefix: HOST };
const webIdentityAllow = (condition?: PolicyStatement['Condition']): PolicyStatement => ({
  Effect: 'Allow',
  Principal: { Federated: PROVIDER_ARN },
  Action: 'sts:AssumeRoleWithWebIdentity',
  ...(condition ? { Condition: condition } : {}),
});

/** A Deny that really stops the provider's tokens for everyone but the exempted `sub`s. */
const realLocks = (policy: PolicyDocument) =>
  (policy.Statement as PolicyStatement[]).filter(
    (s) =>
      s.Effect === 'Deny' &&
      s.Principal !== '*' &&
      [s.Principal?.Federated].flat().includes(PROVIDER_ARN) &&
      [s.Action].flat().includes('sts:AssumeRoleWithWebIdentity'),
  );

describe('attack: the lock is recognised by what it is, not by its Sid', () => {
  it('an open role with a look-alike "EntraFederationLock" statement is really locked when federation fails', async () => {
    // Prepare: another team's role is federated, so the provider holds a client ID any workload can get a token for.
    world = await startE2eWorld();
    await world.play(createRoleEvent('other-team', federatedPolicy(), { accountId: ACCOUNT, eventId: randomUUID() }));
    const lookAlike: PolicyStatement = {
      Sid: LOCK_SID,
      Effect: 'Deny',
      // e.g. copied from a locked role of account 444455556666: it names that account's provider.
      Principal: { Federated: PROVIDER_ARN.replace(ACCOUNT, '444455556666') },
      Action: 'sts:AssumeRoleWithWebIdentity',
    };
    const policy: PolicyDocument = { Version: '2012-10-17', Statement: [webIdentityAllow(), lookAlike] };
    world.graph.faults.inject({ method: 'POST', route: '/applications', kind: 'unavailable', count: 1000 });

    // Act
    await world.play(createRoleEvent('open-role', policy, { accountId: ACCOUNT, eventId: randomUUID() }));

    // Assess
    const role = world.iam.role(ACCOUNT, 'open-role')!;
    const held = world.iam.provider(ACCOUNT, PROVIDER_ARN)?.clientIds ?? [];
    expect(openStatements(role.assumeRolePolicyDocument as PolicyDocument, keys, held)).toHaveLength(1);
    expect(role.tags['entra:access']).toBe('locked');
    expect(realLocks(role.assumeRolePolicyDocument as PolicyDocument)).toHaveLength(1);
  });

  it("pinning keeps a team's own Deny that happens to use the Sid (the rewrite never widens)", () => {
    // Prepare: the team trusts a partner account, but only from inside the organization.
    const teamDeny: PolicyStatement = {
      Sid: LOCK_SID,
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sts:AssumeRole',
      Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-exampleorg' } },
    };
    const policy: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        webIdentityAllow({ StringEquals: { [`${HOST}:aud`]: 'api://replace-me' } }),
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'sts:AssumeRole' },
        teamDeny,
      ],
    };
    // Act
    const { policy: pinned } = pinTrustPolicy(policy, {
      ...keys,
      appId: '0a000000-0000-4000-8000-0000000000a0',
      servicePrincipalObjectId: '0a000000-0000-4000-8000-0000000000b0',
      maxPolicyChars: 2048,
    });
    // Assess
    expect(pinned.Statement).toContainEqual(teamDeny);
  });
});
