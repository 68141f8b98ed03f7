import { z } from 'zod';
import { accountIdSchema, guidSchema, IAM_EVENT_NAMES, roleNameSchema, TASK_FUNCTION_NAMES } from '../functions/shared/contracts';
import { describeIssues } from '../functions/shared/handler-kit';
import type { Logger } from '../functions/shared/logger';
import { parsePolicyDocument } from '../functions/shared/policy-document';
import type { FederationConfig } from '../stacks/config';
import { createWorkflowDefinition, deleteWorkflowDefinition, type TaskFunctionArns } from '../stacks/workflow-definitions';
import type { PipelineSettings } from './local-pipeline';
import { startLocalWorld, type LocalWorld } from './local-world';

/**
 * `npm run simulate` (docs/simulate.md): a world and a list of EventBridge events in, the final
 * IAM and Entra state, the executions and the remote-call counts out. The file formats
 * are public: keep them stable and documented in docs/simulate.md.
 */

/** A problem with an input file: the CLI prints it and exits non-zero. */
export class SimulationInputError extends Error {
  override readonly name = 'SimulationInputError';
}

const policyInput = z.union([z.record(z.string(), z.unknown()), z.string()]).superRefine((value, ctx) => {
  try {
    parsePolicyDocument(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

export const worldSchema = z
  .object({
    accounts: z.record(
      accountIdSchema,
      z
        .object({
          roles: z
            .array(
              z
                .object({
                  roleName: roleNameSchema,
                  path: z.string().regex(/^\/([\w+=,.@-]+\/)*$/, 'an IAM path such as / or /ci/').optional(),
                  assumeRolePolicyDocument: policyInput,
                  tags: z.record(z.string(), z.string()).optional(),
                })
                .strict(),
            )
            .default([]),
          oidcProviders: z
            .array(
              z
                .object({ url: z.url({ protocol: /^https$/ }), clientIds: z.array(z.string().min(1)).default([]) })
                .strict(),
            )
            .default([]),
        })
        .strict(),
    ),
    entra: z
      .object({
        applications: z
          .array(
            z
              .object({
                appId: guidSchema,
                uniqueName: z.string().min(1).optional(),
                displayName: z.string().min(1),
                servicePrincipalId: z.optional(guidSchema),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .default({ applications: [] }),
  })
  .strict();
export type World = z.infer<typeof worldSchema>;

/** EventBridge events as the central bus receives them; only what the simulator needs is checked here. */
export const eventsSchema = z.array(
  z.looseObject({
    'detail-type': z.string(),
    source: z.string(),
    account: accountIdSchema,
    detail: z.looseObject({
      eventID: z.string().min(1),
      eventName: z.enum(IAM_EVENT_NAMES, {
        error: `expected ${IAM_EVENT_NAMES.join(', ')} (the IAM calls the pipeline handles)`,
      }),
      errorCode: z.string().optional(),
      recipientAccountId: z.optional(accountIdSchema),
      requestParameters: z.record(z.string(), z.unknown()).nullable().optional(),
    }),
  }),
);
export type SimulationEvent = z.infer<typeof eventsSchema>[number];

export function parseWorld(raw: unknown, source = 'world'): World {
  const result = worldSchema.safeParse(raw);
  if (!result.success) throw new SimulationInputError(`${source}: ${describeIssues(result.error)}`);
  return result.data;
}

export function parseEvents(raw: unknown, source = 'events'): SimulationEvent[] {
  const result = eventsSchema.safeParse(raw);
  if (!result.success) {
    throw new SimulationInputError(`${source}: ${describeIssues(result.error).replace(/(^|; )(\d+)\./g, '$1[$2].')}`);
  }
  return result.data;
}

export function pipelineSettings(config: FederationConfig): PipelineSettings {
  return {
    tenantId: config.entra.tenantId.toLowerCase(),
    tokenVersion: config.entra.tokenVersion,
    automationRoleName: config.aws.automationRoleName,
    appNamePrefix: config.namePrefix,
    trustPolicyMaxChars: config.trustPolicyMaxChars,
  };
}

/** The stack renders these same definitions with the functions' ARNs. */
export function localDefinitions(): { create: object; delete: object } {
  const arns = Object.fromEntries(
    TASK_FUNCTION_NAMES.map((name) => [name, `arn:aws:lambda:us-east-1:000000000000:function:${name}`]),
  ) as TaskFunctionArns;
  return { create: createWorkflowDefinition(arns), delete: deleteWorkflowDefinition(arns) };
}

export interface SimulationOutput {
  iam: Record<string, unknown>;
  entra: {
    applications: { id: string; appId: string; uniqueName: string | null; displayName: string; owners: string[] }[];
    servicePrincipals: { id: string; appId: string }[];
  };
  executions: { stateMachine: string; name: string; status: string; states: string[] }[];
  calls: Record<string, number>;
}

/** Seeds a running local world with the world file's content (not counted as calls). */
export function seedWorld(world: LocalWorld, content: World): void {
  for (const [accountId, account] of Object.entries(content.accounts)) {
    world.iam.addAccount(accountId);
    for (const role of account.roles) {
      world.iam.createRole(accountId, {
        roleName: role.roleName,
        ...(role.path ? { path: role.path } : {}),
        assumeRolePolicyDocument: role.assumeRolePolicyDocument,
        ...(role.tags ? { tags: role.tags } : {}),
      });
    }
    for (const provider of account.oidcProviders) {
      world.iam.createOidcProvider(accountId, { url: provider.url, clientIds: provider.clientIds });
    }
  }
  for (const app of content.entra.applications) {
    world.graph.state.seedApplication({
      appId: app.appId,
      displayName: app.displayName,
      ...(app.uniqueName ? { uniqueName: app.uniqueName } : {}),
      ...(app.servicePrincipalId ? { servicePrincipalId: app.servicePrincipalId } : {}),
    });
  }
}

/**
 * Applies each event's IAM call (unless it failed or was seen before: a redelivery), then
 * delivers it to the router and runs every execution it started to completion.
 */
export async function playEvents(world: LocalWorld, events: readonly SimulationEvent[], logger: Logger): Promise<void> {
  const seen = new Set<string>();
  for (const [index, event] of events.entries()) {
    const { detail } = event;
    const accountId = detail.recipientAccountId ?? event.account;
    if (seen.has(detail.eventID)) {
      logger.info('redelivery: the call is not applied again', { index, eventId: detail.eventID });
    } else if (detail.errorCode) {
      logger.info('the recorded call failed: nothing changed in IAM', { index, eventId: detail.eventID });
    } else {
      try {
        world.iam.applyCloudTrailCall(accountId, detail.eventName, detail.requestParameters);
      } catch (error) {
        throw new SimulationInputError(`events: [${index}] (eventID ${detail.eventID}): ${(error as Error).message}`);
      }
    }
    seen.add(detail.eventID);
    const response = await world.pipeline.deliver([event]);
    if (response.batchItemFailures.length > 0) {
      logger.warn('the router failed the message (it would go to the DLQ)', { index, eventId: detail.eventID });
    }
    await world.pipeline.drain();
  }
}

export function simulationOutput(world: LocalWorld): SimulationOutput {
  return {
    iam: world.iam.snapshot(),
    entra: {
      applications: world.graph.state.listApplications().map((app) => ({
        id: app.id,
        appId: app.appId,
        uniqueName: app.uniqueName,
        displayName: app.displayName,
        owners: [...app.owners],
      })),
      servicePrincipals: world.graph.state.listServicePrincipals().map((sp) => ({ id: sp.id, appId: sp.appId })),
    },
    executions: world.pipeline.executions.map((execution) => ({
      stateMachine: execution.stateMachine,
      name: execution.name,
      status: execution.status,
      states: [...execution.states],
    })),
    calls: world.calls(),
  };
}

export interface SimulationInput {
  readonly world: World;
  readonly events: readonly SimulationEvent[];
  readonly config: FederationConfig;
  readonly logger: Logger;
  readonly definitions?: { readonly create: object; readonly delete: object };
}

export async function runSimulation(input: SimulationInput): Promise<SimulationOutput> {
  const world = await startLocalWorld({
    definitions: input.definitions ?? localDefinitions(),
    settings: pipelineSettings(input.config),
    logger: input.logger,
  });
  try {
    seedWorld(world, input.world);
    await playEvents(world, input.events, input.logger);
    return simulationOutput(world);
  } finally {
    await world.close();
  }
}
