import { Construct } from 'constructs';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { TASK_FUNCTION_NAMES, ROLE_LOCK_ATTRIBUTES, roleLockTableName, stateMachineNames } from '../functions/shared/workflow';
import { centralArn, deploymentContext } from './context';
import { assumableByService } from './policies';
import { terraformLiteralJson } from './terraform-strings';
import type { TaskFunction } from './task-function';
import {
  createWorkflowDefinition,
  deleteWorkflowDefinition,
  invokedTasks,
  restoreWorkflowDefinition,
  revokeWorkflowDefinition,
  type TaskFunctionArns,
} from './workflow-definitions';

export interface IdentityWorkflowsProps {
  /** The task functions; each machine invokes those its definition names. */
  readonly tasks: Readonly<Record<(typeof TASK_FUNCTION_NAMES)[number], TaskFunction>>;
}

/**
 * `{Prefix}-Role-Create` and `{Prefix}-Role-Delete` (functions/shared/workflow/state-machines.ts), the
 * table of their per-role locks, and the role that lets them invoke their tasks and hold the
 * locks. The construct ids stay `create` and `delete` whatever the names: they are the
 * Terraform addresses.
 */
export class IdentityWorkflows extends Construct {
  public readonly create: SfnStateMachine;
  public readonly delete: SfnStateMachine;
  /** `{Prefix}-Role-Revoke` and `{Prefix}-Role-Restore`: started by operators only (docs/operator.md#revoking-a-role-in-an-incident). */
  public readonly revoke: SfnStateMachine;
  public readonly restore: SfnStateMachine;
  public readonly role: IamRole;
  /** One item per role an execution is working on (functions/shared/workflow/role-lock.ts). */
  public readonly roleLocks: DynamodbTable;
  /** Literal ARNs, known before apply (the router's policy and environment use them). */
  public readonly createArn: string;
  public readonly deleteArn: string;
  public readonly revokeArn: string;
  public readonly restoreArn: string;

  constructor(scope: Construct, id: string, props: IdentityWorkflowsProps) {
    super(scope, id);
    const context = deploymentContext(this);
    const names = stateMachineNames(context.namePrefix);
    const arns = Object.fromEntries(TASK_FUNCTION_NAMES.map((name) => [name, props.tasks[name].function.arn])) as Record<
      string,
      string
    > as TaskFunctionArns;

    // On-demand capacity: a burst of role events costs a few writes each, and an idle
    // organization costs nothing. TTL only tidies stale items away (within days); the
    // condition on every write is what enforces a lease.
    this.roleLocks = new DynamodbTable(this, 'role-locks', {
      name: roleLockTableName(context.namePrefix),
      billingMode: 'PAY_PER_REQUEST',
      hashKey: ROLE_LOCK_ATTRIBUTES.key,
      attribute: [{ name: ROLE_LOCK_ATTRIBUTES.key, type: 'S' }],
      ttl: { attributeName: ROLE_LOCK_ATTRIBUTES.expiresAt, enabled: true },
    });
    const lock = { tableName: this.roleLocks.name };

    const assumeByStates = assumableByService(this, 'states.amazonaws.com', context.accountId);
    this.role = new IamRole(this, 'role', {
      name: `${context.namePrefix}-workflows`,
      description: 'Lets the web identity state machines invoke their task functions and hold their role locks.',
      assumeRolePolicy: assumeByStates.json,
    });
    const definitions = {
      create: createWorkflowDefinition(arns, lock),
      delete: deleteWorkflowDefinition(arns, lock),
      revoke: revokeWorkflowDefinition(arns),
      restore: restoreWorkflowDefinition(arns),
    };
    // Only the functions these machines invoke (the sweep's have their own machine and role).
    const invoked = invokedTasks(definitions, arns);
    const invokeTasks = new DataAwsIamPolicyDocument(this, 'permissions', {
      statement: [
        {
          sid: 'InvokeTaskFunctions',
          effect: 'Allow',
          actions: ['lambda:InvokeFunction'],
          resources: invoked.flatMap((name) => [arns[name], `${arns[name]}:*`]),
        },
        {
          // Step Functions' DynamoDB integration calls the API with this role: taking
          // (PutItem) and releasing (DeleteItem) a lock, on this one table.
          sid: 'HoldRoleLocks',
          effect: 'Allow',
          actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
          resources: [this.roleLocks.arn],
        },
      ],
    });
    new IamRolePolicy(this, 'permissions-policy', { name: 'permissions', role: this.role.id, policy: invokeTasks.json });

    this.create = new SfnStateMachine(this, 'create', {
      name: names.create,
      type: 'STANDARD',
      roleArn: this.role.arn,
      definition: terraformLiteralJson(definitions.create, 2),
    });
    this.delete = new SfnStateMachine(this, 'delete', {
      name: names.delete,
      type: 'STANDARD',
      roleArn: this.role.arn,
      definition: terraformLiteralJson(definitions.delete, 2),
    });
    this.revoke = new SfnStateMachine(this, 'revoke', {
      name: names.revoke,
      type: 'STANDARD',
      roleArn: this.role.arn,
      definition: terraformLiteralJson(definitions.revoke, 2),
    });
    this.restore = new SfnStateMachine(this, 'restore', {
      name: names.restore,
      type: 'STANDARD',
      roleArn: this.role.arn,
      definition: terraformLiteralJson(definitions.restore, 2),
    });
    this.createArn = centralArn(context, 'states', `stateMachine:${names.create}`);
    this.deleteArn = centralArn(context, 'states', `stateMachine:${names.delete}`);
    this.revokeArn = centralArn(context, 'states', `stateMachine:${names.revoke}`);
    this.restoreArn = centralArn(context, 'states', `stateMachine:${names.restore}`);
  }

  /** Lets `fn` start both machines (the router: one execution per role event). */
  grantStartExecution(fn: TaskFunction): void {
    fn.addToRolePolicy({
      sid: 'StartWorkflows',
      effect: 'Allow',
      actions: ['states:StartExecution'],
      resources: [this.createArn, this.deleteArn],
    });
  }
}
