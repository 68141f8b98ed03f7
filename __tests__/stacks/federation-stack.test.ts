import { LOG_ALARM_WRITERS, MEMBER_ACCOUNT_TASKS, TASKS, TASK_CAPABILITIES, TASK_FUNCTION_NAMES } from '../../functions/shared/workflow';
import { BUILT_IN_PROTECTED_ROLES, MAX_EXTRA_PROTECTED_ROLES, type FederationConfigInput } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { policyStatements, resourcesOf, resourceWhere, synthesize } from '../support/synthesized';

const TENANT = EXAMPLE_CONFIG.entra.tenantId;
const CENTRAL = '111111111111';
const ALL_FUNCTIONS = ['router', ...TASK_FUNCTION_NAMES].map((name) => `web-identity-${name}`);
const GRAPH_TASKS = TASK_FUNCTION_NAMES.filter((task) => TASKS[task].callsGraph);
/** The tasks of Web-Identity-Role-Create and -Delete (the sweep's four have their own machine and role). */
const ROLE_WORKFLOW_TASKS = [
  'create-service-principal',
  'add-audience-id-provider',
  'assign-role-to-audience',
  'delete-service-principal',
  'remove-audience-id-provider',
  'revoke-older-sessions',
  'revoke-role',
  'disable-service-principal',
  'restore-role',
  'enable-service-principal',
];

const CERTIFICATE_CONFIG: FederationConfigInput = {
  ...EXAMPLE_CONFIG,
  automationCredential: {
    mode: 'certificate',
    certificatePem: '-----BEGIN CERTIFICATE-----\nMIIBfake0certificate0for0tests0only==\n-----END CERTIFICATE-----\n',
  },
  alarmEmail: undefined,
};

describe('the synthesized federation stack', () => {
  const json = synthesize();

  describe('providers and state', () => {
    it('configures the aws provider for the central account and region only', () => {
      const [aws] = json.provider.aws;

      expect(aws).toMatchObject({ region: 'eu-central-1', allowed_account_ids: [CENTRAL] });
      expect((aws.default_tags as any)[0].tags).toMatchObject({ project: 'web-identity-federation', 'managed-by': 'cdktf' });
    });

    it('configures the azuread provider for the tenant', () => {
      expect(json.provider.azuread).toEqual([{ tenant_id: TENANT }]);
    });

    it('keeps state in a local file for the example', () => {
      expect(json.terraform.backend).toEqual({ local: { path: 'terraform.tfstate' } });
    });

    it('writes an encrypted S3 backend with S3-native locking when configured', () => {
      const s3 = synthesize({
        ...EXAMPLE_CONFIG,
        backend: { type: 's3', bucket: 'acme-tf-state', key: 'web-identity.tfstate', region: 'eu-central-1' },
      });

      expect(s3.terraform.backend).toEqual({
        s3: { bucket: 'acme-tf-state', key: 'web-identity.tfstate', region: 'eu-central-1', encrypt: true, use_lockfile: true },
      });
    });
  });

  describe('Entra identity', () => {
    const automationApp = (): Record<string, any> =>
      json.resource.azuread_application[Object.keys(json.resource.azuread_application).find((key) => key.startsWith('entra-identity_'))!];

    it('registers the automation as a single-tenant application with a service principal', () => {
      const app = automationApp();
      const principals = Object.entries(json.resource.azuread_service_principal).filter(([key]) => key.startsWith('entra-identity_'));

      expect(app.sign_in_audience).toBe('AzureADMyOrg');
      expect(principals).toHaveLength(1);
      expect((principals[0]![1] as { client_id: string }).client_id).toMatch(/^\$\{azuread_application\.entra-identity_.+\.client_id\}$/);
    });

    it('creates the gateway: an audience with no credential, no permission and no required assignment, issuing the configured token version', () => {
      const gatewayApps = Object.entries(json.resource.azuread_application).filter(([key]) => key.startsWith('entra-gateway_'));
      const gatewayPrincipals = Object.entries(json.resource.azuread_service_principal).filter(([key]) => key.startsWith('entra-gateway_'));

      expect(gatewayApps).toHaveLength(1);
      const [[key, app]] = gatewayApps as [string, Record<string, any>][];
      expect(app).toMatchObject({ sign_in_audience: 'AzureADMyOrg', api: { requested_access_token_version: 1 } });
      expect(app.required_resource_access).toBeUndefined();
      expect(gatewayPrincipals.map(([, sp]) => sp)).toEqual([
        expect.objectContaining({ client_id: `\${azuread_application.${key}.client_id}`, app_role_assignment_required: false }),
      ]);
      const credentialTypes = [
        'azuread_application_federated_identity_credential',
        'azuread_application_certificate',
        'azuread_application_password',
      ];
      for (const type of credentialTypes) {
        for (const credential of resourcesOf(json, type)) expect(JSON.stringify(credential)).not.toContain(key);
      }
      expect(json.output!['gateway-client-id'].value).toBe(`\${azuread_application.${key}.client_id}`);
    });

    it('creates each further automation identity with the same permissions and credential, and tells the Graph functions their client IDs', () => {
      const pooled = synthesize({ ...EXAMPLE_CONFIG, entra: { ...EXAMPLE_CONFIG.entra, automationIdentities: 3 } });
      const identities = Object.keys(pooled.resource.azuread_application).filter((key) => key.startsWith('entra-identity'));
      const grants = resourcesOf(pooled, 'azuread_app_role_assignment');
      const credentials = resourcesOf(pooled, 'azuread_application_federated_identity_credential');
      const create = resourcesOf(pooled, 'aws_lambda_function').find((fn) => fn.function_name === 'web-identity-create-service-principal');

      expect(identities).toHaveLength(3);
      expect(grants).toHaveLength(6);
      // The first identity is trusted by every Graph function (the sweep's too), the pool's only by those that act on
      // applications a pool identity may have created: create, delete, disable and enable (a revoked role's service principal).
      expect(credentials).toHaveLength(4 + 4 + TASK_FUNCTION_NAMES.filter((task) => TASKS[task].callsGraph).length);
      expect(create!.environment.variables.AUTOMATION_POOL_CLIENT_IDS).toMatch(
        /^\$\{jsonencode\(\[azuread_application\.entra-identity-2_[^,]+\.client_id, azuread_application\.entra-identity-3_[^,]+\.client_id\]\)\}$/,
      );
    });

    it("requests Graph's Application.ReadWrite.OwnedBy and Directory.Read.All, looked up from Graph's published roles", () => {
      const access = automationApp().required_resource_access[0];
      const graphLookup = resourcesOf(json, 'azuread_service_principal', 'data')[0];

      expect(access.resource_app_id).toMatch(/azuread_application_published_app_ids\..+\.result.*MicrosoftGraph/);
      expect(graphLookup.client_id).toMatch(/MicrosoftGraph/);
      expect(access.resource_access).toEqual([
        { id: expect.stringMatching(/app_role_ids.*"Application\.ReadWrite\.OwnedBy"/), type: 'Role' },
        { id: expect.stringMatching(/app_role_ids.*"Directory\.Read\.All"/), type: 'Role' },
      ]);
    });

    it('grants (admin-consents) both Graph roles to the service principal', () => {
      const grants = resourcesOf(json, 'azuread_app_role_assignment');

      expect(grants.map((grant) => grant.app_role_id).sort()).toEqual([
        expect.stringMatching(/"Application\.ReadWrite\.OwnedBy"/),
        expect.stringMatching(/"Directory\.Read\.All"/),
      ]);
      for (const grant of grants) {
        expect(grant.principal_object_id).toMatch(/^\$\{azuread_service_principal\..+\.object_id\}$/);
        expect(grant.resource_object_id).toMatch(/^\$\{data\.azuread_service_principal\..+\.object_id\}$/);
      }
    });

    it('trusts exactly the execution roles of the functions that call Graph, with no secret', () => {
      const credentials = resourcesOf(json, 'azuread_application_federated_identity_credential');

      expect(credentials.map((credential) => credential.subject).sort()).toEqual([
        `arn:aws:iam::${CENTRAL}:role/web-identity-create-service-principal`,
        `arn:aws:iam::${CENTRAL}:role/web-identity-delete-service-principal`,
        `arn:aws:iam::${CENTRAL}:role/web-identity-disable-service-principal`,
        `arn:aws:iam::${CENTRAL}:role/web-identity-enable-service-principal`,
        `arn:aws:iam::${CENTRAL}:role/web-identity-sweep-inspect-account`,
        `arn:aws:iam::${CENTRAL}:role/web-identity-sweep-plan`,
        `arn:aws:iam::${CENTRAL}:role/web-identity-sweep-repair-account`,
      ]);
      for (const credential of credentials) {
        expect(credential.audiences).toEqual(['api://AzureADTokenExchange']);
        expect(credential.issuer).toBe((EXAMPLE_CONFIG.automationCredential as { issuerUrl: string }).issuerUrl);
      }
      expect(resourcesOf(json, 'azuread_application_password')).toHaveLength(0);
      expect(resourcesOf(json, 'aws_secretsmanager_secret')).toHaveLength(0);
    });

    it('uses a certificate and an empty secret for its key in certificate mode', () => {
      const certificateMode = synthesize(CERTIFICATE_CONFIG);
      const graphFunctions = resourcesOf(certificateMode, 'aws_lambda_function').filter((fn) => fn.environment.variables.ENTRA_AUTH_MODE);

      expect(resourcesOf(certificateMode, 'azuread_application_certificate')[0]).toMatchObject({
        type: 'AsymmetricX509Cert',
        encoding: 'pem',
      });
      expect(resourcesOf(certificateMode, 'azuread_application_federated_identity_credential')).toHaveLength(0);
      expect(resourcesOf(certificateMode, 'aws_secretsmanager_secret')).toHaveLength(1);
      expect(resourcesOf(certificateMode, 'aws_secretsmanager_secret_version')).toHaveLength(0);
      expect(graphFunctions).toHaveLength(GRAPH_TASKS.length);
      for (const fn of graphFunctions) {
        expect(fn.environment.variables).toMatchObject({
          ENTRA_AUTH_MODE: 'certificate',
          CERTIFICATE_SECRET_ARN: expect.stringMatching(/aws_secretsmanager_secret\./),
        });
      }
    });
  });

  describe('member baseline', () => {
    it('is a service-managed StackSet that auto-deploys with the configured call_as', () => {
      const stackSet = resourcesOf(json, 'aws_cloudformation_stack_set')[0];

      expect(stackSet).toMatchObject({
        permission_model: 'SERVICE_MANAGED',
        call_as: 'SELF',
        auto_deployment: { enabled: true, retain_stacks_on_account_removal: false },
        capabilities: ['CAPABILITY_NAMED_IAM'],
      });
    });

    it('deploys to the configured OUs in us-east-1 only', () => {
      const instances = resourcesOf(json, 'aws_cloudformation_stack_set_instance');

      expect(instances).toHaveLength(1);
      expect(instances[0]).toMatchObject({
        stack_set_instance_region: 'us-east-1',
        deployment_targets: { organizational_unit_ids: ['ou-exam-ple00001'] },
        call_as: 'SELF',
      });
      expect(instances[0].region).toBeUndefined();
    });

    it('follows the configured call_as for a delegated administrator', () => {
      const delegated = synthesize({ ...EXAMPLE_CONFIG, aws: { ...EXAMPLE_CONFIG.aws, stackSetCallAs: 'DELEGATED_ADMIN' } });

      expect(resourcesOf(delegated, 'aws_cloudformation_stack_set')[0].call_as).toBe('DELEGATED_ADMIN');
      expect(resourcesOf(delegated, 'aws_cloudformation_stack_set_instance')[0].call_as).toBe('DELEGATED_ADMIN');
    });

    it('is deployed only after the roles its trust policy names exist', () => {
      const dependsOn = resourcesOf(json, 'aws_cloudformation_stack_set')[0].depends_on as string[];
      const trusted = TASK_FUNCTION_NAMES.filter((task) => TASK_CAPABILITIES[task] !== null);

      // Exactly the functions a member role trusts (IAM refuses a trust policy naming a missing role).
      // (CDKTF drops a path segment that repeats the one before: `revoke-role/role` is `revoke-role_<hash>`.)
      const roleTasks = dependsOn.flatMap((dependency) => /^aws_iam_role\.(.+?)(?:_role)?_[0-9A-F]{8}$/.exec(dependency)?.[1] ?? []);
      expect(roleTasks.sort()).toEqual([...trusted].sort());
      expect(dependsOn).toContainEqual(expect.stringMatching(/^aws_cloudwatch_event_bus\./));
    });
  });

  describe('central pipeline', () => {
    it("lets only the member accounts' forwarder roles, inside the organization, put events on the bus", () => {
      const document = resourceWhere(
        json,
        'aws_iam_policy_document',
        (doc) => doc.statement[0].sid === 'MemberForwardersPutEvents',
        'data',
      );

      expect(policyStatements(document)).toEqual([
        expect.objectContaining({
          Action: ['events:PutEvents'],
          Condition: [
            { test: 'StringEquals', variable: 'aws:PrincipalOrgID', values: ['o-exampleorg1'] },
            {
              test: 'ArnLike',
              variable: 'aws:PrincipalArn',
              values: ['arn:aws:iam::*:role/web-identity-member-baseline-iam-events-forwarder'],
            },
          ],
        }),
      ]);
    });

    it('drops failed calls and the calls of every member role of the automation on the central rule', () => {
      const rule = resourcesOf(json, 'aws_cloudwatch_event_rule')[0];
      const pattern = JSON.parse(rule.event_pattern);

      expect(pattern.detail.eventName).toEqual(['CreateRole', 'UpdateAssumeRolePolicy', 'DeleteRole']);
      expect(pattern.detail.errorCode).toEqual([{ exists: false }]);
      expect(pattern.detail.$or).toEqual([
        { userIdentity: { arn: [{ exists: false }] } },
        {
          userIdentity: {
            arn: [
              {
                'anything-but': {
                  wildcard: [
                    'arn:aws:sts::*:assumed-role/web-identity-automation-reader/*',
                    'arn:aws:sts::*:assumed-role/web-identity-automation-audience/*',
                    'arn:aws:sts::*:assumed-role/web-identity-automation-pin/*',
                    'arn:aws:sts::*:assumed-role/web-identity-automation-revoke/*',
                  ],
                },
              },
            ],
          },
        },
      ]);
      expect(JSON.stringify(pattern)).not.toContain('sessionIssuer');
    });

    it('lets only the rule send to the queue and its dead-letter queue', () => {
      const documents = resourcesOf(json, 'aws_iam_policy_document', 'data').filter(
        (doc) => doc.statement[0].sid === 'OnlyTheRoleChangesRuleSends',
      );

      expect(documents).toHaveLength(2);
      for (const document of documents) {
        expect(document.statement[0]).toMatchObject({
          actions: ['sqs:SendMessage'],
          principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
          condition: [
            { test: 'ArnEquals', variable: 'aws:SourceArn', values: [expect.stringMatching(/^\$\{aws_cloudwatch_event_rule\..+\.arn\}$/)] },
          ],
        });
      }
    });

    it('gives the queue a dead-letter queue and the router partial batch failure reporting', () => {
      const queue = resourceWhere(json, 'aws_sqs_queue', (q) => q.name === 'web-identity-iam-events');
      const mapping = resourcesOf(json, 'aws_lambda_event_source_mapping')[0];

      expect(JSON.parse(queue.redrive_policy)).toEqual({
        deadLetterTargetArn: expect.stringMatching(/aws_sqs_queue\..+\.arn/),
        maxReceiveCount: 5,
      });
      expect(queue.visibility_timeout_seconds).toBeGreaterThanOrEqual(6 * 30);
      expect(mapping).toMatchObject({ function_response_types: ['ReportBatchItemFailures'] });
      expect(mapping.function_name).toMatch(/aws_lambda_function\.pipeline_router_function/);
    });

    it('names the state machines as in the design and lets them invoke only their tasks', () => {
      const machines = resourcesOf(json, 'aws_sfn_state_machine');
      const invoke = resourceWhere(json, 'aws_iam_policy_document', (doc) => doc.statement[0].sid === 'InvokeTaskFunctions', 'data');

      expect(machines.map((machine) => machine.name).sort()).toEqual([
        'Web-Identity-Role-Create',
        'Web-Identity-Role-Delete',
        'Web-Identity-Role-Restore',
        'Web-Identity-Role-Revoke',
        'Web-Identity-Sweep',
      ]);
      expect(invoke.statement[0].resources).toHaveLength(2 * ROLE_WORKFLOW_TASKS.length);
      for (const task of ROLE_WORKFLOW_TASKS) {
        expect(invoke.statement[0].resources).toContainEqual(
          expect.stringMatching(new RegExp(`^\\$\\{aws_lambda_function\\.${task}_function_[^.]+\\.arn\\}$`)),
        );
      }
    });

    it('builds every function for nodejs22.x on arm64 with a log group that has retention', () => {
      const functions = resourcesOf(json, 'aws_lambda_function');
      const logGroups = resourcesOf(json, 'aws_cloudwatch_log_group');

      expect(functions.map((fn) => fn.function_name).sort()).toEqual([...ALL_FUNCTIONS].sort());
      for (const fn of functions) {
        expect(fn).toMatchObject({ runtime: 'nodejs22.x', architectures: ['arm64'], handler: 'index.handler' });
        expect(fn.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
        expect(logGroups).toContainEqual(expect.objectContaining({ name: `/aws/lambda/${fn.function_name}`, retention_in_days: 90 }));
      }
    });

    it('gives each function its own role', () => {
      const roles = resourcesOf(json, 'aws_iam_role').map((role) => role.name);

      expect(roles).toEqual(expect.arrayContaining(ALL_FUNCTIONS));
      expect(new Set(resourcesOf(json, 'aws_lambda_function').map((fn) => fn.role)).size).toBe(ALL_FUNCTIONS.length);
    });

    it('tells the router which state machines to start', () => {
      const router = resourceWhere(json, 'aws_lambda_function', (fn) => fn.function_name === 'web-identity-router');

      expect(router.environment.variables).toMatchObject({
        CREATE_STATE_MACHINE_ARN: `arn:aws:states:eu-central-1:${CENTRAL}:stateMachine:Web-Identity-Role-Create`,
        DELETE_STATE_MACHINE_ARN: `arn:aws:states:eu-central-1:${CENTRAL}:stateMachine:Web-Identity-Role-Delete`,
        TENANT_ID: TENANT,
        AUTOMATION_ROLE_NAME: 'web-identity-automation',
      });
    });

    it("tells the router every protected role: built-in, configured and the baseline's own", () => {
      const configured = synthesize({ ...EXAMPLE_CONFIG, aws: { ...EXAMPLE_CONFIG.aws, protectedRoles: ['break-glass-*'] } });
      const router = resourceWhere(configured, 'aws_lambda_function', (fn) => fn.function_name === 'web-identity-router');

      expect(JSON.parse(router.environment.variables.PROTECTED_ROLES)).toEqual([
        ...BUILT_IN_PROTECTED_ROLES,
        'break-glass-*',
        'web-identity-automation-reader',
        'web-identity-automation-audience',
        'web-identity-automation-pin',
        'web-identity-automation-revoke',
        'web-identity-member-baseline-iam-events-forwarder',
        'web-identity-member-baseline-oidc-provider',
      ]);
    });

    it("keeps the router's environment under Lambda's 4 KB with the most protected roles the configuration allows", () => {
      // "Total size of environment variables: 4 KB" (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)
      const longest = Array.from(
        { length: MAX_EXTRA_PROTECTED_ROLES },
        (_, index) => `${String(index).padStart(2, '0')}-${'x'.repeat(97)}`,
      );
      const largest = synthesize({ ...EXAMPLE_CONFIG, aws: { ...EXAMPLE_CONFIG.aws, protectedRoles: longest } });
      const router = resourceWhere(largest, 'aws_lambda_function', (fn) => fn.function_name === 'web-identity-router');
      const size = Object.entries(router.environment.variables as Record<string, string>).reduce(
        (total, [key, value]) => total + key.length + value.length,
        0,
      );

      expect(size).toBeLessThanOrEqual(4096);
    });

    it('alarms on failed and timed-out executions and on a non-empty dead-letter queue, to the alarm topic', () => {
      const alarms = resourcesOf(json, 'aws_cloudwatch_metric_alarm');

      expect(alarms.map((alarm) => `${alarm.namespace}/${alarm.metric_name}`).sort()).toEqual([
        'AWS/SQS/ApproximateNumberOfMessagesVisible',
        'AWS/States/ExecutionsFailed',
        'AWS/States/ExecutionsFailed',
        'AWS/States/ExecutionsFailed',
        'AWS/States/ExecutionsFailed',
        'AWS/States/ExecutionsFailed',
        'AWS/States/ExecutionsTimedOut',
        'AWS/States/ExecutionsTimedOut',
        'AWS/States/ExecutionsTimedOut',
        'web-identity/security/entra-quota',
        'web-identity/security/inline-policy-quota',
        'web-identity/security/name-taken',
        'web-identity/security/not-owner',
        'web-identity/security/role-open',
        'web-identity/security/role-revoked',
        'web-identity/sweep/deletionsWithheld',
        'web-identity/sweep/directoryObjectQuotaPercent',
        'web-identity/sweep/failedActions',
        'web-identity/sweep/maxClientIdsPerProvider',
        'web-identity/sweep/notOwnerApplications',
        'web-identity/sweep/orphanApplications',
        'web-identity/sweep/unreadableAccounts',
      ]);
      for (const alarm of alarms) expect(alarm.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\..+\.arn\}$/)]);
    });

    it('counts the security lines the functions log, on their own log groups (the assign function, and the Delete for not-owner)', () => {
      const filters = resourcesOf(json, 'aws_cloudwatch_log_metric_filter').filter((filter) => filter.pattern.includes('$.alarm'));
      const assignLogs = resourcesOf(json, 'aws_cloudwatch_log_group').find((group) =>
        String(group.name).endsWith('assign-role-to-audience'),
      );
      expect(filters.map((filter) => filter.pattern).sort()).toEqual(
        Object.entries(LOG_ALARM_WRITERS)
          .flatMap(([name, writers]) => writers.map(() => `{ $.alarm = "${name}" }`))
          .sort(),
      );
      for (const filter of filters) expect(filter.log_group_name).toMatch(/^\$\{aws_cloudwatch_log_group\..+\.name\}$/);
      expect(assignLogs).toBeDefined();
    });

    it('subscribes the alarm e-mail only when one is configured', () => {
      expect(resourcesOf(json, 'aws_sns_topic_subscription')).toEqual([
        expect.objectContaining({ protocol: 'email', endpoint: 'platform-team@example.com' }),
      ]);
      expect(resourcesOf(synthesize(CERTIFICATE_CONFIG), 'aws_sns_topic_subscription')).toHaveLength(0);
    });
  });

  describe('least privilege', () => {
    const documents = resourcesOf(json, 'aws_iam_policy_document', 'data');
    const statements = documents.flatMap(policyStatements);

    it('never allows every action', () => {
      // The sweep bucket's TLS-only Deny names s3:* on purpose: it denies, whatever the action.
      for (const statement of statements.filter((candidate) => candidate.Effect === 'Allow')) {
        for (const action of statement.Action) expect(action).not.toMatch(/^(\*|[a-z0-9-]+:\*)$/);
      }
    });

    it('allows a wildcard resource only for GetWebIdentityToken, which has no resource type, and bounds it by conditions', () => {
      const wildcard = statements.filter((statement) => statement.Resource.includes('*'));

      expect(wildcard.map((statement) => statement.Action)).toEqual(GRAPH_TASKS.map(() => ['sts:GetWebIdentityToken']));
      for (const statement of wildcard) {
        expect(statement.Condition).toEqual(
          expect.arrayContaining([
            { test: 'ForAllValues:StringEquals', variable: 'sts:IdentityTokenAudience', values: ['api://AzureADTokenExchange'] },
          ]),
        );
      }
    });

    it.each(TASK_FUNCTION_NAMES.filter((task) => TASK_CAPABILITIES[task] === null))('lets %s (no capability) assume nothing', (task) => {
      const [key] = Object.entries(json.data.aws_iam_policy_document).find(([name]) => name.startsWith(`${task}_permissions`))!;

      expect(
        policyStatements(json.data.aws_iam_policy_document[key]!).filter((statement) => statement.Action.includes('sts:AssumeRole')),
      ).toEqual([]);
      expect(
        resourceWhere(json, 'aws_lambda_function', (fn) => fn.function_name === `web-identity-${task}`).environment.variables
          .MEMBER_ROLE_NAME,
      ).toBeUndefined();
    });

    it.each(MEMBER_ACCOUNT_TASKS)('lets %s assume only the member role of its capability, and only inside the organization', (task) => {
      const [key] = Object.entries(json.data.aws_iam_policy_document).find(([name]) => name.startsWith(`${task}_permissions`))!;
      const assume = policyStatements(json.data.aws_iam_policy_document[key]!).filter((statement) =>
        statement.Action.includes('sts:AssumeRole'),
      );

      expect(assume).toEqual([
        expect.objectContaining({
          Sid: 'AssumeAutomationRoleInMemberAccounts',
          Resource: [`arn:aws:iam::*:role/web-identity-automation-${TASK_CAPABILITIES[task]}`],
          Condition: [{ test: 'StringEquals', variable: 'aws:ResourceOrgID', values: ['o-exampleorg1'] }],
        }),
      ]);
    });

    it('tells each task function which member role to assume', () => {
      for (const task of MEMBER_ACCOUNT_TASKS) {
        const fn = resourceWhere(json, 'aws_lambda_function', (candidate) => candidate.function_name === `web-identity-${task}`);
        expect(fn.environment.variables.MEMBER_ROLE_NAME).toBe(`web-identity-automation-${TASK_CAPABILITIES[task]}`);
      }
    });

    it('lets no other function assume anything', () => {
      // Trust policies (with a Principal) say who may assume a role; permissions (without one) what a role may assume.
      const assume = statements.filter((statement) => !statement.Principal && statement.Action.includes('sts:AssumeRole'));

      expect(assume).toHaveLength(MEMBER_ACCOUNT_TASKS.length);
    });

    it('lets each function write only to its own log group', () => {
      const logStatements = statements.filter((statement) => statement.Sid === 'WriteOwnLogs');

      expect(logStatements).toHaveLength(ALL_FUNCTIONS.length);
      for (const statement of logStatements)
        expect(statement.Resource).toEqual([expect.stringMatching(/^\$\{aws_cloudwatch_log_group\..+\.arn\}:\*$/)]);
    });

    it('lets only Lambda in the central account assume the function roles', () => {
      const trust = documents.filter((doc) => doc.statement[0].principals?.[0]?.identifiers?.[0] === 'lambda.amazonaws.com');

      expect(trust).toHaveLength(ALL_FUNCTIONS.length);
      for (const doc of trust)
        expect(doc.statement[0].condition).toEqual([{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [CENTRAL] }]);
    });
  });
});
