/**
 * The errors `npm run plan:review` reports on purpose, each with its exit code. The codes
 * are a contract with the pipeline (docs/pipeline.md, "Exit codes").
 */
export const EXIT_CODES = {
  /** The review (or the comparison) was printed, and no finding is blocking. */
  ok: 0,
  /** A bug in plan:review itself. */
  unexpected: 1,
  /** The file is missing, unreadable, not JSON, or not a plan in Terraform's JSON output format. */
  invalidInput: 2,
  /** The plan's `format_version` is not 1.x. */
  unsupportedFormat: 3,
  /** `--reviewed`: the plan does not make the same changes as the reviewed plan. */
  plansDiffer: 4,
  /** The review was printed and a finding is blocking: a guarantee would be broken (4 wins over it with `--reviewed`). */
  blocking: 5,
} as const;

export abstract class PlanReviewError extends Error {
  abstract override readonly name: string;
  abstract readonly exitCode: number;
}

/** The input cannot be read as a Terraform JSON plan (or the configuration is invalid); the message names the file and the field. */
export class PlanInputError extends PlanReviewError {
  readonly name = 'PlanInputError';
  readonly exitCode = EXIT_CODES.invalidInput;
}

/**
 * Terraform promises a new major `format_version` for any change that is not backward
 * compatible and tells consumers to reject a major version they do not know
 * (https://developer.hashicorp.com/terraform/internals/json-format).
 */
export class UnsupportedFormatError extends PlanReviewError {
  readonly name = 'UnsupportedFormatError';
  readonly exitCode = EXIT_CODES.unsupportedFormat;
}
