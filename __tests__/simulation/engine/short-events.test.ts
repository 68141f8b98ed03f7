import { silentLogger } from '../../../functions/shared/runtime';
import { createRoleEvent, deleteRoleEvent, tagRoleEvent, updateAssumeRolePolicyEvent } from '../../../simulation/engine/cloudtrail-events';
import { parseEvents, runSimulation } from '../../../simulation/engine/run-simulation';
import { parseWorld } from '../../../simulation/engine/world';
import { parseConfig } from '../../../stacks/config';
import { EXAMPLE_CONFIG } from '../../../stacks/example-config';

/** The short event form (docs/simulate.md#the-short-form) expands into the envelope the bus delivers. */

const ACCOUNT = '222222222222';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/sts.windows.net/00000000-0000-4000-8000-000000000001/`;
const trust = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: PROVIDER },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'sts.windows.net/00000000-0000-4000-8000-000000000001/:aud': 'api://replace-me' } },
    },
  ],
};

describe('the short event form', () => {
  it('expands each call into the envelope CloudTrail and EventBridge deliver, with the defaults documented', () => {
    const events = parseEvents([
      { event: 'CreateRole', account: ACCOUNT, roleName: 'ci', trust, tags: { team: 'a' }, id: 'e-1' },
      { event: 'UpdateAssumeRolePolicy', account: ACCOUNT, roleName: 'ci', trust: JSON.stringify(trust), at: 90 },
      { event: 'TagRole', account: ACCOUNT, roleName: 'ci', tags: { team: 'b' }, by: 'arn:aws:sts::222222222222:assumed-role/dev/bob' },
      { event: 'DeleteRole', account: ACCOUNT, roleName: 'ci', errorCode: 'AccessDenied' },
    ]);
    expect(events).toEqual([
      createRoleEvent('ci', trust as never, { accountId: ACCOUNT, eventId: 'e-1', tags: { team: 'a' }, time: '2025-11-04T10:15:30Z' }),
      updateAssumeRolePolicyEvent('ci', JSON.stringify(trust), { accountId: ACCOUNT, eventId: 'event-2', time: '2025-11-04T10:17:00Z' }),
      tagRoleEvent(
        'ci',
        { team: 'b' },
        { accountId: ACCOUNT, eventId: 'event-3', userArn: 'arn:aws:sts::222222222222:assumed-role/dev/bob' },
      ),
      deleteRoleEvent('ci', { accountId: ACCOUNT, eventId: 'event-4', errorCode: 'AccessDenied' }),
    ]);
    expect(events[0]!.detail.responseElements?.role?.roleId).toMatch(/^AROA[A-Z2-7]{17}$/);
  });

  it('names every field of a bad entry with its index, as the full form does', () => {
    expect(() =>
      parseEvents(
        [
          { event: 'CreateRole', account: '12', roleName: 'ci' },
          { event: 'DeleteRole', account: ACCOUNT, roleName: 'ci', trust, color: 'red' },
          { event: 'AttachRolePolicy', account: ACCOUNT, roleName: 'ci' },
        ],
        'e.json',
      ),
    ).toThrow(
      /^e\.json: \[0\]\.account: .*12-digit.*; \[0\]\.trust: CreateRole needs the trust policy it wrote; \[1\]\.\(root\): Unrecognized key: "color"; \[1\]\.trust: DeleteRole writes no trust policy; \[2\]\.event: expected CreateRole, UpdateAssumeRolePolicy, DeleteRole, TagRole/,
    );
  });

  it('plays as the envelope does: by "automation" is the automation’s own call, the same id twice is one event delivered twice', async () => {
    const output = await runSimulation({
      world: parseWorld({
        accounts: {
          [ACCOUNT]: { oidcProviders: [{ url: 'https://sts.windows.net/00000000-0000-4000-8000-000000000001/', clientIds: [] }] },
        },
      }),
      events: parseEvents([
        { event: 'CreateRole', account: ACCOUNT, roleName: 'ci', trust, id: 'same' },
        { event: 'CreateRole', account: ACCOUNT, roleName: 'ci', trust, id: 'same', at: 5 },
        { event: 'UpdateAssumeRolePolicy', account: ACCOUNT, roleName: 'ci', trust, by: 'automation', id: 'own' },
      ]),
      config: parseConfig(EXAMPLE_CONFIG),
      logger: silentLogger,
    });
    expect(output.executions.map((execution) => [execution.name, execution.status])).toEqual([['CreateRole-same', 'SUCCEEDED']]);
    expect(output.ignoredEvents).toEqual([
      {
        eventId: 'own',
        eventName: 'UpdateAssumeRolePolicy',
        account: ACCOUNT,
        roleName: 'ci',
        reason: 'automation-call',
        detail: "the automation's own call",
      },
    ]);
  });
});
