/**
 * `npm run plan:review -- [--format markdown|json] <plan.json>`: the review of
 * `terraform show -json <planfile>` on stdout (Markdown by default).
 * `npm run plan:review -- --reviewed <reviewed.json> <plan.json>`: whether plan.json makes the
 * same changes as the reviewed plan (exit 4 when not), then its review.
 * The review judges the plan against the deployment's configuration (`WEB_IDENTITY_CONFIG`,
 * the same file `npm run synth` reads: the organization, the central account, the functions'
 * own federation).
 * Exit codes: plan-review/errors.ts (EXIT_CODES), documented in docs/pipeline.md.
 */
import { readFileSync } from 'node:fs';
import { formatProblems, parseCommandLine } from '../cli-kit';
import { ConfigError } from '../stacks/config';
import { loadConfig } from '../stacks/load-config';
import { loadReplacementLookup } from './cloudformation-spec';
import { comparePlans, renderComparison } from './compare';
import { reviewContext } from './context';
import { EXIT_CODES, PlanInputError, PlanReviewError } from './errors';
import { renderJson } from './json';
import { renderReview } from './markdown';
import { type Plan, parsePlan } from './plan';
import { buildReview } from './review';

const USAGE = `usage: npm run plan:review -- [--format markdown|json] [--reviewed <reviewed-plan.json>] <plan.json>   (plan.json: terraform show -json <planfile> > plan.json)
Reviews a Terraform plan against the deployment's configuration (WEB_IDENTITY_CONFIG) (docs/pipeline.md).
  --format markdown|json   the review for people (default) or for programs
  --reviewed <file>        the plan that was reviewed: exit 4 when <plan.json> makes other changes
  --help                   this text`;

const FORMATS = ['markdown', 'json'] as const;

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
  const line = parseCommandLine(
    { usage: USAGE, options: { reviewed: { type: 'string' }, format: { type: 'string' } }, allowPositionals: true },
    argv,
  );
  if (line.kind === 'help') {
    process.stdout.write(`${line.text}\n`);
    return EXIT_CODES.ok;
  }
  if (line.kind === 'error') {
    process.stderr.write(formatProblems('plan:review', line));
    return EXIT_CODES.invalidInput;
  }
  const values = { format: 'markdown', ...line.values } as { reviewed?: string; format: string };
  const { positionals } = line;
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) {
    process.stderr.write(`plan:review: --format: expected "markdown" or "json", got "${values.format}"\n${USAGE}\n`);
    return EXIT_CODES.invalidInput;
  }
  if (positionals.length !== 1) {
    process.stderr.write(
      `plan:review: expected exactly one plan file${positionals.length > 1 ? ` (got ${positionals.length}: give the reviewed plan with --reviewed)` : ''}\n${USAGE}\n`,
    );
    return EXIT_CODES.invalidInput;
  }
  try {
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig();
    } catch (error) {
      if (error instanceof ConfigError) throw new PlanInputError(`the configuration the review judges against: ${error.message}`);
      throw error;
    }
    const plan = readPlan(positionals[0]);
    const reviewed = values.reviewed === undefined ? undefined : { source: values.reviewed, plan: readPlan(values.reviewed) };
    const review = buildReview(plan, await loadReplacementLookup(), reviewContext(config));
    const differences = reviewed ? comparePlans(reviewed.plan, plan) : undefined;
    if (format === 'json') process.stdout.write(renderJson(review, differences));
    else {
      const markdown = renderReview(review);
      process.stdout.write(
        reviewed && differences
          ? `${renderComparison(differences, reviewed.source, positionals[0])}\n${markdown.slice(markdown.indexOf('\n') + 1)}`
          : markdown,
      );
    }
    // The plans differ (4) wins over blocking (5): a plan nobody reviewed is refused whatever it holds.
    if (differences && differences.length > 0) return EXIT_CODES.plansDiffer;
    return review.verdict === 'blocking' ? EXIT_CODES.blocking : EXIT_CODES.ok;
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
