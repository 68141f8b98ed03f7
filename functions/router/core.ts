import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { IAM_EVENT_NAMES, ROLE_TAGS, accountIdSchema, roleNameSchema, type WorkflowInput } from '../shared/contracts';
import { describeIssues, type HandlerDeps } from '../shared/handler-kit';
import { parsePolicyDocument } from '../shared/policy-document';
import { federationFor } from '../shared/task-context';
import { referencesProvider } from '../shared/trust-policy';

export const FUNCTION_NAME = 'router';

/** The SQS batch (only what the router reads). */
export const sqsEventSchema = z.object({
  Records: z.array(z.looseObject({ messageId: z.string().check(z.minLength(1)), body: z.string() })),
});
export type SqsEvent = z.infer<typeof sqsEventSchema>;

/**
 * The EventBridge "AWS API Call via CloudTrail" event and the parts of its CloudTrail
 * record the router reads (https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html,
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
 * Unknown fields are kept: CloudTrail adds fields over time.
 */
export const cloudTrailEventSchema = z.looseObject({
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  source: z.literal('aws.iam'),
  account: accountIdSchema,
  detail: z.looseObject({
    eventID: z.string().check(z.minLength(1)),
    eventName: z.string().check(z.minLength(1)),
    errorCode: z.optional(z.string()),
    recipientAccountId: z.optional(accountIdSchema),
    userIdentity: z.optional(
      z.looseObject({
        arn: z.optional(z.string()),
        sessionContext: z.optional(
          z.looseObject({ sessionIssuer: z.optional(z.looseObject({ arn: z.optional(z.string()) })) }),
        ),
      }),
    ),
    requestParameters: z.optional(z.nullable(z.looseObject({ roleName: z.optional(z.string()) }))),
  }),
});
export type CloudTrailEvent = z.infer<typeof cloudTrailEventSchema>;

export type Route =
  | { readonly action: 'ignore'; readonly reason: string }
  | { readonly action: 'start'; readonly workflow: 'create' | 'delete'; readonly input: WorkflowInput };

export interface RouterSettingsView {
  readonly tenantId: string;
  readonly tokenVersion: 1 | 2;
  readonly automationRoleName: string;
  readonly createStateMachineArn: string;
  readonly deleteStateMachineArn: string;
}

/** Starts an execution; `already-exists` when one with that name was started before (redelivery). */
export interface ExecutionStarter {
  start(request: { stateMachineArn: string; name: string; input: WorkflowInput }): Promise<'started' | 'already-exists'>;
}

export interface Deps extends HandlerDeps {
  readonly settings: RouterSettingsView;
  readonly starter: ExecutionStarter;
}

/** A message the router cannot read: it fails that batch item only (and ends in the DLQ). */
export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
}

const escapeRegExp = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The automation's own calls (it updates trust policies and tags): ignoring them stops
 * a loop. Matched on the session ARN, which every caller type carries, and on the
 * session issuer as a second source.
 */
function isAutomationCall(event: CloudTrailEvent, automationRoleName: string): boolean {
  const name = escapeRegExp(automationRoleName);
  const sessionArn = new RegExp(`^arn:aws[\\w-]*:sts::\\d{12}:assumed-role/${name}/`);
  const issuerArn = new RegExp(`^arn:aws[\\w-]*:iam::\\d{12}:role/(?:.*/)?${name}$`);
  const identity = event.detail.userIdentity;
  return (
    sessionArn.test(identity?.arn ?? '') || issuerArn.test(identity?.sessionContext?.sessionIssuer?.arn ?? '')
  );
}

/** CloudTrail records TagRole's tags as `[{ "key": …, "value": … }]`. */
function setsOwnersTag(tags: unknown): boolean {
  return Array.isArray(tags) && tags.some((tag) => typeof tag === 'object' && tag !== null && (tag as { key?: unknown }).key === ROLE_TAGS.owners);
}

/** Decides what one CloudTrail event asks for (docs/architecture.md#the-flow). Throws `MalformedMessageError`. */
export function routeEvent(settings: RouterSettingsView, event: CloudTrailEvent): Route {
  const { detail } = event;
  if (detail.errorCode) return { action: 'ignore', reason: `the call failed (${detail.errorCode})` };
  if (isAutomationCall(event, settings.automationRoleName)) return { action: 'ignore', reason: "the automation's own call" };
  const eventName = IAM_EVENT_NAMES.find((name) => name === detail.eventName);
  if (!eventName) return { action: 'ignore', reason: `not a role trust event (${detail.eventName})` };

  const accountId = detail.recipientAccountId ?? event.account;
  const parameters = detail.requestParameters ?? {};
  const roleName = roleNameSchema.safeParse(parameters.roleName);
  if (!roleName.success) {
    throw new MalformedMessageError(`detail.requestParameters.roleName: ${describeIssues(roleName.error)}`);
  }
  const input: WorkflowInput = { accountId, roleName: roleName.data, eventId: detail.eventID, eventName };
  if (eventName === 'DeleteRole') return { action: 'start', workflow: 'delete', input };
  if (eventName === 'TagRole') {
    // Create reads the role itself: it skips a role that does not trust the tenant.
    return setsOwnersTag(parameters.tags)
      ? { action: 'start', workflow: 'create', input }
      : { action: 'ignore', reason: `the tags set are not ${ROLE_TAGS.owners}` };
  }

  const field = eventName === 'CreateRole' ? 'assumeRolePolicyDocument' : 'policyDocument';
  let federated: boolean;
  try {
    federated = referencesProvider(
      parsePolicyDocument(parameters[field]),
      federationFor(settings, accountId).providerArn,
    );
  } catch (error) {
    throw new MalformedMessageError(`detail.requestParameters.${field}: ${(error as Error).message}`);
  }
  if (federated) return { action: 'start', workflow: 'create', input };
  // A role updated away from the provider may still have an application: Delete is a no-op otherwise.
  return eventName === 'CreateRole'
    ? { action: 'ignore', reason: "the trust policy does not reference the tenant's provider" }
    : { action: 'start', workflow: 'delete', input };
}

/**
 * Step Functions execution names: 1–80 of `[A-Za-z0-9_-]` and unique per state machine
 * for 90 days, so a name derived only from the CloudTrail `eventID` makes a redelivered
 * event start nothing new. CloudTrail event IDs are GUIDs; anything else is hashed.
 */
export function executionName(eventName: string, eventId: string): string {
  const readable = `${eventName}-${eventId}`;
  if (/^[A-Za-z0-9_-]{1,80}$/.test(readable)) return readable;
  return `${eventName}-${createHash('sha256').update(eventId, 'utf8').digest('hex').slice(0, 40)}`.slice(0, 80);
}

function readMessage(body: string): CloudTrailEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new MalformedMessageError(`body is not JSON (${(error as Error).message})`);
  }
  const parsed = cloudTrailEventSchema.safeParse(json);
  if (!parsed.success) throw new MalformedMessageError(`not an IAM CloudTrail event: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** One SQS batch: every message is handled on its own; a failing one fails only its item. */
export async function core(deps: Deps, event: SqsEvent): Promise<BatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    const logger = deps.logger.child({ messageId: record.messageId });
    try {
      const cloudTrail = readMessage(record.body);
      const eventLogger = logger.child({ eventId: cloudTrail.detail.eventID, eventName: cloudTrail.detail.eventName });
      const route = routeEvent(deps.settings, cloudTrail);
      if (route.action === 'ignore') {
        eventLogger.info('event ignored', { reason: route.reason });
        continue;
      }
      const name = executionName(route.input.eventName, route.input.eventId);
      const stateMachineArn =
        route.workflow === 'create' ? deps.settings.createStateMachineArn : deps.settings.deleteStateMachineArn;
      const outcome = await deps.starter.start({ stateMachineArn, name, input: route.input });
      eventLogger.info(outcome === 'started' ? 'execution started' : 'execution already started (redelivery)', {
        stateMachineArn,
        executionName: name,
        accountId: route.input.accountId,
        roleName: route.input.roleName,
      });
    } catch (error) {
      failures.push({ itemIdentifier: record.messageId });
      logger[error instanceof MalformedMessageError ? 'error' : 'warn']('message failed; SQS will redeliver it or move it to the DLQ', {
        error,
      });
    }
  }
  return { batchItemFailures: failures };
}
