import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FEDERATED_CREDENTIAL_TAG_PREFIX, IDENTITY_MODES, ROLE_TAGS } from '../../functions/shared/workflow';
import { codeSpans, differences, labelsOf, type MarkdownTable, tableUnder } from '../support/markdown-tables';

/**
 * The role tags, read from the guides' tables (not from anywhere in the text, so a row that a
 * blank line pushed out of its table, or a stale second row, fails): the app-team guide's table
 * (docs/app-teams.md) has one row per tag the automation writes, and the operator's "Names you
 * will see" table (docs/operator.md#names-you-will-see) lists the tags each side writes, as
 * `ROLE_TAGS` spells them.
 */

const read = (name: string) => readFileSync(join(resolve(__dirname, '../..'), 'docs', name), 'utf8');
const code = (names: readonly string[]) => names.map((name) => `\`${name}\``);

/** Written by the app team at CreateRole; every other tag is the automation's. */
const APP_TEAM_TAGS = [ROLE_TAGS.owners, `${FEDERATED_CREDENTIAL_TAG_PREFIX}<name>`];
const AUTOMATION_TAGS = Object.values(ROLE_TAGS).filter((tag) => tag !== ROLE_TAGS.owners);

const appTeamsTagTable = (markdown: string) => tableUnder(markdown, '1. Read what the automation wrote on the role', ['tag', 'meaning']);
const namesTable = (markdown: string) =>
  tableUnder(markdown, 'Names you will see', ['what', 'name (default `namePrefix` = `web-identity`)']);
/** The code spans of the row labelled `label`; throws when the table has no such row. */
function rowSpans(table: MarkdownTable, label: string): string[] {
  const row = table.rows.find((candidate) => candidate.cells[0] === label);
  if (!row) throw new Error(`no row "${label}" in the table at line ${table.line}`);
  return code(codeSpans(row.cells[1]!));
}
const operatorTagProblems = (markdown: string) => [
  ...differences('tags the automation writes', rowSpans(namesTable(markdown), 'role tags the automation writes'), code(AUTOMATION_TAGS)),
  ...differences(
    'tags the app team writes',
    rowSpans(namesTable(markdown), 'role tags the app team writes (at `CreateRole`)'),
    code(APP_TEAM_TAGS),
  ),
];

describe('role tags in the guides', () => {
  const appTeams = read('app-teams.md');
  const operator = read('operator.md');

  it("the app teams' table has one row per tag the automation writes", () => {
    expect(differences('app-teams.md tag table', labelsOf(appTeamsTagTable(appTeams)), code(AUTOMATION_TAGS))).toEqual([]);
  });

  it("the operator's names table lists the tags each side writes", () => {
    expect(operatorTagProblems(operator)).toEqual([]);
  });

  it('a tag missing from a table fails (negative control)', () => {
    // Prepare: each guide without its row or mention of entra:access
    const withoutAccessRow = appTeams.replace(/^\| `entra:access` \|.*\n/m, '');
    const withoutAccessName = operator.replace('`entra:access`, ', '');
    // Assess
    expect(withoutAccessRow).not.toBe(appTeams);
    expect(differences('app-teams.md tag table', labelsOf(appTeamsTagTable(withoutAccessRow)), code(AUTOMATION_TAGS))).toEqual([
      'app-teams.md tag table: `entra:access` is missing',
    ]);
    expect(operatorTagProblems(withoutAccessName)).toEqual(['tags the automation writes: `entra:access` is missing']);
  });

  it('documents the app team tags and the federated credential tag form', () => {
    expect(appTeams).toContain(`\`${ROLE_TAGS.owners}\``);
    expect(labelsOf(tableUnder(appTeams, 'Federated identity credentials by tag', ['tag key', 'value']))).toEqual([
      `\`${FEDERATED_CREDENTIAL_TAG_PREFIX}<name>\``,
    ]);
  });

  it.each(IDENTITY_MODES)('explains the identity mode %s', (mode) => {
    expect(appTeams).toContain(`\`${mode}\``);
  });
});
