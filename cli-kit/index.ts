import { parseArgs } from 'node:util';

/**
 * The command lines of `npm run simulate`, `npm run plan:review` and `entra-aws-credentials`
 * behave alike through this one helper: `--help` (or `-h`) prints the command's own usage (a
 * subcommand's when one is named) and is not an error; a misspelt option or subcommand names the
 * closest one; every mistake is said in our words, never in Node's `parseArgs` text
 * (ERR_PARSE_ARGS_*), which names options in a form the usage does not use.
 *
 * It depends on nothing but Node (the credential helper bundles it and must start fast, see
 * bench/credential-helper.bench.ts), and it only reads: each command checks its values itself.
 */

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** One letter, e.g. `h` for `-h`. */
  readonly short?: string;
}

export interface CommandSpec {
  /** The full text `--help` prints. */
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Whether arguments that are not options are accepted (files, a subcommand's name). @default false */
  readonly allowPositionals?: boolean;
  /** Subcommands, named by the first argument that is not an option; each has its own usage (and the command's options). */
  readonly subcommands?: Readonly<Record<string, { readonly usage: string }>>;
}

export type CommandLine =
  /** `--help` was asked: print `text` on stdout and exit 0. */
  | { readonly kind: 'help'; readonly text: string }
  /**
   * Mistakes, each a sentence naming the option (and the closest one for a slip), and the usage
   * to print after them (`formatProblems`); the command exits with its usage code.
   */
  | { readonly kind: 'error'; readonly problems: readonly string[]; readonly usage: string }
  | {
      readonly kind: 'parsed';
      readonly values: Readonly<Record<string, string | boolean | undefined>>;
      readonly positionals: readonly string[];
      /** The subcommand named first, if any. */
      readonly subcommand?: string;
    };

/** Levenshtein distance (insertions, deletions, substitutions), for suggestions. */
function distance(a: string, b: string): number {
  let previous = Uint16Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = new Uint16Array(b.length + 1);
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous.at(j) ?? 0) + 1,
        (current.at(j - 1) ?? 0) + 1,
        (previous.at(j - 1) ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous.at(b.length) ?? 0;
}

/**
 * The candidate closest to `word`, when it is close enough to be a slip (at most a third of its
 * length, and at least 2 edits, apart; or one is the other's prefix); ties go to the first.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = name.startsWith(word) || word.startsWith(name) ? Math.min(1, distance(word, name)) : distance(word, name);
    if (best === undefined || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.name : undefined;
}

/** Parses `argv` (without `node` and the script) against `spec`. Never throws for what the user typed. */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): CommandLine {
  const options = { ...spec.options, help: { type: 'boolean', short: 'h' } } as Record<string, OptionSpec>;
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const names = Object.keys(options);
  const subcommands = Object.keys(spec.subcommands ?? {});
  const values: Record<string, string | boolean | undefined> = {};
  const positionals: string[] = [];
  const problems: string[] = [];
  let subcommand: string | undefined;
  let help = false;
  // The argument after an unknown option is likely its value: one mistake, not two.
  let afterUnknown = false;
  for (const token of tokens) {
    const skip = afterUnknown;
    afterUnknown = false;
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (skip) continue;
      if (positionals.length === 0 && subcommand === undefined && subcommands.length > 0) {
        if (subcommands.includes(token.value)) {
          subcommand = token.value;
          continue;
        }
        const suggestion = closest(token.value, subcommands);
        problems.push(
          `unknown command "${token.value}"${suggestion ? `; did you mean "${suggestion}"?` : ''} (commands: ${subcommands.join(', ')})`,
        );
        continue;
      }
      if (spec.allowPositionals) positionals.push(token.value);
      else problems.push(`unexpected argument "${token.value}": this command takes options only`);
      continue;
    }
    const option = options[token.name];
    if (option === undefined) {
      const dashes = token.rawName.startsWith('--') ? '--' : '-';
      const suggestion = closest(token.name, names);
      problems.push(`unknown option ${dashes}${token.name}${suggestion ? `; did you mean --${suggestion}?` : ''}`);
      afterUnknown = token.value === undefined;
      continue;
    }
    if (token.name === 'help') {
      help = true;
      continue;
    }
    const flag = `--${token.name}`;
    if (option.type === 'boolean') {
      if (token.value !== undefined) problems.push(`${flag} takes no value (got "${token.value}")`);
      else values[token.name] = true;
      continue;
    }
    // Without a value, or with the next option taken as its value (`--world --check`): a value was forgotten.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-') && token.value.length > 1)) {
      problems.push(
        `${flag} needs a value${token.value === undefined ? '' : ` (the next argument, ${token.value}, is an option; write ${flag}=${token.value} if it is meant)`}`,
      );
      continue;
    }
    if (values[token.name] !== undefined) problems.push(`${flag} is given twice`);
    values[token.name] = token.value;
  }
  const usage = (subcommand === undefined ? undefined : spec.subcommands?.[subcommand]?.usage) ?? spec.usage;
  if (help) return { kind: 'help', text: usage };
  if (problems.length > 0) {
    return { kind: 'error', problems, usage };
  }
  return { kind: 'parsed', values, positionals, ...(subcommand === undefined ? {} : { subcommand }) };
}

/** `{name}: {problem}` lines, then the usage: what a command prints on stderr for a mistake. */
export function formatProblems(name: string, line: { readonly problems: readonly string[]; readonly usage: string }): string {
  return `${line.problems.map((problem) => `${name}: ${problem}`).join('\n')}\n${line.usage}\n`;
}
