import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import {
  FEDERATED_CREDENTIAL_TAG_PREFIX,
  IAM_EVENT_NAMES,
  ROLE_TAGS,
  accountIdSchema,
  memberRoleNames,
  roleNameSchema,
  type WorkflowInput,
  roleLockInput,
  federationFor,
  ROUTER_LOG_MESSAGES,
  type IgnoreReason,
} from '../shared/workflow';
import { describeIssues, type HandlerDeps } from '../shared/runtime';
import { parsePolicyDocument, protectedBy } from '../shared/iam';
import { isFederation } from '../shared/federation';

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
    // Every CloudTrail record has it, to the second (cloudtrail-event-reference-record-contents.html).
    eventTime: z.optional(z.string()),
    errorCode: z.optional(z.string()),
    recipientAccountId: z.optional(accountIdSchema),
    userIdentity: z.optional(
      z.looseObject({
        arn: z.optional(z.string()),
        sessionContext: z.optional(z.looseObject({ sessionIssuer: z.optional(z.looseObject({ arn: z.optional(z.string()) })) })),
      }),
    ),
    requestParameters: z.optional(z.nullable(z.looseObject({ roleName: z.optional(z.string()), path: z.optional(z.string()) }))),
    // CreateRole answers with the new role, its RoleId included
    // (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html); one not of that form makes the message malformed.
    responseElements: z.optional(
      z.nullable(
        z.looseObject({
          role: z.optional(z.looseObject({ roleId: z.optional(z.string().check(z.regex(/^[A-Z0-9]{16,128}$/))) })),
        }),
      ),
    ),
  }),
});
export type CloudTrailEvent = z.infer<typeof cloudTrailEventSchema>;

export type Route =
  | {
      readonly action: 'ignore';
      /** One of the closed set (shared/workflow/ignore-reasons.ts): dashboards and the simulator count by it. */
      readonly reason: IgnoreReason;
      /** Free text: what exactly (the error code, the call, the protection). */
      readonly detail: string;
      /** `warn` for an event that should not exist (forged or misrouted); the details say what it claimed. */
      readonly severity?: 'warn';
      readonly details?: Readonly<Record<string, unknown>>;
    }
  | { readonly action: 'start'; readonly workflow: 'create' | 'delete'; readonly input: WorkflowInput };

export interface RouterSettingsView {
  readonly tenantId: string;
  readonly tokenVersion: 1 | 2;
  /** Base name of the member roles (`{name}-reader`, `-audience`, `-pin`). */
  readonly automationRoleName: string;
  /** Role patterns the automation never touches (see protected-roles.ts). */
  readonly protectedRoles: readonly string[];
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
  /** Milliseconds since the epoch; `Date.now` by default (the simulator passes its virtual clock). */
  readonly now?: () => number;
}

/** A message the router cannot read: it fails that batch item only (and ends in the DLQ). */
export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
}

const escapeRegExp = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The automation's own calls (it updates trust policies and tags) through any of its
 * member roles: ignoring them stops a loop. Matched on the session ARN, which every caller
 * type carries, and on the session issuer as a second source.
 */
function isAutomationCall(event: CloudTrailEvent, automationRoleName: string): boolean {
  const names = memberRoleNames(automationRoleName).map(escapeRegExp).join('|');
  const sessionArn = new RegExp(`^arn:aws[\\w-]*:sts::\\d{12}:assumed-role/(?:${names})/`);
  const issuerArn = new RegExp(`^arn:aws[\\w-]*:iam::\\d{12}:role/(?:.*/)?(?:${names})$`);
  const identity = event.detail.userIdentity;
  return sessionArn.test(identity?.arn ?? '') || issuerArn.test(identity?.sessionContext?.sessionIssuer?.arn ?? '');
}

/**
 * The `entra:owners` value a `CreateRole` call set, if any. CloudTrail records the call's
 * tags as `[{ "key": …, "value": … }]` in `requestParameters.tags`. Only CreateRole counts:
 * whoever creates a role writes its trust policy, while `TagRole` rights are often granted
 * broadly (see docs/architecture.md#who-may-name-owners).
 */
function requestedOwners(tags: unknown): string | undefined {
  return tagEntries(tags).find(([key]) => key === ROLE_TAGS.owners)?.[1];
}

/**
 * The `entra:federated-credential:<name>` tags a `CreateRole` call set, by name: each grants an
 * external workload the role's identity, so they follow the owners' rule (only CreateRole counts).
 */
function requestedFederatedCredentials(tags: unknown): Record<string, string> | undefined {
  const entries = tagEntries(tags)
    .filter(([key]) => key.startsWith(FEDERATED_CREDENTIAL_TAG_PREFIX) && key.length > FEDERATED_CREDENTIAL_TAG_PREFIX.length)
    .map(([key, value]) => [key.slice(FEDERATED_CREDENTIAL_TAG_PREFIX.length), value] as const);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** `requestParameters.tags` as IAM accepts them: at most 50, keys of 128 and values of 256 characters. */
function tagEntries(tags: unknown): [string, string][] {
  if (!Array.isArray(tags)) return [];
  return tags.slice(0, 50).flatMap((tag): [string, string][] => {
    if (typeof tag !== 'object' || tag === null) return [];
    const { key, value } = tag as { key?: unknown; value?: unknown };
    return typeof key === 'string' && typeof value === 'string' ? [[key.slice(0, 128), value.slice(0, 256)]] : [];
  });
}

/** Decides what one CloudTrail event asks for (docs/architecture.md#the-flow). Throws `MalformedMessageError`. */
export function routeEvent(settings: RouterSettingsView, event: CloudTrailEvent): Route {
  const { detail } = event;
  if (detail.errorCode) return { action: 'ignore', reason: 'call-failed', detail: `the call failed (${detail.errorCode})` };
  if (isAutomationCall(event, settings.automationRoleName))
    return { action: 'ignore', reason: 'automation-call', detail: "the automation's own call" };
  const eventName = IAM_EVENT_NAMES.find((name) => name === detail.eventName);
  if (!eventName) return { action: 'ignore', reason: 'not-a-trust-event', detail: `not a role trust event (${detail.eventName})` };

  // The envelope's `account` is the sender's account, set by EventBridge: a sender cannot
  // choose it ("Rules with an account field do not match any events sent from other
  // accounts", https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutPermission.html).
  // `detail` is whatever the sender wrote, so an event from account A naming account B
  // must not act in B. IAM records its calls in the caller's own account
  // (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html,
  // recipientAccountId), so a genuine event has both equal.
  const accountId = event.account;
  if (detail.recipientAccountId !== undefined && detail.recipientAccountId !== accountId) {
    return {
      action: 'ignore',
      reason: 'forged-account',
      detail: 'detail.recipientAccountId differs from the account that sent the event',
      severity: 'warn',
      details: { account: accountId, recipientAccountId: detail.recipientAccountId },
    };
  }
  const parameters = detail.requestParameters ?? {};
  const roleName = roleNameSchema.safeParse(parameters.roleName);
  if (!roleName.success) {
    throw new MalformedMessageError(`detail.requestParameters.roleName: ${describeIssues(roleName.error)}`);
  }
  // CreateRole carries the path (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html);
  // the other calls name only the role.
  const path = eventName === 'CreateRole' ? (parameters.path ?? '/') : undefined;
  const protection = protectedBy(settings.protectedRoles, { roleName: roleName.data, ...(path === undefined ? {} : { path }) });
  if (protection !== undefined) {
    return { action: 'ignore', reason: 'protected-role', detail: `the role is protected (${protection}): the automation never changes it` };
  }
  const input: WorkflowInput = { accountId, roleName: roleName.data, eventId: detail.eventID, eventName };
  if (eventName === 'DeleteRole') return { action: 'start', workflow: 'delete', input };

  const field = eventName === 'CreateRole' ? 'assumeRolePolicyDocument' : 'policyDocument';
  let federated: boolean;
  try {
    // The one judgement's first question (shared/federation); the Create asks the rest with Graph.
    federated = isFederation(parsePolicyDocument(parameters[field]), federationFor(settings, accountId).providerArn);
  } catch (error) {
    throw new MalformedMessageError(`detail.requestParameters.${field}: ${(error as Error).message}`);
  }
  if (eventName === 'UpdateAssumeRolePolicy') {
    // The team's call and what it wrote: its execution writes it again if the automation overwrote
    // it (shared/workflow/team-writes.ts), then judges the role. A record without its time cannot
    // be placed against the automation's writes.
    const eventTime = detail.eventTime;
    if (eventTime === undefined || !Number.isFinite(Date.parse(eventTime))) {
      throw new MalformedMessageError('detail.eventTime: an UpdateAssumeRolePolicy record must carry its ISO 8601 time');
    }
    const written = parameters[field];
    const teamWrite = { eventTime, policyDocument: typeof written === 'string' ? written : JSON.stringify(written) };
    // A role updated away from the provider may still have an application: Delete is a no-op otherwise.
    return { action: 'start', workflow: federated ? 'create' : 'delete', input: { ...input, teamWrite } };
  }
  // What is left is a CreateRole.
  if (federated) {
    // The incarnation the call created (its RoleId), so that a late event never acts on a role
    // created again under the same name, and what it named: owners and federated credentials.
    const tags = (parameters as { tags?: unknown }).tags;
    const owners = requestedOwners(tags);
    const credentials = requestedFederatedCredentials(tags);
    const roleId = detail.responseElements?.role?.roleId;
    return {
      action: 'start',
      workflow: 'create',
      input: {
        ...input,
        ...(roleId ? { roleId } : {}),
        ...(owners === undefined ? {} : { requestedOwners: owners }),
        ...(credentials === undefined ? {} : { requestedFederatedCredentials: credentials }),
      },
    };
  }
  return { action: 'ignore', reason: 'not-federated', detail: "the trust policy does not reference the tenant's provider" };
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
export async function routeEvents(deps: Deps, event: SqsEvent): Promise<BatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    const logger = deps.logger.child({ messageId: record.messageId });
    try {
      const cloudTrail = readMessage(record.body);
      const eventLogger = logger.child({ eventId: cloudTrail.detail.eventID, eventName: cloudTrail.detail.eventName });
      const route = routeEvent(deps.settings, cloudTrail);
      if (route.action === 'ignore') {
        eventLogger[route.severity ?? 'info'](ROUTER_LOG_MESSAGES.ignored, {
          reason: route.reason,
          detail: route.detail,
          ...route.details,
        });
        continue;
      }
      const name = executionName(route.input.eventName, route.input.eventId);
      const stateMachineArn = route.workflow === 'create' ? deps.settings.createStateMachineArn : deps.settings.deleteStateMachineArn;
      // Every execution takes its role's lock first (shared/workflow/role-lock.ts): one execution per role at a time.
      const lock = roleLockInput(route.input.accountId, route.input.roleName, (deps.now ?? Date.now)());
      const outcome = await deps.starter.start({ stateMachineArn, name, input: { ...route.input, lock } });
      eventLogger.info(outcome === 'started' ? 'execution started' : 'execution already started (redelivery)', {
        stateMachineArn,
        executionName: name,
        accountId: route.input.accountId,
        roleName: route.input.roleName,
      });
    } catch (error) {
      failures.push({ itemIdentifier: record.messageId });
      const malformed = error instanceof MalformedMessageError;
      logger[malformed ? 'error' : 'warn'](ROUTER_LOG_MESSAGES.failed, {
        reason: (malformed ? 'malformed' : 'start-failed') satisfies IgnoreReason,
        error,
      });
    }
  }
  return { batchItemFailures: failures };
}
