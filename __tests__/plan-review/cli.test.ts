import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXIT_CODES } from '../../plan-review/errors';

/** `npm run plan:review` as the pipeline runs it: a child process, Markdown on stdout, errors on stderr, exit codes. */

const ROOT = resolve(__dirname, '..', '..');
const FIXTURES = join(__dirname, 'fixtures');

function run(env: Record<string, string>, args: string[]) {
  const { WEB_IDENTITY_CONFIG: _unset, ...inherited } = process.env;
  const result = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'plan-review', 'cli.ts'), ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...inherited, ...env },
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
/** With the embedded example configuration (WEB_IDENTITY_CONFIG unset), as the fixtures were written for. */
const planReview = Object.assign((...args: string[]) => run({}, args), {
  withEnv:
    (env: Record<string, string>) =>
    (...args: string[]) =>
      run(env, args),
});

describe('npm run plan:review', () => {
  it('prints the review of a plan; exits 0 without a blocking finding, 5 with one', () => {
    // Act
    const blocking = planReview(join(FIXTURES, 'widening.plan.json'));
    const clean = planReview(join(FIXTURES, 'terraform-data.plan.json'));
    // Assess
    expect(blocking.stderr).toBe('');
    expect(blocking.status).toBe(EXIT_CODES.blocking);
    expect(blocking.status).toBe(5);
    expect(blocking.stdout).toBe(readFileSync(join(FIXTURES, 'widening.review.md'), 'utf8'));
    expect(clean.status).toBe(EXIT_CODES.ok);
    expect(clean.stdout).toBe(readFileSync(join(FIXTURES, 'terraform-data.review.md'), 'utf8'));
  });

  it('--format json prints the JSON contract, with the same exit codes', () => {
    // Act
    const { status, stdout } = planReview('--format', 'json', join(FIXTURES, 'widening.plan.json'));
    const bad = planReview('--format', 'yaml', join(FIXTURES, 'widening.plan.json'));
    // Assess
    expect(status).toBe(EXIT_CODES.blocking);
    const document = JSON.parse(stdout);
    expect(Object.keys(document)).toEqual(['verdict', 'findings', 'notAnalysed']);
    expect(document.verdict).toBe('blocking');
    expect(bad.status).toBe(EXIT_CODES.invalidInput);
    expect(bad.stderr).toContain('--format: expected "markdown" or "json", got "yaml"');
  });

  it('refuses two plan files without --reviewed (item 8): which one is the reviewed plan is never guessed', () => {
    // Act
    const { status, stdout, stderr } = planReview(join(FIXTURES, 'widening.plan.json'), join(FIXTURES, 'widening.plan.json'));
    // Assess
    expect(status).toBe(EXIT_CODES.invalidInput);
    expect(stdout).toBe('');
    expect(stderr).toContain('expected exactly one plan file (got 2: give the reviewed plan with --reviewed)');
  });

  it('exits 2 naming the configuration when WEB_IDENTITY_CONFIG cannot be read', () => {
    // Act
    const { status, stderr } = planReview.withEnv({ WEB_IDENTITY_CONFIG: join(FIXTURES, 'missing-config.json') })(
      join(FIXTURES, 'widening.plan.json'),
    );
    // Assess
    expect(status).toBe(EXIT_CODES.invalidInput);
    expect(stderr).toContain('the configuration the review judges against: Invalid configuration in');
  });

  it('exits 2 naming the file when it is missing or not JSON (a truncated plan)', () => {
    const missing = planReview(join(FIXTURES, 'missing.plan.json'));
    expect(missing.status).toBe(EXIT_CODES.invalidInput);
    expect(missing.stderr).toMatch(/^plan:review: .*missing\.plan\.json: cannot be read \(ENOENT\)\n$/);
    const truncated = planReview(join(FIXTURES, 'truncated.plan.json'));
    expect(truncated.status).toBe(2);
    expect(truncated.stdout).toBe('');
    expect(truncated.stderr).toMatch(
      /truncated\.plan\.json: not valid JSON \(.*\); expected the output of "terraform show -json <planfile>"/,
    );
  });

  it('exits 3 on another major format_version', () => {
    const { status, stdout, stderr } = planReview(join(FIXTURES, 'format-2.plan.json'));
    expect(status).toBe(EXIT_CODES.unsupportedFormat);
    expect(status).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toContain('format_version "2.0" is not supported');
  });

  it('answers --help with its usage on stdout and exit 0, and names the closest option for a misspelt one', () => {
    const help = planReview('--help');
    expect(help.status).toBe(EXIT_CODES.ok);
    expect(help.stdout).toMatch(
      /^usage: npm run plan:review -- \[--format markdown\|json\] \[--reviewed <reviewed-plan\.json>\] <plan\.json>/,
    );
    expect(help.stderr).toBe('');
    const slip = planReview('--reveiwed', 'a.json', 'b.json');
    expect(slip.status).toBe(EXIT_CODES.invalidInput);
    expect(slip.stderr).toMatch(/^plan:review: unknown option --reveiwed; did you mean --reviewed\?\nusage:/);
    expect(slip.stderr).not.toMatch(/ERR_PARSE_ARGS|Unknown option '/);
  });

  it('exits 2 with the usage when the plan file is not given', () => {
    const { status, stderr } = planReview();
    expect(status).toBe(2);
    expect(stderr).toContain('usage: npm run plan:review -- [--format markdown|json] [--reviewed <reviewed-plan.json>] <plan.json>');
  });

  it('--reviewed: exits 0 when the plan makes the reviewed changes, 4 (refused) when it does not; 4 wins over 5', () => {
    // Prepare
    const reviewed = join(FIXTURES, 'widening.plan.json');
    const clean = join(FIXTURES, 'terraform-data.plan.json');
    const changed = JSON.parse(readFileSync(reviewed, 'utf8'));
    changed.resource_changes[0].change.after.policy =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
    const fresh = join(mkdtempSync(join(tmpdir(), 'plan-review-')), 'fresh.plan.json');
    writeFileSync(fresh, JSON.stringify(changed));
    // Act
    const same = planReview('--reviewed', reviewed, reviewed);
    const sameClean = planReview('--reviewed', clean, clean);
    const differs = planReview('--reviewed', reviewed, fresh);
    const json = planReview('--format', 'json', '--reviewed', reviewed, fresh);
    // Assess
    expect(same.status).toBe(EXIT_CODES.blocking); // the same plan, and it is blocking
    expect(same.stdout).toContain('makes exactly the changes reviewed in');
    expect(sameClean.status).toBe(EXIT_CODES.ok);
    expect(differs.status).toBe(EXIT_CODES.plansDiffer); // blocking as well, but not the reviewed plan: 4
    expect(JSON.parse(json.stdout).comparison).toEqual({
      same: false,
      differences: ['aws_iam_role_policy.workflows_permissions-policy_1ABB482B: planned values differ (after)'],
    });
    expect(json.status).toBe(EXIT_CODES.plansDiffer);
    expect(differs.stdout).toContain('| `aws_iam_role_policy.workflows_permissions-policy_1ABB482B` | planned values differ (after) |');
    expect(differs.stdout).toContain('new `*` in Action: `*`');
  });
});
