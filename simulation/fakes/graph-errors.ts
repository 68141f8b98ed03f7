import { randomUUID } from 'node:crypto';
import type { FaultAnswer } from './faults';

/**
 * Microsoft Graph answers as the fake sends them, and the error bodies of
 * https://learn.microsoft.com/graph/errors: `{ error: { code, message, details?, innerError } }`.
 */

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ErrorDetail {
  readonly code: string;
  readonly message: string;
  readonly target?: string;
}

export const isReply = (value: unknown): value is Reply => typeof value === 'object' && value !== null && 'status' in value;

export function ok(body: unknown): Reply {
  return { status: 200, body };
}

export function graphError(status: number, code: string, message: string, details?: readonly ErrorDetail[]): Reply {
  return {
    status,
    body: {
      error: {
        code,
        message,
        ...(details ? { details } : {}),
        innerError: { date: new Date().toISOString(), 'request-id': randomUUID(), 'client-request-id': randomUUID() },
      },
    },
  };
}

/** Directory errors that Microsoft Graph wraps in a 400 `Request_BadRequest` and names in `error.details[].code`. */
function detailed(code: string, message: string, target?: string): Reply {
  return graphError(400, 'Request_BadRequest', message, [{ code, message, ...(target ? { target } : {}) }]);
}

// The message of a missing directory object, as Graph words it (404 Request_ResourceNotFound;
// instructure/canvas-lms spec/lib/microsoft_sync/graph_service/groups_endpoints_spec.rb records it
// for a reference to a user that does not exist).
export function notFound(id: string): Reply {
  return graphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

// Right after an application is created, POST /servicePrincipals can fail while the application
// has not replicated: 400 Request_BadRequest with the code in `error.details[]` and a message naming
// the appId (recorded in GitHub repositories that retry it, e.g. a PowerShell onboarding script
// matching `$errBody.error.details.code -contains 'NoBackingApplicationObject'`).
export function noBackingApplication(appId: string): Reply {
  return detailed(
    'NoBackingApplicationObject',
    `The appId '${appId}' of the service principal does not reference a valid application object.`,
    'appId',
  );
}

// A value that must be unique in the directory (uniqueName is, across live and soft-deleted
// applications): 400 with "Another object with the same value for property … already exists."
// (the wording Azure's docs show for identifierUris, e.g.
// https://learn.microsoft.com/azure/data-factory/v1/data-factory-create-data-factories-programmatically)
// and the conflict named in details.
export function objectConflict(property: string): Reply {
  return detailed('ObjectConflict', `Another object with the same value for property ${property} already exists.`, property);
}

const QUOTA_MESSAGE =
  'The directory object quota limit for the Principal has been exceeded. Please ask your administrator to increase the quota limit or delete objects to reduce the used quota.';

/** The creator quota (see `QuotaErrorForm` in graph-state.ts for the two shapes and their sources). */
export function quotaExceeded(form: 'top-level' | 'details'): Reply {
  return form === 'details'
    ? detailed('Directory_QuotaExceeded', QUOTA_MESSAGE)
    : graphError(403, 'Directory_QuotaExceeded', QUOTA_MESSAGE);
}

// Application.ReadWrite.OwnedBy writing an application it does not own ("It cannot update any apps
// that it is not an owner of", https://learn.microsoft.com/graph/permissions-reference#applicationreadwriteownedby:
// also an application it created whose owner removed it), and the documented refusal of POST
// owners/$ref under it (https://learn.microsoft.com/graph/api/application-post-owners,
// microsoftgraph/microsoft-graph-docs-contrib#4006). The body: Graph's error shape
// (https://learn.microsoft.com/graph/errors) with the code and message a 403 of Graph carries, as
// Microsoft Q&A records it (https://learn.microsoft.com/answers/questions/2143345: 403,
// code 'Authorization_RequestDenied', message 'Insufficient privileges to complete the operation.').
export function requestDenied(): Reply {
  return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
}

export function badRequest(message: string, code = 'Request_BadRequest'): Reply {
  return graphError(400, code, message);
}

/** Codes Graph reports inside `error.details[]` under a top-level `Request_BadRequest`. */
const DETAIL_CODES: Readonly<Record<string, (answer: FaultAnswer) => Reply>> = {
  NoBackingApplicationObject: () => noBackingApplication('(injected)'),
  ObjectConflict: () => objectConflict('uniqueName'),
};

const MESSAGES: Readonly<Record<string, string>> = {
  Authorization_RequestDenied: 'Insufficient privileges to complete the operation.',
  Directory_QuotaExceeded: QUOTA_MESSAGE,
  Request_ResourceNotFound: "Resource '(injected)' does not exist or one of its queried reference-property objects are not present.",
  TooManyRequests: 'Too many requests.',
  serviceNotAvailable: 'The service is temporarily unavailable.',
};

/** What an injected fault looks like on the wire. */
export function faultReply(answer: FaultAnswer): Reply {
  const shaped = DETAIL_CODES[answer.code];
  if (shaped && answer.status === 400) return shaped(answer);
  const reply = graphError(answer.status, answer.code, MESSAGES[answer.code] ?? `${answer.code} (injected by the simulation)`);
  // https://learn.microsoft.com/graph/throttling: a 429 carries Retry-After (seconds).
  return answer.status === 429 ? { ...reply, headers: { 'Retry-After': String(answer.retryAfterSeconds ?? 1) } } : reply;
}
