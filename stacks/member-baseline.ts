import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { CloudformationStackSet } from '@cdktf/provider-aws/lib/cloudformation-stack-set';
import { CloudformationStackSetInstance } from '@cdktf/provider-aws/lib/cloudformation-stack-set-instance';
import { memberBaselineTemplate, type CfnTemplate } from './member-baseline-template';

/** IAM publishes its CloudTrail events to EventBridge only here; a rule in any other region never fires. */
export const IAM_EVENTS_REGION = 'us-east-1';

export interface MemberBaselineProps {
  /** StackSet name, also the prefix of the roles and the rule it creates. */
  readonly name: string;
  readonly providerHost: string;
  readonly centralBusArn: string;
  readonly automationRoleName: string;
  readonly centralFunctionRoleArns: readonly string[];
  /** OUs (or the root) whose accounts, present and future, get the baseline. */
  readonly organizationalUnitIds: readonly string[];
  /** `SELF` from the management account, `DELEGATED_ADMIN` from a delegated administrator. */
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
  /** What must exist before the template is deployed (the roles its trust policy names, the bus). */
  readonly dependsOn: readonly ITerraformDependable[];
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

  constructor(scope: Construct, id: string, props: MemberBaselineProps) {
    super(scope, id);
    if (props.organizationalUnitIds.length === 0) {
      throw new Error('MemberBaseline: name at least one organizational unit (or the root) to deploy to.');
    }
    if (props.centralFunctionRoleArns.length === 0) {
      throw new Error('MemberBaseline: name the central function roles that may assume the automation role.');
    }

    this.template = memberBaselineTemplate({
      providerHost: props.providerHost,
      centralBusArn: props.centralBusArn,
      automationRoleName: props.automationRoleName,
      forwarderRoleName: `${props.name}-iam-events-forwarder`,
      forwardingRuleName: `${props.name}-forward-iam-events`,
      centralFunctionRoleArns: props.centralFunctionRoleArns,
    });

    this.stackSet = new CloudformationStackSet(this, 'stack-set', {
      name: props.name,
      description: 'Entra ID web identity federation baseline for member accounts (us-east-1).',
      permissionModel: 'SERVICE_MANAGED',
      callAs: props.callAs,
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { active: true },
      operationPreferences: { failureTolerancePercentage: 10, maxConcurrentPercentage: 25, regionConcurrencyType: 'PARALLEL' },
      templateBody: JSON.stringify(this.template),
      dependsOn: [...props.dependsOn],
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
}
