import { type PolicyDocument, type PolicyStatement, openStatements, referencesProvider } from '../../functions/shared/iam';
import { PROVIDER_ARN, PROVIDER_HOST } from '../fixtures/port-fakes';

/**
 * REVIEW FINDING 6 (low; own role, but the one definition of "open" that the sweep is to reuse):
 * `openStatements` and `referencesProvider` only look at statements whose `Principal.Federated`
 * names the provider's ARN exactly. A trust statement with `"Principal": "*"` and
 * `sts:AssumeRoleWithWebIdentity` may also let the provider's tokens in: IAM documents "*" as
 * every principal, anonymous included
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous)
 * and does not say that web identity callers are excepted in trust policies, so both readings
 * must be handled; under the broad one, with no `aud`/`sub` test it admits every workload of the
 * tenant (and of every other web identity provider of the account). It is neither reported as open nor even routed: the
 * router ignores the CreateRole, so the role is never refused (`wildcard`) nor locked.
 *
 * Minimal fix: a statement "lets the provider's tokens in" when its Principal is "*" (or
 * `Federated` contains the provider ARN); count such statements in `openStatements`, and let
 * `referencesProvider` route them so that `pinTrustPolicy` refuses them as `wildcard` and the
 * failure path locks them.
 */

const heldClientIds = ['07000000-0000-4000-8000-0000000000a0'];
const keys = { providerArn: PROVIDER_ARN, conditionKeyPrefix: PROVIDER_HOST };
const everyone: PolicyStatement = { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity' };
const policy: PolicyDocument = { Version: '2012-10-17', Statement: [everyone] };

describe('attack: "open" covers every statement that admits the provider\'s tokens', () => {
  it('Principal "*" with sts:AssumeRoleWithWebIdentity and no aud/sub test is open', () => {
    expect(openStatements(policy, keys, heldClientIds)).toEqual([everyone]);
  });

  it('such a role reaches the automation (to be refused and locked) instead of being ignored', () => {
    expect(referencesProvider(policy, PROVIDER_ARN)).toBe(true);
  });
});
