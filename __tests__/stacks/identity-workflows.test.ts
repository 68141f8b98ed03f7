import { ROLE_LOCK_ATTRIBUTES, roleLockTableName, stateMachineNames } from '../../functions/shared/workflow';
import type { FederationConfigInput } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { policyStatements, resourcesOf, resourceWhere, synthesize, synthesizedStateMachines } from '../support/synthesized';

const OTHER_PREFIX: FederationConfigInput = { ...EXAMPLE_CONFIG, namePrefix: 'acme-fed' };
const STATE_MACHINE_ARN = (name: string) => `arn:aws:states:eu-central-1:111111111111:stateMachine:${name}`;

describe('state machine names from namePrefix', () => {
  it('keeps Web-Identity-Role-Create and Web-Identity-Role-Delete for the default prefix, and adds Web-Identity-Sweep', () => {
    expect(
      resourcesOf(synthesize(), 'aws_sfn_state_machine')
        .map((machine) => machine.name)
        .sort(),
    ).toEqual([
      'Web-Identity-Role-Create',
      'Web-Identity-Role-Delete',
      'Web-Identity-Role-Restore',
      'Web-Identity-Role-Revoke',
      'Web-Identity-Sweep',
    ]);
  });

  it('names the machines, the router environment and its StartExecution policy after another prefix', () => {
    // Prepare
    const json = synthesize(OTHER_PREFIX);
    const names = stateMachineNames('acme-fed');

    // Act
    const machines = resourcesOf(json, 'aws_sfn_state_machine')
      .map((machine) => machine.name)
      .sort();
    const router = resourceWhere(json, 'aws_lambda_function', (fn) => fn.function_name === 'acme-fed-router');
    const startExecution = policyStatements(
      resourceWhere(
        json,
        'aws_iam_policy_document',
        (document) => document.statement.some((s: { sid: string }) => s.sid === 'StartWorkflows'),
        'data',
      ),
    ).find((statement) => statement.Sid === 'StartWorkflows');

    // Assess
    expect(machines).toEqual([
      'Acme-Fed-Role-Create',
      'Acme-Fed-Role-Delete',
      'Acme-Fed-Role-Restore',
      'Acme-Fed-Role-Revoke',
      'Acme-Fed-Sweep',
    ]);
    expect(router.environment.variables).toMatchObject({
      CREATE_STATE_MACHINE_ARN: STATE_MACHINE_ARN(names.create),
      DELETE_STATE_MACHINE_ARN: STATE_MACHINE_ARN(names.delete),
    });
    expect(startExecution?.Resource).toEqual([STATE_MACHINE_ARN(names.create), STATE_MACHINE_ARN(names.delete)]);
    expect(router.description).toContain('Acme-Fed-Role-Create');
  });

  it('watches the renamed machines with the execution alarms', () => {
    const dimensions = resourcesOf(synthesize(OTHER_PREFIX), 'aws_cloudwatch_metric_alarm')
      .filter((alarm) => alarm.namespace === 'AWS/States')
      .map((alarm) => alarm.dimensions.StateMachineArn);

    expect(new Set(dimensions)).toEqual(
      new Set(
        ['Acme-Fed-Role-Create', 'Acme-Fed-Role-Delete', 'Acme-Fed-Sweep', 'Acme-Fed-Role-Revoke', 'Acme-Fed-Role-Restore'].map(
          STATE_MACHINE_ARN,
        ),
      ),
    );
  });

  it('keeps the Terraform addresses of the machines whatever the prefix (construct ids are a contract)', () => {
    const addresses = (config: FederationConfigInput) => Object.keys(synthesize(config).resource.aws_sfn_state_machine).sort();

    expect(addresses(OTHER_PREFIX)).toEqual(addresses(EXAMPLE_CONFIG));
    expect(addresses(EXAMPLE_CONFIG)).toEqual([
      expect.stringMatching(/^sweep_state-machine_/),
      expect.stringMatching(/^workflows_create_/),
      expect.stringMatching(/^workflows_delete_/),
      expect.stringMatching(/^workflows_restore_/),
      expect.stringMatching(/^workflows_revoke_/),
    ]);
  });
});

describe('the role-lock table', () => {
  const json = synthesize();
  const table = resourceWhere(json, 'aws_dynamodb_table', (t) => t.name === roleLockTableName('web-identity'));
  const [tableKey] = Object.entries(json.resource.aws_dynamodb_table!).find(([, t]) => t === table)!;

  it('is keyed by the lock key, on demand, and tidies stale locks away by TTL on their expiry', () => {
    expect(table).toMatchObject({
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: ROLE_LOCK_ATTRIBUTES.key,
      attribute: [{ name: ROLE_LOCK_ATTRIBUTES.key, type: 'S' }],
      ttl: { attribute_name: ROLE_LOCK_ATTRIBUTES.expiresAt, enabled: true },
    });
  });

  it('is the table both state machines write, by reference', () => {
    const machines = synthesizedStateMachines();
    for (const machine of [machines.create, machines.delete]) {
      const lockStates = Object.values(machine.States as Record<string, any>).filter((s) =>
        String(s.Resource).startsWith('arn:aws:states:::dynamodb:'),
      );
      expect(lockStates.length).toBeGreaterThanOrEqual(2);
      for (const state of lockStates) expect(state.Parameters.TableName).toBe(`\${aws_dynamodb_table.${tableKey}.name}`);
    }
  });
});
