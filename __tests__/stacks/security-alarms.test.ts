import { LOG_ALARMS, LOG_ALARM_WRITERS } from '../../functions/shared/workflow';
import { synthesize } from '../support/synthesized';

const json = synthesize();

describe('the security alarms', () => {
  it('count lines of the log group of each function that writes the alarm field, one filter per alarm and writer', () => {
    const groupOf = (task: string) =>
      `\${aws_cloudwatch_log_group.${
        Object.entries(json.resource.aws_cloudwatch_log_group!).find(([, group]) => group.name === `/aws/lambda/web-identity-${task}`)![0]
      }.name}`;
    // The security alarms' filters (the sweep's metrics have filters of their own, on its report function's logs).
    const filters = Object.values(json.resource.aws_cloudwatch_log_metric_filter!).filter(
      (filter) => (filter as { metric_transformation: { namespace: string } }).metric_transformation.namespace === 'web-identity/security',
    ) as { pattern: string; log_group_name: string; metric_transformation: { name: string } }[];

    const expected = Object.entries(LOG_ALARM_WRITERS).flatMap(([alarm, tasks]) => tasks.map((task) => [alarm, groupOf(task)]));
    expect(filters.map((filter) => [filter.metric_transformation.name, filter.log_group_name]).sort()).toEqual(expected.sort());
    expect(new Set(filters.map((filter) => filter.metric_transformation.name))).toEqual(new Set(Object.keys(LOG_ALARMS)));
    // The Delete's filter counts into the same alarm as the assign function's
    expect(expected.filter(([alarm]) => alarm === 'not-owner')).toHaveLength(2);
  });
});
