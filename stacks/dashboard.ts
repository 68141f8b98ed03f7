import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import { FAILED_PREFIX, FAILURE_REASONS, IGNORE_REASON_NAMES, stateMachineNames, titleCasePrefix } from '../functions/shared/workflow';
import type { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { TaskFunctionName } from '../functions/shared/workflow';
import type { CentralPipeline } from './central-pipeline';
import { centralArn, deploymentContext } from './context';
import { sweepMetricNamespace } from './sweep';
import type { TaskFunction } from './task-function';
import { FINDING_KIND_NAMES, SWEEP_FINDINGS_MESSAGE, SWEEP_IDENTITY_MESSAGE, SWEEP_PROVIDER_MESSAGE } from '../functions/shared/sweep';

export interface OperatorDashboardProps {
  /** The event path: its queue, dead-letter queue and router (whose log lines carry the ignored events). */
  readonly pipeline: CentralPipeline;
  /** The task functions: the assign function's log lines carry `failed:<reason>`, the sweep report's the sweep's numbers. */
  readonly tasks: Readonly<Record<TaskFunctionName, TaskFunction>>;
  /** Every alarm of the plan. */
  readonly alarms: readonly CloudwatchMetricAlarm[];
  /** `entra.automationIdentities`: one line per identity (numbered 1…N, as the sweep's lines name them). */
  readonly automationIdentities: number;
  /** Objects of each identity's share of its creator quota (config.ts identityQuotaShare). */
  readonly identityQuotaShare: number;
}

/** What each of the project's own metrics is: its namespace and name, and the dimension it carries. */
export function dashboardMetrics(namePrefix: string, sweepNamespace: string) {
  return {
    ignored: { namespace: `${namePrefix}/router`, name: 'IgnoredEvents', dimension: 'Reason' },
    failed: { namespace: `${namePrefix}/workflow`, name: 'FailedRoles', dimension: 'Status' },
    findings: { namespace: sweepNamespace, name: 'Findings', dimension: 'Kind' },
    clientIds: { namespace: sweepNamespace, name: 'ClientIdsPerProvider', dimension: 'Account' },
    identityObjects: { namespace: sweepNamespace, name: 'CreatorQuotaObjects', dimension: 'Identity' },
  } as const;
}

/** `{ $.field = "a" || $.field = "b" … }`: a closed set of values (JSON filter syntax, see the class comment). */
const anyOf = (field: string, values: readonly string[]) => `{ ${values.map((value) => `$.${field} = "${value}"`).join(' || ')} }`;

/**
 * `{Prefix}-Overview`: what operators look at first (docs/operator.md#the-dashboard). Service
 * metrics (`AWS/States`, `AWS/SQS`) name the plan's own state machines and queues; the project's
 * own metrics come from the metric filters made here, each over the JSON log line that carries it
 * (a test runs the simulator and matches every filter against the lines the functions wrote):
 *
 * * ignored events by `reason` (the router's `event ignored` / `message failed` lines, IGNORE_REASONS);
 * * roles tagged `failed:<reason>` by reason (the assign function's lines carrying `status`);
 * * the last sweep's findings by kind, the client IDs of the fullest providers, and each
 *   automation identity's creator quota objects (the report step's lines), besides the sweep's
 *   own metrics (stacks/sweep.ts).
 *
 * Filter syntax and dimensions: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/MonitoringLogData.html (a dimension's
 * field must be in the pattern). Body: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
 */
export class OperatorDashboard extends Construct {
  public readonly dashboard: CloudwatchDashboard;
  public readonly filters: readonly CloudwatchLogMetricFilter[];

  constructor(scope: Construct, id: string, props: OperatorDashboardProps) {
    super(scope, id);
    const context = deploymentContext(this);
    const { namePrefix, region } = context;
    const sweepNamespace = sweepMetricNamespace(namePrefix);
    const metrics = dashboardMetrics(namePrefix, sweepNamespace);
    const routerLogGroupName = props.pipeline.router.logGroup.name;
    const assignLogGroupName = props.tasks['assign-role-to-audience'].logGroup.name;
    const sweepReportLogGroupName = props.tasks['sweep-report'].logGroup.name;
    // The body is JSON text built here: it takes the names as configured (literals), not Terraform references.
    const queueName = `${props.pipeline.queue.nameInput}`;
    const deadLetterQueueName = `${props.pipeline.deadLetterQueue.nameInput}`;
    const filter = (filterId: string, logGroupName: string, pattern: string, metric: keyof typeof metrics, field: string, value: string) =>
      new CloudwatchLogMetricFilter(this, filterId, {
        name: `${namePrefix}-${filterId}`,
        logGroupName,
        pattern,
        metricTransformation: {
          name: metrics[metric].name,
          namespace: metrics[metric].namespace,
          value,
          dimensions: { [metrics[metric].dimension]: `$.${field}` },
        },
      });
    this.filters = [
      filter('ignored-events', routerLogGroupName, anyOf('reason', IGNORE_REASON_NAMES), 'ignored', 'reason', '1'),
      filter(
        'failed-roles',
        assignLogGroupName,
        anyOf(
          'status',
          Object.keys(FAILURE_REASONS).map((reason) => `${FAILED_PREFIX}${reason}`),
        ),
        'failed',
        'status',
        '1',
      ),
      filter(
        'sweep-findings',
        sweepReportLogGroupName,
        `{ $.message = "${SWEEP_FINDINGS_MESSAGE}" && $.kind = * }`,
        'findings',
        'kind',
        '$.count',
      ),
      filter(
        'sweep-client-ids',
        sweepReportLogGroupName,
        `{ $.message = "${SWEEP_PROVIDER_MESSAGE}" && $.account = * }`,
        'clientIds',
        'account',
        '$.clientIds',
      ),
      filter(
        'sweep-identity-quota',
        sweepReportLogGroupName,
        `{ $.message = "${SWEEP_IDENTITY_MESSAGE}" && $.identity = * }`,
        'identityObjects',
        'identity',
        '$.objects',
      ),
    ];

    const stateMachineArn = (name: string) => centralArn(context, 'states', `stateMachine:${name}`);
    const names = stateMachineNames(namePrefix);
    const machines = [names.create, names.delete, names.sweep];
    const outcomes = ['ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'];
    const byDimension = (metric: (typeof metrics)[keyof typeof metrics], values: readonly string[]) =>
      values.map((value) => [metric.namespace, metric.name, metric.dimension, value, { label: value }]);
    const graph = (title: string, metricRows: unknown[], extra: Record<string, unknown> = {}) => ({
      type: 'metric',
      properties: { title, region, view: 'timeSeries', stat: 'Sum', period: 300, metrics: metricRows, ...extra },
    });
    const widgets = [
      ...machines.map((name) =>
        graph(
          `${name}: executions by outcome`,
          outcomes.map((outcome) => ['AWS/States', outcome, 'StateMachineArn', stateMachineArn(name), { label: outcome }]),
        ),
      ),
      graph(
        'Roles tagged failed:<reason>',
        byDimension(
          metrics.failed,
          Object.keys(FAILURE_REASONS).map((reason) => `${FAILED_PREFIX}${reason}`),
        ),
      ),
      graph("Router's ignored events by reason", byDimension(metrics.ignored, IGNORE_REASON_NAMES)),
      graph(
        'Event queue: age of the oldest message (s), dead-letter queue depth',
        [
          ['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', queueName, { stat: 'Maximum', label: 'oldest message age' }],
          [
            'AWS/SQS',
            'ApproximateNumberOfMessagesVisible',
            'QueueName',
            deadLetterQueueName,
            { stat: 'Maximum', label: 'DLQ depth', yAxis: 'right' },
          ],
        ],
        { stat: 'Maximum' },
      ),
      graph("Last sweep's findings by kind", byDimension(metrics.findings, FINDING_KIND_NAMES), { stat: 'Maximum', period: 86400 }),
      graph(
        'Client IDs per provider: the ten fullest accounts (IAM allows 100)',
        [
          [
            {
              expression: `SORT(SEARCH('{${metrics.clientIds.namespace},${metrics.clientIds.dimension}} MetricName="${metrics.clientIds.name}"', 'Maximum', 86400), MAX, DESC, 10)`,
              id: 'fullest',
              label: '',
            },
          ],
        ],
        {
          stat: 'Maximum',
          period: 86400,
          annotations: {
            horizontal: [
              { value: 100, label: 'IAM limit' },
              { value: 90, label: 'alarm' },
            ],
          },
        },
      ),
      graph(
        "Creator quota used by the automation's identities (% of sweep.entraObjectQuota)",
        [[sweepNamespace, 'directoryObjectQuotaPercent', { label: 'quota used %' }]],
        {
          stat: 'Maximum',
          period: 86400,
          annotations: {
            horizontal: [
              { value: 100, label: 'quota' },
              { value: 80, label: 'alarm' },
            ],
          },
        },
      ),
      graph(
        `Creator quota per automation identity: objects against its share (${props.identityQuotaShare})`,
        byDimension(
          metrics.identityObjects,
          Array.from({ length: props.automationIdentities }, (_, i) => String(i + 1)),
        ).map(([namespace, name, dimension, value]) => [namespace, name, dimension, value, { label: `identity ${value}` }]),
        {
          stat: 'Maximum',
          period: 86400,
          annotations: {
            horizontal: [
              { value: props.identityQuotaShare, label: 'share' },
              { value: Math.floor(props.identityQuotaShare * 0.8), label: '80 %' },
            ],
          },
        },
      ),
      {
        type: 'alarm',
        properties: {
          title: 'Alarms',
          alarms: props.alarms.map((alarm) => centralArn(context, 'cloudwatch', `alarm:${alarm.alarmNameInput}`)),
        },
      },
    ].map((widget, index) => ({ ...widget, x: (index % 2) * 12, y: Math.floor(index / 2) * 6, width: 12, height: 6 }));

    this.dashboard = new CloudwatchDashboard(this, 'overview', {
      dashboardName: `${titleCasePrefix(namePrefix)}-Overview`,
      dashboardBody: JSON.stringify({ widgets }),
    });
  }
}
