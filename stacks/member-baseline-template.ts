import { IAM_EVENT_NAMES } from '../functions/shared/contracts';

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
  /** The role the central functions assume in each member account. */
  readonly automationRoleName: string;
  /** The role EventBridge uses to put events on the central bus. */
  readonly forwarderRoleName: string;
  /** Name of the forwarding rule on the member account's default bus. */
  readonly forwardingRuleName: string;
  /** Execution roles of the central functions that act in member accounts. */
  readonly centralFunctionRoleArns: readonly string[];
}


/** CloudTrail IAM management events as EventBridge receives them (only in us-east-1: IAM is global). */
export function iamEventPattern() {
  return {
    source: ['aws.iam'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: { eventSource: ['iam.amazonaws.com'], eventName: [...IAM_EVENT_NAMES] },
  };
}

/** Write actions on roles that nothing in the automation may take on the baseline's own roles. */
const ROLE_WRITE_ACTIONS = [
  'iam:AttachRolePolicy',
  'iam:DeleteRole',
  'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
];

const role = (name: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${name}` });

export function memberBaselineTemplate(props: MemberBaselineTemplateProps): CfnTemplate {
  const providerArn = { Ref: 'EntraOidcProvider' };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'Entra ID web identity federation: OIDC provider, IAM event forwarding and the automation role.',
    Resources: {
      EntraOidcProvider: {
        Type: 'AWS::IAM::OIDCProvider',
        // No ClientIdList, ThumbprintList or Tags, on purpose: the automation owns the
        // audiences. CloudFormation only calls the provider's update handler when one of
        // the template's properties changes, and the only property here is Url, which
        // is fixed per tenant and token version (changing it replaces the provider, as a
        // new issuer must). So no template update can reset the client ID list.
        // Thumbprints: IAM verifies Entra's issuers against its trusted root CAs.
        Properties: { Url: `https://${props.providerHost}` },
        Metadata: { Note: 'Client IDs are managed by the web identity automation; keep this resource free of ClientIdList.' },
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
                Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
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
          Targets: [{ Id: 'central-web-identity-bus', Arn: props.centralBusArn, RoleArn: { 'Fn::GetAtt': ['IamEventsForwarderRole', 'Arn'] } }],
        },
      },
      WebIdentityAutomationRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: props.automationRoleName,
          Description: 'Assumed by the central web identity functions to federate roles that trust the Entra provider.',
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { AWS: [...props.centralFunctionRoleArns] }, Action: 'sts:AssumeRole' },
            ],
          },
          Policies: [
            {
              PolicyName: 'federate-web-identity-roles',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    // App teams name their roles freely (any name, any path), so the
                    // automation must be able to read and pin any role in the account.
                    // GetRole returns the tags too: no ListRoleTags.
                    Sid: 'ReadAndPinRoles',
                    Effect: 'Allow',
                    Action: ['iam:GetRole', 'iam:UpdateAssumeRolePolicy'],
                    Resource: role('*'),
                  },
                  {
                    Sid: 'WriteOnlyEntraTags',
                    Effect: 'Allow',
                    Action: ['iam:TagRole', 'iam:UntagRole'],
                    Resource: role('*'),
                    Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['entra:*'] } },
                  },
                  {
                    Sid: 'ManageAudiencesOfTheTenantProvider',
                    Effect: 'Allow',
                    // Add and RemoveClientID are idempotent: no read (GetOpenIDConnectProvider) needed.
                    Action: ['iam:AddClientIDToOpenIDConnectProvider', 'iam:RemoveClientIDFromOpenIDConnectProvider'],
                    Resource: providerArn,
                  },
                  {
                    Sid: 'NeverTouchPlatformRoles',
                    Effect: 'Deny',
                    Action: ROLE_WRITE_ACTIONS,
                    Resource: [
                      role(props.automationRoleName),
                      role(props.forwarderRoleName),
                      role('stacksets-exec-*'),
                      role('AWSCloudFormationStackSetExecutionRole'),
                      role('OrganizationAccountAccessRole'),
                    ],
                  },
                ],
              },
            },
          ],
        },
      },
    },
    Outputs: {
      OidcProviderArn: { Description: 'The Entra ID OIDC provider app teams trust.', Value: providerArn },
      AutomationRoleArn: {
        Description: 'The role the central functions assume.',
        Value: { 'Fn::GetAtt': ['WebIdentityAutomationRole', 'Arn'] },
      },
    },
  };
}
