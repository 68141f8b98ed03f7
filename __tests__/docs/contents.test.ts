import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The long guides open with a table of contents (`## Contents`) that lists every `##` and `###`
 * heading after it, in order and at its level; the links test checks that each entry's anchor
 * exists. A new section without its entry, or an entry left behind by a removed one, fails here.
 */

const ROOT = resolve(__dirname, '../..');
const GUIDES = ['CONTRIBUTING.md', 'docs/architecture.md', 'docs/operator.md', 'docs/simulate.md', 'docs/app-teams.md', 'docs/pipeline.md'];

/** `## Heading` and `### Heading` lines outside fenced code, as `level text`. */
function headings(markdown: string): string[] {
  const found: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const mark = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (mark && (!fence || (mark[0] === fence[0] && mark.length >= fence.length))) {
      fence = fence ? undefined : mark;
      continue;
    }
    const heading = fence ? undefined : /^(#{2,3})\s+(.*?)\s*$/.exec(line);
    if (heading) found.push(`${heading[1]!.length} ${heading[2]}`);
  }
  return found;
}

/** What a guide's contents list and the headings after it disagree on; [] when they agree. */
function contentsProblems(markdown: string): string[] {
  const start = markdown.indexOf('\n## Contents\n');
  if (start < 0) return ['no "## Contents" section'];
  const end = markdown.indexOf('\n## ', start + 1);
  const entries = markdown
    .slice(start, end)
    .split('\n')
    .map((line) => /^( *)- \[(.*)\]\(#[^)]*\)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => `${match[1]!.length === 0 ? 2 : 3} ${match[2]}`);
  const expected = headings(markdown.slice(end));
  const problems = [
    ...expected.filter((heading) => !entries.includes(heading)).map((heading) => `missing from the contents: ${heading}`),
    ...entries.filter((entry) => !expected.includes(entry)).map((entry) => `in the contents but not a heading: ${entry}`),
  ];
  if (problems.length === 0 && entries.some((entry, index) => entry !== expected[index])) {
    problems.push('the contents are not in the order of the headings');
  }
  return problems;
}

describe('tables of contents', () => {
  it.each(GUIDES)('%s lists every section and subsection, in order', (guide) => {
    expect(contentsProblems(readFileSync(resolve(ROOT, guide), 'utf8'))).toEqual([]);
  });

  it('detects a missing entry, a stale entry, a wrong order and a missing contents (negative control)', () => {
    // Prepare
    const guide = (contents: string[], body: string[]) => ['# Guide', '', '## Contents', '', ...contents, '', ...body].join('\n');
    const body = ['## One', 'text', '### One.a', '```', '## Not a heading', '```', '## Two'];
    // Assess
    expect(contentsProblems(guide(['- [One](#one)', '  - [One.a](#onea)', '- [Two](#two)'], body))).toEqual([]);
    expect(contentsProblems(guide(['- [One](#one)', '- [Two](#two)', '- [Three](#three)'], body))).toEqual([
      'missing from the contents: 3 One.a',
      'in the contents but not a heading: 2 Three',
    ]);
    expect(contentsProblems(guide(['- [Two](#two)', '- [One](#one)', '  - [One.a](#onea)'], body))).toEqual([
      'the contents are not in the order of the headings',
    ]);
    expect(contentsProblems(['# Guide', '## One'].join('\n'))).toEqual(['no "## Contents" section']);
  });
});
