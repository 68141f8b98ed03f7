import {
  LOCK_HELD_ERROR,
  ROLE_LOCK_LEASE_SECONDS,
  TASK_TIMEOUT_SECONDS,
  WORKFLOW_TIMEOUT_SECONDS,
  roleLockInput,
  roleLockInputSchema,
  roleLockKey,
  roleLockTableName,
} from '../../../../functions/shared/workflow';

/**
 * The role lock's names are contracts with what already exists: a deployed table and the error
 * Step Functions raises. The stack's tests check that its producers and consumers agree; these
 * pin the values themselves, which agreeing sides cannot notice changing.
 */
describe('the role lock', () => {
  it('keeps its table name: renaming it would replace the table and forget every lock held', () => {
    expect(roleLockTableName('web-identity')).toBe('web-identity-role-locks');
  });

  it('waits on the error Step Functions raises for a DynamoDB condition that does not hold', () => {
    // "For optimized integrations, the exception prefix will be DynamoDB"
    // (https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html), and PutItem's
    // condition failure is ConditionalCheckFailedException
    // (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#API_PutItem_Errors).
    expect(LOCK_HELD_ERROR).toBe('DynamoDB.ConditionalCheckFailedException');
  });

  it('holds a lease longer than an execution, a Graph task still running after it, and a margin for clocks', () => {
    // The stack's test also checks the synthesized timeouts against this lease.
    expect(ROLE_LOCK_LEASE_SECONDS - WORKFLOW_TIMEOUT_SECONDS - TASK_TIMEOUT_SECONDS.callsGraph).toBeGreaterThanOrEqual(180);
  });

  it('keys a role by account and name regardless of case, as IAM names are unique', () => {
    expect(roleLockKey('111122223333', 'CI-Deploy')).toBe(roleLockKey('111122223333', 'ci-deploy'));
    expect(roleLockKey('111122223333', 'ci')).not.toBe(roleLockKey('444455556666', 'ci'));
    expect(roleLockInput('111122223333', 'CI', 1_700_000_000_999)).toEqual({ key: '111122223333/ci', routedAt: 1_700_000_000 });
  });
});

describe('the role lock input', () => {
  it('keeps the key and the routing time through its schema, and refuses an empty key or a time before 1970', () => {
    const input = roleLockInput('111122223333', 'ci', 1_700_000_000_000);
    expect(roleLockInputSchema.parse(input)).toEqual(input);
    expect(roleLockInputSchema.safeParse({ ...input, key: '' }).success).toBe(false);
    expect(roleLockInputSchema.safeParse({ ...input, routedAt: -1 }).success).toBe(false);
  });
});
