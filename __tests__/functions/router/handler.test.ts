import { SFNClient, ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, makeRouterHandler, sfnExecutionStarter } from '../../../functions/router/handler';
import { InvalidInputError, silentLogger } from '../../../functions/shared/runtime';
import { deleteRoleEvent, sqsBatch } from '../../fixtures/cloudtrail';

const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());
afterAll(() => sfn.restore());

const settings = {
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  tokenVersion: 1 as const,
  automationRoleName: 'web-identity-automation',
  protectedRoles: ['OrganizationAccountAccessRole'],
  createStateMachineArn: 'arn:aws:states:eu-west-1:999988887777:stateMachine:Web-Identity-Role-Create',
  deleteStateMachineArn: 'arn:aws:states:eu-west-1:999988887777:stateMachine:Web-Identity-Role-Delete',
};

describe('router handler', () => {
  it('starts the execution over the SDK with the deterministic name and the workflow input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
    const now = () => Date.parse('2026-03-01T12:00:00Z');
    const handler = makeRouterHandler(() => ({
      settings,
      logger: silentLogger,
      starter: sfnExecutionStarter(new SFNClient({ region: 'eu-west-1' })),
      now,
    }));
    expect(await handler(sqsBatch(deleteRoleEvent('ci-deployer', { eventId: 'b9f0e1d2-0000-4000-8000-000000000001' })))).toEqual({
      batchItemFailures: [],
    });
    const [call] = sfn.commandCalls(StartExecutionCommand);
    expect(call?.args[0].input).toEqual({
      stateMachineArn: settings.deleteStateMachineArn,
      name: 'DeleteRole-b9f0e1d2-0000-4000-8000-000000000001',
      input: JSON.stringify({
        accountId: '111122223333',
        roleName: 'ci-deployer',
        eventId: 'b9f0e1d2-0000-4000-8000-000000000001',
        eventName: 'DeleteRole',
        lock: { key: '111122223333/ci-deployer', routedAt: now() / 1000 },
      }),
    });
  });

  it('counts ExecutionAlreadyExists as already started', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    const starter = sfnExecutionStarter(new SFNClient({ region: 'eu-west-1' }));
    await expect(
      starter.start({
        stateMachineArn: settings.deleteStateMachineArn,
        name: 'n',
        input: { accountId: '111122223333', roleName: 'r', eventId: 'e', eventName: 'DeleteRole' },
      }),
    ).resolves.toBe('already-exists');
  });

  it('rejects an event that is not an SQS batch as a whole', async () => {
    const handler = makeRouterHandler(() => ({ settings, logger: silentLogger, starter: { start: async () => 'started' as const } }));
    await expect(handler({ detail: {} })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('reads no environment at import: the first invocation reports what is missing', async () => {
    const saved = { ...process.env };
    for (const key of ['TENANT_ID', 'TOKEN_VERSION', 'AUTOMATION_ROLE_NAME', 'CREATE_STATE_MACHINE_ARN', 'DELETE_STATE_MACHINE_ARN']) {
      delete process.env[key];
    }
    try {
      await expect(handler(sqsBatch(deleteRoleEvent('x')))).rejects.toThrow(/TENANT_ID is not set.*CREATE_STATE_MACHINE_ARN is not set/);
    } finally {
      process.env = saved;
    }
  });
});
