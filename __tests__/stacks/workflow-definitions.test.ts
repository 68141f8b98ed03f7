import { AUTOMATION_ERRORS, TRANSIENT_ERROR_NAMES } from '../../functions/shared/runtime';
import { LOCK_HELD_ERROR, ROLE_LOCK_LEASE_SECONDS, WORKFLOW_TIMEOUT_SECONDS } from '../../functions/shared/workflow';
import { resourcesOf, synthesize, synthesizedStateMachines } from '../support/synthesized';

// asl-validator ships no type declarations, and mutates its input: always pass a clone.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };

const machines = synthesizedStateMachines();
const states = (definition: any) => Object.entries(definition.States) as Array<[string, any]>;
const isFunctionTask = ([, state]: [string, any]) => state.Type === 'Task' && state.Resource === 'arn:aws:states:::lambda:invoke';
const isLockTask = ([, state]: [string, any]) => state.Type === 'Task' && String(state.Resource).startsWith('arn:aws:states:::dynamodb:');
const errorNames = (definition: any): string[] =>
  states(definition).flatMap(([, state]) => [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule: any) => rule.ErrorEquals));

describe.each([
  ['Web-Identity-Role-Revoke', machines.revoke],
  ['Web-Identity-Role-Restore', machines.restore],
])("%s as synthesized (an operator's: no role lock)", (_name, definition) => {
  it('is valid Amazon States Language', () => {
    const result = aslValidator(structuredClone(definition));

    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('starts by keeping the input as the request and naming the execution, and invokes only task functions', () => {
    expect(definition.States[definition.StartAt]).toMatchObject({
      Type: 'Pass',
      Parameters: { 'request.$': '$', 'eventId.$': '$$.Execution.Name' },
    });
    const tasks = states(definition).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(2);
    expect(tasks.every(isFunctionTask)).toBe(true);
  });

  it('names only errors that the functions throw or that Step Functions and Lambda define, and retries the transient ones', () => {
    expect(
      errorNames(definition).filter((name) => !name.startsWith('States.') && !name.startsWith('Lambda.') && !(name in AUTOMATION_ERRORS)),
    ).toEqual([]);
    for (const [, state] of states(definition).filter(isFunctionTask)) {
      expect(state.Retry.flatMap((rule: any) => rule.ErrorEquals)).toEqual(expect.arrayContaining([...TRANSIENT_ERROR_NAMES]));
    }
  });
});

describe.each([
  ['Web-Identity-Role-Create', machines.create],
  ['Web-Identity-Role-Delete', machines.delete],
])('%s as synthesized', (_name, definition) => {
  it('is valid Amazon States Language', () => {
    const result = aslValidator(structuredClone(definition));

    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('names only errors that the functions throw or that Step Functions and Lambda define', () => {
    const unknown = errorNames(definition).filter(
      (name) => !name.startsWith('States.') && !name.startsWith('Lambda.') && name !== LOCK_HELD_ERROR && !(name in AUTOMATION_ERRORS),
    );

    expect(errorNames(definition).length).toBeGreaterThan(0);
    expect(unknown).toEqual([]);
  });

  it('retries every transient error and Lambda service exceptions on every task', () => {
    for (const [, state] of states(definition).filter(isFunctionTask)) {
      const retried = state.Retry.flatMap((rule: any) => rule.ErrorEquals);
      expect(retried).toEqual(
        expect.arrayContaining([...TRANSIENT_ERROR_NAMES, 'Lambda.ServiceException', 'Lambda.TooManyRequestsException']),
      );
      for (const rule of state.Retry)
        expect(rule.MaxDelaySeconds ?? rule.IntervalSeconds * rule.BackoffRate ** rule.MaxAttempts).toBeLessThanOrEqual(3600);
    }
  });

  it('invokes the task functions through their Terraform ARNs, and writes nothing but the role-lock table', () => {
    const tasks = states(definition).filter(([, s]) => s.Type === 'Task');
    expect(tasks.every((entry) => isFunctionTask(entry) || isLockTask(entry))).toBe(true);
    for (const [, state] of tasks.filter(isFunctionTask)) {
      expect(state.Parameters.FunctionName).toMatch(/^\$\{aws_lambda_function\.[\w-]+\.arn\}$/);
    }
    for (const [, state] of tasks.filter(isLockTask)) {
      expect(state.Parameters.TableName).toMatch(/^\$\{aws_dynamodb_table\.[\w-]*role-locks[\w-]*\.name\}$/);
    }
  });

  it('takes the role lock first, and releases it on every way to an end', () => {
    // Prepare: every path from the start, following Next, Choices, Default and Catch
    const all = definition.States as Record<string, any>;
    const successors = (state: any): string[] => [
      ...(state.Next ? [state.Next] : []),
      ...(state.Choices ?? []).map((choice: any) => choice.Next),
      ...(state.Default ? [state.Default] : []),
      ...(state.Catch ?? []).map((rule: any) => rule.Next),
    ];
    // Act: walk every simple path from StartAt to a terminal state
    const endings: string[][] = [];
    const walk = (name: string, path: string[]) => {
      const state = all[name];
      const next = successors(state);
      if (next.length === 0 || state.End) endings.push([...path, name]);
      for (const successor of next) if (!path.includes(successor)) walk(successor, [...path, name]);
    };
    walk(definition.StartAt, []);
    // Assess
    expect(all[definition.StartAt].Resource).toBe('arn:aws:states:::dynamodb:putItem');
    expect(endings.length).toBeGreaterThan(3);
    for (const path of endings) {
      const acquired = path.length > 1 && all[path[1]!].Type !== 'Fail';
      const released = path.some((name) => all[name].Resource === 'arn:aws:states:::dynamodb:deleteItem');
      expect(`${path.join(' → ')}: ${released}`).toBe(`${path.join(' → ')}: ${acquired}`);
    }
  });

  it('holds the lock for no longer than a lease that outlives the execution and its longest task', () => {
    expect(definition.TimeoutSeconds).toBe(WORKFLOW_TIMEOUT_SECONDS);
    // The tasks these two machines invoke (the sweep's functions have a machine of their own and no lock).
    const longestTask = Math.max(
      ...resourcesOf(synthesize(), 'aws_lambda_function')
        .filter((fn) => !String(fn.function_name).includes('-sweep-'))
        .map((fn) => Number(fn.timeout)),
    );
    expect(ROLE_LOCK_LEASE_SECONDS).toBeGreaterThan(definition.TimeoutSeconds + longestTask);
    expect(definition.States.AcquireRoleLock.Parameters.Item.expiresAt['N.$']).toContain(`$.lock.routedAt, ${ROLE_LOCK_LEASE_SECONDS}`);
    expect(definition.States.AcquireRoleLock.Retry[0].ErrorEquals).toEqual([LOCK_HELD_ERROR]);
  });
});

describe('the error contract', () => {
  it.each(Object.entries(AUTOMATION_ERRORS))('%s reports its own name, which survives minification', (name, ErrorClass) => {
    const error = new (ErrorClass as new (...args: any[]) => Error)('message', 400);

    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(Error);
  });
});

describe('Web-Identity-Role-Create', () => {
  it('catches every task failure into compensation that removes what the execution made', () => {
    const compensated = states(machines.create).filter(([name]) =>
      ['CreateServicePrincipal', 'AddAudienceToProvider', 'AssignRoleToAudience'].includes(name),
    );

    for (const [, state] of compensated) {
      expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'RemoveApplication' }]);
    }
    expect(machines.create.States.RemoveApplication.Parameters.FunctionName).toMatch(/delete-service-principal/);
  });

  it('ends cleanly when the role disappeared part-way', () => {
    expect(machines.create.States.IsRoleGone.Choices).toEqual([
      { Variable: '$.failure.Error', StringEquals: 'RoleNotFoundError', Next: 'ReleaseLockThenRoleGone' },
    ]);
    expect(machines.create.States.ReleaseLockThenRoleGone.Next).toBe('RoleGone');
    expect(machines.create.States.RoleGone.Type).toBe('Succeed');
  });
});
