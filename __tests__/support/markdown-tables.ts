/**
 * The tables of a Markdown text as GitHub renders them (GitHub Flavored Markdown,
 * https://github.github.com/gfm/#tables-extension-): a header row, a delimiter row (`|---|:--:|`),
 * then body rows up to the first blank line or other block. The docs tests read tables through
 * this rather than by matching a line anywhere, so a table that renders wrong fails them:
 * - a row after a blank line starts no table (it has no header and delimiter): GitHub shows it as
 *   a paragraph of pipes, and `problems` reports it;
 * - two rows with the same label (first cell) in one table, usually a stale copy: reported;
 * - a row with more cells than the header: GitHub drops the extra cells, reported.
 */

export interface TableRow {
  /** 1-based line number in the text. */
  readonly line: number;
  /** The cells, trimmed, with `\|` unescaped. */
  readonly cells: readonly string[];
}

export interface MarkdownTable {
  /** 1-based line number of the header row. */
  readonly line: number;
  /** The nearest heading above the table (its text without the `#`s), or '' before any. */
  readonly heading: string;
  readonly header: readonly string[];
  readonly rows: readonly TableRow[];
}

export interface ParsedTables {
  readonly tables: readonly MarkdownTable[];
  /** What renders wrong, one sentence each, starting with `line N:`. */
  readonly problems: readonly string[];
}

const DELIMITER_CELL = /^:?-+:?$/;

/** A row's cells: split on `|` not escaped, the optional outer pipes dropped (GFM). */
export function cellsOf(line: string): string[] {
  let text = line.trim();
  if (text.startsWith('|')) text = text.slice(1);
  if (text.endsWith('|') && !text.endsWith('\\|')) text = text.slice(0, -1);
  return text.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

const isDelimiterRow = (line: string): boolean =>
  line.includes('-') && /^\s{0,3}\|?[\s:|-]+\|?\s*$/.test(line) && cellsOf(line).every((cell) => DELIMITER_CELL.test(cell));

/** A line that GitHub would read as a table row if a table were open: it has an unescaped pipe and starts with one. */
const looksLikeRow = (line: string): boolean => /^\s{0,3}\|/.test(line);

export function parseTables(markdown: string): ParsedTables {
  const lines = markdown.split('\n');
  const tables: MarkdownTable[] = [];
  const problems: string[] = [];
  let fence: string | undefined;
  let heading = '';
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    const fenceMark = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fenceMark && (!fence || (fenceMark[0] === fence[0] && fenceMark.length >= fence.length))) {
      fence = fence ? undefined : fenceMark;
      index++;
      continue;
    }
    if (fence) {
      index++;
      continue;
    }
    const headingText = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (headingText !== undefined) heading = headingText;

    const next = lines[index + 1];
    if (looksLikeRow(line) && next !== undefined && isDelimiterRow(next)) {
      const header = cellsOf(line);
      const rows: TableRow[] = [];
      let row = index + 2;
      while (row < lines.length && lines[row]!.trim() !== '' && lines[row]!.includes('|')) {
        rows.push({ line: row + 1, cells: cellsOf(lines[row]!) });
        row++;
      }
      const table: MarkdownTable = { line: index + 1, heading, header, rows };
      tables.push(table);
      problems.push(...problemsOf(table));
      index = row;
      continue;
    }
    if (looksLikeRow(line)) {
      const blankAbove = index > 0 && lines[index - 1]!.trim() === '';
      problems.push(
        `line ${index + 1}: a table row outside any table${blankAbove ? ' (a blank line above it ends the table before it)' : ''}: ${line.trim().slice(0, 60)}`,
      );
    }
    index++;
  }
  return { tables, problems };
}

function problemsOf(table: MarkdownTable): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const row of table.rows) {
    if (row.cells.length > table.header.length) {
      problems.push(`line ${row.line}: ${row.cells.length} cells under a header of ${table.header.length}: GitHub drops the extra ones`);
    }
    const label = row.cells[0] ?? '';
    const first = seen.get(label);
    if (label !== '' && first !== undefined) {
      problems.push(`line ${row.line}: the row "${label}" repeats line ${first} of the same table`);
    }
    if (first === undefined) seen.set(label, row.line);
  }
  return problems;
}

/**
 * The one table under `heading` (the nearest heading above it, as written without `#`s) whose
 * header is `header`; throws, naming what it looked for, when there is none or more than one.
 */
export function tableUnder(markdown: string, heading: string, header: readonly string[]): MarkdownTable {
  const found = parseTables(markdown).tables.filter(
    (table) => table.heading === heading && table.header.join(' | ') === header.join(' | '),
  );
  if (found.length !== 1) {
    throw new Error(`expected one table "${header.join(' | ')}" under the heading "${heading}", found ${found.length}`);
  }
  return found[0]!;
}

/** The labels (first cells) of a table's rows, in order. */
export const labelsOf = (table: MarkdownTable): string[] => table.rows.map((row) => row.cells[0]!);

/** The `code spans` of a cell, in order. */
export const codeSpans = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);

/**
 * How a documented list differs from the code's: each expected entry missing, each documented
 * entry the code does not have, each entry documented twice; [] when they are the same set.
 */
export function differences(what: string, documented: readonly string[], expected: readonly string[]): string[] {
  const wanted = new Set(expected);
  const written = new Set(documented);
  return [
    ...expected.filter((entry) => !written.has(entry)).map((entry) => `${what}: ${entry} is missing`),
    ...[...written].filter((entry) => !wanted.has(entry)).map((entry) => `${what}: ${entry} is not in the code`),
    ...[...written]
      .filter((entry) => documented.indexOf(entry) !== documented.lastIndexOf(entry))
      .map((entry) => `${what}: ${entry} is listed twice`),
  ];
}
