import {
  InvalidInputError,
  loadAssignRoleSettings,
  loadBaseSettings,
  loadCreateServicePrincipalSettings,
  loadGraphSettings,
  loadRouterSettings,
} from '../../../../functions/shared/runtime';

const base = {
  TENANT_ID: '72F988BF-86F1-41AF-91AB-2D7CD011DB47',
  TOKEN_VERSION: '1',
  MEMBER_ROLE_NAME: 'web-identity-automation-audience',
  AWS_REGION: 'eu-central-1',
};
const router = {
  TENANT_ID: base.TENANT_ID,
  TOKEN_VERSION: '1',
  AWS_REGION: 'eu-central-1',
  AUTOMATION_ROLE_NAME: 'web-identity-automation',
  PROTECTED_ROLES: '["OrganizationAccountAccessRole","aws-service-role/*"]',
  CREATE_STATE_MACHINE_ARN: 'arn:aws:states:eu-central-1:111111111111:stateMachine:Web-Identity-Role-Create',
  DELETE_STATE_MACHINE_ARN: 'arn:aws:states:eu-central-1:111111111111:stateMachine:Web-Identity-Role-Delete',
};
const graph = {
  ...base,
  ENTRA_AUTH_MODE: 'federated',
  AUTOMATION_CLIENT_ID: '2b1c7e4a-9f3d-4c5b-8a6e-1d2f3a4b5c6d',
  AUTOMATION_SERVICE_PRINCIPAL_ID: '7D0C1E2F-3A4B-4C5D-8E6F-0A1B2C3D4E5F',
  AUTOMATION_RECORDS_TABLE: 'web-identity-automation-records',
};

const GATEWAY = '9b8c4f1b-6a0e-4dcd-9bfe-8e9f0a1b2c3d';
const create = {
  APP_NAME_PREFIX: 'web-identity',
  AUDIENCE_MODE: 'shared',
  DUAL_AUDIENCE: 'true',
  GATEWAY_CLIENT_ID: GATEWAY,
  GATEWAY_SERVICE_PRINCIPAL_ID: '7d0c1e2f-3a4b-4c5d-8e6f-0a1b2c3d4e5f',
  MAX_APPLICATIONS_PER_ACCOUNT: '0',
  AUTOMATION_POOL_CLIENT_IDS: JSON.stringify([GATEWAY]),
  IDENTITY_OBJECT_LIMIT: 'none',
};

describe('settings', () => {
  it('reads only what a function needs and normalizes it', () => {
    expect(loadBaseSettings(base)).toEqual({
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      tokenVersion: 1,
      memberRoleName: 'web-identity-automation-audience',
      region: 'eu-central-1',
    });
  });

  it('requires the member role a task function assumes', () => {
    const { MEMBER_ROLE_NAME: _, ...withoutRole } = base;
    expect(() => loadBaseSettings(withoutRole)).toThrow(/MEMBER_ROLE_NAME is not set/);
    expect(() => loadGraphSettings({ ...graph, MEMBER_ROLE_NAME: 'has space' })).toThrow(/MEMBER_ROLE_NAME is invalid/);
  });

  it('reads the router: the base of the member roles and the protected role patterns', () => {
    expect(loadRouterSettings(router)).toMatchObject({
      automationRoleName: 'web-identity-automation',
      protectedRoles: ['OrganizationAccountAccessRole', 'aws-service-role/*'],
    });
  });

  it.each([
    ['not JSON', 'OrganizationAccountAccessRole', /PROTECTED_ROLES is invalid \(not JSON\)/],
    ['an empty list', '[]', /PROTECTED_ROLES is invalid \(expected a non-empty JSON array of role patterns\)/],
    ['a non-pattern', '["/aws-service-role/*"]', /PROTECTED_ROLES is invalid \("\/aws-service-role\/\*" is not a role pattern\)/],
  ])('refuses PROTECTED_ROLES as %s, so a router that would protect nothing does not run', (_, value, expected) => {
    expect(() => loadRouterSettings({ ...router, PROTECTED_ROLES: value })).toThrow(expected);
  });

  it('defaults the Graph base URL, which the stack does not write', () => {
    expect(loadGraphSettings(graph).graphBaseUrl).toBe('https://graph.microsoft.com/v1.0');
    expect(loadGraphSettings({ ...graph, GRAPH_BASE_URL: 'http://127.0.0.1:8080/v1.0/' }).graphBaseUrl).toBe('http://127.0.0.1:8080/v1.0');
  });

  it("reads the automation's own service principal ID as a lowercase GUID", () => {
    expect(loadGraphSettings(graph).automationServicePrincipalId).toBe('7d0c1e2f-3a4b-4c5d-8e6f-0a1b2c3d4e5f');
    expect(() => loadGraphSettings({ ...graph, AUTOMATION_SERVICE_PRINCIPAL_ID: 'automation' })).toThrow(
      /AUTOMATION_SERVICE_PRINCIPAL_ID is invalid \(a GUID\)/,
    );
  });

  it("requires the trust-policy quota the stack writes rather than guess IAM's default", () => {
    expect(() => loadAssignRoleSettings(base)).toThrow(/TRUST_POLICY_MAX_CHARS is not set/);
    expect(loadAssignRoleSettings({ ...base, TRUST_POLICY_MAX_CHARS: '4096' }).trustPolicyMaxChars).toBe(4096);
  });

  it('names every missing or invalid variable and the fix', () => {
    const failure = () => loadRouterSettings({ ...base, TOKEN_VERSION: '3', CREATE_STATE_MACHINE_ARN: 'nope' });
    expect(failure).toThrow(InvalidInputError);
    expect(failure).toThrow(
      /TOKEN_VERSION is invalid.*CREATE_STATE_MACHINE_ARN is invalid.*DELETE_STATE_MACHINE_ARN is not set.*Fix: redeploy/,
    );
  });

  it('requires the certificate secret in certificate mode', () => {
    expect(() => loadGraphSettings({ ...graph, ENTRA_AUTH_MODE: 'certificate' })).toThrow(/CERTIFICATE_SECRET_ARN is not set/);
  });

  it('requires the display-name prefix only for create-service-principal', () => {
    expect(() => loadCreateServicePrincipalSettings(graph)).toThrow(/APP_NAME_PREFIX is not set/);
    expect(loadCreateServicePrincipalSettings({ ...graph, ...create }).appNamePrefix).toBe('web-identity');
  });

  it('reads the audience mode, the gateway, the per-account cap and the identity pool', () => {
    expect(loadCreateServicePrincipalSettings({ ...graph, ...create })).toMatchObject({
      audienceMode: 'shared',
      dualAudience: true,
      gatewayClientId: GATEWAY,
      maxApplicationsPerAccount: 0,
      automationPoolClientIds: [GATEWAY],
      identityObjectLimit: Infinity,
    });
    expect(loadCreateServicePrincipalSettings({ ...graph, ...create, IDENTITY_OBJECT_LIMIT: '225' }).identityObjectLimit).toBe(225);
  });

  it.each([
    ['AUDIENCE_MODE', 'gateway', /AUDIENCE_MODE is invalid/],
    ['AUTOMATION_POOL_CLIENT_IDS', '["not-a-guid"]', /AUTOMATION_POOL_CLIENT_IDS is invalid \(a JSON array of client IDs/],
    ['AUTOMATION_POOL_CLIENT_IDS', 'nope', /AUTOMATION_POOL_CLIENT_IDS is invalid/],
    ['IDENTITY_OBJECT_LIMIT', '0', /IDENTITY_OBJECT_LIMIT is invalid \(a positive integer, or none\)/],
    ['MAX_APPLICATIONS_PER_ACCOUNT', '-1', /MAX_APPLICATIONS_PER_ACCOUNT is invalid/],
  ])('refuses %s = %s, naming it', (name, value, message) => {
    expect(() => loadCreateServicePrincipalSettings({ ...graph, ...create, [name]: value })).toThrow(message);
  });
});
