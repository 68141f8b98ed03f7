import {
  MEMBER_ACCOUNT_TASKS,
  MEMBER_CAPABILITIES,
  TASKS,
  TASK_CAPABILITIES,
  TASK_FUNCTION_NAMES,
  type MemberCapability,
  type TaskFunctionName,
  type TaskSpec,
} from '../../functions/shared/workflow';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { MEMBER_ROLE_LOGICAL_IDS } from '../../stacks/member-baseline-template';
import { evaluate, memberRole, sessionContext, terraformPolicy, type MemberAccount } from '../support/iam-evaluation';
import { synthesize, synthesizedMemberTemplate, type TerraformJson } from '../support/synthesized';

/**
 * The IAM policies of the member baseline and of the central account, evaluated by an
 * independent implementation (@cloud-copilot/iam-simulate) rather than read. Each attack
 * has its control: the same request by the principal that should succeed does.
 */

const ORG = EXAMPLE_CONFIG.aws.organizationId;
const CENTRAL = EXAMPLE_CONFIG.aws.centralAccountId;
const MEMBER: MemberAccount = { accountId: '222233334444', region: 'us-east-1' };
const TENANT = EXAMPLE_CONFIG.entra.tenantId;
const PROVIDER_ARN = `arn:aws:iam::${MEMBER.accountId}:oidc-provider/sts.windows.net/${TENANT}/`;
const BUS_ARN = `arn:aws:events:${EXAMPLE_CONFIG.aws.centralRegion}:${CENTRAL}:event-bus/web-identity-iam-events`;
const FORWARDER = 'web-identity-member-baseline-iam-events-forwarder';
const RULE_ARN = `arn:aws:events:us-east-1:${MEMBER.accountId}:rule/web-identity-member-baseline-forward-iam-events`;

const template = synthesizedMemberTemplate();
const json = synthesize();
const roleOf = (capability: (typeof MEMBER_CAPABILITIES)[number]) => memberRole(template, MEMBER_ROLE_LOGICAL_IDS[capability], MEMBER);
const reader = roleOf('reader');
const audience = roleOf('audience');
const pin = roleOf('pin');
const revoke = roleOf('revoke');
const roleArn = (suffix: string) => `arn:aws:iam::${MEMBER.accountId}:role/${suffix}`;
const sessionOf = (role: { name: string }) => `arn:aws:sts::${MEMBER.accountId}:assumed-role/${role.name}/wi-test-session`;

/** A member role acting on a resource in its own account. */
function asMemberRole(role: ReturnType<typeof roleOf>, action: string, resource: string, context: Record<string, string | string[]> = {}) {
  const principal = sessionOf(role);
  return evaluate({
    principal,
    action,
    resource,
    resourceAccount: MEMBER.accountId,
    identityPolicies: role.identityPolicies,
    context: { ...sessionContext(principal, ORG), ...context },
  });
}

/** The permissions policy document of a central function's role, followed from the role through its role policy. */
function centralFunctionPolicy(terraform: TerraformJson, functionName: string) {
  const [roleKey] = Object.entries(terraform.resource.aws_iam_role).find(([, role]) => role.name === functionName)!;
  const rolePolicy = Object.values(terraform.resource.aws_iam_role_policy).find(
    (policy) => policy.role === `\${aws_iam_role.${roleKey}.id}`,
  )!;
  const documentKey = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(String(rolePolicy.policy))![1]!;
  return terraformPolicy(terraform.data.aws_iam_policy_document[documentKey]!);
}

/** A central task function assuming a member role: its identity policy AND the member role's trust policy must allow it. */
function taskAssumes(task: TaskFunctionName, target: ReturnType<typeof roleOf>) {
  const principal = `arn:aws:sts::${CENTRAL}:assumed-role/web-identity-${task}/lambda-session`;
  return evaluate({
    principal,
    action: 'sts:AssumeRole',
    resource: target.arn,
    resourceAccount: MEMBER.accountId,
    identityPolicies: [{ name: 'permissions', policy: centralFunctionPolicy(json, `web-identity-${task}`) }],
    resourcePolicy: target.trustPolicy,
    context: { ...sessionContext(principal, ORG), 'aws:ResourceOrgID': ORG, 'aws:ResourceAccount': MEMBER.accountId },
  });
}

const PLATFORM_ROLES = [
  'OrganizationAccountAccessRole',
  'AWSControlTowerExecution',
  'stacksets-exec-1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d',
  'AWSCloudFormationStackSetExecutionRole',
  `cdk-hnb659fds-deploy-role-${MEMBER.accountId}-us-east-1`,
  'aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing',
];
/**
 * IAM refuses every write to a role under /aws-reserved/ whatever the policies say, and
 * iam-simulate models that (its IamServiceAuthorizer answers ImplicitlyDenied), so the
 * member roles' own Deny cannot be told apart there; protected-roles.test.ts shows the
 * pattern covers the path.
 */
const RESERVED_ROLE = 'aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef';
const BASELINE_ROLES = [reader.name, audience.name, pin.name, FORWARDER, 'web-identity-member-baseline-oidc-provider'];

describe('member roles, evaluated by iam-simulate', () => {
  describe('pin', () => {
    it('may rewrite the trust policy of an app team role, at any path (control)', async () => {
      expect(await asMemberRole(pin, 'iam:UpdateAssumeRolePolicy', roleArn('ci-deployer'))).toBe('Allowed');
      expect(await asMemberRole(pin, 'iam:UpdateAssumeRolePolicy', roleArn('teams/payments/ci-deployer'))).toBe('Allowed');
    });

    it.each([...PLATFORM_ROLES, ...BASELINE_ROLES])('cannot rewrite the trust policy of the protected role %s', async (suffix) => {
      expect(await asMemberRole(pin, 'iam:UpdateAssumeRolePolicy', roleArn(suffix))).toBe('ExplicitlyDenied');
    });

    it('cannot rewrite an IAM Identity Center role', async () => {
      expect(await asMemberRole(pin, 'iam:UpdateAssumeRolePolicy', roleArn(RESERVED_ROLE))).not.toBe('Allowed');
    });

    it('cannot rewrite a role protected by name even under a path', async () => {
      expect(await asMemberRole(pin, 'iam:UpdateAssumeRolePolicy', roleArn('nested/path/OrganizationAccountAccessRole'))).toBe(
        'ExplicitlyDenied',
      );
    });

    it('may write entra:* tags (control) but not any other tag key, alone or mixed in', async () => {
      const tag = (keys: string[]) =>
        asMemberRole(pin, 'iam:TagRole', roleArn('ci-deployer'), {
          'aws:TagKeys': keys,
          ...Object.fromEntries(keys.map((key) => [`aws:RequestTag/${key}`, 'value'])),
        });

      expect(await tag(['entra:federation-status'])).toBe('Allowed');
      expect(await tag(['owner'])).toBe('ImplicitlyDenied');
      expect(await tag(['entra:federation-status', 'cost-center'])).toBe('ImplicitlyDenied');
    });

    it('may remove entra:* tags only', async () => {
      const untag = (keys: string[]) => asMemberRole(pin, 'iam:UntagRole', roleArn('ci-deployer'), { 'aws:TagKeys': keys });

      expect(await untag(['entra:client-id'])).toBe('Allowed');
      expect(await untag(['team'])).toBe('ImplicitlyDenied');
    });

    it('cannot tag a protected role even with an entra:* key', async () => {
      expect(
        await asMemberRole(pin, 'iam:TagRole', roleArn('OrganizationAccountAccessRole'), {
          'aws:TagKeys': ['entra:owners'],
          'aws:RequestTag/entra:owners': 'attacker',
        }),
      ).toBe('ExplicitlyDenied');
    });

    it.each(['iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:DeleteRole', 'iam:PassRole'])(
      'cannot %s on an app team role',
      async (action) => {
        expect(await asMemberRole(pin, action, roleArn('ci-deployer'))).toBe('ImplicitlyDenied');
      },
    );
  });

  describe('reader', () => {
    it('may read any role (control)', async () => {
      expect(await asMemberRole(reader, 'iam:GetRole', roleArn('teams/payments/ci-deployer'))).toBe('Allowed');
    });

    it.each(['iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:UntagRole', 'iam:PutRolePolicy', 'iam:DeleteRole'])(
      'cannot %s',
      async (action) => {
        expect(await asMemberRole(reader, action, roleArn('ci-deployer'), { 'aws:TagKeys': ['entra:federation-status'] })).not.toBe(
          'Allowed',
        );
      },
    );

    it('cannot change the provider audiences', async () => {
      expect(await asMemberRole(reader, 'iam:AddClientIDToOpenIDConnectProvider', PROVIDER_ARN)).toBe('ImplicitlyDenied');
      expect(await asMemberRole(reader, 'iam:RemoveClientIDFromOpenIDConnectProvider', PROVIDER_ARN)).toBe('ImplicitlyDenied');
    });

    it("may list the account's roles and read the tenant provider's audiences, for the sweep (control)", async () => {
      expect(await asMemberRole(reader, 'iam:ListRoles', '*')).toBe('Allowed');
      expect(await asMemberRole(reader, 'iam:GetOpenIDConnectProvider', PROVIDER_ARN)).toBe('Allowed');
    });

    it('cannot read another provider of the account, nor list other kinds of entity', async () => {
      const github = `arn:aws:iam::${MEMBER.accountId}:oidc-provider/token.actions.githubusercontent.com`;

      expect(await asMemberRole(reader, 'iam:GetOpenIDConnectProvider', github)).toBe('ImplicitlyDenied');
      expect(await asMemberRole(reader, 'iam:ListUsers', '*')).toBe('ImplicitlyDenied');
      expect(await asMemberRole(reader, 'iam:ListRolePolicies', roleArn('ci-deployer'))).toBe('ImplicitlyDenied');
    });
  });

  describe('revoke', () => {
    it.each(['iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:GetRolePolicy', 'iam:GetRole'])(
      'may %s on a team role (control)',
      async (action) => {
        expect(await asMemberRole(revoke, action, roleArn('teams/payments/ci-deployer'))).toBe('Allowed');
      },
    );

    it.each([...PLATFORM_ROLES, ...BASELINE_ROLES])('cannot write an inline policy on the protected role %s', async (suffix) => {
      expect(await asMemberRole(revoke, 'iam:PutRolePolicy', roleArn(suffix))).toBe('ExplicitlyDenied');
      expect(await asMemberRole(revoke, 'iam:DeleteRolePolicy', roleArn(suffix))).toBe('ExplicitlyDenied');
    });

    it.each(['iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:AttachRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:DeleteRole'])(
      'cannot %s',
      async (action) => {
        expect(await asMemberRole(revoke, action, roleArn('ci-deployer'), { 'aws:TagKeys': ['entra:federation-status'] })).toBe(
          'ImplicitlyDenied',
        );
      },
    );

    it('cannot write policies of users or groups', async () => {
      expect(await asMemberRole(revoke, 'iam:PutUserPolicy', `arn:aws:iam::${MEMBER.accountId}:user/alice`)).toBe('ImplicitlyDenied');
    });
  });

  describe('audience', () => {
    it("may add and remove client IDs of the tenant's provider (control)", async () => {
      expect(await asMemberRole(audience, 'iam:AddClientIDToOpenIDConnectProvider', PROVIDER_ARN)).toBe('Allowed');
      expect(await asMemberRole(audience, 'iam:RemoveClientIDFromOpenIDConnectProvider', PROVIDER_ARN)).toBe('Allowed');
    });

    it('cannot touch another provider of the account', async () => {
      const github = `arn:aws:iam::${MEMBER.accountId}:oidc-provider/token.actions.githubusercontent.com`;

      expect(await asMemberRole(audience, 'iam:AddClientIDToOpenIDConnectProvider', github)).toBe('ImplicitlyDenied');
    });

    it('cannot read or write roles, nor delete the provider', async () => {
      expect(await asMemberRole(audience, 'iam:GetRole', roleArn('ci-deployer'))).toBe('ImplicitlyDenied');
      expect(await asMemberRole(audience, 'iam:UpdateAssumeRolePolicy', roleArn('ci-deployer'))).toBe('ImplicitlyDenied');
      expect(await asMemberRole(audience, 'iam:DeleteOpenIDConnectProvider', PROVIDER_ARN)).toBe('ImplicitlyDenied');
    });
  });
});

describe('which central function may assume which member role, evaluated by iam-simulate', () => {
  const targets = { reader, audience, pin, revoke } as const;

  it.each(MEMBER_ACCOUNT_TASKS.map((task) => [task, TASK_CAPABILITIES[task] as MemberCapability] as const))(
    '%s may assume the %s role (control)',
    async (task, capability) => {
      expect(await taskAssumes(task, targets[capability])).toBe('Allowed');
    },
  );

  // The sweep's central steps (capability null) may assume none of them.
  const forbidden = TASK_FUNCTION_NAMES.flatMap((task) =>
    MEMBER_CAPABILITIES.filter((capability) => capability !== TASK_CAPABILITIES[task]).map((capability) => [task, capability] as const),
  );
  it.each(forbidden)('%s cannot assume the %s role', async (task, capability) => {
    expect(await taskAssumes(task, targets[capability])).not.toBe('Allowed');
  });

  it('no task can assume a member role in an account outside the organization', async () => {
    const principal = `arn:aws:sts::${CENTRAL}:assumed-role/web-identity-assign-role-to-audience/lambda-session`;
    const decision = await evaluate({
      principal,
      action: 'sts:AssumeRole',
      resource: pin.arn,
      resourceAccount: MEMBER.accountId,
      identityPolicies: [{ name: 'permissions', policy: centralFunctionPolicy(json, 'web-identity-assign-role-to-audience') }],
      resourcePolicy: pin.trustPolicy,
      context: { ...sessionContext(principal, ORG), 'aws:ResourceOrgID': 'o-someoneelse1', 'aws:ResourceAccount': MEMBER.accountId },
    });

    expect(decision).not.toBe('Allowed');
  });
});

describe('the central bus and the forwarder, evaluated by iam-simulate', () => {
  const busPolicy = () => {
    const [, document] = Object.entries(json.data.aws_iam_policy_document).find(([key]) => key.startsWith('pipeline_bus-policy-document'))!;
    return terraformPolicy(document, { aws_cloudwatch_event_bus: BUS_ARN });
  };
  const forwarder = memberRole(template, 'IamEventsForwarderRole', MEMBER);

  /** A principal of a member account whose own policy allows PutEvents on the bus (its admin could write that). */
  const putEvents = (principal: string, organizationId = ORG) =>
    evaluate({
      principal,
      action: 'events:PutEvents',
      resource: BUS_ARN,
      resourceAccount: CENTRAL,
      identityPolicies: [
        { name: 'put', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS_ARN }] } },
      ],
      resourcePolicy: busPolicy(),
      context: sessionContext(principal, organizationId),
    });

  it("lets a member account's forwarder role put events (control)", async () => {
    expect(await putEvents(sessionOf(forwarder))).toBe('Allowed');
  });

  it('refuses any other principal of the organization, even one allowed by its own policy', async () => {
    expect(await putEvents(`arn:aws:sts::${MEMBER.accountId}:assumed-role/app-team-admin/mallory`)).not.toBe('Allowed');
    expect(await putEvents(`arn:aws:sts::${MEMBER.accountId}:assumed-role/${pin.name}/session`)).not.toBe('Allowed');
  });

  it('refuses a role named like the forwarder in an account outside the organization', async () => {
    expect(await putEvents(`arn:aws:sts::999988887777:assumed-role/${FORWARDER}/session`, 'o-someoneelse1')).not.toBe('Allowed');
  });

  const eventBridgeAssumes = (sourceArn: string, sourceAccount: string) =>
    evaluate({
      principal: 'events.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: forwarder.arn,
      resourceAccount: MEMBER.accountId,
      resourcePolicy: forwarder.trustPolicy,
      context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount },
    });

  it('lets EventBridge assume the forwarder for the baseline rule (control)', async () => {
    expect(await eventBridgeAssumes(RULE_ARN, MEMBER.accountId)).toBe('Allowed');
  });

  it("refuses EventBridge assuming the forwarder for another rule of the account (someone's own rule)", async () => {
    expect(await eventBridgeAssumes(`arn:aws:events:us-east-1:${MEMBER.accountId}:rule/my-own-rule`, MEMBER.accountId)).toBe(
      'ImplicitlyDenied',
    );
  });

  it('refuses EventBridge assuming the forwarder for a rule of another account', async () => {
    const elsewhere = '999988887777';

    expect(
      await eventBridgeAssumes(`arn:aws:events:us-east-1:${elsewhere}:rule/web-identity-member-baseline-forward-iam-events`, elsewhere),
    ).toBe('ImplicitlyDenied');
  });
});

describe('the state machines and their role locks, evaluated by iam-simulate', () => {
  const LOCKS = `arn:aws:dynamodb:${EXAMPLE_CONFIG.aws.centralRegion}:${CENTRAL}:table/web-identity-role-locks`;
  const principal = `arn:aws:sts::${CENTRAL}:assumed-role/web-identity-workflows/states-session`;
  const workflowsPolicy = () => {
    const [roleKey] = Object.entries(json.resource.aws_iam_role).find(([, role]) => role.name === 'web-identity-workflows')!;
    const rolePolicy = Object.values(json.resource.aws_iam_role_policy).find((policy) => policy.role === `\${aws_iam_role.${roleKey}.id}`)!;
    const documentKey = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(String(rolePolicy.policy))![1]!;
    return terraformPolicy(json.data.aws_iam_policy_document[documentKey]!, {
      aws_dynamodb_table: LOCKS,
      aws_lambda_function: `arn:aws:lambda:${EXAMPLE_CONFIG.aws.centralRegion}:${CENTRAL}:function:placeholder`,
    });
  };
  const asWorkflows = (action: string, resource: string) =>
    evaluate({
      principal,
      action,
      resource,
      resourceAccount: CENTRAL,
      identityPolicies: [{ name: 'permissions', policy: workflowsPolicy() }],
      context: sessionContext(principal, ORG),
    });

  it('may take and release a lock in the role-lock table (control)', async () => {
    expect(await asWorkflows('dynamodb:PutItem', LOCKS)).toBe('Allowed');
    expect(await asWorkflows('dynamodb:DeleteItem', LOCKS)).toBe('Allowed');
  });

  it('may not read, scan or change the table, nor write any other table', async () => {
    for (const action of [
      'dynamodb:GetItem',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteTable',
      'dynamodb:UpdateTimeToLive',
    ]) {
      expect(`${action}: ${await asWorkflows(action, LOCKS)}`).toBe(`${action}: ImplicitlyDenied`);
    }
    expect(await asWorkflows('dynamodb:PutItem', `arn:aws:dynamodb:${EXAMPLE_CONFIG.aws.centralRegion}:${CENTRAL}:table/other`)).toBe(
      'ImplicitlyDenied',
    );
  });
});

describe("the automation's record of its creations (functions/shared/entra/records.ts), evaluated by iam-simulate", () => {
  const RECORDS = `arn:aws:dynamodb:${EXAMPLE_CONFIG.aws.centralRegion}:${CENTRAL}:table/web-identity-automation-records`;
  const OTHER_TABLE = `arn:aws:dynamodb:${EXAMPLE_CONFIG.aws.centralRegion}:${CENTRAL}:table/web-identity-role-locks`;
  const policyOf = (task: TaskFunctionName) => {
    const [roleKey] = Object.entries(json.resource.aws_iam_role).find(([, role]) => role.name === `web-identity-${task}`)!;
    const rolePolicy = Object.values(json.resource.aws_iam_role_policy).find((policy) => policy.role === `\${aws_iam_role.${roleKey}.id}`)!;
    const documentKey = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(String(rolePolicy.policy))![1]!;
    return terraformPolicy(json.data.aws_iam_policy_document[documentKey]!, { aws_dynamodb_table: RECORDS });
  };
  const as = (task: TaskFunctionName, action: string, resource = RECORDS) => {
    const principal = `arn:aws:sts::${CENTRAL}:assumed-role/web-identity-${task}/lambda-session`;
    return evaluate({
      principal,
      action,
      resource,
      resourceAccount: CENTRAL,
      identityPolicies: [{ name: 'permissions', policy: policyOf(task) }],
      context: sessionContext(principal, ORG),
    });
  };
  const ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Scan', 'dynamodb:DeleteItem'];
  const ALLOWED: Readonly<Record<string, readonly string[]>> = {
    create: ACTIONS,
    remove: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Scan', 'dynamodb:DeleteItem'],
    read: ['dynamodb:GetItem', 'dynamodb:Scan'],
  };

  it.each(TASK_FUNCTION_NAMES.map((task) => [task, (TASKS[task] as TaskSpec).records ?? 'none'] as const))(
    '%s (%s) may do exactly what its access says, on that table only',
    async (task, access) => {
      for (const action of [...ACTIONS, 'dynamodb:DeleteTable', 'dynamodb:UpdateTable']) {
        const expected = (ALLOWED[access] ?? []).includes(action) ? 'Allowed' : 'ImplicitlyDenied';
        expect(`${action}: ${await as(task, action)}`).toBe(`${action}: ${expected}`);
      }
      expect(await as(task, 'dynamodb:GetItem', OTHER_TABLE)).toBe('ImplicitlyDenied');
    },
  );

  it('every function that calls Graph reads the records; only the Create writes intents', () => {
    expect(TASK_FUNCTION_NAMES.filter((task) => TASKS[task].callsGraph && !(TASKS[task] as TaskSpec).records)).toEqual([]);
    expect(TASK_FUNCTION_NAMES.filter((task) => (TASKS[task] as TaskSpec).records === 'create')).toEqual(['create-service-principal']);
  });

  it('is a table with on-demand capacity, point-in-time recovery and the application name as its key', () => {
    const tables = Object.values(json.resource.aws_dynamodb_table as Record<string, Record<string, unknown>>);
    expect(tables.find((table) => table.name === 'web-identity-automation-records')).toMatchObject({
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'uniqueName',
      attribute: [{ name: 'uniqueName', type: 'S' }],
      point_in_time_recovery: { enabled: true },
    });
  });
});
