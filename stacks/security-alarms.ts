import { Construct } from 'constructs';
import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { LOG_ALARMS, LOG_ALARM_SOURCES, type LogAlarm } from '../functions/shared/workflow';
import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { alarmOnAnyOccurrence } from './central-pipeline';
import { deploymentContext } from './context';

export interface SecurityAlarmsProps {
  /** The log groups of the functions that write the `alarm` field (`LOG_ALARM_SOURCES`). */
  readonly logGroups: Readonly<Record<(typeof LOG_ALARM_SOURCES)[LogAlarm], CloudwatchLogGroup>>;
  /** Where the alarms go. */
  readonly alarmTopic: SnsTopic;
}

/**
 * One metric filter and one alarm per `LOG_ALARMS` entry, on the log group of the function that
 * writes it (`LOG_ALARM_SOURCES`): the assign function writes `"alarm": "<name>"` on the JSON log
 * line of a role it tags `failed:name-taken`, `failed:entra-quota`, `failed:inline-policy-quota`,
 * or leaves open; disable-service-principal on the line of a revocation (`role-revoked`). JSON metric filter syntax:
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
          logGroupName: props.logGroups[LOG_ALARM_SOURCES[name]].name,
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
