import type { Construct } from 'constructs';
import { Fn, LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import {
  MEMBER_CAPABILITIES,
  type MemberCapability,
  TASKS,
  TASK_TIMEOUT_SECONDS,
  TASK_CAPABILITIES,
  TASK_FUNCTION_NAMES,
  memberRoleName,
  type RecordAccess,
  type TaskFunctionName,
  type TaskSpec,
} from '../functions/shared/workflow';
import { DEPLOYED_ENV as ENV, type DeployedEnvironment } from '../functions/shared/runtime';
import { providerHost } from '../functions/shared/iam';
import { AutomationRecordsTable } from './automation-records';
import { CentralPipeline } from './central-pipeline';
import { identityObjectLimit, identityQuotaShare, type FederationConfig } from './config';
import { EntraGateway } from './entra-gateway';
import { provideDeploymentContext } from './context';
import { EntraAutomationIdentity, grantAutomationSignIn, type AutomationCredential } from './entra-identity';
import { IdentityWorkflows } from './identity-workflows';
import { IAM_EVENTS_REGION, MemberBaseline } from './member-baseline';
import { memberBaselineName, memberBaselineResourceNames, protectedRolePatterns } from './member-baseline-template';
import { SecurityAlarms } from './security-alarms';
import { OperatorDashboard } from './dashboard';
import { SweepStorage, SweepWorkflow } from './sweep';
import { TaskFunction, functionRoleArn } from './task-function';
import { terraformLiteral, terraformLiteralJson, terraformLiteralRecord } from './terraform-strings';

/**
 * The whole federation system in one Terraform configuration: the automation's
 * Entra identity (azuread), the central pipeline and workflows, and the member
 * baseline StackSet (aws).
 */
export class WebIdentityFederationStack extends TerraformStack {
  public readonly identity: EntraAutomationIdentity;
  /** The automation identities after the first (`entra.automationIdentities`), each with its own creator quota. */
  public readonly additionalIdentities: readonly EntraAutomationIdentity[];
  public readonly gateway: EntraGateway;
  public readonly tasks: Readonly<Record<TaskFunctionName, TaskFunction>>;
  public readonly workflows: IdentityWorkflows;
  public readonly pipeline: CentralPipeline;
  public readonly baseline: MemberBaseline;
  public readonly sweepStorage: SweepStorage;
  /** The automation's own record of its creations (functions/shared/entra/records.ts). */
  public readonly automationRecords: AutomationRecordsTable;
  public readonly sweep: SweepWorkflow;

  constructor(scope: Construct, id: string, config: FederationConfig) {
    super(scope, id);
    const { namePrefix: prefix } = config;
    const { centralAccountId: accountId, centralRegion: region } = config.aws;
    // Before any child: every construct reads the account, region and prefix from here.
    const context = { namePrefix: prefix, accountId, region };
    provideDeploymentContext(this, context);
    const host = providerHost(config.entra.tenantId, config.entra.tokenVersion);

    this.configureBackend(config.backend);
    new AwsProvider(this, 'aws', {
      region,
      // A plan against the wrong account fails before it changes anything.
      allowedAccountIds: [accountId],
      // The operator's tags are free text: a `${` in them must stay text (stacks/terraform-strings.ts).
      defaultTags: [{ tags: terraformLiteralRecord({ ...config.tags, 'managed-by': 'cdktf', system: prefix }) }],
    });
    new AzureadProvider(this, 'azuread', { tenantId: config.entra.tenantId });

    const functionName = (task: TaskFunctionName) => `${prefix}-${task}`;
    // The functions' role ARNs are known before the functions exist: the Entra identity's
    // federated credentials name them.
    const roleArnOf = (task: TaskFunctionName) => functionRoleArn(context, functionName(task));
    const baselineName = memberBaselineName(prefix);
    const baselineNames = memberBaselineResourceNames(baselineName);
    const { automationRoleName } = config.aws;
    // Built-in, configured and the baseline's own: the member roles deny writing them, the router ignores them.
    const protectedRoles = protectedRolePatterns(config);

    const automationCredential: AutomationCredential =
      config.automationCredential.mode === 'federated'
        ? {
            mode: 'federated',
            issuerUrl: terraformLiteral(config.automationCredential.issuerUrl),
            subjects: Object.fromEntries(
              TASK_FUNCTION_NAMES.filter((task) => TASKS[task].callsGraph).map((task) => [task, roleArnOf(task)]),
            ),
          }
        : config.automationCredential;
    this.identity = new EntraAutomationIdentity(this, 'entra-identity', {
      displayName: `${prefix}-automation`,
      credential: automationCredential,
    });
    // Identities 2…N: the same permissions, each its own creator quota (docs/operator.md#the-creator-quota),
    // trusted only by the functions that use the pool (the sweep works through the first identity).
    const poolCredential: AutomationCredential =
      automationCredential.mode === 'federated'
        ? {
            ...automationCredential,
            subjects: Object.fromEntries(
              TASK_FUNCTION_NAMES.filter((task) => (TASKS[task].settings as readonly string[]).includes('identityPool')).map((task) => [
                task,
                roleArnOf(task),
              ]),
            ),
          }
        : automationCredential;
    this.additionalIdentities = Array.from(
      { length: config.entra.automationIdentities - 1 },
      (_, i) =>
        new EntraAutomationIdentity(this, `entra-identity-${i + 2}`, {
          displayName: `${prefix}-automation-${i + 2}`,
          credential: poolCredential,
        }),
    );
    this.gateway = new EntraGateway(this, 'entra-gateway', {
      displayName: `${prefix}-aws-gateway`,
      tokenVersion: config.entra.tokenVersion,
    });

    const certificateSecret =
      config.automationCredential.mode === 'certificate'
        ? new SecretsmanagerSecret(this, 'automation-certificate-key', {
            name: `${prefix}/automation-certificate`,
            description: "PEM of the automation's Entra certificate with its private key. Created empty: put the value in out of band.",
          })
        : undefined;

    // The sweep's bucket: its name goes into the sweep functions' environment and policies.
    this.sweepStorage = new SweepStorage(this, 'sweep-storage', { reportRetentionDays: config.sweep.reportRetentionDays });
    // The automation's own record of its creations: every Graph-calling function reads it.
    this.automationRecords = new AutomationRecordsTable(this, 'automation-records');

    this.tasks = Object.fromEntries(
      TASK_FUNCTION_NAMES.map((task) => {
        const spec: TaskSpec = TASKS[task];
        return [
          task,
          new TaskFunction(this, task, {
            entry: task,
            functionName: functionName(task),
            description: spec.description,
            timeoutSeconds: spec.timeoutSeconds ?? (spec.callsGraph ? TASK_TIMEOUT_SECONDS.callsGraph : TASK_TIMEOUT_SECONDS.other),
            ...(spec.memorySize ? { memorySize: spec.memorySize } : {}),
            logRetentionDays: config.logRetentionDays,
            environment: this.taskEnvironment(task, config, certificateSecret),
          }),
        ];
      }),
    ) as Record<TaskFunctionName, TaskFunction>;

    this.workflows = new IdentityWorkflows(this, 'workflows', { tasks: this.tasks });

    this.pipeline = new CentralPipeline(this, 'pipeline', {
      organizationId: config.aws.organizationId,
      automationRoleName,
      forwarderRoleName: baselineNames.forwarderRoleName,
      logRetentionDays: config.logRetentionDays,
      routerEnvironment: {
        [ENV.tenantId]: config.entra.tenantId,
        [ENV.tokenVersion]: String(config.entra.tokenVersion),
        [ENV.automationRoleName]: automationRoleName,
        [ENV.protectedRoles]: terraformLiteralJson(protectedRoles),
      },
      workflows: this.workflows,
      alarmEmail: config.alarmEmail,
    });

    this.sweep = new SweepWorkflow(this, 'sweep', {
      sweep: config.sweep,
      tasks: this.tasks,
      storage: this.sweepStorage,
      workflows: this.workflows,
      alarmTopic: this.pipeline.alarmTopic,
    });

    const securityAlarms = new SecurityAlarms(this, 'security-alarms', {
      logGroupOf: (task) => this.tasks[task].logGroup,
      alarmTopic: this.pipeline.alarmTopic,
    });

    new OperatorDashboard(this, 'dashboard', {
      pipeline: this.pipeline,
      tasks: this.tasks,
      alarms: [...this.pipeline.alarms, ...this.sweep.alarms, ...Object.values(securityAlarms.alarms)],
      automationIdentities: config.entra.automationIdentities,
      identityQuotaShare: identityQuotaShare(config.entra),
    });

    this.baseline = new MemberBaseline(this, 'member-baseline', {
      name: baselineName,
      providerHost: host,
      pipeline: this.pipeline,
      automationRoleName,
      organizationId: config.aws.organizationId,
      // Each member role trusts only the central roles of the tasks that need it.
      trustedFunctions: Object.fromEntries(
        MEMBER_CAPABILITIES.map((capability) => [
          capability,
          TASK_FUNCTION_NAMES.filter((task) => TASK_CAPABILITIES[task] === capability).map((task) => this.tasks[task]),
        ]),
      ) as Record<MemberCapability, TaskFunction[]>,
      protectedRoles,
      logRetentionDays: config.logRetentionDays,
      organizationalUnitIds: config.aws.targetOuIds,
      callAs: config.aws.stackSetCallAs,
    });

    // Each function gets exactly what it needs, from the constructs that own it.
    for (const task of TASK_FUNCTION_NAMES) {
      const fn = this.tasks[task];
      const capability = TASK_CAPABILITIES[task];
      // The sweep's central steps (no capability) act in no member account.
      if (capability !== null) this.baseline.grantAssumeMemberRole(fn, capability);
      if (TASKS[task].callsGraph) grantAutomationSignIn(fn, certificateSecret);
      const records: RecordAccess | undefined = (TASKS[task] as TaskSpec).records;
      if (records) this.automationRecords.grant(fn, records);
    }
    this.baseline.grantListStackInstances(this.tasks['sweep-plan']);
    this.sweepStorage.grantWriteItems(this.tasks['sweep-plan']);
    this.sweepStorage.grantReadResultsWriteReports(this.tasks['sweep-report']);

    new TerraformOutput(this, 'automation-client-id', {
      description: "Client ID of the automation's Entra application.",
      value: this.identity.application.clientId,
    });
    new TerraformOutput(this, 'gateway-client-id', {
      description:
        'Client ID of the gateway application: the audience of shared-mode roles and of identities app teams bring (--audience).',
      value: this.gateway.application.clientId,
    });
    new TerraformOutput(this, 'event-bus-arn', {
      description: 'Central bus the member accounts forward to.',
      value: this.pipeline.bus.arn,
    });
    new TerraformOutput(this, 'sweep-state-machine-arn', {
      description: 'Start a sweep by hand: aws stepfunctions start-execution --state-machine-arn <this> --input \'{"mode":"report"}\'.',
      value: this.sweep.arn,
    });
    new TerraformOutput(this, 'sweep-report-bucket', {
      description: 'Where each sweep writes its report: sweeps/<execution name>/report.json.',
      value: this.sweepStorage.bucketName,
    });
    new TerraformOutput(this, 'oidc-provider-url', {
      description: 'Issuer the member accounts trust; app teams name its provider in their trust policies.',
      value: `https://${host}`,
    });
    if (certificateSecret) {
      new TerraformOutput(this, 'automation-certificate-secret-arn', {
        description: 'Put the PEM (certificate and private key) here after apply.',
        value: certificateSecret.arn,
      });
    }
  }

  /** Exactly what each function's settings loader reads (functions/shared/runtime/settings.ts). */
  private taskEnvironment(
    task: TaskFunctionName,
    config: FederationConfig,
    certificateSecret: SecretsmanagerSecret | undefined,
  ): DeployedEnvironment {
    const objectLimit = identityObjectLimit(config.entra);
    const poolClientIds = () =>
      this.additionalIdentities.length === 0
        ? '[]'
        : Fn.jsonencode(this.additionalIdentities.map((identity) => identity.application.clientId));
    const settingEnvironment: Readonly<Record<TaskSpec['settings'][number], () => DeployedEnvironment>> = {
      appNamePrefix: () => ({ [ENV.appNamePrefix]: config.namePrefix }),
      trustPolicyMaxChars: () => ({ [ENV.trustPolicyMaxChars]: String(config.trustPolicyMaxChars) }),
      audiences: () => ({
        [ENV.audienceMode]: config.entra.audienceMode,
        [ENV.dualAudience]: String(config.entra.dualAudience),
        [ENV.gatewayClientId]: this.gateway.application.clientId,
        [ENV.gatewayServicePrincipalId]: this.gateway.servicePrincipal.objectId,
        [ENV.maxApplicationsPerAccount]: String(config.entra.maxApplicationsPerAccount ?? 0),
      }),
      gateway: () => ({ [ENV.gatewayClientId]: this.gateway.application.clientId }),
      identityPool: () => ({
        [ENV.automationPoolClientIds]: poolClientIds(),
        [ENV.identityObjectLimit]: Number.isFinite(objectLimit) ? String(objectLimit) : 'none',
      }),
      identityQuota: () => ({
        [ENV.automationPoolClientIds]: poolClientIds(),
        [ENV.identityQuotaShare]: String(identityQuotaShare(config.entra)),
      }),
      protectedRoles: () => ({ [ENV.protectedRoles]: terraformLiteralJson(protectedRolePatterns(config)) }),
      sweepStorage: () => ({ [ENV.sweepBucket]: this.sweepStorage.bucketName }),
      stackSet: () => ({
        [ENV.stackSetName]: memberBaselineName(config.namePrefix),
        [ENV.stackSetCallAs]: config.aws.stackSetCallAs,
        [ENV.stackSetInstanceRegion]: IAM_EVENTS_REGION,
      }),
      sweepLimits: () => ({
        [ENV.deletionCap]: String(config.sweep.deletionCap),
        [ENV.entraObjectQuota]: String(config.sweep.entraObjectQuota),
      }),
    };
    const capability = TASK_CAPABILITIES[task];
    return {
      [ENV.tenantId]: config.entra.tenantId,
      [ENV.tokenVersion]: String(config.entra.tokenVersion),
      ...(TASKS[task].callsGraph
        ? {
            [ENV.entraAuthMode]: config.automationCredential.mode,
            [ENV.automationClientId]: this.identity.application.clientId,
            [ENV.automationServicePrincipalId]: this.identity.servicePrincipal.objectId,
            ...(certificateSecret ? { [ENV.certificateSecretArn]: certificateSecret.arn } : {}),
            [ENV.automationRecordsTable]: this.automationRecords.table.name,
          }
        : {}),
      ...Object.assign({}, ...TASKS[task].settings.map((setting) => settingEnvironment[setting]())),
      // The sweep's central steps (no capability) act in no member account.
      ...(capability === null ? {} : { [ENV.memberRoleName]: memberRoleName(config.aws.automationRoleName, capability) }),
    };
  }

  private configureBackend(backend: FederationConfig['backend']): void {
    if (backend.type === 'local') {
      new LocalBackend(this, { path: backend.path });
      return;
    }
    const s3 = new S3Backend(this, {
      bucket: backend.bucket,
      key: backend.key,
      region: backend.region,
      encrypt: true,
      ...(backend.dynamodbTable ? { dynamodbTable: backend.dynamodbTable } : {}),
    });
    // cdktf 0.21's S3Backend types predate Terraform's S3-native locking (`use_lockfile`).
    if (backend.useLockfile) s3.addOverride('use_lockfile', true);
  }
}
