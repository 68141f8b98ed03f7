import { Construct } from 'constructs';
import { CloudformationStackSet } from '@cdktf/provider-aws/lib/cloudformation-stack-set';
import { CloudformationStackSetInstance } from '@cdktf/provider-aws/lib/cloudformation-stack-set-instance';
import { MEMBER_CAPABILITIES, type MemberCapability, memberRoleName } from '../functions/shared/workflow';
import type { CentralPipeline } from './central-pipeline';
import { centralArn, deploymentContext } from './context';
import type { TaskFunction } from './task-function';
import { memberBaselineResourceNames, memberBaselineTemplate, type CfnTemplate } from './member-baseline-template';
import { terraformLiteralJson } from './terraform-strings';

/** IAM publishes its CloudTrail events to EventBridge only here; a rule in any other region never fires. */
export const IAM_EVENTS_REGION = 'us-east-1';

export interface MemberBaselineProps {
  /** StackSet name, also the prefix of the roles, the rule and the function it creates. */
  readonly name: string;
  readonly providerHost: string;
  /** The central event path: the member accounts forward their IAM events to its bus. */
  readonly pipeline: CentralPipeline;
  /** Base name of the member roles (`{name}-reader`, `-audience`, `-pin`). */
  readonly automationRoleName: string;
  /** The organization whose accounts hold the member roles (`aws:ResourceOrgID` of the grants). */
  readonly organizationId: string;
  /** Per member role, the central functions that may assume it (their roles are in its trust policy). */
  readonly trustedFunctions: Readonly<Record<MemberCapability, readonly TaskFunction[]>>;
  /** Role patterns the member roles never write, besides the baseline's own roles. */
  readonly protectedRoles: readonly string[];
  /** Retention of the provider function's log group in each member account. */
  readonly logRetentionDays: number;
  /** OUs (or the root) whose accounts, present and future, get the baseline. */
  readonly organizationalUnitIds: readonly string[];
  /** `SELF` from the management account, `DELEGATED_ADMIN` from a delegated administrator. */
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
}

/**
 * The member-account half: a service-managed StackSet that auto-deploys the baseline
 * template to every account of the target OUs, in us-east-1 only. One StackSet keeps
 * the plan the same size whatever the size of the organization, and covers accounts
 * created later (docs/architecture.md#design-decisions).
 */
export class MemberBaseline extends Construct {
  public readonly template: CfnTemplate;
  public readonly stackSet: CloudformationStackSet;
  public readonly instances: CloudformationStackSetInstance;
  private readonly name: string;
  private readonly automationRoleName: string;
  private readonly organizationId: string;

  constructor(scope: Construct, id: string, props: MemberBaselineProps) {
    super(scope, id);
    if (props.organizationalUnitIds.length === 0) {
      throw new Error('MemberBaseline: name at least one organizational unit (or the root) to deploy to.');
    }
    const unassumable = MEMBER_CAPABILITIES.filter((capability) => (props.trustedFunctions[capability] ?? []).length === 0);
    if (unassumable.length > 0) {
      throw new Error(`MemberBaseline: name the central function roles that may assume the ${unassumable.join(', ')} member role(s).`);
    }

    this.name = props.name;
    this.automationRoleName = props.automationRoleName;
    this.organizationId = props.organizationId;
    this.template = memberBaselineTemplate({
      providerHost: props.providerHost,
      centralBusArn: props.pipeline.busArn,
      automationRoleName: props.automationRoleName,
      ...memberBaselineResourceNames(props.name),
      logRetentionDays: props.logRetentionDays,
      centralRoleArnsByCapability: Object.fromEntries(
        MEMBER_CAPABILITIES.map((capability) => [capability, props.trustedFunctions[capability].map((fn) => fn.roleArn)]),
      ) as Record<MemberCapability, string[]>,
      protectedRoles: props.protectedRoles,
    });

    this.stackSet = new CloudformationStackSet(this, 'stack-set', {
      name: props.name,
      description: 'Entra ID web identity federation baseline for member accounts (us-east-1).',
      permissionModel: 'SERVICE_MANAGED',
      callAs: props.callAs,
      // An account that leaves the target OUs loses the baseline (its stack is deleted: no
      // automation roles, no forwarding) but keeps the tenant's OIDC provider and its
      // audiences: the provider resource is DeletionPolicy Retain and its Delete is a no-op.
      // Retaining whole stacks would leave roles the central functions can still assume in an
      // account the platform no longer manages.
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { active: true },
      operationPreferences: { failureTolerancePercentage: 10, maxConcurrentPercentage: 25, regionConcurrencyType: 'PARALLEL' },
      // Its Fn::Sub strings hold `${AWS::AccountId}`, which Terraform would read as an interpolation.
      templateBody: terraformLiteralJson(this.template),
      // IAM rejects a trust policy naming roles that do not exist yet; the rule targets the bus.
      dependsOn: [
        ...MEMBER_CAPABILITIES.flatMap((capability) => props.trustedFunctions[capability].map((fn) => fn.role)),
        props.pipeline.bus,
      ],
      // SERVICE_MANAGED StackSets report an administration role Terraform never set: without
      // this the plan shows a change forever (aws_cloudformation_stack_set docs).
      lifecycle: { ignoreChanges: ['administration_role_arn'] },
    });

    this.instances = new CloudformationStackSetInstance(this, 'us-east-1-instances', {
      stackSetName: this.stackSet.name,
      callAs: props.callAs,
      deploymentTargets: { organizationalUnitIds: [...props.organizationalUnitIds] },
      stackSetInstanceRegion: IAM_EVENTS_REGION,
      operationPreferences: { failureTolerancePercentage: 10, maxConcurrentPercentage: 25 },
    });
  }

  /**
   * Lets `fn` assume the member role of `capability` in any account of the organization. Member
   * accounts join over time, so the account is a wildcard; `aws:ResourceOrgID` keeps it inside
   * this organization.
   */
  grantAssumeMemberRole(fn: TaskFunction, capability: MemberCapability): void {
    fn.addToRolePolicy({
      sid: 'AssumeAutomationRoleInMemberAccounts',
      effect: 'Allow',
      actions: ['sts:AssumeRole'],
      resources: [`arn:aws:iam::*:role/${memberRoleName(this.automationRoleName, capability)}`],
      condition: [{ test: 'StringEquals', variable: 'aws:ResourceOrgID', values: [this.organizationId] }],
    });
  }

  /** Lets `fn` list the StackSet's instances: the accounts the sweep visits. */
  grantListStackInstances(fn: TaskFunction): void {
    fn.addToRolePolicy({
      sid: 'ListBaselineStackInstances',
      effect: 'Allow',
      actions: ['cloudformation:ListStackInstances'],
      resources: [centralArn(deploymentContext(this), 'cloudformation', `stackset/${this.name}:*`)],
    });
  }
}
