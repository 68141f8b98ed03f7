import type { IConstruct } from 'constructs';

/**
 * Where the central half is deployed and what its names start with: the three facts every
 * construct of the stack needs. The stack sets them once, on itself, before it adds a child
 * (`provideDeploymentContext`); a construct reads them from its scope (`deploymentContext`),
 * as the AWS CDK's constructs read `Stack.of(this).account`, instead of each props copying them.
 */
export interface DeploymentContext {
  /** The configuration's `namePrefix`: it starts every name the plan gives. */
  readonly namePrefix: string;
  /** The central account, where the pipeline, the workflows and the sweep live. */
  readonly accountId: string;
  /** The central region. */
  readonly region: string;
}

// A construct-tree context key: constructs' `node.setContext` must run before the node has children.
const CONTEXT_KEY = 'entra-aws-web-identity:deployment';

/** Sets the context on `scope` (the stack). Call it before `scope` has children. */
export function provideDeploymentContext(scope: IConstruct, context: DeploymentContext): void {
  scope.node.setContext(CONTEXT_KEY, { ...context });
}

/** The context of the stack `scope` is in; a construct made outside such a stack is a programming error. */
export function deploymentContext(scope: IConstruct): DeploymentContext {
  const context = scope.node.tryGetContext(CONTEXT_KEY) as DeploymentContext | undefined;
  if (context === undefined) {
    throw new Error(
      `${scope.node.path}: no deployment context. Create it inside a WebIdentityFederationStack, or call provideDeploymentContext on its stack (or test scope) first.`,
    );
  }
  return context;
}

/** `arn:aws:{service}:{region}:{account}:{resource}` in the central account and region. */
export function centralArn(context: DeploymentContext, service: string, resource: string): string {
  return `arn:aws:${service}:${context.region}:${context.accountId}:${resource}`;
}
