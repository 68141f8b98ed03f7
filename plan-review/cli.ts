/**
 * `npm run plan:review -- <plan.json>`: the review of `terraform show -json <planfile>` as
 * Markdown on stdout.
 * `npm run plan:review -- --reviewed <reviewed.json> <plan.json>`: whether plan.json makes the
 * same changes as the reviewed plan (exit 4 when not), then its review.
 * Exit codes: plan-review/errors.ts (EXIT_CODES), documented in docs/pipeline.md.
 */
import { readFileSync } from 'node:fs';
import { formatProblems, parseCommandLine } from '../cli-kit';
import { loadReplacementLookup } from './cloudformation-spec';
import { comparePlans, renderComparison } from './compare';
import { EXIT_CODES, PlanInputError, PlanReviewError } from './errors';
import { renderReview } from './markdown';
import { type Plan, parsePlan } from './plan';
import { buildReview } from './review';

const USAGE = `usage: npm run plan:review -- [--reviewed <reviewed-plan.json>] <plan.json>   (plan.json: terraform show -json <planfile> > plan.json)
Prints the review of a Terraform plan as Markdown (docs/pipeline.md).
  --reviewed <file>   the plan that was reviewed: exit 4 when <plan.json> makes other changes
  --help              this text`;

function readPlan(path: string): Plan {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PlanInputError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PlanInputError(
      `${path}: not valid JSON (${(error as Error).message}); expected the output of "terraform show -json <planfile>"`,
    );
  }
  return parsePlan(json, path);
}

async function main(argv: string[]): Promise<number> {
  const line = parseCommandLine({ usage: USAGE, options: { reviewed: { type: 'string' } }, allowPositionals: true }, argv);
  if (line.kind === 'help') {
    process.stdout.write(`${line.text}\n`);
    return EXIT_CODES.ok;
  }
  if (line.kind === 'error') {
    process.stderr.write(formatProblems('plan:review', line));
    return EXIT_CODES.invalidInput;
  }
  const values = line.values as { reviewed?: string };
  const { positionals } = line;
  if (positionals.length !== 1) {
    process.stderr.write(`plan:review: expected exactly one plan file\n${USAGE}\n`);
    return EXIT_CODES.invalidInput;
  }
  try {
    const plan = readPlan(positionals[0]);
    const reviewed = values.reviewed === undefined ? undefined : { source: values.reviewed, plan: readPlan(values.reviewed) };
    const review = renderReview(buildReview(plan, await loadReplacementLookup()));
    if (!reviewed) {
      process.stdout.write(review);
      return EXIT_CODES.ok;
    }
    const differences = comparePlans(reviewed.plan, plan);
    process.stdout.write(`${renderComparison(differences, reviewed.source, positionals[0])}\n${review.slice(review.indexOf('\n') + 1)}`);
    return differences.length === 0 ? EXIT_CODES.ok : EXIT_CODES.plansDiffer;
  } catch (error) {
    if (error instanceof PlanReviewError) {
      process.stderr.write(`plan:review: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`plan:review: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_CODES.unexpected;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`plan:review: ${String(error)}\n`);
    process.exitCode = EXIT_CODES.unexpected;
  },
);
