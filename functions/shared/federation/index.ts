/**
 * Federation: the one judgement of a role (ours, brought, hand-made, to federate, not a
 * federation; open or not) from its trust policy, its provider's client IDs and what Graph says
 * about each client ID and `sub`. It needs both the IAM and the Entra vocabulary, so it has a
 * domain of its own; it imports from iam/ and entra/, never the other way round.
 */
export * from './directory-facts';
export * from './role-judgement';
