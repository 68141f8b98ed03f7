import { createHash } from 'node:crypto';
import { routeEvents, executionName, type ExecutionStarter } from '../../../functions/router/core';
import { IGNORE_REASONS, ROUTER_LOG_MESSAGES, type WorkflowInput } from '../../../functions/shared/workflow';
import { createLogger } from '../../../functions/shared/runtime';
import { BUILT_IN_PROTECTED_ROLES } from '../../../stacks/config';
import { createRoleEvent, deleteRoleEvent, sqsBatch, tagRoleEvent, updateAssumeRolePolicyEvent } from '../../fixtures/cloudtrail';
import { TENANT_ID, appTeamTrustPolicy } from '../../fixtures/port-fakes';
import type { PolicyDocument } from '../../../functions/shared/iam';

const settings = {
  tenantId: TENANT_ID,
  tokenVersion: 1 as const,
  automationRoleName: 'web-identity-automation',
  protectedRoles: [...BUILT_IN_PROTECTED_ROLES, 'web-identity-member-baseline-iam-events-forwarder'],
  createStateMachineArn: 'arn:aws:states:eu-west-1:999988887777:stateMachine:Web-Identity-Role-Create',
  deleteStateMachineArn: 'arn:aws:states:eu-west-1:999988887777:stateMachine:Web-Identity-Role-Delete',
};
const NOW_MS = Date.parse('2026-03-01T12:00:00.500Z');
const ec2Policy = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow' as const, Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** The "event ignored" log lines, as `reason: detail` (reason from the closed set, detail free text). */
function ignoredReasons(lines: string[]): string[] {
  return lines
    .map((line) => JSON.parse(line))
    .filter((line) => line.message === 'event ignored')
    .map((line) => `${line.reason}: ${line.detail}`);
}

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
  const deps = { settings, starter, logger: createLogger({ sink: (line) => lines.push(line) }), now: () => NOW_MS };
  return { deps, started, lines };
}

describe('router core', () => {
  it('starts Create for a CreateRole whose trust policy references the provider', async () => {
    const { deps, started } = setUp();
    const result = await routeEvents(deps, sqsBatch(createRoleEvent('ci-deployer', appTeamTrustPolicy())));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(started).toEqual([
      {
        stateMachineArn: settings.createStateMachineArn,
        name: 'CreateRole-2d2f6c86-4d9b-4b8f-9a7c-1e5d3c2b1a09',
        input: {
          accountId: '111122223333',
          roleName: 'ci-deployer',
          eventId: '2d2f6c86-4d9b-4b8f-9a7c-1e5d3c2b1a09',
          eventName: 'CreateRole',
          // The incarnation the call created: a late event never acts on a role created again later.
          roleId: expect.stringMatching(/^AROA[A-Z0-9]{17}$/),
          lock: { key: '111122223333/ci-deployer', routedAt: NOW_MS / 1000 - 0.5 },
        },
      },
    ]);
  });

  it('reads a URL-encoded trust policy', async () => {
    const { deps, started } = setUp();
    await routeEvents(deps, sqsBatch(createRoleEvent('ci-deployer', encodeURIComponent(JSON.stringify(appTeamTrustPolicy())))));
    expect(started.map((s) => s.stateMachineArn)).toEqual([settings.createStateMachineArn]);
  });

  it('ignores a CreateRole that trusts something else', async () => {
    const { deps, started, lines } = setUp();
    expect(await routeEvents(deps, sqsBatch(createRoleEvent('web', ec2Policy)))).toEqual({ batchItemFailures: [] });
    expect(started).toEqual([]);
    expect(ignoredReasons(lines)).toEqual(["not-federated: the trust policy does not reference the tenant's provider"]);
  });

  it('starts Create for an UpdateAssumeRolePolicy that references the provider and Delete otherwise', async () => {
    const { deps, started } = setUp();
    await routeEvents(
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
    await routeEvents(deps, sqsBatch(deleteRoleEvent('ci-deployer')));
    expect(started[0]?.stateMachineArn).toBe(settings.deleteStateMachineArn);
    expect(started[0]?.input.eventName).toBe('DeleteRole');
  });

  it('gives every event of one role the same lock, whatever the case of the name the caller wrote', async () => {
    // Prepare: IAM role names are unique regardless of case, so DeleteRole may name "CI-Deployer"
    const { deps, started } = setUp();
    // Act
    await routeEvents(deps, sqsBatch(createRoleEvent('ci-deployer', appTeamTrustPolicy(), { eventId: 'ev-1' })));
    await routeEvents(deps, sqsBatch(deleteRoleEvent('CI-Deployer', { eventId: 'ev-2' })));
    // Assess
    expect(started.map((s) => s.input.lock?.key)).toEqual(['111122223333/ci-deployer', '111122223333/ci-deployer']);
  });

  it('passes the owners a CreateRole call tagged on to the Create execution', async () => {
    const { deps, started } = setUp();
    const owner = '5f6a7b8c-0000-4000-8000-000000000001';
    await routeEvents(
      deps,
      sqsBatch(createRoleEvent('ci-deployer', appTeamTrustPolicy(), { eventId: 'ev-3', tags: { 'entra:owners': owner } })),
    );
    expect(started).toEqual([
      {
        stateMachineArn: settings.createStateMachineArn,
        name: 'CreateRole-ev-3',
        input: {
          accountId: '111122223333',
          roleName: 'ci-deployer',
          eventId: 'ev-3',
          eventName: 'CreateRole',
          requestedOwners: owner,
          roleId: expect.stringMatching(/^AROA/),
          lock: { key: '111122223333/ci-deployer', routedAt: NOW_MS / 1000 - 0.5 },
        },
      },
    ]);
  });

  it('ignores a TagRole, even one that sets entra:owners: naming owners takes writing the trust policy', async () => {
    // Attack on today's main: a principal with only iam:TagRole named itself owner and started a Create that added it.
    const { deps, started } = setUp();
    const attacker = '5f6a7b8c-0000-4000-8000-0000000000ff';
    expect(await routeEvents(deps, sqsBatch(tagRoleEvent('ci-deployer', { 'entra:owners': attacker })))).toEqual({ batchItemFailures: [] });
    expect(started).toEqual([]);
  });

  it('passes the federated credentials a CreateRole call tagged on, by name', async () => {
    const { deps, started } = setUp();
    const tags = {
      'entra:federated-credential:main': 'https://token.actions.githubusercontent.com repo:contoso/payments:ref:refs/heads/main',
      'entra:federated-credential:': 'no name',
      team: 'payments',
    };
    await routeEvents(deps, sqsBatch(createRoleEvent('ci-deployer', appTeamTrustPolicy(), { eventId: 'ev-4', tags })));
    expect(started[0]?.input.requestedFederatedCredentials).toEqual({ main: tags['entra:federated-credential:main'] });
  });

  it('ignores a TagRole that names a federated credential: it grants the role like an owner does', async () => {
    // Attack: a principal with only iam:TagRole names its own workload as the role's identity.
    const { deps, started } = setUp();
    const tags = { 'entra:federated-credential:mine': 'https://token.actions.githubusercontent.com repo:attacker/x:ref:refs/heads/main' };
    await routeEvents(deps, sqsBatch(tagRoleEvent('ci-deployer', tags)));
    await routeEvents(deps, sqsBatch(updateAssumeRolePolicyEvent('ci-deployer', appTeamTrustPolicy())));
    expect(started.map((request) => request.input.requestedFederatedCredentials)).toEqual([undefined]);
  });

  it('takes entra:owners by its key, wherever it is among the tags', async () => {
    const { deps, started } = setUp();
    const owner = '5f6a7b8c-0000-4000-8000-000000000001';
    await routeEvents(
      deps,
      sqsBatch(createRoleEvent('ci-deployer', appTeamTrustPolicy(), { tags: { team: 'payments', 'entra:owners': owner } })),
    );
    expect(started[0]?.input.requestedOwners).toBe(owner);
  });

  it('passes no owners from a CreateRole that tagged none', async () => {
    const { deps, started } = setUp();
    await routeEvents(deps, sqsBatch(createRoleEvent('ci-deployer', appTeamTrustPolicy(), { tags: { team: 'payments' } })));
    expect(started).toHaveLength(1);
    expect(started[0]?.input.requestedOwners).toBeUndefined();
  });

  it('reads the recorded tags as IAM bounds them: 50 tags, keys of 128 and values of 256 characters', async () => {
    // Prepare: IAM refuses more (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html,
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), so only a forged record carries them
    const { deps, started } = setUp();
    const longName = 'n'.repeat(200);
    const fifty = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`filler-${i}`, 'x']));
    const tags = { [`entra:federated-credential:${longName}`]: 'v'.repeat(300), ...fifty, 'entra:owners': 'the 51st tag' };
    // Act
    await routeEvents(deps, sqsBatch(createRoleEvent('ci-deployer', appTeamTrustPolicy(), { tags })));
    // Assess
    expect(started[0]?.input.requestedOwners).toBeUndefined();
    expect(started[0]?.input.requestedFederatedCredentials).toEqual({ [longName.slice(0, 128 - 27)]: 'v'.repeat(256) });
  });

  it('skips recorded tags that are not objects', async () => {
    const { deps, started } = setUp();
    const owner = '5f6a7b8c-0000-4000-8000-000000000001';
    const event = createRoleEvent('ci-deployer', appTeamTrustPolicy(), { tags: { 'entra:owners': owner } });
    const parameters = event.detail.requestParameters as { tags: unknown[] };
    parameters.tags = [null, 'entra:owners', 7, ...parameters.tags];

    expect(await routeEvents(deps, sqsBatch(event))).toEqual({ batchItemFailures: [] });
    expect(started[0]?.input.requestedOwners).toBe(owner);
  });

  it('takes owners, federated credentials and the role ID only from a CreateRole, even when an UpdateAssumeRolePolicy record carries them', async () => {
    // Prepare: UpdateAssumeRolePolicy has no tags and answers nothing (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAssumeRolePolicy.html)
    const { deps, started } = setUp();
    const event = updateAssumeRolePolicyEvent('ci-deployer', appTeamTrustPolicy()) as { detail: Record<string, unknown> };
    (event.detail.requestParameters as Record<string, unknown>).tags = [
      { key: 'entra:owners', value: '5f6a7b8c-0000-4000-8000-0000000000ff' },
      { key: 'entra:federated-credential:mine', value: 'https://token.actions.githubusercontent.com repo:attacker/x:ref:refs/heads/main' },
    ];
    event.detail.responseElements = { role: { roleId: 'AROAEXAMPLEEXAMPLE001' } };
    // Act
    await routeEvents(deps, sqsBatch(event));
    // Assess
    expect(started.map((s) => s.input)).toEqual([
      {
        accountId: '111122223333',
        roleName: 'ci-deployer',
        eventId: expect.any(String),
        eventName: 'UpdateAssumeRolePolicy',
        lock: expect.any(Object),
        teamWrite: { eventTime: event.detail.eventTime, policyDocument: JSON.stringify(appTeamTrustPolicy()) },
      },
    ]);
  });

  it('passes an UpdateAssumeRolePolicy on with its time and document, whichever workflow it starts, and refuses one without a time', async () => {
    const { deps, started } = setUp();
    const ec2: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    };
    const away = updateAssumeRolePolicyEvent('ci-deployer', ec2, { time: '2026-03-01T10:00:02Z' }) as { detail: Record<string, unknown> };
    const timeless = updateAssumeRolePolicyEvent('ci-deployer', ec2) as { detail: Record<string, unknown> };
    delete timeless.detail.eventTime;
    const response = await routeEvents(deps, sqsBatch(away, timeless));
    expect(started.map((s) => [s.stateMachineArn === settings.deleteStateMachineArn, s.input.teamWrite])).toEqual([
      [true, { eventTime: '2026-03-01T10:00:02Z', policyDocument: JSON.stringify(ec2) }],
    ]);
    expect(response.batchItemFailures).toHaveLength(1);
  });

  it('does not pass owners on from an UpdateAssumeRolePolicy', async () => {
    const { deps, started } = setUp();
    await routeEvents(deps, sqsBatch(updateAssumeRolePolicyEvent('ci-deployer', appTeamTrustPolicy())));
    expect(started[0]?.input.requestedOwners).toBeUndefined();
  });

  it('ignores failed calls, logging the error code', async () => {
    const { deps, started, lines } = setUp();
    await routeEvents(deps, sqsBatch(createRoleEvent('x', appTeamTrustPolicy(), { errorCode: 'EntityAlreadyExists' })));
    expect(started).toEqual([]);
    expect(ignoredReasons(lines)).toEqual(['call-failed: the call failed (EntityAlreadyExists)']);
  });

  it('ignores calls other than CreateRole, UpdateAssumeRolePolicy and DeleteRole, naming the call', async () => {
    const { deps, started, lines } = setUp();
    await routeEvents(deps, sqsBatch(tagRoleEvent('ci-deployer', { team: 'payments' })));
    expect(started).toEqual([]);
    expect(ignoredReasons(lines)).toEqual(['not-a-trust-event: not a role trust event (TagRole)']);
  });

  it.each(['reader', 'audience', 'pin'])(
    "ignores the automation's own calls through its %s role, by session ARN or by session issuer",
    async (capability) => {
      const { deps, started } = setUp();
      await routeEvents(
        deps,
        sqsBatch(
          updateAssumeRolePolicyEvent('a', ec2Policy, {
            userArn: `arn:aws:sts::111122223333:assumed-role/web-identity-automation-${capability}/wi-assign-e1`,
            eventId: 'ev-1',
          }),
          tagRoleEvent(
            'b',
            { 'entra:owners': '5f6a7b8c-0000-4000-8000-000000000001' },
            {
              userArn: 'arn:aws:sts::111122223333:assumed-role/other/s',
              issuerArn: `arn:aws:iam::111122223333:role/automation/web-identity-automation-${capability}`,
              eventId: 'ev-2',
            },
          ),
        ),
      );
      expect(started).toEqual([]);
    },
  );

  it("ignores the automation's own trust policy write whether only the session ARN or only the session issuer names its role", async () => {
    // Prepare: a role trust event, so that only the automation check can stop it
    const { deps, started, lines } = setUp();
    const bySession = updateAssumeRolePolicyEvent('a', ec2Policy, {
      userArn: 'arn:aws:sts::111122223333:assumed-role/web-identity-automation-pin/wi-assign-e1',
      issuerArn: 'arn:aws:iam::111122223333:role/other',
      eventId: 'ev-1',
    });
    const byIssuer = updateAssumeRolePolicyEvent('b', ec2Policy, {
      userArn: 'arn:aws:sts::111122223333:assumed-role/other/s',
      issuerArn: 'arn:aws:iam::111122223333:role/automation/web-identity-automation-pin',
      eventId: 'ev-2',
    });
    // Act
    await routeEvents(deps, sqsBatch(bySession, byIssuer));
    // Assess
    expect(started).toEqual([]);
    expect(ignoredReasons(lines)).toEqual(Array(2).fill("automation-call: the automation's own call"));
  });

  it('matches an automation role name with regular-expression characters literally', async () => {
    // Prepare
    const { deps, started } = setUp();
    const dotted = { ...deps, settings: { ...settings, automationRoleName: 'web.identity' } };
    // Act
    await routeEvents(
      dotted,
      sqsBatch(
        updateAssumeRolePolicyEvent('own', ec2Policy, {
          userArn: 'arn:aws:sts::111122223333:assumed-role/web.identity-pin/s',
          eventId: 'ev-1',
        }),
        updateAssumeRolePolicyEvent('other', ec2Policy, {
          userArn: 'arn:aws:sts::111122223333:assumed-role/webXidentity-pin/s',
          eventId: 'ev-2',
        }),
      ),
    );
    // Assess
    expect(started.map((s) => s.input.roleName)).toEqual(['other']);
  });

  it('does not mistake a role whose name only looks like a member role for it', async () => {
    const { deps, started } = setUp();
    await routeEvents(
      deps,
      sqsBatch(
        deleteRoleEvent('x', { userArn: 'arn:aws:sts::111122223333:assumed-role/web-identity-automation/s', eventId: 'ev-1' }),
        deleteRoleEvent('y', { userArn: 'arn:aws:sts::111122223333:assumed-role/web-identity-automation-pin-2/s', eventId: 'ev-2' }),
        deleteRoleEvent('z', { userArn: 'arn:aws:sts::111122223333:assumed-role/web-identity-automation-readers/s', eventId: 'ev-3' }),
      ),
    );
    expect(started.map((s) => s.input.roleName)).toEqual(['x', 'y', 'z']);
  });

  describe('the account it acts in', () => {
    /** An event that account A put on the bus itself, naming account B in its detail (a forgery: IAM records a call in the caller's account). */
    function forged(event: ReturnType<typeof createRoleEvent>, sender: string) {
      return { ...event, account: sender };
    }

    it('takes the account from the envelope, which EventBridge stamps from the sender, never from the detail', async () => {
      const { deps, started, lines } = setUp();
      // Account 444455556666 sends an event that names account 111122223333 (the victim) in detail.recipientAccountId.
      const attack = forged(updateAssumeRolePolicyEvent('victim-deployer', appTeamTrustPolicy()), '444455556666');

      expect(await routeEvents(deps, sqsBatch(attack))).toEqual({ batchItemFailures: [] });
      expect(started).toEqual([]);
      const warning = lines.map((line) => JSON.parse(line)).find((line) => line.level === 'WARN');
      expect(warning).toMatchObject({
        message: 'event ignored',
        account: '444455556666',
        recipientAccountId: '111122223333',
        reason: 'forged-account',
        detail: expect.stringContaining('recipientAccountId'),
      });
    });

    it.each([
      ['CreateRole', createRoleEvent('victim-deployer', appTeamTrustPolicy())],
      ['DeleteRole', deleteRoleEvent('victim-deployer')],
      ['TagRole', tagRoleEvent('victim-deployer', { 'entra:owners': '5f6a7b8c-0000-4000-8000-000000000001' })],
    ])('starts nothing for a forged %s naming another account', async (_, event) => {
      const { deps, started } = setUp();
      await routeEvents(deps, sqsBatch(forged(event as ReturnType<typeof createRoleEvent>, '444455556666')));
      expect(started).toEqual([]);
    });

    it('uses the envelope account when the detail has no recipientAccountId', async () => {
      const { deps, started } = setUp();
      const event = deleteRoleEvent('x', { accountId: '444455556666' }) as { detail: Record<string, unknown> };
      delete event.detail.recipientAccountId;
      await routeEvents(deps, sqsBatch(event));
      expect(started.map((s) => s.input.accountId)).toEqual(['444455556666']);
    });
  });

  describe('protected roles', () => {
    it.each([
      'OrganizationAccountAccessRole',
      'AWSControlTowerExecution',
      'cdk-hnb659fds-deploy-role-111122223333-us-east-1',
      'stacksets-exec-0123456789abcdef0123456789abcdef',
      'web-identity-member-baseline-iam-events-forwarder',
    ])('starts nothing for %s, whatever its trust policy says, and logs why', async (roleName) => {
      const { deps, started, lines } = setUp();
      await routeEvents(
        deps,
        sqsBatch(
          updateAssumeRolePolicyEvent(roleName, appTeamTrustPolicy(), { eventId: 'ev-1' }),
          createRoleEvent(roleName, appTeamTrustPolicy(), { eventId: 'ev-2' }),
          deleteRoleEvent(roleName, { eventId: 'ev-3' }),
        ),
      );
      expect(started).toEqual([]);
      const ignored = lines.map((line) => JSON.parse(line)).filter((line) => line.message === 'event ignored');
      expect(ignored.map((line) => [line.reason, line.detail])).toEqual(
        Array(3).fill(['protected-role', expect.stringContaining('protected')]),
      );
    });

    it('starts nothing for a CreateRole under a protected path', async () => {
      const { deps, started } = setUp();
      const event = createRoleEvent('AnyName', appTeamTrustPolicy());
      (event.detail.requestParameters as Record<string, unknown>).path = '/aws-reserved/sso.amazonaws.com/';
      await routeEvents(deps, sqsBatch(event));
      expect(started).toEqual([]);
    });

    it('still starts Create for an app team role (control)', async () => {
      const { deps, started } = setUp();
      await routeEvents(deps, sqsBatch(updateAssumeRolePolicyEvent('payments-deployer', appTeamTrustPolicy())));
      expect(started).toHaveLength(1);
    });
  });

  it('treats ExecutionAlreadyExists (a redelivery) as success', async () => {
    const { deps } = setUp(async () => 'already-exists');
    expect(await routeEvents(deps, sqsBatch(deleteRoleEvent('x')))).toEqual({ batchItemFailures: [] });
  });

  it('fails only the malformed items of a batch, with a logged reason', async () => {
    const { deps, started, lines } = setUp();
    const noRoleName = deleteRoleEvent('x', { eventId: 'ev-3' });
    noRoleName.detail.requestParameters = { roleName: '' };
    const result = await routeEvents(
      deps,
      sqsBatch(
        'not json',
        { hello: 'world' },
        deleteRoleEvent('ok', { eventId: 'ev-ok' }),
        noRoleName,
        createRoleEvent('y', '{"Statement":'),
      ),
    );
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: 'msg-1' },
      { itemIdentifier: 'msg-2' },
      { itemIdentifier: 'msg-4' },
      { itemIdentifier: 'msg-5' },
    ]);
    expect(started.map((s) => s.input.roleName)).toEqual(['ok']);
    const errors = lines.map((line) => JSON.parse(line)).filter((line) => line.level === 'ERROR');
    expect(errors.map((line) => [line.messageId, line.error.name, line.reason])).toEqual(
      ['msg-1', 'msg-2', 'msg-4', 'msg-5'].map((id) => [id, 'MalformedMessageError', 'malformed']),
    );
    expect(errors.map((line) => line.error.message)).toEqual([
      expect.stringContaining('body is not JSON'),
      expect.stringContaining('detail-type'),
      expect.stringContaining('detail.requestParameters.roleName'),
      expect.stringContaining('detail.requestParameters.assumeRolePolicyDocument'),
    ]);
  });

  it.each(['xAROAEXAMPLEEXAMPLE001', 'AROAEXAMPLEEXAMPLE001x', 'AROA-EXAMPLE-EXAMPLE'])(
    'fails a CreateRole whose recorded role ID %j is not an IAM unique ID',
    async (roleId) => {
      // Role IDs are upper-case letters and digits (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids)
      const { deps, started } = setUp();
      expect(await routeEvents(deps, sqsBatch(createRoleEvent('ci-deployer', appTeamTrustPolicy(), { roleId })))).toEqual({
        batchItemFailures: [{ itemIdentifier: 'msg-1' }],
      });
      expect(started).toEqual([]);
    },
  );

  it('fails the item when Step Functions is unavailable, so SQS redelivers it, logging reason start-failed', async () => {
    const { deps, lines } = setUp(async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    });
    expect(await routeEvents(deps, sqsBatch(deleteRoleEvent('x')))).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-1' }] });
    const warning = lines.map((line) => JSON.parse(line)).find((line) => line.level === 'WARN');
    expect(warning).toMatchObject({ message: ROUTER_LOG_MESSAGES.failed, reason: 'start-failed', error: { name: 'ThrottlingException' } });
  });

  it('logs only reasons of the closed set (IGNORE_REASONS)', async () => {
    const { deps, lines } = setUp();
    await routeEvents(
      deps,
      sqsBatch(
        'not json',
        createRoleEvent('y', ec2Policy, { eventId: 'ev-1' }),
        tagRoleEvent('y', { team: 'a' }),
        deleteRoleEvent('OrganizationAccountAccessRole', { eventId: 'ev-2' }),
      ),
    );
    const reasons = lines.map((line) => JSON.parse(line)).flatMap((line) => (line.reason === undefined ? [] : [line.reason]));
    expect(reasons).toEqual(['malformed', 'not-federated', 'not-a-trust-event', 'protected-role']);
    expect(reasons.every((reason) => reason in IGNORE_REASONS)).toBe(true);
  });
});

describe('executionName', () => {
  it('is the event name and the CloudTrail event ID when that is a valid name', () => {
    expect(executionName('DeleteRole', '2d2f6c86-4d9b-4b8f-9a7c-1e5d3c2b1a09')).toBe('DeleteRole-2d2f6c86-4d9b-4b8f-9a7c-1e5d3c2b1a09');
  });

  it('hashes an event ID with characters or a length Step Functions refuses, deterministically', () => {
    const name = executionName('UpdateAssumeRolePolicy', `${'x'.repeat(70)}:/?`);
    expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(executionName('UpdateAssumeRolePolicy', `${'x'.repeat(70)}:/?`)).toBe(name);
    expect(executionName('UpdateAssumeRolePolicy', `${'x'.repeat(70)}:/!`)).not.toBe(name);
  });

  it('hashes an event ID with a refused character anywhere, or a valid one too long, to the event name and 40 hex digits', () => {
    // Step Functions names: 1–80 of [A-Za-z0-9_-] (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html)
    const digest = (eventId: string) => createHash('sha256').update(eventId, 'utf8').digest('hex').slice(0, 40);

    expect(executionName('DeleteRole', 'ev:1')).toBe(`DeleteRole-${digest('ev:1')}`);
    expect(executionName('DeleteRole', 'x'.repeat(75))).toBe(`DeleteRole-${digest('x'.repeat(75))}`);
  });
});
