import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The one-time bootstrap policies of the pipeline (examples/github-actions/bootstrap/, filled in
 * with envsubst as docs/pipeline.md shows): the plan identity writes nothing, not even the state
 * lock object; only the protected environment can assume the apply role.
 */

const DIR = resolve(__dirname, '..', '..', 'examples', 'github-actions', 'bootstrap');
type Statement = {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
};
const policy = (file: string) => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { Statement: Statement[] };
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
const READ = /^[a-z0-9-]+:(Get|List|Describe)[A-Za-z]*$/;
const PLACEHOLDERS = ['ACCOUNT_ID', 'GITHUB_SUBJECT_PREFIX', 'NAME_PREFIX', 'REGION', 'STATE_BUCKET', 'STATE_KEY'];

describe('bootstrap policies', () => {
  it('use only the placeholders docs/pipeline.md fills in', () => {
    for (const file of readdirSync(DIR)) {
      const used = [...readFileSync(join(DIR, file), 'utf8').matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]);
      expect(used.filter((p) => !PLACEHOLDERS.includes(p))).toEqual([]);
    }
  });

  it('the plan role writes nothing: no state, no lock object (plans run with -lock=false, so a pull request cannot plant or remove a lock)', () => {
    // Prepare
    const statements = policy('aws-plan-role-policy.json').Statement;
    // Assess
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      expect(list(s.Action).filter((a) => !READ.test(a))).toEqual([]);
    }
    expect(statements.flatMap((s) => list(s.Resource)).filter((r) => r.includes('.tflock'))).toEqual([]);
    const stateReaders = statements.filter((s) => list(s.Resource).includes('arn:aws:s3:::${STATE_BUCKET}/${STATE_KEY}'));
    expect(stateReaders.flatMap((s) => list(s.Action))).toEqual(['s3:GetObject']);
  });

  it('no policy allows a `*` action, and reads never include secret values or object contents beyond the state', () => {
    for (const file of ['aws-plan-role-policy.json', 'aws-apply-role-policy.json']) {
      const actions = policy(file).Statement.flatMap((s) => list(s.Action));
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
      expect(actions).not.toContain('secretsmanager:GetSecretValue');
    }
  });

  it('the apply role passes its roles only to Lambda and Step Functions', () => {
    const pass = policy('aws-apply-role-policy.json').Statement.filter((s) => list(s.Action).includes('iam:PassRole'));
    expect(pass).toHaveLength(1);
    expect(pass[0].Condition).toEqual({ StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'states.amazonaws.com'] } });
  });

  it('only the protected environment can assume the apply role; pull requests and main plan with the plan role', () => {
    // Prepare
    const subject = (file: string) =>
      policy(file).Statement.map((s) => s.Condition?.StringEquals['token.actions.githubusercontent.com:sub']);
    const audience = (file: string) =>
      policy(file).Statement.map((s) => s.Condition?.StringEquals['token.actions.githubusercontent.com:aud']);
    // Assess
    expect(subject('aws-apply-role-trust.json')).toEqual(['${GITHUB_SUBJECT_PREFIX}:environment:production']);
    expect(subject('aws-plan-role-trust.json')).toEqual([
      ['${GITHUB_SUBJECT_PREFIX}:pull_request', '${GITHUB_SUBJECT_PREFIX}:ref:refs/heads/main'],
    ]);
    expect([...audience('aws-apply-role-trust.json'), ...audience('aws-plan-role-trust.json')]).toEqual([
      'sts.amazonaws.com',
      'sts.amazonaws.com',
    ]);
    // StringLike would let a wildcard in; exact subjects only.
    for (const file of ['aws-apply-role-trust.json', 'aws-plan-role-trust.json'])
      expect(Object.keys(policy(file).Statement[0].Condition!)).toEqual(['StringEquals']);
  });
});
