import { Construct } from 'constructs';
import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { LOG_ALARMS, LOG_ALARM_WRITERS, type LogAlarm, type TaskFunctionName } from '../functions/shared/workflow';
import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { alarmOnAnyOccurrence } from './central-pipeline';
import { deploymentContext } from './context';

export interface SecurityAlarmsProps {
  /** The log group of each function that writes the `alarm` field (LOG_ALARM_WRITERS). */
  readonly logGroupOf: (task: TaskFunctionName) => CloudwatchLogGroup;
  /** Where the alarms go. */
  readonly alarmTopic: SnsTopic;
}

/**
 * One alarm per `LOG_ALARMS` entry, over one metric filter per function that writes it
 * (LOG_ALARM_WRITERS): the assign function writes `"alarm": "<name>"` on the JSON log line of a
 * role it tags `failed:name-taken`, `failed:entra-quota`, `failed:not-owner`, or leaves open; the
 * Delete on the line of an application it may no longer delete. JSON metric filter syntax:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
export class SecurityAlarms extends Construct {
  public readonly alarms: Readonly<Record<LogAlarm, CloudwatchMetricAlarm>>;

  constructor(scope: Construct, id: string, props: SecurityAlarmsProps) {
    super(scope, id);
    const { namePrefix } = deploymentContext(this);
    const namespace = `${namePrefix}/security`;
    this.alarms = Object.fromEntries(
      (Object.entries(LOG_ALARMS) as [LogAlarm, string][]).map(([name, description]) => {
        for (const task of LOG_ALARM_WRITERS[name]) {
          // The assign function's filters keep their first id and name (a renamed one would be replaced).
          const own = task === 'assign-role-to-audience' ? '' : `-${task}`;
          new CloudwatchLogMetricFilter(this, `${name}${own}-filter`, {
            name: `${namePrefix}-${name}${own}`,
            logGroupName: props.logGroupOf(task).name,
            pattern: `{ $.alarm = "${name}" }`,
            metricTransformation: { name, namespace, value: '1', defaultValue: '0' },
          });
        }
        const alarm = new CloudwatchMetricAlarm(this, name, {
          alarmName: `${namePrefix}-${name}`,
          alarmDescription: description,
          namespace,
          metricName: name,
          ...alarmOnAnyOccurrence(props.alarmTopic.arn),
        });
        return [name, alarm];
      }),
    ) as Record<LogAlarm, CloudwatchMetricAlarm>;
  }
}
