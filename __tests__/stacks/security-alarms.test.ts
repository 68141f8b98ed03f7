import { LOG_ALARMS } from '../../functions/shared/workflow';
import { synthesize } from '../support/synthesized';

const json = synthesize();

describe('the security alarms', () => {
  it('count lines of the assign function’s own log group, the function that writes the alarm field', () => {
    const [assignLogs] = Object.entries(json.resource.aws_cloudwatch_log_group!).find(
      ([, group]) => group.name === '/aws/lambda/web-identity-assign-role-to-audience',
    )!;
    // The security alarms' filters (the sweep's metrics have filters of their own, on its report function's logs).
    const filters = Object.values(json.resource.aws_cloudwatch_log_metric_filter!).filter(
      (filter) => (filter as { metric_transformation: { namespace: string } }).metric_transformation.namespace === 'web-identity/security',
    );

    expect(filters).toHaveLength(Object.keys(LOG_ALARMS).length);
    for (const filter of filters) expect(filter.log_group_name).toBe(`\${aws_cloudwatch_log_group.${assignLogs}.name}`);
  });
});
