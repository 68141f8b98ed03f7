import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import { synthesizedMemberTemplate } from '../support/synthesized';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';

type SpecDb = Awaited<ReturnType<typeof loadAwsServiceSpec>>;
type PropertyType = { type: string; element?: PropertyType; reference?: { $ref: string }; types?: PropertyType[] };
type Properties = Record<string, { type: PropertyType; required?: boolean }>;

const INTRINSICS = ['Ref', 'Fn::Sub', 'Fn::GetAtt', 'Fn::Join', 'Fn::If'];
const isIntrinsic = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && INTRINSICS.includes(Object.keys(value)[0]);

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
      return Array.isArray(value) ? value.flatMap((item, index) => check(db, item, type.element!, `${at}[${index}]`)) : [`${at}: expected a list`];
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
  const unknown = Object.keys(record).filter((key) => !(key in properties)).map((key) => `${at}.${key}: no such property`);
  const missing = Object.entries(properties)
    .filter(([key, property]) => property.required && !(key in record))
    .map(([key]) => `${at}.${key}: required`);
  const nested = Object.entries(record).flatMap(([key, item]) => (key in properties ? check(db, item, properties[key].type, `${at}.${key}`) : []));
  return [...unknown, ...missing, ...nested];
}

const template = synthesizedMemberTemplate();
const resources = Object.entries(template.Resources) as Array<[string, { Type: string; Properties: any }]>;
const resource = (type: string) => resources.find(([, r]) => r.Type === type)![1];
const policies = (role: any) => role.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement);
const asList = (value: unknown) => (Array.isArray(value) ? value : [value]);

describe('the member baseline template', () => {
  let db: SpecDb;
  beforeAll(async () => {
    db = await loadAwsServiceSpec();
  });

  it('uses only properties the CloudFormation specification defines, with every required one', () => {
    const problems = resources.flatMap(([logicalId, r]) => {
      const spec = db.lookup('resource', 'cloudFormationType', 'equals', r.Type).only();
      return checkObject(db, r.Properties, spec.properties as Properties, `${logicalId}(${r.Type})`);
    });

    expect(problems).toEqual([]);
  });

  it('catches a misspelt property (the check itself can fail)', () => {
    const spec = db.lookup('resource', 'cloudFormationType', 'equals', 'AWS::IAM::OIDCProvider').only();

    expect(checkObject(db, { Url: 'https://x', ClientIDList: [] }, spec.properties as Properties, 'p')).toEqual(['p.ClientIDList: no such property']);
  });

  it('creates the OIDC provider of the tenant with nothing that could reset its audiences', () => {
    const provider = resource('AWS::IAM::OIDCProvider');

    expect(provider.Properties).toEqual({ Url: `https://sts.windows.net/${EXAMPLE_CONFIG.entra.tenantId}/` });
  });

  it('uses the v2 issuer when the configuration asks for v2 tokens', () => {
    const v2 = synthesizedMemberTemplate({ ...EXAMPLE_CONFIG, entra: { ...EXAMPLE_CONFIG.entra, tokenVersion: 2 } });

    expect(v2.Resources.EntraOidcProvider.Properties.Url).toBe(`https://login.microsoftonline.com/${EXAMPLE_CONFIG.entra.tenantId}/v2.0`);
  });

  it('forwards CreateRole, DeleteRole and UpdateAssumeRolePolicy from the default bus to the central bus with a role', () => {
    const rule = resource('AWS::Events::Rule').Properties;

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
    const forwarder = resources.find(([id]) => id === 'IamEventsForwarderRole')![1];

    expect(policies(forwarder)).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: 'arn:aws:events:eu-central-1:111111111111:event-bus/web-identity-iam-events' }]);
  });

  it('lets only the central task functions assume the automation role', () => {
    const automation = resources.find(([id]) => id === 'WebIdentityAutomationRole')![1].Properties;
    const principals = automation.AssumeRolePolicyDocument.Statement.flatMap((s: any) => asList(s.Principal.AWS));

    expect(automation.RoleName).toBe('web-identity-automation');
    expect(principals.sort()).toEqual(
      ['add-audience-id-provider', 'assign-role-to-audience', 'create-service-principal', 'delete-service-principal', 'remove-audience-id-provider'].map(
        (name) => `arn:aws:iam::111111111111:role/web-identity-${name}`,
      ),
    );
  });

  it('allows the automation role exactly: read roles, pin trust policies, entra:* tags, the tenant provider audiences', () => {
    const allowed = policies(resources.find(([id]) => id === 'WebIdentityAutomationRole')![1]).filter((s: any) => s.Effect === 'Allow');

    expect(allowed.flatMap((s: any) => asList(s.Action)).sort()).toEqual([
      'iam:AddClientIDToOpenIDConnectProvider',
      'iam:GetRole',
      'iam:RemoveClientIDFromOpenIDConnectProvider',
      'iam:TagRole',
      'iam:UntagRole',
      'iam:UpdateAssumeRolePolicy',
    ]);
    expect(allowed.find((s: any) => s.Sid === 'ManageAudiencesOfTheTenantProvider').Resource).toEqual({ Ref: 'EntraOidcProvider' });
    expect(allowed.find((s: any) => s.Sid === 'WriteOnlyEntraTags').Condition).toEqual({ 'ForAllValues:StringLike': { 'aws:TagKeys': ['entra:*'] } });
  });

  it("denies the automation role any change to its own role and the baseline's roles", () => {
    const deny = policies(resources.find(([id]) => id === 'WebIdentityAutomationRole')![1]).find((s: any) => s.Effect === 'Deny');

    expect(deny.Action).toEqual(expect.arrayContaining(['iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:DeleteRole']));
    expect(deny.Resource).toEqual(
      expect.arrayContaining([
        { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/web-identity-automation' },
        { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/web-identity-member-baseline-iam-events-forwarder' },
      ]),
    );
  });

  it('has no * action and no write action on Resource "*"', () => {
    const statements = resources.filter(([, r]) => r.Type === 'AWS::IAM::Role').flatMap(([, role]) => policies(role));

    for (const statement of statements) {
      const actions = asList(statement.Action);
      expect(actions.filter((action: string) => action === '*' || action.endsWith(':*'))).toEqual([]);
      if (statement.Effect === 'Allow') expect(asList(statement.Resource)).not.toContain('*');
    }
  });
});
