import { AUTOMATION_ERRORS, TRANSIENT_ERROR_NAMES } from '../../functions/shared/runtime';
import { SWEEP_METRICS } from '../../functions/shared/sweep';
import { ConfigError, parseConfig, type FederationConfigInput } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { SWEEP_STATES } from '../../stacks/sweep-definition';
import { evaluate, sessionContext, terraformPolicy } from '../support/iam-evaluation';
import { policyStatements, resourcesOf, resourceWhere, synthesize, synthesizedStateMachines } from '../support/synthesized';

// asl-validator ships no type declarations, and mutates its input: always pass a clone.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };

const CENTRAL = EXAMPLE_CONFIG.aws.centralAccountId;
const REGION = EXAMPLE_CONFIG.aws.centralRegion;
const ORG = EXAMPLE_CONFIG.aws.organizationId;
const SWEEP_ARN = `arn:aws:states:${REGION}:${CENTRAL}:stateMachine:Web-Identity-Sweep`;
const CREATE_ARN = `arn:aws:states:${REGION}:${CENTRAL}:stateMachine:Web-Identity-Role-Create`;
const BUCKET = `web-identity-sweep-${CENTRAL}-${REGION}`;

const json = synthesize();
const { sweep: definition } = synthesizedStateMachines();
type State = {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { Next: string }[];
  End?: boolean;
  Resource?: string;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  ItemProcessor?: { States: Record<string, State> };
  [key: string]: any;
};
const states = definition.States as Record<string, State>;
const inner = (map: string) => states[map]!.ItemProcessor!.States;
/** Every state, those of the maps' item processors included. */
const everyState = (all: Record<string, State> = states): [string, State][] =>
  Object.entries(all).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.ItemProcessor ? everyState(state.ItemProcessor.States) : []),
  ]);

/** The document of a role's inline policy, from the role's name. */
function rolePolicy(roleName: string): Record<string, any> {
  const [roleKey] = Object.entries(json.resource.aws_iam_role).find(([, role]) => role.name === roleName)!;
  const rolePolicy = Object.values(json.resource.aws_iam_role_policy).find((policy) => policy.role === `\${aws_iam_role.${roleKey}.id}`)!;
  const documentKey = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(String(rolePolicy.policy))![1]!;
  return json.data.aws_iam_policy_document[documentKey]!;
}
const FUNCTION_ARN = (name: string) => `arn:aws:lambda:${REGION}:${CENTRAL}:function:web-identity-${name}`;

describe('Web-Identity-Sweep as synthesized', () => {
  it('is valid Amazon States Language, Distributed Maps included', () => {
    const result = aslValidator(structuredClone(definition));

    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('runs its states in the order the simulator runs them', () => {
    const order: string[] = [];
    // The path of a repair run: each state's Next, the Choice's repair branch.
    for (let name: string | undefined = definition.StartAt; name; ) {
      order.push(name);
      const state = states[name]!;
      name = state.Type === 'Choice' ? state.Choices![0]!.Next : state.Next;
    }

    expect(order).toEqual([...SWEEP_STATES]);
    expect(states.ShouldRepair!.Default).toBe('Report');
  });

  it.each(['InspectAccounts', 'RepairAccounts'])(
    '%s is a Distributed Map over a JSON file in the bucket, results written back there, every failure tolerated',
    (map) => {
      expect(states[map]).toMatchObject({
        Type: 'Map',
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSON' },
          Parameters: { 'Bucket.$': '$.sweep.bucket' },
        },
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
        ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { 'Bucket.$': '$.sweep.bucket' } },
        MaxConcurrency: 10,
        ToleratedFailurePercentage: 100,
        ItemSelector: { 'sweep.$': '$.sweep' },
      });
    },
  );

  it('reads as many accounts at once as configured', () => {
    const { sweep } = synthesizedStateMachines({ ...EXAMPLE_CONFIG, sweep: { maxConcurrency: 3 } });

    expect([sweep.States.InspectAccounts.MaxConcurrency, sweep.States.RepairAccounts.MaxConcurrency]).toEqual([3, 3]);
  });

  it('catches an account that cannot be read into an unreadable result, so one account never stops the sweep', () => {
    expect(inner('InspectAccounts').InspectAccount!.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'AccountUnreadable' },
    ]);
    expect(inner('InspectAccounts').AccountUnreadable).toMatchObject({
      Type: 'Pass',
      Parameters: { readable: false, 'accountId.$': '$.account.accountId', 'failure.$': '$.failure' },
      End: true,
    });
    expect(inner('RepairAccounts').RepairAccount!.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'RepairFailed' },
    ]);
  });

  it("removes expired revocation policies after the repair, through their own function, and a failure there keeps the repair's result and still federates", () => {
    const repair = inner('RepairAccounts');

    expect(repair.RepairAccount).toMatchObject({ OutputPath: '$.Payload', Next: 'RemoveRevocationPolicies' });
    expect(repair.RemoveRevocationPolicies).toMatchObject({
      Parameters: { FunctionName: expect.stringMatching(/^\$\{aws_lambda_function\.sweep-remove-revocations_function_\w+\.arn\}$/) },
      OutputPath: '$.Payload.repaired',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'RevocationPoliciesKept' }],
      Next: 'FederateRoles',
    });
    expect(repair.RevocationPoliciesKept).toEqual({
      Type: 'Pass',
      Parameters: {
        'accountId.$': '$.repaired.accountId',
        'outcomes.$': '$.repaired.outcomes',
        'federations.$': '$.repaired.federations',
        'revocationFailure.$': '$.failure',
      },
      Next: 'FederateRoles',
    });
  });

  it('federates through the Create workflow, one role at a time per account, waiting for each', () => {
    const federate = inner('RepairAccounts').FederateRoles!;

    expect(federate).toMatchObject({ Type: 'Map', ItemsPath: '$.federations', MaxConcurrency: 1 });
    expect(federate.ItemProcessor!.States.Federate).toMatchObject({
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Parameters: { StateMachineArn: CREATE_ARN, 'Name.$': '$.executionName', 'Input.$': '$.input' },
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.execution', Next: 'FederationDidNotSucceed' }],
    });
  });

  it("keeps only the error of a Create that did not succeed (its Cause holds the whole execution), so an account's result stays small", () => {
    expect(inner('RepairAccounts').FederateRoles!.ItemProcessor!.States.FederationDidNotSucceed).toMatchObject({
      Type: 'Pass',
      Parameters: {
        'roleName.$': '$.roleName',
        'executionName.$': '$.executionName',
        'input.$': '$.input',
        execution: { 'Error.$': '$.execution.Error' },
      },
    });
  });

  it('retries the transient errors and Lambda service exceptions on every function it invokes', () => {
    const lambdaTasks = everyState().filter(([, state]) => state.Resource === 'arn:aws:states:::lambda:invoke');

    expect(lambdaTasks.map(([name]) => name).sort()).toEqual([
      'Decide',
      'InspectAccount',
      'Plan',
      'RemoveRevocationPolicies',
      'RepairAccount',
      'Report',
    ]);
    for (const [, state] of lambdaTasks) {
      expect(state.Retry!.flatMap((rule) => rule.ErrorEquals)).toEqual(
        expect.arrayContaining([...TRANSIENT_ERROR_NAMES, 'Lambda.ServiceException']),
      );
      expect(state.Parameters.FunctionName).toMatch(/^\$\{aws_lambda_function\.sweep-[\w-]+\.arn\}$/);
    }
  });

  it('names only errors that the functions throw or that Step Functions and Lambda define', () => {
    const names = everyState().flatMap(([, state]) => [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule) => rule.ErrorEquals));

    expect(names.filter((name) => !/^(States|Lambda|StepFunctions)\./.test(name) && !(name in AUTOMATION_ERRORS))).toEqual([]);
  });

  it('outputs only where the report is and its totals', () => {
    expect(states.Report).toMatchObject({ ResultSelector: { 'report.$': '$.Payload.report' }, ResultPath: '$', End: true });
  });
});

describe('the schedule', () => {
  const scheduleOf = (config: FederationConfigInput = EXAMPLE_CONFIG) => resourcesOf(synthesize(config), 'aws_scheduler_schedule')[0]!;

  it('starts a report sweep daily by default', () => {
    const schedule = scheduleOf();

    expect(schedule).toMatchObject({
      name: 'web-identity-sweep',
      schedule_expression: 'rate(1 day)',
      state: 'ENABLED',
      flexible_time_window: { mode: 'OFF' },
    });
    expect(schedule.target).toMatchObject({ arn: SWEEP_ARN });
    expect(JSON.parse(schedule.target.input)).toEqual({ mode: 'report' });
  });

  it('follows the configured rate, mode, and can be disabled', () => {
    const schedule = scheduleOf({
      ...EXAMPLE_CONFIG,
      sweep: { schedule: 'cron(0 6 ? * MON-FRI *)', scheduledMode: 'repair', scheduleEnabled: false },
    });

    expect(schedule).toMatchObject({ schedule_expression: 'cron(0 6 ? * MON-FRI *)', state: 'DISABLED' });
    expect(JSON.parse(schedule.target.input)).toEqual({ mode: 'repair' });
  });

  it('may only start the sweep, and only EventBridge Scheduler of this account may use it', async () => {
    const trust = resourceWhere(
      json,
      'aws_iam_policy_document',
      (doc) => doc.statement[0].principals?.[0]?.identifiers?.[0] === 'scheduler.amazonaws.com',
      'data',
    );
    const policy = terraformPolicy(rolePolicy('web-identity-sweep-schedule'));
    const principal = `arn:aws:sts::${CENTRAL}:assumed-role/web-identity-sweep-schedule/scheduler`;
    const start = (resource: string) =>
      evaluate({
        principal,
        action: 'states:StartExecution',
        resource,
        resourceAccount: CENTRAL,
        identityPolicies: [{ name: 'p', policy }],
        context: sessionContext(principal, ORG),
      });

    expect(trust.statement[0].condition).toEqual([{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [CENTRAL] }]);
    expect(await start(SWEEP_ARN)).toBe('Allowed');
    expect(await start(CREATE_ARN)).toBe('ImplicitlyDenied');
  });
});

describe("the sweep's permissions, evaluated by iam-simulate", () => {
  const machinePolicy = terraformPolicy(rolePolicy('web-identity-sweep'), { aws_lambda_function: FUNCTION_ARN('sweep-plan') });
  const principal = `arn:aws:sts::${CENTRAL}:assumed-role/web-identity-sweep/states`;
  const asMachine = (action: string, resource: string) =>
    evaluate({
      principal,
      action,
      resource,
      resourceAccount: CENTRAL,
      identityPolicies: [{ name: 'p', policy: machinePolicy }],
      context: sessionContext(principal, ORG),
    });

  it('may start Create executions (control) and its own map runs, but not Delete executions', async () => {
    expect(await asMachine('states:StartExecution', CREATE_ARN)).toBe('Allowed');
    expect(await asMachine('states:StartExecution', SWEEP_ARN)).toBe('Allowed');
    expect(await asMachine('states:StartExecution', `arn:aws:states:${REGION}:${CENTRAL}:stateMachine:Web-Identity-Role-Delete`)).toBe(
      'ImplicitlyDenied',
    );
  });

  it("may read and write the sweep's objects (control), and nothing else in S3", async () => {
    expect(await asMachine('s3:PutObject', `arn:aws:s3:::${BUCKET}/sweeps/run/inspect/manifest.json`)).toBe('Allowed');
    expect(await asMachine('s3:GetObject', `arn:aws:s3:::${BUCKET}/terraform.tfstate`)).toBe('ImplicitlyDenied');
    expect(await asMachine('s3:DeleteObject', `arn:aws:s3:::${BUCKET}/sweeps/run/report.json`)).toBe('ImplicitlyDenied');
  });

  it('invokes only the five sweep functions', () => {
    const invoke = rolePolicy('web-identity-sweep').statement.find(
      (statement: { sid: string }) => statement.sid === 'InvokeSweepFunctions',
    );

    expect(invoke.resources).toHaveLength(10);
    for (const arn of invoke.resources)
      expect(arn).toMatch(
        /^\$\{aws_lambda_function\.sweep-(plan|inspect-account|repair-account|remove-revocations|report)_function_\w+\.arn\}(:\*)?$/,
      );
  });

  it("lets the plan list only the baseline StackSet's instances, and the central steps touch only the sweep's objects", () => {
    const plan = policyStatements(rolePolicy('web-identity-sweep-plan'));
    const report = policyStatements(rolePolicy('web-identity-sweep-report'));

    expect(plan.find((statement) => statement.Sid === 'ListBaselineStackInstances')?.Resource).toEqual([
      `arn:aws:cloudformation:${REGION}:${CENTRAL}:stackset/web-identity-member-baseline:*`,
    ]);
    expect(plan.find((statement) => statement.Sid === 'WriteSweepItems')).toMatchObject({
      Action: ['s3:PutObject'],
      Resource: [`arn:aws:s3:::${BUCKET}/sweeps/*`],
    });
    expect(report.find((statement) => statement.Sid === 'ReadResultsWriteReports')).toMatchObject({
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: [`arn:aws:s3:::${BUCKET}/sweeps/*`],
    });
  });
});

describe("the sweep's bucket", () => {
  it('is private, encrypted, TLS only, and forgets a sweep after the configured days', () => {
    const configured = synthesize({ ...EXAMPLE_CONFIG, sweep: { reportRetentionDays: 30 } });

    expect(resourcesOf(configured, 'aws_s3_bucket')).toEqual([expect.objectContaining({ bucket: BUCKET })]);
    expect(resourcesOf(configured, 'aws_s3_bucket_public_access_block')[0]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(resourcesOf(configured, 'aws_s3_bucket_ownership_controls')[0]).toMatchObject({
      rule: { object_ownership: 'BucketOwnerEnforced' },
    });
    expect(resourcesOf(configured, 'aws_s3_bucket_server_side_encryption_configuration')[0]).toMatchObject({
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
    });
    expect(resourcesOf(configured, 'aws_s3_bucket_lifecycle_configuration')[0].rule[0]).toMatchObject({
      filter: [{ prefix: 'sweeps/' }],
      expiration: [{ days: 30 }],
    });
    const tls = resourceWhere(configured, 'aws_iam_policy_document', (doc) => doc.statement[0].sid === 'TlsOnly', 'data');
    expect(tls.statement[0]).toMatchObject({
      effect: 'Deny',
      condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
    });
  });
});

describe('the metrics and alarms of the sweep', () => {
  it("turns each number of the report step's metrics line into a metric on its log group, with an alarm at its threshold", () => {
    const filters = resourcesOf(json, 'aws_cloudwatch_log_metric_filter').filter(
      (filter) => filter.pattern === '{ $.message = "sweep metrics" }',
    );
    const alarms = resourcesOf(json, 'aws_cloudwatch_metric_alarm').filter((alarm) => alarm.namespace === 'web-identity/sweep');

    expect(filters.map((filter) => filter.metric_transformation.value).sort()).toEqual(
      Object.keys(SWEEP_METRICS)
        .map((metric) => `$.metrics.${metric}`)
        .sort(),
    );
    for (const filter of filters) expect(filter.log_group_name).toMatch(/^\$\{aws_cloudwatch_log_group\.sweep-report_logs_\w+\.name\}$/);
    expect(alarms.map((alarm) => [alarm.metric_name, alarm.statistic, alarm.threshold]).sort()).toEqual(
      Object.entries(SWEEP_METRICS)
        .map(([metric, { threshold }]) => [metric, 'Maximum', threshold])
        .sort(),
    );
    expect(SWEEP_METRICS).toMatchObject({ maxClientIdsPerProvider: { threshold: 90 }, directoryObjectQuotaPercent: { threshold: 80 } });
  });
});

describe("the sweep's configuration", () => {
  it('defaults to a daily report with a cap of 25', () => {
    expect(parseConfig(EXAMPLE_CONFIG).sweep).toEqual({
      schedule: 'rate(1 day)',
      scheduleEnabled: true,
      scheduledMode: 'report',
      deletionCap: 25,
      maxConcurrency: 10,
      entraObjectQuota: 250,
      reportRetentionDays: 90,
    });
  });

  it.each([
    [{ schedule: 'every day' }, 'sweep.schedule: expected an EventBridge Scheduler expression'],
    [{ schedule: 'at(2025-01-01T00:00:00)' }, 'sweep.schedule: expected an EventBridge Scheduler expression'],
    [{ schedule: 'rate(1 days)' }, 'sweep.schedule'],
    [{ scheduledMode: 'fix' }, 'sweep.scheduledMode: expected "report" or "repair"'],
    [{ deletionCap: -1 }, 'sweep.deletionCap: expected 0 or more'],
    [{ maxConcurrency: 0 }, 'sweep.maxConcurrency: expected 1 or more'],
    [{ sweeps: 1 }, 'sweep.sweeps: unknown field'],
  ])('refuses %j, naming the field', (sweep, message) => {
    expect(() => parseConfig({ ...EXAMPLE_CONFIG, sweep } as FederationConfigInput)).toThrow(ConfigError);
    expect(() => parseConfig({ ...EXAMPLE_CONFIG, sweep } as FederationConfigInput)).toThrow(message);
  });
});
