import { createLogger } from '../../functions/shared/runtime';
import { type PolicyDocument, type PolicyStatement, isOpen } from '../../functions/shared/iam';
import { parseConfig } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { createRoleEvent } from '../../simulation/engine/cloudtrail-events';
import { parseEvents, runSimulation } from '../../simulation/engine/run-simulation';
import { parseWorld } from '../../simulation/engine/world';

/**
 * REVIEW FINDING 5 (medium): one statement that pins `aud` to ANY application of the tenant the
 * automation did not create makes the whole role "hand-made": create-service-principal stops
 * before anything is checked, so every OTHER statement of the role escapes the rewrite and the
 * lock, silently (no status tag, no `entra:access`, no alarm).
 *
 * A team (or one careless copy-paste) writes an open statement (no `aud` test) next to a second
 * statement whose `aud` is the client ID of some application registered in the tenant: one of
 * its own, or anybody's (application IDs are readable by every tenant user). The open
 * statement stays open for good: every workload of the tenant can get a token for a client ID
 * the provider holds (another team's) and assume the role. "A role the automation cannot pin
 * must not stay open" does not hold, and nothing tells the platform team.
 *
 * Minimal fix: decide "hand-made" per statement. Leave the statements that pin a foreign `aud`
 * (with a `sub`) as they are, but treat every other web identity statement as usual: pin it,
 * or refuse the role and lock what is open; a role with an open statement is never skipped
 * silently (status `failed:<reason>`, `entra:access`, the `role-open` alarm where it applies).
 */

const TENANT = EXAMPLE_CONFIG.entra.tenantId;
const HOST = `sts.windows.net/${TENANT}/`;
const ACCOUNT = '222222222222';
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const OTHER_TEAM_APP = '07000000-0000-4000-8000-0000000000a0';
const SOMEBODYS_APP = '5b000000-0000-4000-8000-0000000000a5';
const SOMEBODY = '5b000000-0000-4000-8000-00000000005b';

const allow = (condition?: PolicyStatement['Condition']): PolicyStatement => ({
  Effect: 'Allow',
  Principal: { Federated: PROVIDER_ARN },
  Action: 'sts:AssumeRoleWithWebIdentity',
  ...(condition ? { Condition: condition } : {}),
});

describe('attack: a hand-made statement does not exempt the rest of the role', () => {
  it('an open statement next to a statement pinning a foreign application is locked (or refused), not left open silently', async () => {
    // Prepare: the provider holds another team's client ID; some tenant user registered an application.
    const policy: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [allow(), allow({ StringEquals: { [`${HOST}:aud`]: SOMEBODYS_APP } })],
    };
    const world = parseWorld({
      accounts: { [ACCOUNT]: { oidcProviders: [{ url: `https://${HOST}`, clientIds: [OTHER_TEAM_APP] }] } },
      entra: {
        users: [SOMEBODY],
        applications: [{ appId: SOMEBODYS_APP, displayName: 'somebodys-tool', owners: [SOMEBODY], createdBy: SOMEBODY }],
      },
    });
    const events = parseEvents([createRoleEvent('sneaky', policy, { accountId: ACCOUNT, eventId: 'review-handmade-0001' })]);

    // Act
    const output = await runSimulation({
      world,
      events,
      config: parseConfig(EXAMPLE_CONFIG),
      logger: createLogger({ sink: () => undefined }),
    });

    // Assess
    const account = output.iam[ACCOUNT] as {
      roles: { roleName: string; tags: Record<string, string>; assumeRolePolicyDocument: PolicyDocument }[];
      oidcProviders: { clientIds: string[] }[];
    };
    const role = account.roles.find((r) => r.roleName === 'sneaky')!;
    const held = account.oidcProviders[0]!.clientIds;
    expect(held).toContain(OTHER_TEAM_APP);
    expect(isOpen(role.assumeRolePolicyDocument, { providerArn: PROVIDER_ARN, conditionKeyPrefix: HOST }, held)).toBe(false);
  });
});
