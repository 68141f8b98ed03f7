import { LOG_ALARMS, LOG_ALARM_SOURCES, type LogAlarm } from '../../functions/shared/workflow';
import { synthesize } from '../support/synthesized';

const json = synthesize();

describe('the security alarms', () => {
  it('count lines of the log group of the function that writes each alarm field (LOG_ALARM_SOURCES)', () => {
    const logsOf = (task: string) =>
      Object.entries(json.resource.aws_cloudwatch_log_group!).find(([, group]) => group.name === `/aws/lambda/web-identity-${task}`)![0];
    // The security alarms' filters (the sweep's metrics have filters of their own, on its report function's logs).
    const filters = Object.values(json.resource.aws_cloudwatch_log_metric_filter!).filter(
      (filter) => (filter as { metric_transformation: { namespace: string } }).metric_transformation.namespace === 'web-identity/security',
    );

    expect(filters).toHaveLength(Object.keys(LOG_ALARMS).length);
    for (const alarm of Object.keys(LOG_ALARMS) as LogAlarm[]) {
      const filter = filters.find((candidate) => (candidate as { pattern: string }).pattern === `{ $.alarm = "${alarm}" }`)!;
      expect(`${alarm}: ${filter.log_group_name}`).toBe(`${alarm}: \${aws_cloudwatch_log_group.${logsOf(LOG_ALARM_SOURCES[alarm])}.name}`);
    }
  });
});
