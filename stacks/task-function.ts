import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import type { DeployedEnvironment } from '../functions/shared/runtime';
import { bundleFunction } from './bundling';
import { type DeploymentContext, deploymentContext } from './context';
import { assumableByService } from './policies';

/** A function's execution role is named after the function: its ARN is known before either exists. */
export function functionRoleArn(context: DeploymentContext, functionName: string): string {
  return `arn:aws:iam::${context.accountId}:role/${functionName}`;
}

export interface TaskFunctionProps {
  /** Folder under `functions/` whose `handler.ts` exports `handler`. */
  readonly entry: string;
  /** Lambda function name; also names its role and log group. */
  readonly functionName: string;
  readonly description: string;
  /**
   * What the function may do besides writing its own logs; the constructs that own a resource
   * add theirs with their `grant*` methods (`addToRolePolicy`).
   * @default only its own logs
   */
  readonly statements?: readonly DataAwsIamPolicyDocumentStatement[];
  /**
   * Named in functions/shared/runtime/environment.ts, which the functions' settings read them from;
   * more with `addEnvironment`.
   * @default none
   */
  readonly environment?: DeployedEnvironment;
  /** @default 60 */
  readonly timeoutSeconds?: number;
  /** @default 256 */
  readonly memorySize?: number;
  readonly logRetentionDays: number;
}

/**
 * One Lambda function as the platform wants every function: bundled with esbuild,
 * nodejs22.x on arm64, its own role with exactly the statements it needs, and a log
 * group with retention that the function may only write to. The function's account comes
 * from the stack's deployment context (stacks/context.ts).
 */
export class TaskFunction extends Construct {
  public readonly function: LambdaFunction;
  public readonly role: IamRole;
  public readonly logGroup: CloudwatchLogGroup;
  public readonly permissions: IamRolePolicy;
  /** The role's ARN as a literal, known before apply (trust policies elsewhere name it). */
  public readonly roleArn: string;
  private readonly policyDocument: DataAwsIamPolicyDocument;
  private readonly statements: DataAwsIamPolicyDocumentStatement[];
  private readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: TaskFunctionProps) {
    super(scope, id);
    if (!/^[a-zA-Z0-9-_]{1,64}$/.test(props.functionName)) {
      throw new Error(`TaskFunction ${id}: "${props.functionName}" is not a valid Lambda function name (1–64 of [a-zA-Z0-9-_]).`);
    }

    const bundle = bundleFunction(props.entry);
    const code = new TerraformAsset(this, 'code', { path: bundle.zipPath, type: AssetType.FILE });

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays,
    });

    const context = deploymentContext(this);
    this.roleArn = functionRoleArn(context, props.functionName);
    const assumeByLambda = assumableByService(this, 'lambda.amazonaws.com', context.accountId);
    this.role = new IamRole(this, 'role', {
      name: props.functionName,
      description: `Execution role of the ${props.functionName} function.`,
      assumeRolePolicy: assumeByLambda.json,
    });

    this.statements = [
      {
        sid: 'WriteOwnLogs',
        effect: 'Allow',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${this.logGroup.arn}:*`],
      },
      ...(props.statements ?? []),
    ];
    this.policyDocument = new DataAwsIamPolicyDocument(this, 'permissions', { statement: this.statements });
    this.permissions = new IamRolePolicy(this, 'permissions-policy', {
      name: 'permissions',
      role: this.role.id,
      policy: this.policyDocument.json,
    });
    this.environment = { ...props.environment } as Record<string, string>;

    this.function = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      description: props.description,
      role: this.role.arn,
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      filename: code.path,
      sourceCodeHash: bundle.sha256,
      timeout: props.timeoutSeconds ?? 60,
      memorySize: props.memorySize ?? 256,
      environment: { variables: { ...this.environment } },
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name },
      dependsOn: [this.logGroup],
    });
  }

  /** Lets the function do more (what `grant*` methods of the constructs that own a resource call). */
  addToRolePolicy(...statements: readonly DataAwsIamPolicyDocumentStatement[]): void {
    this.statements.push(...statements);
    this.policyDocument.putStatement(this.statements);
  }

  /** Adds variables to the function's environment; a name set twice must keep its value. */
  addEnvironment(variables: DeployedEnvironment): void {
    for (const [name, value] of Object.entries(variables)) {
      const existing = this.environment[name];
      if (existing !== undefined && existing !== value) {
        throw new Error(`TaskFunction ${this.node.id}: environment variable ${name} is already set to a different value.`);
      }
    }
    Object.assign(this.environment, variables);
    this.function.putEnvironment({ variables: { ...this.environment } });
  }
}
