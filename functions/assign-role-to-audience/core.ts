import * as z from 'zod/mini';
import { ROLE_TAGS, applicationResultSchema, failureSchema, workflowInputSchema, type Failure } from '../shared/contracts';
import { RoleNotFoundError } from '../shared/errors';
import type { HandlerDeps } from '../shared/handler-kit';
import type { OpenMemberAccount } from '../shared/ports';
import { federationFor, sessionNameFor } from '../shared/task-context';
import { pinTrustPolicy } from '../shared/trust-policy';

export const FUNCTION_NAME = 'assign-role-to-audience';

/**
 * Two modes, one function (the state machine calls it from AssignRoleToAudience and from
 * RecordFailureOnRole): without `failure` it pins the trust policy and tags the role
 * ready; with `failure` (written by a Catch) it tags the role `failed:<reason>`.
 */
export const inputSchema = z.union([
  z.extend(workflowInputSchema, { failure: failureSchema }),
  z.extend(workflowInputSchema, {
    application: applicationResultSchema.check(
      z.refine((application) => application.outcome === 'registered', { error: 'expected a registered application' }),
    ),
  }),
]);
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: { readonly tenantId: string; readonly tokenVersion: 1 | 2; readonly trustPolicyMaxChars: number };
  readonly openAccount: OpenMemberAccount;
}

export type AssignResult =
  | { readonly assigned: { readonly status: string; readonly trustPolicyChanged: boolean } }
  | { readonly recordedFailure: { readonly status: string } };

/** IAM tag values: letters, digits, spaces and `_.:/=+-@`, at most 256 characters. */
const TAG_VALUE_MAX = 256;
const toTagValue = (value: string): string => value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, TAG_VALUE_MAX);

/** `ready`, or `ready owners-rejected=<id> <id>…` cut to fit the tag, with how many were left out. */
export function readyStatus(ownerProblems: readonly string[]): string {
  if (ownerProblems.length === 0) return 'ready';
  const ids = ownerProblems.map((problem) => toTagValue(problem.split(': ')[0] ?? problem));
  let kept = ids.length;
  const render = (count: number) =>
    `ready owners-rejected=${ids.slice(0, count).join(' ')}${count < ids.length ? ` and-${ids.length - count}-more` : ''}`;
  while (kept > 0 && render(kept).length > TAG_VALUE_MAX) kept -= 1;
  return toTagValue(render(kept));
}

const REASON_BY_ERROR: Readonly<Record<string, string>> = {
  AudienceLimitExceededError: 'audience-limit',
  OidcProviderNotFoundError: 'provider-not-found',
  RoleNotFoundError: 'role-not-found',
  InvalidInputError: 'invalid-input',
  EntraAuthenticationError: 'entra-authentication',
  GraphRequestError: 'graph-request-refused',
  GraphThrottledError: 'graph-throttled',
  GraphUnavailableError: 'graph-unavailable',
  GraphReplicationLagError: 'graph-replication-lag',
  IamConcurrentModificationError: 'iam-concurrent-modification',
  IamThrottledError: 'iam-throttled',
  'States.Timeout': 'timeout',
};

/**
 * The message of a Lambda error as Step Functions reports it: the Cause is the JSON
 * `{"errorType","errorMessage","trace"}` the runtime writes, or a bare message.
 */
function causeMessage(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed: unknown = JSON.parse(cause);
    if (parsed && typeof parsed === 'object' && typeof (parsed as { errorMessage?: unknown }).errorMessage === 'string') {
      return (parsed as { errorMessage: string }).errorMessage;
    }
  } catch {
    // not JSON: the cause is the message itself
  }
  return cause;
}

/** The `<reason>` of `failed:<reason>`: short, stable, and within the tag charset. */
export function failureReason(failure: Failure): string {
  if (failure.Error === 'TrustPolicyRewriteError') {
    // The reasons (`wildcard`, `policy-too-large`…) already say it is about the trust policy.
    const prefix = /^([a-z-]+):/.exec(causeMessage(failure.Cause))?.[1];
    return prefix ?? 'trust-policy';
  }
  const known = REASON_BY_ERROR[failure.Error];
  if (known) return known;
  const kebab = failure.Error.replace(/Error$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase();
  return toTagValue(kebab || 'unknown').slice(0, 64);
}

export async function core(deps: Deps, input: Input): Promise<AssignResult> {
  const federation = federationFor(deps.settings, input.accountId);
  const iam = await deps.openAccount(input.accountId, sessionNameFor(FUNCTION_NAME, input.eventId));

  if ('failure' in input) {
    const status = toTagValue(`failed:${failureReason(input.failure)}`);
    // The compensation removed the application: pointing the team at it would mislead.
    await iam.untagRole(input.roleName, [ROLE_TAGS.clientId, ROLE_TAGS.servicePrincipalId]);
    await iam.tagRole(input.roleName, { [ROLE_TAGS.tenantId]: deps.settings.tenantId, [ROLE_TAGS.status]: status });
    deps.logger.warn('role tagged as failed', { status, failure: input.failure.Error });
    return { recordedFailure: { status } };
  }

  if (input.application.outcome !== 'registered') throw new Error('unreachable: schema requires a registered application');
  const { appId, servicePrincipalObjectId, ownerProblems } = input.application;
  const role = await iam.getRole(input.roleName);
  if (!role) {
    throw new RoleNotFoundError(`role ${input.roleName} in account ${input.accountId} was deleted while it was being federated`);
  }
  const pinned = pinTrustPolicy(role.trustPolicy, {
    providerArn: federation.providerArn,
    conditionKeyPrefix: federation.host,
    appId,
    servicePrincipalObjectId,
    maxPolicyChars: deps.settings.trustPolicyMaxChars,
  });
  const status = readyStatus(ownerProblems);
  // The two writes are independent; running them together keeps a Create's critical path short.
  await Promise.all([
    pinned.changed ? iam.updateTrustPolicy(input.roleName, pinned.policy) : Promise.resolve(),
    iam.tagRole(input.roleName, {
      [ROLE_TAGS.clientId]: appId,
      [ROLE_TAGS.tenantId]: deps.settings.tenantId,
      [ROLE_TAGS.servicePrincipalId]: servicePrincipalObjectId,
      [ROLE_TAGS.status]: status,
    }),
  ]);
  return { assigned: { status, trustPolicyChanged: pinned.changed } };
}
