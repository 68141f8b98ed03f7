import { Construct } from 'constructs';
import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { TASK_FUNCTION_NAMES, type TaskFunctionName, stateMachineName } from '../functions/shared/workflow';
import { SWEEP_METRICS, SWEEP_METRICS_MESSAGE, type SweepMetric } from '../functions/shared/sweep';
import type { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import type { FederationConfig } from './config';
import { centralArn, deploymentContext } from './context';
import type { IdentityWorkflows } from './identity-workflows';
import { assumableByService } from './policies';
import { sweepDefinition } from './sweep-definition';
import type { TaskFunction } from './task-function';
import { terraformLiteralJson } from './terraform-strings';
import { invokedTasks, type TaskFunctionArns } from './workflow-definitions';

/** Everything the sweep keeps lives under this prefix of its bucket (one folder per execution). */
export const SWEEP_KEY_PREFIX = 'sweeps/';

/** The namespace of the sweep's metrics (its alarms here, the dashboard's gauges and findings). */
export const sweepMetricNamespace = (namePrefix: string): string => `${namePrefix}/sweep`;

export interface SweepStorageProps {
  /** Days a sweep's items, results and reports are kept (the configuration's `sweep.reportRetentionDays`). */
  readonly reportRetentionDays: number;
}

/**
 * The sweep's bucket: the per-account items, the maps' results and the reports, one folder
 * per execution, kept `reportRetentionDays`. Private (public access blocked, bucket owner
 * enforced, TLS only), encrypted with S3's keys. Its name is known before apply: the
 * functions' environment and policies name it.
 */
export class SweepStorage extends Construct {
  public readonly bucket: S3Bucket;
  public readonly bucketName: string;
  public readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: SweepStorageProps) {
    super(scope, id);
    const { namePrefix, accountId, region } = deploymentContext(this);
    this.bucketName = `${namePrefix}-sweep-${accountId}-${region}`;
    this.bucketArn = `arn:aws:s3:::${this.bucketName}`;
    this.bucket = new S3Bucket(this, 'bucket', { bucket: this.bucketName });
    new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', { bucket: this.bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [
        {
          id: 'expire-sweeps',
          status: 'Enabled',
          filter: [{ prefix: SWEEP_KEY_PREFIX }],
          expiration: [{ days: props.reportRetentionDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });
    const tlsOnly = new DataAwsIamPolicyDocument(this, 'policy-document', {
      statement: [
        {
          sid: 'TlsOnly',
          effect: 'Deny',
          actions: ['s3:*'],
          principals: [{ type: '*', identifiers: ['*'] }],
          resources: [this.bucketArn, `${this.bucketArn}/*`],
          condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
        },
      ],
    });
    new S3BucketPolicy(this, 'policy', { bucket: this.bucket.id, policy: tlsOnly.json });
  }

  /** Objects of the sweep: what the functions and the state machine read and write. */
  objectsArn(): string {
    return `${this.bucketArn}/${SWEEP_KEY_PREFIX}*`;
  }

  /** The planning step writes one item per account for the Distributed Map to read. */
  grantWriteItems(fn: TaskFunction): void {
    fn.addToRolePolicy({ sid: 'WriteSweepItems', effect: 'Allow', actions: ['s3:PutObject'], resources: [this.objectsArn()] });
  }

  /** The report step reads the maps' results and writes the reports beside them. */
  grantReadResultsWriteReports(fn: TaskFunction): void {
    fn.addToRolePolicy({
      sid: 'ReadResultsWriteReports',
      effect: 'Allow',
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [this.objectsArn()],
    });
  }
}

export interface SweepWorkflowProps {
  /** The configuration's `sweep` section: schedule, mode, concurrency. */
  readonly sweep: FederationConfig['sweep'];
  /** The task functions; the sweep invokes those its definition names. */
  readonly tasks: Readonly<Record<TaskFunctionName, TaskFunction>>;
  /** Where its items, results and reports live. */
  readonly storage: SweepStorage;
  /** Owner of `{Prefix}-Role-Create`, which the repair runs per role. */
  readonly workflows: IdentityWorkflows;
  /** Where the sweep's alarms go. */
  readonly alarmTopic: SnsTopic;
}

/**
 * `{Prefix}-Sweep`: the state machine and its role, the schedule that starts it, and the
 * alarms on its runs and on the metrics its report step logs.
 */
export class SweepWorkflow extends Construct {
  public readonly stateMachine: SfnStateMachine;
  public readonly role: IamRole;
  public readonly schedule: SchedulerSchedule;
  /** Literal ARN, known before apply. */
  public readonly arn: string;
  public readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: SweepWorkflowProps) {
    super(scope, id);
    const context = deploymentContext(this);
    const { namePrefix } = context;
    const name = stateMachineName(namePrefix, 'sweep');
    const createArn = props.workflows.createArn;
    const createName = stateMachineName(namePrefix, 'create');
    this.arn = centralArn(context, 'states', `stateMachine:${name}`);
    // An execution's ARN is `…:execution:{machine}:{name}`; a Distributed Map's child is named
    // after the map run too (`…:execution:{machine}/{map label}:{id}`): both forms.
    const executions = (machine: string) => [
      centralArn(context, 'states', `execution:${machine}:*`),
      centralArn(context, 'states', `execution:${machine}/*`),
    ];
    const arns = Object.fromEntries(
      TASK_FUNCTION_NAMES.map((task) => [task, props.tasks[task].function.arn]),
    ) as unknown as TaskFunctionArns;
    const definition = sweepDefinition({
      functionArns: arns,
      createStateMachineArn: createArn,
      maxConcurrency: props.sweep.maxConcurrency,
    });
    const invoked = invokedTasks(definition, arns);

    this.role = new IamRole(this, 'role', {
      name: `${namePrefix}-sweep`,
      description: 'Lets the sweep state machine run its functions, its Distributed Maps and the Create workflow.',
      assumeRolePolicy: assumableByService(this, 'states.amazonaws.com', context.accountId).json,
    });
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      {
        sid: 'InvokeSweepFunctions',
        effect: 'Allow',
        actions: ['lambda:InvokeFunction'],
        resources: invoked.flatMap((task) => [arns[task], `${arns[task]}:*`]),
      },
      // A Distributed Map starts child executions of its own state machine
      // (https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html); the
      // repair starts Create executions and waits for them (.sync: the managed rule below,
      // https://docs.aws.amazon.com/step-functions/latest/dg/stepfunctions-iam.html).
      {
        sid: 'StartChildAndCreateExecutions',
        effect: 'Allow',
        actions: ['states:StartExecution'],
        resources: [this.arn, createArn],
      },
      {
        sid: 'FollowChildAndCreateExecutions',
        effect: 'Allow',
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [...executions(name), ...executions(createName)],
      },
      {
        sid: 'WaitForCreateExecutions',
        effect: 'Allow',
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [centralArn(context, 'events', 'rule/StepFunctionsGetEventsForStepFunctionsExecutionRule')],
      },
      // ItemReader reads the items; ResultWriter writes the children's results
      // (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html).
      {
        sid: 'ReadItemsWriteResults',
        effect: 'Allow',
        actions: ['s3:GetObject', 's3:PutObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [props.storage.objectsArn()],
      },
    ];
    new IamRolePolicy(this, 'permissions-policy', {
      name: 'permissions',
      role: this.role.id,
      policy: new DataAwsIamPolicyDocument(this, 'permissions', { statement: statements }).json,
    });

    this.stateMachine = new SfnStateMachine(this, 'state-machine', {
      name,
      type: 'STANDARD',
      roleArn: this.role.arn,
      definition: terraformLiteralJson(definition, 2),
    });

    // EventBridge Scheduler's templated Step Functions target: StartExecution with this input
    // (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html).
    const schedulerRole = new IamRole(this, 'schedule-role', {
      name: `${namePrefix}-sweep-schedule`,
      description: 'Lets EventBridge Scheduler start the sweep, nothing else.',
      assumeRolePolicy: new DataAwsIamPolicyDocument(this, 'schedule-assume-role-policy', {
        statement: [
          {
            effect: 'Allow',
            actions: ['sts:AssumeRole'],
            principals: [{ type: 'Service', identifiers: ['scheduler.amazonaws.com'] }],
            condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [context.accountId] }],
          },
        ],
      }).json,
    });
    new IamRolePolicy(this, 'schedule-permissions-policy', {
      name: 'permissions',
      role: schedulerRole.id,
      policy: new DataAwsIamPolicyDocument(this, 'schedule-permissions', {
        statement: [{ sid: 'StartTheSweep', effect: 'Allow', actions: ['states:StartExecution'], resources: [this.arn] }],
      }).json,
    });
    this.schedule = new SchedulerSchedule(this, 'schedule', {
      name: `${namePrefix}-sweep`,
      description: `Starts ${name} in ${props.sweep.scheduledMode} mode.`,
      scheduleExpression: props.sweep.schedule,
      state: props.sweep.scheduleEnabled ? 'ENABLED' : 'DISABLED',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: this.arn,
        roleArn: schedulerRole.arn,
        input: terraformLiteralJson({ mode: props.sweep.scheduledMode }),
        // A missed start is not retried: the next scheduled run covers the same ground.
        retryPolicy: { maximumRetryAttempts: 0 },
      },
      dependsOn: [this.stateMachine],
    });

    const alarm = (
      alarmId: string,
      description: string,
      metric: { namespace: string; metricName: string; dimensions?: Record<string, string> },
      statistic: string,
      threshold: number,
    ) =>
      this.alarms.push(
        new CloudwatchMetricAlarm(this, alarmId, {
          alarmName: `${namePrefix}-${alarmId}`,
          alarmDescription: description,
          ...metric,
          statistic,
          period: 300,
          evaluationPeriods: 1,
          threshold,
          comparisonOperator: 'GreaterThanOrEqualToThreshold',
          treatMissingData: 'notBreaching',
          alarmActions: [props.alarmTopic.arn],
          okActions: [props.alarmTopic.arn],
        }),
      );
    alarm(
      'sweep-executions-failed',
      'A sweep execution failed: its execution history says where.',
      { namespace: 'AWS/States', metricName: 'ExecutionsFailed', dimensions: { StateMachineArn: this.arn } },
      'Sum',
      1,
    );
    alarm(
      'sweep-executions-timed-out',
      'A sweep execution timed out.',
      { namespace: 'AWS/States', metricName: 'ExecutionsTimedOut', dimensions: { StateMachineArn: this.arn } },
      'Sum',
      1,
    );

    // The report step logs one `sweep metrics` line per run; a metric filter per number turns it
    // into a metric (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html:
    // a filter can publish a numeric field of a JSON log event as the metric value).
    const namespace = sweepMetricNamespace(namePrefix);
    for (const [metric, { threshold, description }] of Object.entries(SWEEP_METRICS) as [
      SweepMetric,
      (typeof SWEEP_METRICS)[SweepMetric],
    ][]) {
      new CloudwatchLogMetricFilter(this, `${metric}-filter`, {
        name: `${namePrefix}-sweep-${metric}`,
        logGroupName: props.tasks['sweep-report'].logGroup.name,
        pattern: `{ $.message = "${SWEEP_METRICS_MESSAGE}" }`,
        metricTransformation: { name: metric, namespace, value: `$.metrics.${metric}` },
      });
      alarm(`sweep-${metric}`, description, { namespace, metricName: metric }, 'Maximum', threshold);
    }
  }
}
