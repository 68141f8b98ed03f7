import { z } from 'zod';
import { accountIdSchema, IAM_EVENT_NAMES } from '../../functions/shared/workflow';
import { ROLE_ID_PATTERN } from '../fakes/iam-state';

/**
 * The events a simulation replays (docs/simulate.md): their names and their shape, read by the
 * sequential player (run-simulation.ts) and by the player under load (load.ts), which is why
 * they are a module of their own rather than part of either.
 */

/**
 * The IAM calls a simulation can replay: the ones the pipeline handles, and `TagRole`, which it
 * applies to the world and delivers, though the router ignores it (owners count only at
 * CreateRole): an attack scenario must be able to say "someone tagged the role".
 */
export const SIMULATED_EVENT_NAMES = [...IAM_EVENT_NAMES, 'TagRole'] as const;

/** EventBridge events as the central bus receives them; only what the simulator needs is checked here. */
export const eventsSchema = z.array(
  z.looseObject({
    'detail-type': z.string(),
    source: z.string(),
    account: accountIdSchema,
    detail: z.looseObject({
      eventID: z.string().min(1),
      eventName: z.enum(SIMULATED_EVENT_NAMES, {
        error: `expected ${SIMULATED_EVENT_NAMES.join(', ')} (the IAM calls the simulator can apply to the world)`,
      }),
      errorCode: z.string().optional(),
      recipientAccountId: z.optional(accountIdSchema),
      requestParameters: z.record(z.string(), z.unknown()).nullable().optional(),
      /** CreateRole's answer carries the new role's ID; IAM's unique IDs name the incarnation. */
      responseElements: z
        .looseObject({ role: z.looseObject({ roleId: z.string().regex(ROLE_ID_PATTERN, 'an IAM role ID (AROA…)').optional() }).optional() })
        .nullable()
        .optional(),
    }),
  }),
);
export type SimulationEvent = z.infer<typeof eventsSchema>[number];
