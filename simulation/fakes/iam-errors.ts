import * as iamSdk from '@aws-sdk/client-iam';
import * as stsSdk from '@aws-sdk/client-sts';
import type { FaultAnswer } from './faults';

/**
 * IAM and STS errors as the AWS SDK v3 hands them to the code under test: the SDK's own
 * exception classes for the codes it models (`NoSuchEntity` → `NoSuchEntityException`), and
 * the service's base exception named after the code for the others (`Throttling`,
 * `AccessDenied`), which is what the SDK's query-protocol deserializer produces.
 */

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

export const noSuchEntity = (message: string) => new iamSdk.NoSuchEntityException({ message, ...meta(404) });
export const invalidInput = (message: string) => new iamSdk.InvalidInputException({ message, ...meta(400) });
export const limitExceeded = (message: string) => new iamSdk.LimitExceededException({ message, ...meta(409) });
export const malformedPolicy = (message: string) => new iamSdk.MalformedPolicyDocumentException({ message, ...meta(400) });
export const entityAlreadyExists = (message: string) => new iamSdk.EntityAlreadyExistsException({ message, ...meta(409) });

export function iamError(name: string, message: string, httpStatusCode: number): iamSdk.IAMServiceException {
  return new iamSdk.IAMServiceException({ name, message, $fault: httpStatusCode >= 500 ? 'server' : 'client', ...meta(httpStatusCode) });
}

export function stsError(name: string, message: string, httpStatusCode: number): stsSdk.STSServiceException {
  return new stsSdk.STSServiceException({ name, message, $fault: httpStatusCode >= 500 ? 'server' : 'client', ...meta(httpStatusCode) });
}

interface Modeled {
  readonly ctor: new (options: { message: string; $metadata: { httpStatusCode: number } }) => Error;
  readonly status: number;
}

/**
 * The SDK's own table of modeled errors: each exported schema `XException$` carries the query
 * protocol's error code and HTTP status (`awsQueryError: ['ConcurrentModification', 409]`), and
 * `XException` is its class. Keyed by both the wire code and the class name.
 */
function modeledErrors(sdk: Record<string, unknown>): ReadonlyMap<string, Modeled> {
  const table = new Map<string, Modeled>();
  for (const [exportName, schema] of Object.entries(sdk)) {
    if (!exportName.endsWith('$') || !Array.isArray(schema) || schema[0] !== -3) continue;
    const traits = schema[3] as { awsQueryError?: [string, number] } | undefined;
    const ctor = sdk[exportName.slice(0, -1)] as Modeled['ctor'] | undefined;
    if (!traits?.awsQueryError || typeof ctor !== 'function') continue;
    const [code, status] = traits.awsQueryError;
    table.set(code, { ctor, status });
    table.set(exportName.slice(0, -1), { ctor, status });
  }
  return table;
}

const MODELED = { iam: modeledErrors(iamSdk), sts: modeledErrors(stsSdk) };

const MESSAGES: Readonly<Record<string, string>> = {
  ConcurrentModification: 'This resource is being modified by another request. Please try again.',
  Throttling: 'Rate exceeded',
};

const serviceOf = (callKey: string): 'iam' | 'sts' => (callKey.startsWith('sts:') ? 'sts' : 'iam');

/** The HTTP status the SDK's model gives `code` on this call's service, when the code is modeled. */
export function modeledStatus(callKey: string, code: string): number | undefined {
  return MODELED[serviceOf(callKey)].get(code)?.status;
}

/** The exception the SDK would throw for this answer on this call. */
export function sdkErrorFor(callKey: string, answer: FaultAnswer): Error {
  const service = serviceOf(callKey);
  const message = MESSAGES[answer.code.replace(/Exception$/, '')] ?? `${answer.code} (injected by the simulation)`;
  const modeled = MODELED[service].get(answer.code);
  if (modeled) return new modeled.ctor({ message, ...meta(answer.status) });
  return service === 'sts' ? stsError(answer.code, message, answer.status) : iamError(answer.code, message, answer.status);
}
