import type { ConditionValue, PolicyDocument, PolicyStatement } from '../../functions/shared/iam';

/**
 * Whether a role's inline policies deny a session everything, as IAM decides it for the Deny
 * statements the automation writes (functions/shared/iam/session-revocation.ts): the session's
 * request context holds `aws:TokenIssueTime` and, for a session obtained through an IAM OIDC
 * provider, `aws:FederatedProvider` (its ARN); a key absent from the context makes a
 * `StringEquals` on it false (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-federatedprovider,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
 * The scenarios use it to show which sessions a revocation cuts off; an operator or key it does
 * not model is an error, never a guess.
 */
export interface RoleSession {
  /** When STS issued it (`aws:TokenIssueTime`). */
  readonly issuedAt: Date;
  /** The IAM identity provider's ARN, for a web identity session; absent for EC2, an account principal… */
  readonly federatedProvider?: string;
}

const asList = (value: ConditionValue): readonly (string | number | boolean)[] => (Array.isArray(value) ? value : [value]) as never;

function conditionHolds(operator: string, key: string, values: ConditionValue, session: RoleSession): boolean {
  if (operator === 'DateLessThan' && key === 'aws:TokenIssueTime') {
    return asList(values).some((value) => session.issuedAt.getTime() < Date.parse(String(value)));
  }
  if (operator === 'StringEquals' && key === 'aws:FederatedProvider') {
    return session.federatedProvider !== undefined && asList(values).includes(session.federatedProvider);
  }
  throw new Error(`sessions: the condition ${operator} on ${key} is not modelled`);
}

const deniesEverything = (statement: PolicyStatement, session: RoleSession): boolean =>
  statement.Effect === 'Deny' &&
  statement.Action === '*' &&
  Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => conditionHolds(operator, key, values, session)),
  );

/** Whether any inline policy of the role denies this session every action. */
export function sessionDenied(inlinePolicies: Readonly<Record<string, PolicyDocument>>, session: RoleSession): boolean {
  return Object.values(inlinePolicies).some((policy) =>
    (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]).some((statement) => deniesEverything(statement, session)),
  );
}
