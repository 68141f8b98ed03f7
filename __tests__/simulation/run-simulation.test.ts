import { taskFunctionOf } from '../../simulation/local-pipeline';
import { localDefinitions, parseEvents } from '../../simulation/run-simulation';
import { synthesizedStateMachines } from '../support/synthesized';

type Definition = { States: Record<string, { Type: string; Parameters?: { FunctionName?: unknown } }> };

/** The definition with each task's FunctionName replaced by the function it names. */
function normalized(definition: Definition): unknown {
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => [
      name,
      state.Type === 'Task' ? { ...state, Parameters: { ...state.Parameters, FunctionName: taskFunctionOf(name, state) } } : state,
    ]),
  );
  return { ...definition, States: states };
}

describe('simulation definitions', () => {
  it('are the synthesized state machines, task for task', () => {
    const synthesized = synthesizedStateMachines();
    const local = localDefinitions() as { create: Definition; delete: Definition };
    expect(normalized(local.create)).toEqual(normalized(synthesized.create));
    expect(normalized(local.delete)).toEqual(normalized(synthesized.delete));
  });
});

describe('taskFunctionOf', () => {
  it('reads the function from an ARN or a Terraform reference, else from the state name', () => {
    expect(taskFunctionOf('X', { Type: 'Task', Parameters: { FunctionName: 'arn:aws:lambda:eu-west-1:1:function:web-identity-add-audience-id-provider' } })).toBe(
      'add-audience-id-provider',
    );
    expect(taskFunctionOf('X', { Type: 'Task', Parameters: { FunctionName: '${aws_lambda_function.delete_service_principal.arn}' } })).toBe(
      'delete-service-principal',
    );
    expect(taskFunctionOf('RecordFailureOnRole', { Type: 'Task', Parameters: { FunctionName: '${aws_lambda_function.fn_3.arn}' } })).toBe(
      'assign-role-to-audience',
    );
    expect(() => taskFunctionOf('Mystery', { Type: 'Task', Parameters: { FunctionName: 'x' } })).toThrow(/cannot tell which function/);
  });
});

describe('events parsing', () => {
  it('rejects an IAM event the pipeline does not handle, naming the event', () => {
    const event = { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.iam', account: '123456789012', detail: { eventID: 'e', eventName: 'AttachRolePolicy' } };
    expect(() => parseEvents([event], 'e.json')).toThrow(/e\.json: \[0\]\.detail\.eventName: expected CreateRole, UpdateAssumeRolePolicy, DeleteRole, TagRole/);
  });
});
