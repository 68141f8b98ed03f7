import { AUTOMATION_ERRORS, TRANSIENT_ERROR_NAMES } from '../../functions/shared/errors';
import { synthesizedStateMachines } from '../support/synthesized';

// asl-validator ships no type declarations, and mutates its input: always pass a clone.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };

const machines = synthesizedStateMachines();
const states = (definition: any) => Object.entries(definition.States) as Array<[string, any]>;
const errorNames = (definition: any): string[] =>
  states(definition).flatMap(([, state]) => [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule: any) => rule.ErrorEquals));

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
      (name) => !name.startsWith('States.') && !name.startsWith('Lambda.') && !(name in AUTOMATION_ERRORS),
    );

    expect(errorNames(definition).length).toBeGreaterThan(0);
    expect(unknown).toEqual([]);
  });

  it('retries every transient error and Lambda service exceptions on every task', () => {
    for (const [, state] of states(definition).filter(([, s]) => s.Type === 'Task')) {
      const retried = state.Retry.flatMap((rule: any) => rule.ErrorEquals);
      expect(retried).toEqual(expect.arrayContaining([...TRANSIENT_ERROR_NAMES, 'Lambda.ServiceException', 'Lambda.TooManyRequestsException']));
      for (const rule of state.Retry) expect(rule.MaxDelaySeconds ?? rule.IntervalSeconds * rule.BackoffRate ** rule.MaxAttempts).toBeLessThanOrEqual(3600);
    }
  });

  it('invokes the task functions through their Terraform ARNs', () => {
    for (const [, state] of states(definition).filter(([, s]) => s.Type === 'Task')) {
      expect(state.Resource).toBe('arn:aws:states:::lambda:invoke');
      expect(state.Parameters.FunctionName).toMatch(/^\$\{aws_lambda_function\.[\w-]+\.arn\}$/);
    }
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
    const compensated = states(machines.create).filter(([name]) => ['CreateServicePrincipal', 'AddAudienceToProvider', 'AssignRoleToAudience'].includes(name));

    for (const [, state] of compensated) {
      expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'RemoveApplication' }]);
    }
    expect(machines.create.States.RemoveApplication.Parameters.FunctionName).toMatch(/delete-service-principal/);
  });

  it('ends cleanly when the role disappeared part-way', () => {
    expect(machines.create.States.IsRoleGone.Choices).toEqual([{ Variable: '$.failure.Error', StringEquals: 'RoleNotFoundError', Next: 'RoleGone' }]);
    expect(machines.create.States.RoleGone.Type).toBe('Succeed');
  });
});
