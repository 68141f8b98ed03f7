import { closest, formatProblems, parseCommandLine, type CommandSpec } from '../../cli-kit';

const spec: CommandSpec = {
  usage: 'usage: tool --world <file> [--check]',
  options: { world: { type: 'string' }, check: { type: 'boolean' }, 'role-arn': { type: 'string' } },
  subcommands: { doctor: { usage: 'usage: tool doctor --world <file>' } },
};

describe('parseCommandLine', () => {
  it('parses options and the subcommand', () => {
    expect(parseCommandLine(spec, ['doctor', '--world', 'w.json', '--check'])).toEqual({
      kind: 'parsed',
      values: { world: 'w.json', check: true },
      positionals: [],
      subcommand: 'doctor',
    });
    expect(parseCommandLine(spec, ['--world=--odd'])).toMatchObject({ kind: 'parsed', values: { world: '--odd' } });
  });

  it('answers --help or -h with the usage of the command, or of the subcommand named', () => {
    expect(parseCommandLine(spec, ['--help'])).toEqual({ kind: 'help', text: spec.usage });
    expect(parseCommandLine(spec, ['-h', '--wrold'])).toEqual({ kind: 'help', text: spec.usage });
    expect(parseCommandLine(spec, ['doctor', '--help'])).toEqual({ kind: 'help', text: 'usage: tool doctor --world <file>' });
  });

  it('names every mistake in its own words, with the closest option or command for a slip', () => {
    const line = parseCommandLine(spec, ['docter', '--wrold', 'x', '--check=yes', '--role-arn', '--check', '--zzzzzzzz']);
    expect(line).toEqual({
      kind: 'error',
      usage: spec.usage,
      problems: [
        'unknown command "docter"; did you mean "doctor"? (commands: doctor)',
        'unknown option --wrold; did you mean --world?',
        '--check takes no value (got "yes")',
        '--role-arn needs a value (the next argument, --check, is an option; write --role-arn=--check if it is meant)',
        'unknown option --zzzzzzzz',
      ],
    });
    expect(parseCommandLine(spec, ['--world', 'a', '--world', 'b'])).toMatchObject({ problems: ['--world is given twice'] });
    expect(parseCommandLine({ ...spec, subcommands: undefined }, ['file.json'])).toMatchObject({
      problems: ['unexpected argument "file.json": this command takes options only'],
    });
    expect(parseCommandLine({ ...spec, allowPositionals: true, subcommands: undefined }, ['a.json', 'b.json'])).toMatchObject({
      kind: 'parsed',
      positionals: ['a.json', 'b.json'],
    });
  });

  it('formats problems one per line, prefixed with the command, then the usage', () => {
    expect(formatProblems('tool', { problems: ['a', 'b'], usage: 'usage: u' })).toBe('tool: a\ntool: b\nusage: u\n');
  });
});

describe('closest', () => {
  it('suggests only what is close enough to be a slip', () => {
    expect(closest('wrold', ['world', 'events'])).toBe('world');
    expect(closest('role', ['role-arn', 'region'])).toBe('role-arn');
    expect(closest('concurency', ['concurrency', 'config'])).toBe('concurrency');
    expect(closest('xyz', ['world', 'events'])).toBeUndefined();
  });
});
