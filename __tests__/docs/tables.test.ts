import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cellsOf, differences, labelsOf, parseTables, tableUnder } from '../support/markdown-tables';

/**
 * Every table in the repository's Markdown renders as one table on GitHub: no row cut off by a
 * blank line (it would show as a paragraph of pipes), no row label twice in one table (usually
 * a stale copy), no row wider than its header. The plan reviews under __tests__/plan-review are
 * generated output whose first column is an action (several `create` rows), so they are left out.
 */

const ROOT = resolve(__dirname, '../..');
const markdownFiles = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => file && !file.startsWith('__tests__/'));

describe('Markdown tables', () => {
  it('finds the guides and their tables', () => {
    expect(markdownFiles).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'docs/operator.md', 'docs/architecture.md']));
    expect(parseTables(readFileSync(resolve(ROOT, 'docs/operator.md'), 'utf8')).tables.length).toBeGreaterThan(5);
  });

  it.each(markdownFiles)('%s: every table renders whole, each row label once', (file) => {
    expect(parseTables(readFileSync(resolve(ROOT, file), 'utf8')).problems).toEqual([]);
  });

  it('detects a table split by a blank line, a repeated label and a row wider than its header (negative control)', () => {
    // Prepare: the operator's names table as it was, and a fenced block that is not a table
    const markdown = [
      '## Names you will see',
      '',
      '| what | name |',
      '|---|---|',
      '| queue | `web-identity-iam-events` |',
      '| alarm topic | `web-identity-alarms` |',
      '',
      '| role-lock table | `web-identity-role-locks` |',
      '| queue | `web-identity-queue` | stale |',
      '',
      '| kind | value |',
      '| :-- | --: |',
      '| a | 1 |',
      '| a | 2 | 3 |',
      '```',
      '| not | a table |',
      '```',
    ].join('\n');
    // Act
    const { tables, problems } = parseTables(markdown);
    // Assess
    expect(tables.map((table) => [table.line, table.heading, labelsOf(table)])).toEqual([
      [3, 'Names you will see', ['queue', 'alarm topic']],
      [11, 'Names you will see', ['a', 'a']],
    ]);
    expect(problems).toEqual([
      'line 8: a table row outside any table (a blank line above it ends the table before it): | role-lock table | `web-identity-role-locks` |',
      'line 9: a table row outside any table: | queue | `web-identity-queue` | stale |',
      'line 14: 3 cells under a header of 2: GitHub drops the extra ones',
      'line 14: the row "a" repeats line 13 of the same table',
    ]);
  });

  it('splits cells on pipes, not on escaped ones', () => {
    expect(cellsOf('| `a \\| b` | c |')).toEqual(['`a | b`', 'c']);
    expect(cellsOf('a | b')).toEqual(['a', 'b']);
  });

  it('finds one table by its heading and header, and says which it could not find', () => {
    const markdown = '### Exit codes\n\n| code | meaning |\n|---|---|\n| 0 | fine |\n';
    expect(labelsOf(tableUnder(markdown, 'Exit codes', ['code', 'meaning']))).toEqual(['0']);
    expect(() => tableUnder(markdown, 'Exit codes', ['code', 'what'])).toThrow(
      'expected one table "code | what" under the heading "Exit codes", found 0',
    );
  });

  it('compares a documented list with the code: missing, unknown and repeated entries (negative control)', () => {
    expect(differences('tags', ['`a`', '`b`'], ['`a`', '`b`'])).toEqual([]);
    expect(differences('tags', ['`a`', '`x`', '`x`'], ['`a`', '`b`'])).toEqual([
      'tags: `b` is missing',
      'tags: `x` is not in the code',
      'tags: `x` is listed twice',
    ]);
  });
});
