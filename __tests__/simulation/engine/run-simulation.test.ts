import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../../functions/shared/runtime';
import { stateMachineNames } from '../../../functions/shared/workflow';
import { parseConfig } from '../../../stacks/config';
import { EXAMPLE_CONFIG } from '../../../stacks/example-config';
import { taskFunctionOf } from '../../../simulation/engine/local-pipeline';
import { localDefinitions, parseEvents, runSimulation } from '../../../simulation/engine/run-simulation';
import { parseWorld } from '../../../simulation/engine/world';
import { synthesizedStateMachines } from '../../support/synthesized';

type Definition = { States: Record<string, { Type: string; Parameters?: { FunctionName?: unknown } }> };

/** The definition with each task's FunctionName replaced by the function it names. */
function normalized(definition: Definition): unknown {
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => [
      name,
      state.Type !== 'Task'
        ? state
        : state.Parameters?.FunctionName !== undefined
          ? { ...state, Parameters: { ...state.Parameters, FunctionName: taskFunctionOf(name, state) } }
          : { ...state, Parameters: { ...state.Parameters, TableName: 'the role-lock table' } },
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
  it('reads the function from an ARN or a Terraform reference, and refuses one it cannot name', () => {
    expect(
      taskFunctionOf('X', {
        Type: 'Task',
        Parameters: { FunctionName: 'arn:aws:lambda:eu-west-1:1:function:web-identity-add-audience-id-provider' },
      }),
    ).toBe('add-audience-id-provider');
    expect(taskFunctionOf('X', { Type: 'Task', Parameters: { FunctionName: '${aws_lambda_function.delete_service_principal.arn}' } })).toBe(
      'delete-service-principal',
    );
    expect(() =>
      taskFunctionOf('RecordFailureOnRole', { Type: 'Task', Parameters: { FunctionName: '${aws_lambda_function.fn_3.arn}' } }),
    ).toThrow(/RecordFailureOnRole: cannot tell/);
    expect(() => taskFunctionOf('Mystery', { Type: 'Task', Parameters: { FunctionName: 'x' } })).toThrow(/cannot tell which function/);
  });
});

describe('events parsing', () => {
  it('rejects an IAM event the pipeline does not handle, naming the event', () => {
    const event = {
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.iam',
      account: '123456789012',
      detail: { eventID: 'e', eventName: 'AttachRolePolicy' },
    };
    expect(() => parseEvents([event], 'e.json')).toThrow(
      /e\.json: \[0\]\.detail\.eventName: expected CreateRole, UpdateAssumeRolePolicy, DeleteRole, TagRole \(the IAM calls the simulator can apply/,
    );
  });
});

describe('simulated state machine names', () => {
  it("follow the configuration's namePrefix, as the stack names them", async () => {
    // Prepare
    const examples = join(__dirname, '../../../simulation/examples');
    const read = (name: string) => JSON.parse(readFileSync(join(examples, name), 'utf8'));
    const config = parseConfig({ ...EXAMPLE_CONFIG, namePrefix: 'acme-fed' });

    // Act
    const output = await runSimulation({
      world: parseWorld(read('world.json')),
      events: parseEvents(read('events.json')),
      config,
      logger: silentLogger,
      definitions: synthesizedStateMachines({ ...EXAMPLE_CONFIG, namePrefix: 'acme-fed' }),
    });

    // Assess
    const names = stateMachineNames('acme-fed');
    expect(output.executions.map((execution) => [execution.stateMachine, execution.status])).toEqual([
      [names.create, 'SUCCEEDED'],
      [names.delete, 'SUCCEEDED'],
    ]);
    expect(names).toEqual({
      create: 'Acme-Fed-Role-Create',
      delete: 'Acme-Fed-Role-Delete',
      sweep: 'Acme-Fed-Sweep',
      revoke: 'Acme-Fed-Role-Revoke',
      restore: 'Acme-Fed-Role-Restore',
    });
  });
});

describe('events the router must not act on, end to end', () => {
  const examples = join(__dirname, '../../../simulation/examples');
  const read = (name: string) => JSON.parse(readFileSync(join(examples, name), 'utf8'));
  const VICTIM = '222222222222';
  const ATTACKER = '444444444444';

  it("a forged event from one account naming another account's role starts nothing and changes nothing there", async () => {
    // Prepare: the example's CreateRole of ci-deployer in 222222222222, as if account 444444444444
    // had put it on the bus itself (EventBridge stamps `account` from the sender).
    const world = read('world.json');
    world.accounts[ATTACKER] = { roles: [], oidcProviders: [] };
    const [createRole] = read('events.json');
    const forged = { ...createRole, account: ATTACKER, detail: { ...createRole.detail, recipientAccountId: VICTIM } };
    world.accounts[VICTIM].roles.push({
      roleName: 'ci-deployer',
      assumeRolePolicyDocument: JSON.parse(createRole.detail.requestParameters.assumeRolePolicyDocument),
    });

    // Act
    const output = await runSimulation({
      world: parseWorld(world),
      events: parseEvents([forged]),
      config: parseConfig(EXAMPLE_CONFIG),
      logger: silentLogger,
    });

    // Assess
    expect(output.executions).toEqual([]);
    expect(output.entra.applications).toEqual([]);
    expect(Object.keys(output.calls).filter((call) => !call.startsWith('sts:'))).toEqual([]);
  });

  it('a CreateRole of a protected role that trusts the provider starts nothing', async () => {
    // Prepare
    const [createRole] = read('events.json');
    const parameters = { ...createRole.detail.requestParameters, roleName: `cdk-hnb659fds-deploy-role-${VICTIM}-us-east-1` };
    const event = { ...createRole, detail: { ...createRole.detail, requestParameters: parameters } };

    // Act
    const output = await runSimulation({
      world: parseWorld(read('world.json')),
      events: parseEvents([event]),
      config: parseConfig(EXAMPLE_CONFIG),
      logger: silentLogger,
    });

    // Assess
    expect(output.executions).toEqual([]);
    expect(output.entra.applications).toEqual([]);
  });

  it('the same CreateRole of an app team role federates (control)', async () => {
    const [createRole] = read('events.json');

    const output = await runSimulation({
      world: parseWorld(read('world.json')),
      events: parseEvents([createRole]),
      config: parseConfig(EXAMPLE_CONFIG),
      logger: silentLogger,
    });

    expect(output.executions.map((execution) => execution.status)).toEqual(['SUCCEEDED']);
    expect(output.entra.applications).toHaveLength(1);
  });
});
