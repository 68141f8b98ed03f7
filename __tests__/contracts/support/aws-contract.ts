import * as iamSdk from '@aws-sdk/client-iam';
import * as stsSdk from '@aws-sdk/client-sts';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * IAM's and STS's contract as the AWS SDK v3 clients ship it:
 * - each operation is an exported operation schema `<Operation>$` (`[9, namespace, name, traits,
 *   () => input, () => output]`) with its `<Operation>Command`;
 * - its input structure `[3, namespace, name, traits, memberNames, memberSchemas, required]`
 *   names the members a request may carry;
 * - the errors it may answer are the `@throws {@link XException}` of the command's type
 *   declarations (`dist-types/commands/<Operation>Command.d.ts`), each an error schema
 *   `XException$` (`[-3, …, { awsQueryError: [code, status] }]`) giving its wire code and status.
 * Errors every operation may answer are not modelled per operation: COMMON_ERRORS.
 */

export type Service = 'iam' | 'sts';

const SDKS: Readonly<Record<Service, { readonly module: Record<string, unknown>; readonly name: string; readonly base: string }>> = {
  iam: { module: iamSdk as unknown as Record<string, unknown>, name: '@aws-sdk/client-iam', base: 'IAMServiceException' },
  sts: { module: stsSdk as unknown as Record<string, unknown>, name: '@aws-sdk/client-sts', base: 'STSServiceException' },
};

/**
 * The errors any IAM or STS call may answer (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html,
 * https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html). The pages name some with an
 * `Exception` suffix (`ThrottlingException`, `AccessDeniedException`, `ExpiredTokenException`); the
 * query protocol IAM and STS speak sends the code without it (`Throttling`, as the SDK's own retry
 * classification lists it: `THROTTLING_ERROR_CODES` in @smithy/core's retry module), so both forms are accepted.
 */
export const COMMON_ERRORS: readonly string[] = [
  'AccessDenied',
  'ExpiredToken',
  'IncompleteSignature',
  'InternalFailure',
  'InvalidAction',
  'InvalidClientTokenId',
  'NotAuthorized',
  'OptInRequired',
  'RequestExpired',
  'ServiceUnavailable',
  'Throttling',
  'ValidationError',
].flatMap((code) => [code, `${code}Exception`]);

export interface SdkError {
  /** The SDK's class name, e.g. `NoSuchEntityException`. */
  readonly className: string;
  /** The query protocol's code, e.g. `NoSuchEntity`. */
  readonly code: string;
  readonly status: number;
}

export interface SdkOperation {
  readonly service: Service;
  readonly name: string;
  readonly inputMembers: readonly string[];
  readonly errors: readonly SdkError[];
}

type Schema = readonly unknown[];

function errorOf(service: Service, className: string): SdkError | undefined {
  const schema = SDKS[service].module[`${className}$`] as Schema | undefined;
  const traits = schema?.[3] as { awsQueryError?: [string, number] } | undefined;
  if (!Array.isArray(schema) || schema[0] !== -3 || !traits?.awsQueryError) return undefined;
  return { className, code: traits.awsQueryError[0], status: traits.awsQueryError[1] };
}

/** The operation as the SDK ships it, or undefined when the SDK has no such operation. */
export function sdkOperation(service: Service, name: string): SdkOperation | undefined {
  const sdk = SDKS[service];
  const schema = sdk.module[`${name}$`] as Schema | undefined;
  if (!Array.isArray(schema) || schema[0] !== 9 || typeof sdk.module[`${name}Command`] !== 'function') return undefined;
  const input = (schema[4] as () => Schema)();
  const declarations = join(dirname(require.resolve(sdk.name)), '..', 'dist-types', 'commands', `${name}Command.d.ts`);
  const errors = [...readFileSync(declarations, 'utf8').matchAll(/@throws \{@link (\w+)\}/g)]
    .map((match) => match[1] ?? '')
    .filter((className) => className !== sdk.base)
    .map((className) => {
      const error = errorOf(service, className);
      if (!error) throw new Error(`${sdk.name}: ${name} throws ${className}, which has no error schema`);
      return error;
    });
  return { service, name, inputMembers: input[4] as string[], errors };
}

/**
 * Why an answer of `operation` that carries `code` (a wire code or an SDK class name) with
 * `status` is not in the contract, or undefined when it is.
 */
export function errorProblem(operation: SdkOperation, code: string, status?: number): string | undefined {
  const modeled = operation.errors.find((error) => error.code === code || error.className === code);
  if (modeled) {
    return status === undefined || status === modeled.status
      ? undefined
      : `${operation.service}:${operation.name} answers ${code} with ${modeled.status}, not ${status}`;
  }
  if (errorOf(operation.service, code) ?? errorOf(operation.service, `${code}Exception`)) {
    return `${operation.service}:${operation.name} never answers ${code}: its SDK command lists ${operation.errors.map((e) => e.code).join(', ') || 'no modelled error'}`;
  }
  return COMMON_ERRORS.includes(code)
    ? undefined
    : `${operation.service}:${operation.name}: ${code} is neither an error of the operation nor a common error`;
}

/** Why a request member is not in the contract, or undefined. */
export function memberProblem(operation: SdkOperation, member: string): string | undefined {
  return operation.inputMembers.includes(member)
    ? undefined
    : `${operation.service}:${operation.name} has no input member ${member} (it has ${operation.inputMembers.join(', ')})`;
}
