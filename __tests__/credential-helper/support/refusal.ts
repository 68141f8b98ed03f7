import { HelperError } from '../../../credential-helper/exit-codes';

/** The HelperError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function refusal(promise: Promise<unknown>): Promise<HelperError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HelperError);
  return error as HelperError;
}
