import { createRoleEvent, deleteRoleEvent, tagRoleEvent, updateAssumeRolePolicyEvent } from '../fixtures/cloudtrail';
import { matchesEventPattern, type EventPattern } from '../support/event-pattern';
import { resourcesOf, resourceWhere, synthesize } from '../support/synthesized';

const json = synthesize();
const TRUST = { Version: '2012-10-17', Statement: [] };

describe('the central rule', () => {
  const pattern = JSON.parse(resourcesOf(json, 'aws_cloudwatch_event_rule')[0]!.event_pattern) as EventPattern;

  it('forwards an app team’s CreateRole, UpdateAssumeRolePolicy and DeleteRole', () => {
    for (const event of [createRoleEvent('ci', TRUST), updateAssumeRolePolicyEvent('ci', TRUST), deleteRoleEvent('ci')]) {
      expect(matchesEventPattern(pattern, event)).toBe(true);
    }
  });

  it('forwards a call whose caller has no ARN (an AWS service acting on its own), which the anything-but alone would drop', () => {
    // userIdentity of type AWSService carries `invokedBy` and no `arn`:
    // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
    const event = createRoleEvent('ci', TRUST);
    const byService = {
      ...event,
      detail: { ...event.detail, userIdentity: { type: 'AWSService', invokedBy: 'cloudformation.amazonaws.com' } },
    };

    expect(matchesEventPattern(pattern, byService)).toBe(true);
  });

  it('drops the automation role’s own calls, failed calls and other IAM calls', () => {
    // The pin member role's session (the automation acts through web-identity-automation-{reader,audience,pin}).
    const own = updateAssumeRolePolicyEvent('ci', TRUST, {
      userArn: 'arn:aws:sts::111122223333:assumed-role/web-identity-automation-pin/assign-role-to-audience-1',
    });
    const failed = createRoleEvent('ci', TRUST, { errorCode: 'EntityAlreadyExistsException' });

    expect(matchesEventPattern(pattern, own)).toBe(false);
    expect(matchesEventPattern(pattern, failed)).toBe(false);
    expect(matchesEventPattern(pattern, tagRoleEvent('ci', { team: 'a' }))).toBe(false);
  });

  it('does not take another role whose name starts like the automation’s for the automation', () => {
    const lookalike = createRoleEvent('ci', TRUST, {
      userArn: 'arn:aws:sts::111122223333:assumed-role/web-identity-automation-team/alice',
    });

    expect(matchesEventPattern(pattern, lookalike)).toBe(true);
  });
});

describe('the pipeline alarms', () => {
  it('watch the dead-letter queue, the one the event queue redrives to, not the event queue', () => {
    const queues = json.resource.aws_sqs_queue!;
    const [, eventQueue] = Object.entries(queues).find(([, queue]) => queue.redrive_policy !== undefined)!;
    const target = /^\$\{aws_sqs_queue\.([\w-]+)\.arn\}$/.exec(JSON.parse(String(eventQueue.redrive_policy)).deadLetterTargetArn)![1]!;
    const alarm = resourceWhere(json, 'aws_cloudwatch_metric_alarm', (a) => a.namespace === 'AWS/SQS');

    expect(Object.keys(queues)).toContain(target);
    expect(alarm).toMatchObject({
      metric_name: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: `\${aws_sqs_queue.${target}.name}` },
    });
  });

  it('watch each state machine under its own alarm', () => {
    const machines = resourcesOf(json, 'aws_sfn_state_machine').map((machine) => String(machine.name));
    const create = machines.find((name) => name.endsWith('-Create'))!;
    const del = machines.find((name) => name.endsWith('-Delete'))!;
    const watched = (alarmName: string) =>
      resourceWhere(json, 'aws_cloudwatch_metric_alarm', (a) => a.alarm_name === alarmName).dimensions.StateMachineArn;

    expect(watched('web-identity-create-executions-failed')).toMatch(new RegExp(`:stateMachine:${create}$`));
    expect(watched('web-identity-create-executions-timed-out')).toMatch(new RegExp(`:stateMachine:${create}$`));
    expect(watched('web-identity-delete-executions-failed')).toMatch(new RegExp(`:stateMachine:${del}$`));
    expect(watched('web-identity-delete-executions-timed-out')).toMatch(new RegExp(`:stateMachine:${del}$`));
  });
});
