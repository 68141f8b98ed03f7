import { Construct } from 'constructs';
import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { LOG_ALARMS, type LogAlarm } from '../functions/shared/workflow';
import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { alarmOnAnyOccurrence } from './central-pipeline';
import { deploymentContext } from './context';

export interface SecurityAlarmsProps {
  /** The log group of the function that writes the `alarm` field (assign-role-to-audience). */
  readonly logGroup: CloudwatchLogGroup;
  /** Where the alarms go. */
  readonly alarmTopic: SnsTopic;
}

/**
 * One metric filter and one alarm per `LOG_ALARMS` entry: the assign function writes
 * `"alarm": "<name>"` on the JSON log line of a role it tags `failed:name-taken`,
 * `failed:entra-quota`, or leaves open. JSON metric filter syntax:
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
        new CloudwatchLogMetricFilter(this, `${name}-filter`, {
          name: `${namePrefix}-${name}`,
          logGroupName: props.logGroup.name,
          pattern: `{ $.alarm = "${name}" }`,
          metricTransformation: { name, namespace, value: '1', defaultValue: '0' },
        });
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
