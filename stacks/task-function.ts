import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import type { DeployedEnvironment } from '../functions/shared/runtime';
import { bundleFunction } from './bundling';
import { assumableByService } from './policies';

export interface TaskFunctionProps {
  /** Folder under `functions/` whose `handler.ts` exports `handler`. */
  readonly entry: string;
  /** Lambda function name; also names its role and log group. */
  readonly functionName: string;
  readonly description: string;
  /** What the function may do besides writing its own logs. */
  readonly statements: readonly DataAwsIamPolicyDocumentStatement[];
  /** Named in functions/shared/runtime/environment.ts, which the functions' settings read them from. */
  readonly environment: DeployedEnvironment;
  readonly accountId: string;
  readonly region: string;
  /** @default 60 */
  readonly timeoutSeconds?: number;
  /** @default 256 */
  readonly memorySize?: number;
  readonly logRetentionDays: number;
}

/**
 * One Lambda function as the platform wants every function: bundled with esbuild,
 * nodejs22.x on arm64, its own role with exactly the statements it needs, and a log
 * group with retention that the function may only write to.
 */
export class TaskFunction extends Construct {
  public readonly function: LambdaFunction;
  public readonly role: IamRole;
  public readonly logGroup: CloudwatchLogGroup;
  public readonly permissions: IamRolePolicy;

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

    const assumeByLambda = assumableByService(this, 'lambda.amazonaws.com', props.accountId);
    this.role = new IamRole(this, 'role', {
      name: props.functionName,
      description: `Execution role of the ${props.functionName} function.`,
      assumeRolePolicy: assumeByLambda.json,
    });

    const permissions = new DataAwsIamPolicyDocument(this, 'permissions', {
      statement: [
        {
          sid: 'WriteOwnLogs',
          effect: 'Allow',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`${this.logGroup.arn}:*`],
        },
        ...props.statements,
      ],
    });
    this.permissions = new IamRolePolicy(this, 'permissions-policy', {
      name: 'permissions',
      role: this.role.id,
      policy: permissions.json,
    });

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
      environment: { variables: { ...props.environment } },
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name },
      dependsOn: [this.logGroup],
    });
  }
}
