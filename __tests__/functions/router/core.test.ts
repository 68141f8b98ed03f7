import { core, executionName, type ExecutionStarter } from '../../../functions/router/core';
import type { WorkflowInput } from '../../../functions/shared/contracts';
import { createLogger } from '../../../functions/shared/logger';
import { createRoleEvent, deleteRoleEvent, sqsBatch, tagRoleEvent, updateAssumeRolePolicyEvent } from '../../fixtures/cloudtrail';
import { TENANT_ID, appTeamTrustPolicy } from '../../fixtures/port-fakes';

const settings = {
  tenantId: TENANT_ID,
  tokenVersion: 1 as const,
  automationRoleName: 'web-identity-automation',
  createStateMachineArn: 'arn:aws:states:eu-west-1:999988887777:stateMachine:Web-Identity-Role-Create',
  deleteStateMachineArn: 'arn:aws:states:eu-west-1:999988887777:stateMachine:Web-Identity-Role-Delete',
};
const ec2Policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };

function setUp(answer: (name: string) => Promise<'started' | 'already-exists'> = async () => 'started') {
  const started: { stateMachineArn: string; name: string; input: WorkflowInput }[] = [];
  const lines: string[] = [];
  const starter: ExecutionStarter = {
    start: async (request) => {
      const outcome = await answer(request.name);
      started.push(request);
      return outcome;
    },
  };
  const deps = { settings, starter, logger: createLogger({ sink: (line) => lines.push(line) }) };
  return { deps, started, lines };
}

describe('router core', () => {
  it('starts Create for a CreateRole whose trust policy references the provider', async () => {
    const { deps, started } = setUp();
    const result = await core(deps, sqsBatch(createRoleEvent('ci-deployer', appTeamTrustPolicy())));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(started).toEqual([
      {
        stateMachineArn: settings.createStateMachineArn,
        name: 'CreateRole-2d2f6c86-4d9b-4b8f-9a7c-1e5d3c2b1a09',
        input: { accountId: '111122223333', roleName: 'ci-deployer', eventId: '2d2f6c86-4d9b-4b8f-9a7c-1e5d3c2b1a09', eventName: 'CreateRole' },
      },
    ]);
  });

  it('reads a URL-encoded trust policy', async () => {
    const { deps, started } = setUp();
    await core(deps, sqsBatch(createRoleEvent('ci-deployer', encodeURIComponent(JSON.stringify(appTeamTrustPolicy())))));
    expect(started.map((s) => s.stateMachineArn)).toEqual([settings.createStateMachineArn]);
  });

  it('ignores a CreateRole that trusts something else', async () => {
    const { deps, started } = setUp();
    expect(await core(deps, sqsBatch(createRoleEvent('web', ec2Policy)))).toEqual({ batchItemFailures: [] });
    expect(started).toEqual([]);
  });

  it('starts Create for an UpdateAssumeRolePolicy that references the provider and Delete otherwise', async () => {
    const { deps, started } = setUp();
    await core(
      deps,
      sqsBatch(
        updateAssumeRolePolicyEvent('a', appTeamTrustPolicy(), { eventId: 'ev-1' }),
        updateAssumeRolePolicyEvent('b', ec2Policy, { eventId: 'ev-2' }),
      ),
    );
    expect(started.map((s) => [s.input.roleName, s.stateMachineArn])).toEqual([
      ['a', settings.createStateMachineArn],
      ['b', settings.deleteStateMachineArn],
    ]);
  });

  it('starts Delete for DeleteRole', async () => {
    const { deps, started } = setUp();
    await core(deps, sqsBatch(deleteRoleEvent('ci-deployer')));
    expect(started[0]?.stateMachineArn).toBe(settings.deleteStateMachineArn);
    expect(started[0]?.input.eventName).toBe('DeleteRole');
  });

  it('passes the owners a CreateRole call tagged on to the Create execution', async () => {
    const { deps, started } = setUp();
    const owner = '5f6a7b8c-0000-4000-8000-000000000001';
    await core(deps, sqsBatch(createRoleEvent('ci-deployer', appTeamTrustPolicy(), { eventId: 'ev-3', tags: { 'entra:owners': owner } })));
    expect(started).toEqual([
      {
        stateMachineArn: settings.createStateMachineArn,
        name: 'CreateRole-ev-3',
        input: { accountId: '111122223333', roleName: 'ci-deployer', eventId: 'ev-3', eventName: 'CreateRole', requestedOwners: owner },
      },
    ]);
  });

  it('ignores a TagRole, even one that sets entra:owners: naming owners takes writing the trust policy', async () => {
    // Attack on today's main: a principal with only iam:TagRole named itself owner and started a Create that added it.
    const { deps, started } = setUp();
    const attacker = '5f6a7b8c-0000-4000-8000-0000000000ff';
    expect(await core(deps, sqsBatch(tagRoleEvent('ci-deployer', { 'entra:owners': attacker })))).toEqual({ batchItemFailures: [] });
    expect(started).toEqual([]);
  });

  it('does not pass owners on from an UpdateAssumeRolePolicy', async () => {
    const { deps, started } = setUp();
    await core(deps, sqsBatch(updateAssumeRolePolicyEvent('ci-deployer', appTeamTrustPolicy())));
    expect(started[0]?.input.requestedOwners).toBeUndefined();
  });

  it('ignores failed calls', async () => {
    const { deps, started } = setUp();
    await core(deps, sqsBatch(createRoleEvent('x', appTeamTrustPolicy(), { errorCode: 'EntityAlreadyExists' })));
    expect(started).toEqual([]);
  });

  it("ignores the automation's own calls, by session ARN or by session issuer", async () => {
    const { deps, started } = setUp();
    await core(
      deps,
      sqsBatch(
        updateAssumeRolePolicyEvent('a', ec2Policy, { userArn: 'arn:aws:sts::111122223333:assumed-role/web-identity-automation/wi-assign-e1' }),
        updateAssumeRolePolicyEvent('b', ec2Policy, {
          userArn: 'arn:aws:sts::111122223333:assumed-role/other/s',
          issuerArn: 'arn:aws:iam::111122223333:role/automation/web-identity-automation',
        }),
      ),
    );
    expect(started).toEqual([]);
  });

  it('does not mistake a role whose name only starts like the automation role for it', async () => {
    const { deps, started } = setUp();
    await core(deps, sqsBatch(deleteRoleEvent('x', { userArn: 'arn:aws:sts::111122223333:assumed-role/web-identity-automation-2/s' })));
    expect(started).toHaveLength(1);
  });

  it('treats ExecutionAlreadyExists (a redelivery) as success', async () => {
    const { deps } = setUp(async () => 'already-exists');
    expect(await core(deps, sqsBatch(deleteRoleEvent('x')))).toEqual({ batchItemFailures: [] });
  });

  it('fails only the malformed items of a batch, with a logged reason', async () => {
    const { deps, started, lines } = setUp();
    const noRoleName = deleteRoleEvent('x', { eventId: 'ev-3' });
    noRoleName.detail.requestParameters = { roleName: '' };
    const result = await core(
      deps,
      sqsBatch('not json', { hello: 'world' }, deleteRoleEvent('ok', { eventId: 'ev-ok' }), noRoleName, createRoleEvent('y', '{"Statement":')),
    );
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: 'msg-1' },
      { itemIdentifier: 'msg-2' },
      { itemIdentifier: 'msg-4' },
      { itemIdentifier: 'msg-5' },
    ]);
    expect(started.map((s) => s.input.roleName)).toEqual(['ok']);
    const errors = lines.map((line) => JSON.parse(line)).filter((line) => line.level === 'ERROR');
    expect(errors.map((line) => line.error.message)).toEqual([
      expect.stringContaining('body is not JSON'),
      expect.stringContaining('detail-type'),
      expect.stringContaining('detail.requestParameters.roleName'),
      expect.stringContaining('detail.requestParameters.assumeRolePolicyDocument'),
    ]);
  });

  it('fails the item when Step Functions is unavailable, so SQS redelivers it', async () => {
    const { deps } = setUp(async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    });
    expect(await core(deps, sqsBatch(deleteRoleEvent('x')))).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-1' }] });
  });

});

describe('executionName', () => {
  it('is the event name and the CloudTrail event ID when that is a valid name', () => {
    expect(executionName('DeleteRole', '2d2f6c86-4d9b-4b8f-9a7c-1e5d3c2b1a09')).toBe('DeleteRole-2d2f6c86-4d9b-4b8f-9a7c-1e5d3c2b1a09');
  });

  it('hashes an event ID with characters or a length Step Functions refuses, deterministically', () => {
    const name = executionName('UpdateAssumeRolePolicy', 'x'.repeat(70) + ':/?');
    expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(executionName('UpdateAssumeRolePolicy', 'x'.repeat(70) + ':/?')).toBe(name);
    expect(executionName('UpdateAssumeRolePolicy', 'x'.repeat(70) + ':/!')).not.toBe(name);
  });
});
