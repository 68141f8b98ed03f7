import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TASKS, TASK_FUNCTION_NAMES } from '../../../../functions/shared/workflow';
import {
  DEPLOYED_ENV,
  OTHER_ENV,
  InvalidInputError,
  loadAssignRoleSettings,
  loadBaseSettings,
  loadCreateServicePrincipalSettings,
  loadDeleteServicePrincipalSettings,
  loadGraphSettings,
  loadRouterSettings,
  loadSweepInspectSettings,
  loadSweepPlanSettings,
  loadSweepRemoveRevocationsSettings,
  loadSweepReportSettings,
  loadServicePrincipalSwitchSettings,
} from '../../../../functions/shared/runtime';
import { parseConfig, type FederationConfigInput } from '../../../../stacks/config';
import { EXAMPLE_CONFIG } from '../../../../stacks/example-config';
import { resourcesOf, synthesize } from '../../../support/synthesized';

/**
 * The producer (the stack's `environment.variables`) against the consumer (each function's
 * own settings loader). The loader of each function is the one its handler.ts calls, checked
 * below, so this table cannot drift from the code that runs.
 */
const LOADERS = {
  router: loadRouterSettings,
  'create-service-principal': loadCreateServicePrincipalSettings,
  'add-audience-id-provider': loadBaseSettings,
  'assign-role-to-audience': loadAssignRoleSettings,
  'delete-service-principal': loadDeleteServicePrincipalSettings,
  'remove-audience-id-provider': loadBaseSettings,
  'sweep-plan': loadSweepPlanSettings,
  'sweep-inspect-account': loadSweepInspectSettings,
  'sweep-repair-account': loadGraphSettings,
  'sweep-remove-revocations': loadSweepRemoveRevocationsSettings,
  'sweep-report': loadSweepReportSettings,
  'revoke-older-sessions': loadBaseSettings,
  'revoke-role': loadAssignRoleSettings,
  'restore-role': loadBaseSettings,
  'disable-service-principal': loadServicePrincipalSwitchSettings,
  'enable-service-principal': loadServicePrincipalSwitchSettings,
} as const;
type Entry = keyof typeof LOADERS;

const CLIENT_ID = '2b1c7e4a-9f3d-4c5b-8a6e-1d2f3a4b5c6d';
const SERVICE_PRINCIPAL_OBJECT_ID = '7d0c1e2f-3a4b-4c5d-8e6f-0a1b2c3d4e5f';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:web-identity/automation-certificate-AbC123';

/** What Terraform puts in place of each reference after apply (by resource type and attribute). */
const PLAUSIBLE: Readonly<Record<string, string>> = {
  'azuread_application.client_id': CLIENT_ID,
  'azuread_service_principal.object_id': SERVICE_PRINCIPAL_OBJECT_ID,
  'aws_secretsmanager_secret.arn': SECRET_ARN,
  'aws_dynamodb_table.name': 'web-identity-automation-records',
};

const POOL_CLIENT_ID = '8b7c3e0a-5f9d-4cbc-8aed-7d8e9f0a1b2c';

function applied(value: string): string {
  const reference = /^\$\{([a-z_]+)\.[\w-]+\.(\w+)\}$/.exec(value);
  if (!value.includes('${')) return value;
  // The extra automation identities' client IDs, as Terraform's jsonencode writes the list.
  const list = /^\$\{jsonencode\(\[((?:azuread_application\.[\w-]+\.client_id(?:, )?)+)\]\)\}$/.exec(value);
  if (list) return JSON.stringify(list[1]!.split(', ').map(() => POOL_CLIENT_ID));
  const plausible = reference ? PLAUSIBLE[`${reference[1]}.${reference[2]}`] : undefined;
  if (!plausible) throw new Error(`no plausible applied value for ${value}: add one to PLAUSIBLE`);
  return plausible;
}

const CERTIFICATE_CONFIG: FederationConfigInput = {
  ...EXAMPLE_CONFIG,
  automationCredential: {
    mode: 'certificate',
    certificatePem: '-----BEGIN CERTIFICATE-----\nMIIBfake0certificate0for0tests0only==\n-----END CERTIFICATE-----\n',
  },
};
const OTHER_PREFIX_CONFIG: FederationConfigInput = { ...EXAMPLE_CONFIG, namePrefix: 'acme-fed', trustPolicyMaxChars: 4096 };
const POOL_CONFIG: FederationConfigInput = {
  ...EXAMPLE_CONFIG,
  entra: { ...EXAMPLE_CONFIG.entra, audienceMode: 'shared', automationIdentities: 3, quotaShare: 0.9, maxApplicationsPerAccount: 25 },
};

interface DeployedFunction {
  readonly config: string;
  readonly entry: Entry;
  /** As Lambda would see it: references applied, plus what Lambda sets itself. */
  readonly env: Record<string, string>;
  /** Only what the stack wrote. */
  readonly written: readonly string[];
}

function deployedFunctions(name: string, input: FederationConfigInput): DeployedFunction[] {
  const config = parseConfig(input);
  return resourcesOf(synthesize(input), 'aws_lambda_function').map((fn) => {
    const entry = (fn.function_name as string).slice(config.namePrefix.length + 1) as Entry;
    if (!(entry in LOADERS)) throw new Error(`synthesized function ${fn.function_name} has no settings loader in LOADERS`);
    const variables = fn.environment.variables as Record<string, string>;
    const env = Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, applied(value)]));
    return { config: name, entry, env: { ...env, [OTHER_ENV.region]: config.aws.centralRegion }, written: Object.keys(variables) };
  });
}

const DEPLOYED = [
  ...deployedFunctions('federated', EXAMPLE_CONFIG),
  ...deployedFunctions('certificate', CERTIFICATE_CONFIG),
  ...deployedFunctions('acme-fed prefix', OTHER_PREFIX_CONFIG),
  ...deployedFunctions('shared pool', POOL_CONFIG),
];

describe('environment variables: the stack writes what each function reads', () => {
  it('synthesizes every function that has a loader, in every configuration', () => {
    for (const config of ['federated', 'certificate', 'acme-fed prefix', 'shared pool']) {
      expect(
        DEPLOYED.filter((fn) => fn.config === config)
          .map((fn) => fn.entry)
          .sort(),
      ).toEqual(['router', ...TASK_FUNCTION_NAMES].sort());
    }
  });

  it.each(Object.entries(LOADERS))('uses, for %s, the loader its handler.ts calls', (entry, loader) => {
    const source = readFileSync(join(__dirname, '../../../../functions', entry, 'handler.ts'), 'utf8');

    expect(source).toContain(`${loader.name}(process.env)`);
  });

  it.each(DEPLOYED.map((fn) => [fn.config, fn.entry, fn] as const))('%s: %s loads its synthesized environment', (_config, entry, fn) => {
    // Act
    const settings = LOADERS[entry](fn.env);

    // Assess
    expect(settings).toMatchObject({ tenantId: EXAMPLE_CONFIG.entra.tenantId, region: 'eu-central-1' });
  });

  it.each(DEPLOYED.flatMap((fn) => fn.written.map((name) => [fn.config, fn.entry, name, fn] as const)))(
    '%s: %s fails, naming it, when %s is missing or renamed',
    (_config, entry, name, fn) => {
      // Prepare
      const { [name]: value, ...without } = fn.env;
      const renamed = { ...without, [`${name}S`]: value };

      // Act / Assess
      for (const env of [without, renamed]) {
        expect(() => LOADERS[entry](env)).toThrow(InvalidInputError);
        expect(() => LOADERS[entry](env)).toThrow(new RegExp(`\\b${name}\\b.*Fix: redeploy`));
      }
    },
  );

  it('carries the configured values through', () => {
    // Prepare
    const byEntry = (config: string, entry: Entry) => DEPLOYED.find((fn) => fn.config === config && fn.entry === entry)!;

    // Act
    const assign = loadAssignRoleSettings(byEntry('acme-fed prefix', 'assign-role-to-audience').env);
    const create = loadCreateServicePrincipalSettings(byEntry('acme-fed prefix', 'create-service-principal').env);
    const remove = loadGraphSettings(byEntry('certificate', 'delete-service-principal').env);
    const pooled = loadCreateServicePrincipalSettings(byEntry('shared pool', 'create-service-principal').env);
    const pooledDelete = loadDeleteServicePrincipalSettings(byEntry('shared pool', 'delete-service-principal').env);

    const plan = loadSweepPlanSettings(byEntry('acme-fed prefix', 'sweep-plan').env);
    const inspect = loadSweepInspectSettings(byEntry('acme-fed prefix', 'sweep-inspect-account').env);
    const report = loadSweepReportSettings(byEntry('federated', 'sweep-report').env);

    // Assess
    expect(assign.trustPolicyMaxChars).toBe(4096);
    expect(create).toMatchObject({
      appNamePrefix: 'acme-fed',
      entraAuthMode: 'federated',
      automationClientId: CLIENT_ID,
      audienceMode: 'per-role',
      dualAudience: false,
      gatewayClientId: CLIENT_ID,
      maxApplicationsPerAccount: 0,
      automationPoolClientIds: [],
      identityObjectLimit: Infinity,
    });
    expect(plan).toMatchObject({
      sweepBucket: 'acme-fed-sweep-111111111111-eu-central-1',
      stackSetName: 'acme-fed-member-baseline',
      stackSetCallAs: 'SELF',
      stackSetInstanceRegion: 'us-east-1',
    });
    expect(inspect).toMatchObject({ trustPolicyMaxChars: 4096, memberRoleName: 'web-identity-automation-reader' });
    expect(inspect.protectedRoles).toContain('acme-fed-member-baseline-iam-events-forwarder');
    expect(report).toMatchObject({ deletionCap: 25, entraObjectQuota: 250 });
    expect(remove).toMatchObject({ entraAuthMode: 'certificate', certificateSecretArn: SECRET_ARN });
    expect(pooled).toMatchObject({
      audienceMode: 'shared',
      maxApplicationsPerAccount: 25,
      automationPoolClientIds: [POOL_CLIENT_ID, POOL_CLIENT_ID],
      identityObjectLimit: 225,
    });
    expect(pooledDelete).toMatchObject({ automationPoolClientIds: [POOL_CLIENT_ID, POOL_CLIENT_ID], identityObjectLimit: 225 });
  });

  it("gives the Graph functions the object ID of the automation's own service principal", () => {
    // Prepare
    const json = synthesize();
    const graphFunctions = resourcesOf(json, 'aws_lambda_function').filter((fn) => fn.environment.variables[DEPLOYED_ENV.entraAuthMode]);
    const servicePrincipal = Object.keys(json.resource.azuread_service_principal).filter((key) => key.startsWith('entra-identity_'));

    // Act
    const graphEntries = TASK_FUNCTION_NAMES.filter((task) => TASKS[task].callsGraph);
    const settings = DEPLOYED.filter((fn) => fn.config === 'federated' && (graphEntries as string[]).includes(fn.entry)).map((fn) =>
      (LOADERS[fn.entry] as (env: Record<string, string>) => { automationServicePrincipalId: string })(fn.env),
    );

    // Assess
    expect(servicePrincipal).toHaveLength(1);
    expect(graphFunctions).toHaveLength(graphEntries.length);
    for (const fn of graphFunctions) {
      expect(fn.environment.variables[DEPLOYED_ENV.automationServicePrincipalId]).toBe(
        `\${azuread_service_principal.${servicePrincipal[0]}.object_id}`,
      );
    }
    expect(settings.map((s) => s.automationServicePrincipalId)).toEqual(graphEntries.map(() => SERVICE_PRINCIPAL_OBJECT_ID));
  });
});
