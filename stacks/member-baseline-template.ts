import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IAM_EVENT_NAMES, MEMBER_CAPABILITIES, memberRoleName, memberRoleNames, type MemberCapability } from '../functions/shared/workflow';
import { protectedRoleArnSuffixes } from '../functions/shared/iam';
import { BUILT_IN_PROTECTED_ROLES } from './config';

/**
 * The CloudFormation template the StackSet deploys to every member account in
 * us-east-1, as typed data. Property names follow the CloudFormation resource
 * specification; `__tests__/stacks/member-baseline-template.test.ts` checks them
 * against it, since a misspelt property only shows when the StackSet fails everywhere.
 */

export type CfnValue =
  | string
  | number
  | boolean
  | { readonly Ref: string }
  | { readonly 'Fn::Sub': string }
  | { readonly 'Fn::GetAtt': readonly [string, string] }
  | readonly CfnValue[]
  | { readonly [key: string]: CfnValue };

export interface CfnResource {
  readonly Type: string;
  readonly Properties: Readonly<Record<string, CfnValue>>;
  readonly Metadata?: Readonly<Record<string, CfnValue>>;
  readonly DependsOn?: readonly string[];
  readonly DeletionPolicy?: 'Retain' | 'Delete';
  readonly UpdateReplacePolicy?: 'Retain' | 'Delete';
}

export interface CfnTemplate {
  readonly AWSTemplateFormatVersion: '2010-09-09';
  readonly Description: string;
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly Outputs: Readonly<Record<string, { readonly Description: string; readonly Value: CfnValue }>>;
}

export interface MemberBaselineTemplateProps {
  /** Issuer host and path, e.g. `sts.windows.net/{tenant}/`. */
  readonly providerHost: string;
  /** ARN of the central event bus the IAM events go to. */
  readonly centralBusArn: string;
  /** Base name of the member roles the central functions assume: `{name}-reader`, `-audience`, `-pin`. */
  readonly automationRoleName: string;
  /** The role EventBridge uses to put events on the central bus. */
  readonly forwarderRoleName: string;
  /** Name of the forwarding rule on the member account's default bus. */
  readonly forwardingRuleName: string;
  /** Name of the function (and of its role) that creates or adopts the tenant's OIDC provider. */
  readonly providerFunctionName: string;
  /** Retention of that function's log group (CloudWatch Logs' allowed values). */
  readonly logRetentionDays: number;
  /** Per member role, the execution roles of the central functions that may assume it. */
  readonly centralRoleArnsByCapability: Readonly<Record<MemberCapability, readonly string[]>>;
  /** Role patterns the member roles never write (protected-roles.ts), besides the baseline's own roles. */
  readonly protectedRoles: readonly string[];
}

/** Logical IDs of the member roles, one per capability. */
export const MEMBER_ROLE_LOGICAL_IDS: Readonly<Record<MemberCapability, string>> = {
  reader: 'AutomationReaderRole',
  audience: 'AutomationAudienceRole',
  pin: 'AutomationPinRole',
  revoke: 'AutomationRevokeRole',
};

/** CloudTrail IAM management events as EventBridge receives them (only in us-east-1: IAM is global). */
export function iamEventPattern() {
  return {
    source: ['aws.iam'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: { eventSource: ['iam.amazonaws.com'], eventName: [...IAM_EVENT_NAMES] },
  };
}

/**
 * Every IAM action that writes a role (the Service Authorization Reference lists them under
 * the `role` resource type with access level Write, Tagging or Permissions management:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
 * The member roles are denied all of them on protected roles, whatever else they are allowed.
 */
export const ROLE_WRITE_ACTIONS = [
  'iam:AttachRolePolicy',
  'iam:CreateRole',
  'iam:CreateServiceLinkedRole',
  'iam:DeleteRole',
  'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteRolePolicy',
  'iam:DeleteServiceLinkedRole',
  'iam:DetachRolePolicy',
  'iam:PassRole',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
] as const;

/** A role ARN in the member account; `suffix` is what follows `role/` (path without its leading `/`, then the name). */
const role = (suffix: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${suffix}` });

/** Names of what the baseline creates in every member account, derived from the StackSet name. */
export function memberBaselineResourceNames(stackSetName: string) {
  return {
    forwarderRoleName: `${stackSetName}-iam-events-forwarder`,
    forwardingRuleName: `${stackSetName}-forward-iam-events`,
    providerFunctionName: `${stackSetName}-oidc-provider`,
  } as const;
}

/** The StackSet's name, which prefixes what it creates in the member accounts. */
export const memberBaselineName = (namePrefix: string) => `${namePrefix}-member-baseline`;

/**
 * Every protected role pattern of a deployment: built-in, configured and the baseline's own
 * roles. The member roles deny writing them; the router (and the simulator) ignore them.
 */
export function protectedRolePatterns(config: {
  readonly namePrefix: string;
  readonly aws: { readonly automationRoleName: string; readonly protectedRoles: readonly string[] };
}): string[] {
  const names = memberBaselineResourceNames(memberBaselineName(config.namePrefix));
  return [
    ...new Set([
      ...BUILT_IN_PROTECTED_ROLES,
      ...config.aws.protectedRoles,
      ...baselineRoleNames({ automationRoleName: config.aws.automationRoleName, ...names }),
    ]),
  ];
}

/** The baseline's own roles, which the automation must never change either. */
export function baselineRoleNames(
  props: Pick<MemberBaselineTemplateProps, 'automationRoleName' | 'forwarderRoleName' | 'providerFunctionName'>,
): string[] {
  return [...memberRoleNames(props.automationRoleName), props.forwarderRoleName, props.providerFunctionName];
}

/** The inline code of the provider function (stacks/inline/oidc-provider-function.js). */
export function providerFunctionCode(): string {
  return readFileSync(join(__dirname, 'inline', 'oidc-provider-function.js'), 'utf8');
}

export function memberBaselineTemplate(props: MemberBaselineTemplateProps): CfnTemplate {
  const url = `https://${props.providerHost}`;
  const providerArn = { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:oidc-provider/${props.providerHost}` };
  const forwardingRuleArn = {
    'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${props.forwardingRuleName}`,
  };
  const protectedRoles = [...props.protectedRoles, ...baselineRoleNames(props)];
  const neverTouchProtectedRoles = {
    Sid: 'NeverTouchProtectedRoles',
    Effect: 'Deny',
    Action: [...ROLE_WRITE_ACTIONS],
    // Partition and account as wildcards, not `Fn::Sub`: a wildcard only widens a Deny (every
    // partition's and account's role of that name stays denied), and the shorter ARNs keep the
    // template, which repeats this statement in each of the four member roles, under
    // CloudFormation's 51,200 bytes with the most protected roles the configuration allows.
    Resource: [...new Set(protectedRoles.flatMap(protectedRoleArnSuffixes))].map((suffix) => `arn:*:iam::*:role/${suffix}`),
  };
  const allowedByCapability: Readonly<Record<MemberCapability, { description: string; statements: CfnValue[] }>> = {
    reader: {
      description: "Lets the central web identity functions read roles (trust policy and tags) and the tenant provider's audiences.",
      statements: [
        // App teams name their roles freely (any name, any path), so the automation must be
        // able to read any role in the account. GetRole returns the tags too: no ListRoleTags.
        { Sid: 'ReadRoles', Effect: 'Allow', Action: 'iam:GetRole', Resource: role('*') },
        // The sweep reads an account whole. ListRoles has no resource type in the Service
        // Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html),
        // so its Resource can only be "*"; it lists, it changes nothing.
        { Sid: 'ListRoles', Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' },
        // The sweep finds expired revocation policies (EntraRevokeOlderSessions) on roles that
        // no longer trust the provider: GetAccountAuthorizationDetails returns every role's inline
        // policies in one paginated call. It has no resource type either (same reference), so
        // "*"; it reads, it changes nothing.
        { Sid: 'ReadRoleInlinePolicies', Effect: 'Allow', Action: 'iam:GetAccountAuthorizationDetails', Resource: '*' },
        // The sweep compares the provider's client IDs with the tenant's applications.
        { Sid: 'ReadTheTenantProviderAudiences', Effect: 'Allow', Action: 'iam:GetOpenIDConnectProvider', Resource: providerArn },
      ],
    },
    audience: {
      description: "Lets the central web identity functions add and remove client IDs of the tenant's OIDC provider.",
      statements: [
        {
          Sid: 'ManageAudiencesOfTheTenantProvider',
          Effect: 'Allow',
          // Add and RemoveClientID are idempotent: no read (GetOpenIDConnectProvider) needed.
          // The provider exists from the template on (EntraOidcProvider), so nothing here creates it.
          Action: ['iam:AddClientIDToOpenIDConnectProvider', 'iam:RemoveClientIDFromOpenIDConnectProvider'],
          Resource: providerArn,
        },
      ],
    },
    pin: {
      description: 'Lets the central web identity functions pin trust policies to their Entra applications and write entra:* tags.',
      statements: [
        { Sid: 'ReadAndPinRoles', Effect: 'Allow', Action: ['iam:GetRole', 'iam:UpdateAssumeRolePolicy'], Resource: role('*') },
        {
          Sid: 'WriteOnlyEntraTags',
          Effect: 'Allow',
          Action: ['iam:TagRole', 'iam:UntagRole'],
          Resource: role('*'),
          // ForAllValues holds for a request without tag keys, hence the Null test
          // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
          Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['entra:*'] }, Null: { 'aws:TagKeys': 'false' } },
        },
        {
          // A role that could not be pinned is locked only if it is open, that is if its
          // audience test admits a client ID the provider holds: that takes reading them.
          Sid: 'ReadTheTenantProviderAudiences',
          Effect: 'Allow',
          Action: 'iam:GetOpenIDConnectProvider',
          Resource: providerArn,
        },
      ],
    },
    revoke: {
      description:
        "Lets the central web identity functions write and remove the inline policy that revokes a role's older web identity sessions.",
      statements: [
        {
          // Any role an app team federated may stop being federated, so any role of the account
          // (protected ones denied below). IAM has no condition key for an inline policy's name or
          // content (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html),
          // so this role could write any inline policy: that is why it is a role of its own, assumed
          // only by revoke-older-sessions, whose code writes one Deny-only policy, EntraRevokeOlderSessions,
          // and by sweep-remove-revocations, whose code deletes only that policy once it has expired.
          Sid: 'RevokeOlderSessionsOfRoles',
          Effect: 'Allow',
          Action: ['iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:GetRolePolicy'],
          Resource: role('*'),
        },
        {
          // Before it deletes an expired policy, the sweep checks that the role is still the
          // incarnation it inspected (its RoleId): GetRolePolicy does not say which incarnation it
          // read. A read, as the reader and pin roles have it; it changes nothing.
          Sid: 'ReadRolesBeforeRemovingTheirRevocation',
          Effect: 'Allow',
          Action: 'iam:GetRole',
          Resource: role('*'),
        },
      ],
    },
  };
  const memberRole = (capability: MemberCapability): CfnResource => ({
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: memberRoleName(props.automationRoleName, capability),
      Description: allowedByCapability[capability].description,
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: [...props.centralRoleArnsByCapability[capability]] }, Action: 'sts:AssumeRole' }],
      },
      Policies: [
        {
          PolicyName: `web-identity-${capability}`,
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [...allowedByCapability[capability].statements, neverTouchProtectedRoles],
          },
        },
      ],
    },
  });
  const providerLogGroupName = `/aws/lambda/${props.providerFunctionName}`;

  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'Entra ID web identity federation: OIDC provider, IAM event forwarding and the automation roles.',
    Resources: {
      EntraOidcProvider: {
        // A custom resource, not AWS::IAM::OIDCProvider: that one fails with EntityAlreadyExists
        // in an account whose team created the provider by hand, and the account then never
        // gets the baseline. This one creates the provider or adopts the existing one, with
        // its client IDs, and never deletes it (Retain, and its Delete is a no-op): roles
        // trust it, whoever created it. See docs/architecture.md, "The tenant's OIDC provider".
        // The properties are only Url and Arn: no template update can reset the audiences,
        // which the automation owns.
        Type: 'Custom::EntraOidcProvider',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          ServiceToken: { 'Fn::GetAtt': ['EntraOidcProviderFunction', 'Arn'] },
          // A function that never answers fails the stack in 5 minutes, not CloudFormation's default hour.
          ServiceTimeout: 300,
          Url: url,
          Arn: providerArn,
        },
        Metadata: { Note: 'Client IDs are managed by the web identity automation; this resource never sets or removes them.' },
      },
      EntraOidcProviderFunctionRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: props.providerFunctionName,
          Description: "Lets the baseline's provider function create or read the tenant's OIDC provider, nothing else.",
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'lambda.amazonaws.com' },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'create-or-adopt-the-tenant-provider',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Sid: 'CreateOrReadTheTenantProvider',
                    Effect: 'Allow',
                    Action: ['iam:CreateOpenIDConnectProvider', 'iam:GetOpenIDConnectProvider'],
                    Resource: providerArn,
                  },
                  {
                    Sid: 'WriteOwnLogs',
                    Effect: 'Allow',
                    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                    Resource: {
                      'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${providerLogGroupName}:*`,
                    },
                  },
                ],
              },
            },
          ],
        },
      },
      EntraOidcProviderLogs: {
        Type: 'AWS::Logs::LogGroup',
        Properties: { LogGroupName: providerLogGroupName, RetentionInDays: props.logRetentionDays },
      },
      EntraOidcProviderFunction: {
        Type: 'AWS::Lambda::Function',
        // The function may only write to this group, so it must exist first.
        DependsOn: ['EntraOidcProviderLogs'],
        Properties: {
          FunctionName: props.providerFunctionName,
          Description: "Creates the tenant's OIDC provider or adopts the existing one; never deletes it.",
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          // Up to three waits for a new role's policy (35 s), then the answer to CloudFormation.
          Timeout: 120,
          MemorySize: 128,
          Role: { 'Fn::GetAtt': ['EntraOidcProviderFunctionRole', 'Arn'] },
          Code: { ZipFile: providerFunctionCode() },
        },
      },
      IamEventsForwarderRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: props.forwarderRoleName,
          Description: 'Lets EventBridge forward IAM role events to the central web identity bus.',
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sts:AssumeRole',
                // Only for the baseline's own rule: aws:SourceArn is "the ARN of the rule that
                // sends the event", aws:SourceAccount its account
                // (https://docs.aws.amazon.com/eventbridge/latest/userguide/policy-keys-eventbridge.html).
                // A literal ARN: the rule's GetAtt would make a cycle (the rule names this role).
                Condition: {
                  StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
                  ArnEquals: { 'aws:SourceArn': forwardingRuleArn },
                },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'put-events-on-central-bus',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: props.centralBusArn }],
              },
            },
          ],
        },
      },
      IamEventsForwardingRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Name: props.forwardingRuleName,
          Description: 'Forwards the IAM role calls the web identity automation reacts to to the central bus.',
          EventBusName: 'default',
          EventPattern: iamEventPattern(),
          State: 'ENABLED',
          // An event bus target takes no RetryPolicy (EventBridge rejects it; see the CDK
          // EventBusProps docs): EventBridge's default applies, 24 hours and 185 attempts.
          Targets: [
            { Id: 'central-web-identity-bus', Arn: props.centralBusArn, RoleArn: { 'Fn::GetAtt': ['IamEventsForwarderRole', 'Arn'] } },
          ],
        },
      },
      ...Object.fromEntries(MEMBER_CAPABILITIES.map((capability) => [MEMBER_ROLE_LOGICAL_IDS[capability], memberRole(capability)])),
    },
    Outputs: {
      OidcProviderArn: { Description: 'The Entra ID OIDC provider app teams trust.', Value: { Ref: 'EntraOidcProvider' } },
      ...Object.fromEntries(
        MEMBER_CAPABILITIES.map((capability) => [
          `${MEMBER_ROLE_LOGICAL_IDS[capability]}Arn`,
          {
            Description: `The ${capability} role the central functions assume.`,
            Value: { 'Fn::GetAtt': [MEMBER_ROLE_LOGICAL_IDS[capability], 'Arn'] },
          },
        ]),
      ),
    },
  };
}
