import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FINDING_KINDS, verdictOf } from '../../plan-review/findings';

/** The finding kinds are a contract: docs/pipeline.md lists exactly those the code can emit. */

const ROOT = join(__dirname, '..', '..');
const PIPELINE = readFileSync(join(ROOT, 'docs', 'pipeline.md'), 'utf8');

function documentedKinds(): string[] {
  const section = PIPELINE.slice(PIPELINE.indexOf('### Finding kinds'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| kind |')));
  return [...table.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
}

describe('finding kinds', () => {
  it('docs/pipeline.md lists every kind, in the order of FINDING_KINDS, and no other', () => {
    expect(documentedKinds()).toEqual([...FINDING_KINDS]);
  });

  it('every kind is emitted somewhere in plan-review/ (no kind is documented that the code never produces)', () => {
    // Prepare: the sources that produce findings (findings.ts declares them, markdown.ts groups them).
    const sources = readdirSync(join(ROOT, 'plan-review'))
      .filter((f) => f.endsWith('.ts') && !['findings.ts', 'markdown.ts'].includes(f))
      .map((f) => readFileSync(join(ROOT, 'plan-review', f), 'utf8'))
      .join('\n');
    // Act
    const unused = FINDING_KINDS.filter((kind) => !sources.includes(`'${kind}'`));
    // Assess
    expect(unused).toEqual([]);
  });

  it('the verdict: blocking wins, then a warning or a resource not analysed is "review", else "no-findings"', () => {
    const finding = (severity: 'info' | 'warning' | 'blocking') => ({
      address: 'a',
      kind: 'code-changed' as const,
      severity,
      message: 'm',
    });
    expect(verdictOf([], [])).toBe('no-findings');
    expect(verdictOf([finding('info')], [])).toBe('no-findings');
    expect(verdictOf([finding('info')], ['aws_iam_user.x'])).toBe('review');
    expect(verdictOf([finding('warning')], [])).toBe('review');
    expect(verdictOf([finding('warning'), finding('blocking')], ['aws_iam_user.x'])).toBe('blocking');
  });
});
