import { ROLE_LOCK_LEASE_SECONDS } from '../../../functions/shared/workflow';
import { synthesizedStateMachines } from '../../support/synthesized';
import { DynamoDbTable } from '../../../simulation/fakes/dynamodb-model';

/**
 * The role-lock table as the state machines write it: the parameters below are the synthesized
 * AcquireRoleLock / ReleaseLockThen… states' own, resolved as Step Functions resolves them.
 */
const machines = synthesizedStateMachines();
const acquireState = machines.create.States.AcquireRoleLock;
const releaseState = machines.create.States.ReleaseLockThenFederated;

const KEY = '111122223333/ci-deployer';
const execution = (name: string) => `arn:aws:states:us-east-1:999988887777:execution:Web-Identity-Role-Create:${name}`;

/** The state's Parameters with `"x.$"` resolved for one execution, as Step Functions hands them to DynamoDB. */
function acquire(holder: string, routedAt: number) {
  const p = acquireState.Parameters;
  return {
    TableName: p.TableName,
    Item: { lockKey: { S: KEY }, holder: { S: holder }, expiresAt: { N: String(routedAt + ROLE_LOCK_LEASE_SECONDS) } },
    ConditionExpression: p.ConditionExpression,
    ExpressionAttributeNames: p.ExpressionAttributeNames,
    ExpressionAttributeValues: { ':me': { S: holder }, ':now': { N: String(routedAt) } },
  };
}
function release(holder: string) {
  const p = releaseState.Parameters;
  return {
    TableName: p.TableName,
    Key: { lockKey: { S: KEY } },
    ConditionExpression: p.ConditionExpression,
    ExpressionAttributeNames: p.ExpressionAttributeNames,
    ExpressionAttributeValues: { ':me': { S: holder } },
  };
}

const table = () => new DynamoDbTable('t', 'lockKey', { accepts: (name) => name === acquireState.Parameters.TableName });
const T0 = 1_780_000_000;

describe('the role-lock table, written as the state machines write it', () => {
  it('takes a free lock, and refuses it to another execution while it is held', () => {
    const locks = table();
    expect(locks.putItem(acquire(execution('a'), T0))).toEqual({});
    expect(() => locks.putItem(acquire(execution('b'), T0 + 5))).toThrow(
      expect.objectContaining({ name: 'DynamoDB.ConditionalCheckFailedException' }),
    );
    expect(locks.snapshot()[KEY]?.holder).toEqual({ S: execution('a') });
  });

  it('lets the holder take it again (a retried write whose first answer was lost)', () => {
    const locks = table();
    locks.putItem(acquire(execution('a'), T0));
    expect(() => locks.putItem(acquire(execution('a'), T0))).not.toThrow();
  });

  it('lets another execution take a lock whose lease ran out before that execution was routed, and not a moment earlier', () => {
    const locks = table();
    locks.putItem(acquire(execution('dead'), T0));
    expect(() => locks.putItem(acquire(execution('b'), T0 + ROLE_LOCK_LEASE_SECONDS))).toThrow(/conditional request failed/);
    expect(() => locks.putItem(acquire(execution('b'), T0 + ROLE_LOCK_LEASE_SECONDS + 1))).not.toThrow();
    expect(locks.snapshot()[KEY]?.holder).toEqual({ S: execution('b') });
  });

  it('releases only for the holder; anyone else is refused and the lock stays', () => {
    const locks = table();
    locks.putItem(acquire(execution('a'), T0));
    expect(() => locks.deleteItem(release(execution('b')))).toThrow(
      expect.objectContaining({ name: 'DynamoDB.ConditionalCheckFailedException' }),
    );
    expect(Object.keys(locks.snapshot())).toEqual([KEY]);
    locks.deleteItem(release(execution('a')));
    expect(locks.snapshot()).toEqual({});
    expect(locks.conditionFailures).toEqual({ 'dynamodb:PutItem': 0, 'dynamodb:DeleteItem': 1 });
  });

  it('refuses what DynamoDB refuses: an unused or undefined placeholder, a missing key, another table', () => {
    const locks = table();
    const good = acquire(execution('a'), T0);
    expect(() =>
      locks.putItem({ ...good, ExpressionAttributeValues: { ...good.ExpressionAttributeValues, ':extra': { S: 'x' } } }),
    ).toThrow(/unused in expressions: keys: \{:extra\}.*ValidationException/);
    expect(() => locks.putItem({ ...good, ConditionExpression: `${good.ConditionExpression} OR #nope = :me` })).toThrow(
      /#nope.*ValidationException/,
    );
    expect(() => locks.putItem({ ...good, Item: { holder: { S: 'x' } } })).toThrow(/Missing the key lockKey/);
    expect(() => locks.putItem({ ...good, TableName: 'someone-elses-table' })).toThrow(
      expect.objectContaining({ name: 'DynamoDB.ResourceNotFoundException' }),
    );
  });

  it('evaluates AND, NOT, parentheses and comparisons as DynamoDB does, numbers as numbers', () => {
    const locks = table();
    locks.putItem({ TableName: 't', Item: { lockKey: { S: 'k' }, n: { N: '10' } } });
    const put = (condition: string, values: Record<string, { N: string } | { S: string }>) => () =>
      locks.putItem({
        TableName: 't',
        Item: { lockKey: { S: 'k' }, n: { N: '10' } },
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: values,
      });
    expect(put('#n < :v', { ':v': { N: '9' } })).toThrow(/conditional/);
    expect(put('#n > :v', { ':v': { N: '9' } })).not.toThrow();
    expect(put('NOT (#n = :v) AND attribute_exists(#n)', { ':v': { N: '10' } })).toThrow(/conditional/);
    expect(put('#n = :v', { ':v': { S: '10' } })).toThrow(/conditional/);
  });
});
