import { Construct } from 'constructs';
import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
import { CloudwatchEventBusPolicy } from '@cdktf/provider-aws/lib/cloudwatch-event-bus-policy';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { memberRoleNames, stateMachineName } from '../functions/shared/workflow';
import { DEPLOYED_ENV as ENV, type DeployedEnvironment } from '../functions/shared/runtime';
import { centralArn, deploymentContext } from './context';
import type { IdentityWorkflows } from './identity-workflows';
import { iamEventPattern } from './member-baseline-template';
import { ROUTER_EVENT_SOURCE } from './router-event-source';
import { TaskFunction } from './task-function';
import { terraformLiteralJson } from './terraform-strings';

export interface CentralPipelineProps {
  /** Only the organization's accounts may put events on the bus. */
  readonly organizationId: string;
  /** Base name of the member roles; their sessions' calls are the automation's own. */
  readonly automationRoleName: string;
  /** The member accounts' forwarder role: the only principal that may put events on the bus. */
  readonly forwarderRoleName: string;
  /** Retention of the router's log group. */
  readonly logRetentionDays: number;
  /** Environment the router needs besides the state machine ARNs. */
  readonly routerEnvironment: DeployedEnvironment;
  /** The Create and Delete machines the router starts. */
  readonly workflows: IdentityWorkflows;
  /** @default no e-mail subscription; the topic still exists for other subscribers */
  readonly alarmEmail?: string;
}

const ROUTER_TIMEOUT_SECONDS = 30;

/**
 * The central account's event path: the organization's IAM events arrive on a bus,
 * a rule keeps the ones worth acting on, SQS buffers them (with a DLQ), and the router
 * starts one execution per CloudTrail event. Alarms go to an SNS topic.
 */
export class CentralPipeline extends Construct {
  public readonly bus: CloudwatchEventBus;
  public readonly rule: CloudwatchEventRule;
  public readonly queue: SqsQueue;
  public readonly deadLetterQueue: SqsQueue;
  public readonly router: TaskFunction;
  public readonly alarmTopic: SnsTopic;
  public readonly alarms: CloudwatchMetricAlarm[] = [];
  /** Literal ARN, known before apply: the member template names it. */
  public readonly busArn: string;

  constructor(scope: Construct, id: string, props: CentralPipelineProps) {
    super(scope, id);
    const context = deploymentContext(this);
    const { namePrefix } = context;
    const { createArn, deleteArn, revokeArn, restoreArn } = props.workflows;
    const busName = `${namePrefix}-iam-events`;

    this.bus = new CloudwatchEventBus(this, 'bus', { name: busName });
    this.busArn = centralArn(context, 'events', `event-bus/${busName}`);

    // `*` bounded by aws:PrincipalOrgID is how EventBridge documents "any account of my
    // organization", present and future (PutPermission:
    // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutPermission.html);
    // aws:PrincipalArn (the role's ARN for a role session:
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn)
    // narrows that to the baseline's forwarder role, which EventBridge assumes to deliver a
    // member account's events, so no other principal of the organization can put (forged)
    // events here.
    const busPolicy = new DataAwsIamPolicyDocument(this, 'bus-policy-document', {
      statement: [
        {
          sid: 'MemberForwardersPutEvents',
          effect: 'Allow',
          actions: ['events:PutEvents'],
          principals: [{ type: 'AWS', identifiers: ['*'] }],
          resources: [this.bus.arn],
          condition: [
            { test: 'StringEquals', variable: 'aws:PrincipalOrgID', values: [props.organizationId] },
            { test: 'ArnLike', variable: 'aws:PrincipalArn', values: [`arn:aws:iam::*:role/${props.forwarderRoleName}`] },
          ],
        },
      ],
    });
    new CloudwatchEventBusPolicy(this, 'bus-policy', { eventBusName: this.bus.name, policy: busPolicy.json });

    this.rule = new CloudwatchEventRule(this, 'rule', {
      name: `${namePrefix}-role-changes`,
      description: 'Successful IAM role changes made by anyone but the web identity automation itself.',
      eventBusName: this.bus.name,
      eventPattern: terraformLiteralJson(centralEventPattern(props.automationRoleName)),
    });

    this.deadLetterQueue = new SqsQueue(this, 'dead-letter-queue', {
      name: `${namePrefix}-iam-events-dlq`,
      messageRetentionSeconds: 14 * 24 * 3600,
      sqsManagedSseEnabled: true,
    });
    this.queue = new SqsQueue(this, 'queue', {
      name: `${namePrefix}-iam-events`,
      // Lambda's guidance for SQS sources: at least six times the function timeout.
      visibilityTimeoutSeconds: 6 * ROUTER_TIMEOUT_SECONDS,
      messageRetentionSeconds: 4 * 24 * 3600,
      sqsManagedSseEnabled: true,
      redrivePolicy: terraformLiteralJson({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount: 5 }),
    });

    for (const [policyId, queue] of [
      ['queue-policy', this.queue],
      ['dead-letter-queue-policy', this.deadLetterQueue],
    ] as const) {
      const onlyTheRule = new DataAwsIamPolicyDocument(this, `${policyId}-document`, {
        statement: [
          {
            sid: 'OnlyTheRoleChangesRuleSends',
            effect: 'Allow',
            actions: ['sqs:SendMessage'],
            principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
            resources: [queue.arn],
            condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: [this.rule.arn] }],
          },
        ],
      });
      new SqsQueuePolicy(this, policyId, { queueUrl: queue.url, policy: onlyTheRule.json });
    }

    new CloudwatchEventTarget(this, 'rule-target', {
      rule: this.rule.name,
      eventBusName: this.bus.name,
      targetId: 'router-queue',
      arn: this.queue.arn,
      retryPolicy: { maximumEventAgeInSeconds: 24 * 3600, maximumRetryAttempts: 185 },
      deadLetterConfig: { arn: this.deadLetterQueue.arn },
    });

    this.router = new TaskFunction(this, 'router', {
      entry: 'router',
      functionName: `${namePrefix}-router`,
      description: `Starts ${stateMachineName(namePrefix, 'create')} or -Delete for each IAM role event.`,
      timeoutSeconds: ROUTER_TIMEOUT_SECONDS,
      logRetentionDays: props.logRetentionDays,
      environment: {
        ...props.routerEnvironment,
        [ENV.createStateMachineArn]: createArn,
        [ENV.deleteStateMachineArn]: deleteArn,
      },
      statements: [
        {
          sid: 'ConsumeRoleEvents',
          effect: 'Allow',
          actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
          resources: [this.queue.arn],
        },
      ],
    });
    props.workflows.grantStartExecution(this.router);

    new LambdaEventSourceMapping(this, 'router-event-source', {
      eventSourceArn: this.queue.arn,
      functionName: this.router.function.arn,
      batchSize: ROUTER_EVENT_SOURCE.batchSize,
      maximumBatchingWindowInSeconds: ROUTER_EVENT_SOURCE.maximumBatchingWindowInSeconds,
      // One malformed message fails alone and ends in the DLQ; the rest of the batch proceeds.
      functionResponseTypes: ['ReportBatchItemFailures'],
      scalingConfig: { maximumConcurrency: ROUTER_EVENT_SOURCE.maximumConcurrency },
      // Lambda checks the role can read the queue when the mapping is created.
      dependsOn: [this.router.permissions],
    });

    this.alarmTopic = new SnsTopic(this, 'alarm-topic', { name: `${namePrefix}-alarms` });
    if (props.alarmEmail) {
      new SnsTopicSubscription(this, 'alarm-email', {
        topicArn: this.alarmTopic.arn,
        protocol: 'email',
        endpoint: props.alarmEmail,
      });
    }

    const alarm = (
      alarmId: string,
      description: string,
      metric: { namespace: string; metricName: string; dimensions: Record<string, string> },
    ) => {
      this.alarms.push(
        new CloudwatchMetricAlarm(this, alarmId, {
          alarmName: `${namePrefix}-${alarmId}`,
          alarmDescription: description,
          ...metric,
          ...alarmOnAnyOccurrence(this.alarmTopic.arn),
        }),
      );
    };
    for (const [name, arn] of [
      ['create', createArn],
      ['delete', deleteArn],
    ] as const) {
      alarm(
        `${name}-executions-failed`,
        `A ${name} execution failed: the role's entra:federation-status tag and the execution history say why.`,
        {
          namespace: 'AWS/States',
          metricName: 'ExecutionsFailed',
          dimensions: { StateMachineArn: arn },
        },
      );
      alarm(`${name}-executions-timed-out`, `A ${name} execution timed out.`, {
        namespace: 'AWS/States',
        metricName: 'ExecutionsTimedOut',
        dimensions: { StateMachineArn: arn },
      });
    }
    // An operator's revocation or restore that failed: the role may be only partly revoked (or restored).
    for (const [name, arn] of [
      ['revoke', revokeArn],
      ['restore', restoreArn],
    ] as const) {
      alarm(
        `${name}-executions-failed`,
        `A Role-${name === 'revoke' ? 'Revoke' : 'Restore'} execution failed: the role is ${name}d only as far as the failed step got; run it again (docs/operator.md#revoking-a-role-in-an-incident).`,
        { namespace: 'AWS/States', metricName: 'ExecutionsFailed', dimensions: { StateMachineArn: arn } },
      );
    }
    alarm('dead-letter-queue-not-empty', 'IAM role events could not be processed and wait in the dead-letter queue.', {
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: this.deadLetterQueue.name },
    });
  }
}

/**
 * The member accounts' pattern, narrowed to successful calls not made by the automation
 * through any of its member roles (its own trust policy and tag writes must not loop).
 * EventBridge matches a field only when the event has it (except `exists: false`), so own
 * calls are recognised by `userIdentity.arn`, which every caller with an identity has, and
 * events without an ARN are kept explicitly rather than dropped by the `anything-but`.
 * `anything-but` takes a list of wildcards
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html,
 * and EventBridge's matching library: https://github.com/aws/event-ruler, "Anything-but wildcard list").
 */
export function centralEventPattern(automationRoleName: string) {
  const member = iamEventPattern();
  return {
    ...member,
    detail: {
      ...member.detail,
      errorCode: [{ exists: false }],
      $or: [
        { userIdentity: { arn: [{ exists: false }] } },
        {
          userIdentity: {
            arn: [
              { 'anything-but': { wildcard: memberRoleNames(automationRoleName).map((name) => `arn:aws:sts::*:assumed-role/${name}/*`) } },
            ],
          },
        },
      ],
    },
  };
}

/**
 * What every "it happened" alarm shares: any occurrence within five minutes alarms, no data is
 * not breaching (nothing happened), and both the alarm and its recovery go to the topic.
 */
export function alarmOnAnyOccurrence(
  topicArn: string,
): Pick<
  CloudwatchMetricAlarmConfig,
  'statistic' | 'period' | 'evaluationPeriods' | 'threshold' | 'comparisonOperator' | 'treatMissingData' | 'alarmActions' | 'okActions'
> {
  return {
    statistic: 'Sum',
    period: 300,
    evaluationPeriods: 1,
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'notBreaching',
    alarmActions: [topicArn],
    okActions: [topicArn],
  };
}
