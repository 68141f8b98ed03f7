import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger } from '../../functions/shared/runtime';
import {
  FINDING_KIND_NAMES,
  SWEEP_FINDINGS_MESSAGE,
  SWEEP_IDENTITY_MESSAGE,
  SWEEP_METRICS_MESSAGE,
  SWEEP_PROVIDER_MESSAGE,
  type SweepMode,
} from '../../functions/shared/sweep';
import { FAILED_PREFIX, IGNORE_REASONS, LOG_ALARM_WRITERS, ROUTER_LOG_MESSAGES } from '../../functions/shared/workflow';
import { parseEvents, runSimulation } from '../../simulation/engine/run-simulation';
import { parseWorld } from '../../simulation/engine/world';
import { parseConfig } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { extract, filterMatches, parseFilterPattern } from '../support/metric-filter';
import { resourcesOf, synthesize } from '../support/synthesized';

/**
 * `{Prefix}-Overview` (stacks/dashboard.ts): its body is the JSON CloudWatch takes, every metric it
 * shows is one the plan emits (a state machine or queue of the plan, a metric filter of the plan,
 * an alarm of the plan), and every metric filter matches the log lines the functions write for it
 * (taken from simulator runs), and no longer when a field it reads is renamed.
 */

const ROOT = resolve(__dirname, '..', '..');
const json = synthesize();
const [dashboard] = resourcesOf(json, 'aws_cloudwatch_dashboard');
const filters = resourcesOf(json, 'aws_cloudwatch_log_metric_filter') as {
  name: string;
  log_group_name: string;
  pattern: string;
  metric_transformation: { name: string; namespace: string; value: string; dimensions?: Record<string, string> };
}[];
type Line = Record<string, unknown>;

describe('the operator dashboard', () => {
  const body = JSON.parse(dashboard!.dashboard_body as string) as { widgets: { type: string; properties: Record<string, any> }[] };
  const metricRows = body.widgets.flatMap((widget) => (widget.type === 'metric' ? (widget.properties.metrics as unknown[][]) : []));

  it('is named {Prefix}-Overview and its body is JSON with no Terraform interpolation in it', () => {
    expect(dashboard!.dashboard_name).toBe('Web-Identity-Overview');
    expect(dashboard!.dashboard_body).not.toMatch(/\$\{|%\{/);
    // PutDashboard: widgets on a 24-column grid (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html)
    for (const widget of body.widgets as unknown as { x: number; width: number }[]) expect(widget.x + widget.width).toBeLessThanOrEqual(24);
    expect(body.widgets.map((widget) => widget.properties.title)).toEqual([
      'Web-Identity-Role-Create: executions by outcome',
      'Web-Identity-Role-Delete: executions by outcome',
      'Web-Identity-Sweep: executions by outcome',
      'Roles tagged failed:<reason>',
      "Router's ignored events by reason",
      'Event queue: age of the oldest message (s), dead-letter queue depth',
      "Last sweep's findings by kind",
      'Client IDs per provider: the ten fullest accounts (IAM allows 100)',
      "Creator quota used by the automation's identities (% of sweep.entraObjectQuota)",
      'Creator quota per automation identity: objects against its share (250)',
      'Alarms',
    ]);
  });

  it('shows only metrics something in the plan emits', () => {
    const machines = resourcesOf(json, 'aws_sfn_state_machine').map((machine) => machine.name as string);
    const queues = resourcesOf(json, 'aws_sqs_queue').map((queue) => queue.name as string);
    const emitted = (namespace: string, name: string, dimension?: string) =>
      filters.some(
        (filter) =>
          filter.metric_transformation.namespace === namespace &&
          filter.metric_transformation.name === name &&
          (dimension === undefined
            ? filter.metric_transformation.dimensions === undefined
            : dimension in (filter.metric_transformation.dimensions ?? {})),
      );
    expect(metricRows.length).toBeGreaterThan(20);
    for (const row of metricRows) {
      const [first] = row;
      if (typeof first === 'object') {
        // A SEARCH over one filter's metric, by its dimension
        const [, namespace, dimension, name] = /SEARCH\('\{([^,]+),(\w+)\} MetricName="(\w+)"'/.exec(
          (first as { expression: string }).expression,
        )!;
        expect(emitted(namespace!, name!, dimension)).toBe(true);
        continue;
      }
      const [namespace, name, dimension, value] = row as string[];
      if (namespace === 'AWS/States') {
        expect(dimension).toBe('StateMachineArn');
        expect(value).toMatch(/^arn:aws:states:eu-central-1:111111111111:stateMachine:/);
        expect(machines).toContain(value!.split(':').at(-1));
      } else if (namespace === 'AWS/SQS') {
        expect(dimension).toBe('QueueName');
        expect(queues).toContain(value);
      } else {
        expect(emitted(namespace!, name!, typeof dimension === 'string' ? dimension : undefined)).toBe(true);
      }
    }
    const alarms = body.widgets.find((widget) => widget.type === 'alarm')!.properties.alarms as string[];
    const planned = resourcesOf(json, 'aws_cloudwatch_metric_alarm').map(
      (alarm) => `arn:aws:cloudwatch:eu-central-1:111111111111:alarm:${alarm.alarm_name}`,
    );
    expect([...alarms].sort()).toEqual([...planned].sort());
  });

  it('lists every reason of IGNORE_REASONS and every finding kind, one line each', () => {
    const dimensionValues = (namespace: string, name: string) =>
      metricRows.filter((row) => row[0] === namespace && row[1] === name).map((row) => row[3]);
    expect(dimensionValues('web-identity/router', 'IgnoredEvents')).toEqual(Object.keys(IGNORE_REASONS));
    expect(dimensionValues('web-identity/sweep', 'Findings')).toEqual(FINDING_KIND_NAMES);
    // One line per automation identity (the example configuration has one), against its share
    expect(dimensionValues('web-identity/sweep', 'CreatorQuotaObjects')).toEqual(['1']);
    const perIdentity = body.widgets.find((widget) => String(widget.properties.title).startsWith('Creator quota per automation identity'))!;
    expect(perIdentity.properties.annotations.horizontal[0]).toEqual({ value: 250, label: 'share' });
  });

  it('shows one line per configured automation identity, against the configured share', () => {
    const three = synthesize({ ...EXAMPLE_CONFIG, entra: { ...EXAMPLE_CONFIG.entra, automationIdentities: 3, quotaShare: 0.9 } });
    const [board] = resourcesOf(three, 'aws_cloudwatch_dashboard');
    const widgets = (JSON.parse(board!.dashboard_body as string) as { widgets: { properties: Record<string, any> }[] }).widgets;
    const perIdentity = widgets.find((widget) => String(widget.properties.title).startsWith('Creator quota per automation identity'))!;
    expect((perIdentity.properties.metrics as unknown[][]).map((row) => row[3])).toEqual(['1', '2', '3']);
    expect(perIdentity.properties.annotations.horizontal[0]).toEqual({ value: 225, label: 'share' });
  });

  it('keeps every filter pattern within CloudWatch Logs’ 1,024 characters', () => {
    // PutMetricFilter filterPattern: "Length Constraints: Maximum length of 1024" (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html)
    for (const filter of filters) expect(filter.pattern.length).toBeLessThanOrEqual(1024);
  });
});

describe("the plan's metric filters, over the lines the functions write in the simulator", () => {
  /** Every log line of the runs, by function (`function` field; the log group of `/aws/lambda/web-identity-<function>`). */
  const lines: Line[] = [];
  const groupFunction = new Map(
    Object.entries(json.resource.aws_cloudwatch_log_group as Record<string, { name: string }>).map(([key, group]) => [
      `\${aws_cloudwatch_log_group.${key}.name}`,
      group.name.replace('/aws/lambda/web-identity-', ''),
    ]),
  );
  const linesOf = (filter: (typeof filters)[number]) => lines.filter((line) => line.function === groupFunction.get(filter.log_group_name));

  beforeAll(async () => {
    const logger = createLogger({ sink: (line) => lines.push(JSON.parse(line) as Line) });
    const read = (path: string) => JSON.parse(readFileSync(join(ROOT, 'simulation', 'examples', path), 'utf8'));
    const run = async (dir: string, events: boolean, sweep?: SweepMode) =>
      runSimulation({
        world: parseWorld(read(`${dir}/world.json`)),
        events: events ? parseEvents(read(`${dir}/events.json`)) : [],
        config: parseConfig(EXAMPLE_CONFIG),
        logger,
        ...(sweep ? { sweep: { mode: sweep } } : {}),
      });
    for (const dir of [
      'forged-account',
      'owners-named-by-tag',
      'failure-keeps-ready-role',
      'open-role-too-large-to-lock',
      'squatted-application-name',
      'quota-exceeded',
      'inline-policy-quota',
      'owner-removed-automation',
    ]) {
      await run(`security/${dir}`, true);
    }
    await run('sweep/drift', false, 'report');
    // An operator's revocation: disable-service-principal writes the role-revoked line.
    await runSimulation({
      world: parseWorld(read('security/leave-federation-revokes-sessions/world.json')),
      events: [],
      config: parseConfig(EXAMPLE_CONFIG),
      logger,
      operations: {
        revoke: {
          accountId: '222222222222',
          roleName: 'ci-deployer',
          requestedBy: 'arn:aws:iam::111111111111:user/alice',
          reason: 'INC-1',
        },
      },
    });
  }, 180_000);

  it('match each line they are meant for, and only those', () => {
    const meantFor: Record<string, (line: Line) => boolean> = {
      'web-identity-ignored-events': (line) => line.message === ROUTER_LOG_MESSAGES.ignored || line.message === ROUTER_LOG_MESSAGES.failed,
      'web-identity-failed-roles': (line) => String(line.status ?? '').startsWith(FAILED_PREFIX),
      'web-identity-sweep-findings': (line) => line.message === SWEEP_FINDINGS_MESSAGE,
      'web-identity-sweep-client-ids': (line) => line.message === SWEEP_PROVIDER_MESSAGE,
      'web-identity-sweep-identity-quota': (line) => line.message === SWEEP_IDENTITY_MESSAGE,
      ...Object.fromEntries(
        Object.entries(LOG_ALARM_WRITERS).flatMap(([alarm, tasks]) =>
          tasks.map((task) => [
            `web-identity-${alarm}${task === 'assign-role-to-audience' ? '' : `-${task}`}`,
            (line: Line) => line.alarm === alarm,
          ]),
        ),
      ),
    };
    for (const filter of filters) {
      const own = linesOf(filter);
      const matched = own.filter((line) => filterMatches(filter.pattern, line));
      const expected = own.filter(meantFor[filter.name] ?? ((line) => line.message === SWEEP_METRICS_MESSAGE));
      expect({ filter: filter.name, matched: matched.length }).toEqual({ filter: filter.name, matched: expected.length });
      expect(matched).toEqual(expected);
      expect({ filter: filter.name, some: matched.length > 0 }).toEqual({ filter: filter.name, some: true });
      for (const line of matched) {
        expect(Number.isFinite(extract(filter.metric_transformation.value, line) as number)).toBe(true);
        for (const selector of Object.values(filter.metric_transformation.dimensions ?? {})) {
          expect(typeof extract(selector, line)).toBe('string');
        }
      }
    }
  });

  it('no longer match when a field they read is renamed', () => {
    for (const filter of filters) {
      const line = linesOf(filter).find((candidate) => filterMatches(filter.pattern, candidate))!;
      for (const field of new Set(
        parseFilterPattern(filter.pattern)
          .flat()
          .map((term) => term.path[0]!),
      )) {
        const { [field]: value, ...rest } = line;
        expect({ filter: filter.name, field, matches: filterMatches(filter.pattern, { ...rest, [`${field}Renamed`]: value }) }).toEqual({
          filter: filter.name,
          field,
          matches: false,
        });
      }
    }
  });

  it('count ignored events by the router’s reason, failures by status, findings by kind and providers by account', () => {
    const dimension = (name: string) => {
      const filter = filters.find((candidate) => candidate.name === name)!;
      const [selector] = Object.values(filter.metric_transformation.dimensions!);
      return new Set(
        linesOf(filter)
          .filter((line) => filterMatches(filter.pattern, line))
          .map((line) => extract(selector!, line)),
      );
    };
    expect(dimension('web-identity-ignored-events')).toEqual(new Set(['forged-account', 'not-a-trust-event']));
    expect([...dimension('web-identity-failed-roles')].sort()).toEqual([
      'failed:entra-quota',
      'failed:graph-unavailable',
      'failed:inline-policy-quota',
      'failed:name-taken',
      'failed:not-owner',
      'failed:wildcard',
    ]);
    expect(dimension('web-identity-sweep-findings')).toEqual(new Set(FINDING_KIND_NAMES));
    expect(dimension('web-identity-sweep-client-ids')).toEqual(new Set(['222222222222']));
    expect(dimension('web-identity-sweep-identity-quota')).toEqual(new Set(['1']));
  });
});
