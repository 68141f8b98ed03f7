import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { memoizeDeps, parseInput, type LoadDeps, createLogger, type LambdaContext, loadRouterSettings } from '../shared/runtime';
import { FUNCTION_NAME, routeEvents, sqsEventSchema, type BatchResponse, type Deps, type ExecutionStarter } from './core';

/**
 * StartExecution over the SDK. A name already used (same input, running: the SDK returns
 * the execution; closed or other input: `ExecutionAlreadyExists`) means the event was
 * delivered before (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
 */
export function sfnExecutionStarter(client: Pick<SFNClient, 'send'>): ExecutionStarter {
  return {
    async start({ stateMachineArn, name, input }) {
      try {
        await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
        return 'started';
      } catch (error) {
        if ((error as { name?: string }).name === 'ExecutionAlreadyExists') return 'already-exists';
        throw error;
      }
    },
  };
}

export type RouterHandler = (event: unknown, context?: LambdaContext) => Promise<BatchResponse>;

export function makeRouterHandler(loadDeps: LoadDeps<Deps>): RouterHandler {
  const deps = memoizeDeps(loadDeps);
  return async (event, context) => {
    const resolved = await deps();
    // The request id and cold start on every line of this invocation.
    if (context) resolved.logger.addLambdaContext(context);
    const logger = resolved.logger.child({ function: FUNCTION_NAME });
    return routeEvents({ ...resolved, logger }, parseInput(sqsEventSchema, event, 'router input (an SQS batch)'));
  };
}

export const handler = makeRouterHandler(() => {
  const settings = loadRouterSettings(process.env);
  return { settings, logger: createLogger(), starter: sfnExecutionStarter(new SFNClient({ region: settings.region })) };
});
