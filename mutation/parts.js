// @ts-check
// CommonJS: read by jest's configuration (CommonJS), Stryker's (an ES module) and the tests alike.
/**
 * The parts of `npm run mutate`: each the modules it mutates and the suites that may kill its
 * mutants, sized so that one part fits in an hour on the 2-core machine of bench/README.md.
 * `typeCheck: false` runs a part without Stryker's TypeScript checker: on that machine the
 * checker, not the tests, was the bottleneck (about 7 s a mutant against under 1 s), so the
 * mutants it would have rejected run against the tests instead and count in the score.
 * `synthesizeOnce: true` lets the suites synthesize the example stack once per run rather than in
 * each suite for each mutant (jest.mutate.config.js): only for parts whose modules the stack does
 * not import (the plan review), where a mutant cannot change what is synthesized.
 * `npm run mutate -- <part> …` runs some; `npm run mutate` runs them all, one after the other.
 * Figures and survivors per module: bench/README.md#mutation-testing-npm-run-mutate.
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** Where rules.ts's table of type rules starts: the plan review's two parts cut the file there. */
const TYPE_RULES_LINE =
  readFileSync(join(__dirname, '..', 'plan-review', 'rules.ts'), 'utf8')
    .split('\n')
    .findIndex((line) => line.startsWith('export const TYPE_RULES')) + 1;

const MUTATION_PARTS = {
  /** The first five: trust-policy rewrite, router, IAM and Graph clients (the Graph client in its four files), credential cache. */
  core: {
    mutate: [
      'functions/shared/iam/trust-policy.ts',
      'functions/router/core.ts',
      'functions/shared/iam/member-account.ts',
      'functions/shared/entra/graph-client.ts',
      'functions/shared/entra/graph-http.ts',
      'functions/shared/entra/graph-service-principals.ts',
      'functions/shared/entra/graph-deleted-items.ts',
      'credential-helper/cache.ts',
    ],
    tests: ['functions/', 'security/', 'credential-helper/'],
  },
  /** The safety net: plan, inspect, repair (and the removal of expired revocations, and what both make of one action), report. */
  sweep: {
    typeCheck: false,
    mutate: [
      'functions/sweep-plan/core.ts',
      'functions/sweep-inspect-account/core.ts',
      'functions/sweep-repair-account/core.ts',
      'functions/sweep-remove-revocations/core.ts',
      'functions/sweep-report/core.ts',
      'functions/shared/sweep/attempt.ts',
    ],
    // The cores' own suites (and any attack scenario that imports a core). The sweep scenarios, whole
    // sweeps over simulated worlds, load the handlers by name, which jest's related-tests search
    // cannot see: with them every mutant ran every scenario, and the part did not fit in an hour.
    tests: ['functions/', 'security/'],
  },
  /** The Create function and its compensation, the identity pool, the role lock. */
  create: {
    typeCheck: false,
    mutate: [
      'functions/create-service-principal/core.ts',
      'functions/shared/entra/identity-pool.ts',
      'functions/shared/workflow/role-lock.ts',
    ],
    tests: ['functions/'],
  },
  // The second safety net, in four parts: together about 2,800 mutants before the type checker,
  // far more than an hour's worth. rules.ts is cut by line range (Stryker's `file:start-end`),
  // between its judges and the table of type rules that applies them (TYPE_RULES_LINE).
  /** The plan review's judges: IAM and bus policies, Graph permissions, credentials, event endpoints. */
  'plan-review-judges': {
    typeCheck: false,
    synthesizeOnce: true,
    mutate: [`plan-review/rules.ts:1-${TYPE_RULES_LINE - 1}`],
    tests: ['plan-review/'],
  },
  /** The plan review's table of type rules: which attributes of which resource type are judged how. */
  'plan-review-type-rules': {
    typeCheck: false,
    synthesizeOnce: true,
    mutate: [`plan-review/rules.ts:${TYPE_RULES_LINE}-9999`],
    tests: ['plan-review/'],
  },
  /** The plan review's reading of IAM policies (what a statement allows, to whom). */
  'plan-review-policy': {
    typeCheck: false,
    synthesizeOnce: true,
    mutate: ['plan-review/policy.ts'],
    tests: ['plan-review/'],
  },
  /** The plan review's verdict: how judgements become the exit code and the report. */
  'plan-review-verdict': {
    typeCheck: false,
    synthesizeOnce: true,
    mutate: ['plan-review/review.ts'],
    tests: ['plan-review/'],
  },
  /** The simulator's invariant checker and the credential helper's token sources and endpoints. */
  'invariants-and-tokens': {
    typeCheck: false,
    mutate: [
      'simulation/engine/invariants.ts',
      'credential-helper/entra-token.ts',
      'credential-helper/github-oidc.ts',
      'credential-helper/endpoints.ts',
    ],
    // The suites that run the helper in this process: the others start its bin as a child
    // process, where no mutant is active, and cost minutes a mutant for nothing.
    tests: [
      'simulation/engine/invariants.test.ts',
      'credential-helper/args.test.ts',
      'credential-helper/endpoints.test.ts',
      'credential-helper/entra-token.test.ts',
      // The token sources against the loopback fakes, in this process (it says how).
      'credential-helper/entra-token-sources.test.ts',
      'credential-helper/github-oidc.test.ts',
    ],
  },
};

/** The part named by MUTATE_PART (set by scripts/mutate.mjs); a clear error otherwise. */
function currentPart() {
  const name = process.env.MUTATE_PART ?? '';
  const part = /** @type {Record<string, (typeof MUTATION_PARTS)[keyof typeof MUTATION_PARTS]>} */ (MUTATION_PARTS)[name];
  if (!part) {
    throw new Error(
      `MUTATE_PART="${name}" names no part: use one of ${Object.keys(MUTATION_PARTS).join(', ')} (npm run mutate -- <part>).`,
    );
  }
  return { name, ...part };
}

module.exports = { MUTATION_PARTS, currentPart };
