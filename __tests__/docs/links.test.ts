import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The repository must stand on its own: every relative link in its Markdown and every
 * `docs/…` path named in code or messages resolves.
 */

const ROOT = resolve(__dirname, '../..');
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', 'cdktf.out', '.build', 'coverage', '.gen']);

/** The repository's files: git's view (tracked plus untracked, not ignored) or, without git, a walk. */
function repositoryFiles(): string[] {
  try {
    const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return listed.split('\0').filter((file) => file && existsSync(join(ROOT, file)));
  } catch {
    const files: string[] = [];
    const walk = (directory: string): void => {
      for (const entry of readdirSync(join(ROOT, directory), { withFileTypes: true })) {
        if (SKIPPED_DIRECTORIES.has(entry.name)) continue;
        const path = directory ? `${directory}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk('');
    return files;
  }
}

/** Removes fenced code blocks (their content is not Markdown) but keeps line numbers. */
function withoutFences(markdown: string): string {
  let inFence: string | undefined;
  return markdown
    .split('\n')
    .map((line) => {
      const fence = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence && (!inFence || fence.startsWith(inFence))) {
        inFence = inFence ? undefined : fence;
        return '';
      }
      return inFence ? '' : line;
    })
    .join('\n');
}

/**
 * GitHub's heading anchors (github-slugger): the heading's rendered text in lower case, every
 * character other than letters, digits, marks, `-`, `_` and spaces removed, each space a `-`;
 * a repeated heading gets `-1`, `-2`… (https://github.com/Flet/github-slugger).
 */
function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images render as their text
    .replace(/<[^>`]+>/g, (tag) => (/^<[a-z/!]/i.test(tag) && !tag.includes(' ') ? '' : tag)) // bare HTML tags
    .replace(/[`*]/g, '');
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a Markdown file offers: its ATX headings' slugs (outside code) and explicit ids. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(markdown).split('\n')) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const slug = githubSlug(heading);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const match of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1]!);
  }
  return anchors;
}

/** The relative link targets of a Markdown text: inline links and images, and reference definitions. */
function relativeLinks(markdown: string): string[] {
  const text = withoutFences(markdown).replace(/`[^`\n]*`/g, '');
  const targets = [
    ...[...text.matchAll(/\]\(\s*<([^>]*)>/g)].map((match) => match[1]!),
    ...[...text.matchAll(/\]\(\s*([^)\s<]+)(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]!),
    ...[...text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*(\S+)/gm)].map((match) => match[1]!),
  ];
  return targets.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/**
 * What is wrong with a link `target` written in `fromFile` (a repository-relative path),
 * or undefined when it resolves: the file (or folder) must exist and the anchor, if any,
 * must be a heading of that Markdown file. `ownText` is `fromFile`'s text, for `#anchor` links.
 */
function brokenLink(fromFile: string, target: string, ownText?: string): string | undefined {
  const [rawPath = '', anchor] = target.split('#', 2) as [string, string | undefined];
  const path = decodeURIComponent(rawPath);
  const resolved = path === '' ? join(ROOT, fromFile) : path.startsWith('/') ? join(ROOT, path) : resolve(ROOT, dirname(fromFile), path);
  const shown = relative(ROOT, resolved) || '.';
  if (resolved !== ROOT && !resolved.startsWith(ROOT + sep)) return `${fromFile}: ${target} points outside the repository`;
  if (!existsSync(resolved)) return `${fromFile}: ${target}: ${shown} does not exist`;
  if (anchor === undefined || anchor === '') return undefined;
  if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) {
    return `${fromFile}: ${target}: only Markdown headings can be linked with #, ${shown} is not Markdown`;
  }
  const text = path === '' && ownText !== undefined ? ownText : readFileSync(resolved, 'utf8');
  if (!anchorsOf(text).has(anchor)) {
    return `${fromFile}: ${target}: ${shown} has no heading with the anchor #${anchor}`;
  }
  return undefined;
}

/** `docs/…` and `CONTRIBUTING.md` paths (with an optional `#anchor`) named in a source text, not parts of URLs. */
function docsPathsIn(source: string): string[] {
  return [...source.matchAll(/(?<![\w./:@-])(?:docs\/[\w./-]*\w|CONTRIBUTING\.md)(?:#[\w-]+)?/g)].map((match) => match[0]);
}

const files = repositoryFiles();
const markdownFiles = files.filter((file) => file.endsWith('.md'));
const sourceFiles = files.filter(
  (file) => /\.(ts|js|json)$/.test(file) && !file.endsWith('package-lock.json') && file !== relative(ROOT, __filename),
);

describe('Markdown links', () => {
  it('finds the Markdown files to check', () => {
    // Prepare / Act: the listing above. Assess: the guides are among them.
    expect(markdownFiles).toEqual(
      expect.arrayContaining([
        'README.md',
        'CONTRIBUTING.md',
        'docs/operator.md',
        'docs/app-teams.md',
        'docs/simulate.md',
        'docs/architecture.md',
      ]),
    );
  });

  it.each(markdownFiles)('every relative link in %s resolves', (file) => {
    // Prepare
    const markdown = readFileSync(join(ROOT, file), 'utf8');
    const links = relativeLinks(markdown);
    // Act
    const broken = links.map((target) => brokenLink(file, target, markdown)).filter((problem) => problem !== undefined);
    // Assess
    expect(broken).toEqual([]);
  });

  it('detects a missing file, a missing heading and a link out of the repository (negative control)', () => {
    // Prepare: links as a README would write them, three of them wrong
    const markdown = [
      '# Title',
      'See [the operator guide](docs/operator.md), [its runbook](docs/operator.md#runbook),',
      '[a guide that does not exist](docs/no-such-guide.md), [a heading that does not exist](docs/operator.md#no-such-heading),',
      '[outside](../outside.md), [the web](https://example.com/x.md), [here](#title) and [nowhere](#no-such-title).',
      '```',
      '[inside a code block](docs/not-checked.md)',
      '```',
    ].join('\n');
    // Act
    const links = relativeLinks(markdown);
    const broken = links.map((target) => brokenLink('README.md', target, markdown)).filter((problem) => problem !== undefined);
    // Assess
    expect(links).not.toContain('https://example.com/x.md');
    expect(links).not.toContain('docs/not-checked.md');
    expect(broken).toEqual([
      'README.md: docs/no-such-guide.md: docs/no-such-guide.md does not exist',
      'README.md: docs/operator.md#no-such-heading: docs/operator.md has no heading with the anchor #no-such-heading',
      'README.md: ../outside.md points outside the repository',
      'README.md: #no-such-title: README.md has no heading with the anchor #no-such-title',
    ]);
  });

  it("computes GitHub's anchors for headings with code, punctuation and repeats", () => {
    // Prepare
    const markdown = [
      '## 2. Name the owners who may add certificates',
      '## `doctor`: why does STS deny me?',
      "## CDKTF's end of life",
      '## Output (stdout, one JSON document)',
      '## Output (stdout, one JSON document)',
      '```',
      '# not a heading',
      '```',
    ].join('\n');
    // Act
    const anchors = anchorsOf(markdown);
    // Assess
    expect([...anchors]).toEqual([
      '2-name-the-owners-who-may-add-certificates',
      'doctor-why-does-sts-deny-me',
      'cdktfs-end-of-life',
      'output-stdout-one-json-document',
      'output-stdout-one-json-document-1',
    ]);
  });
});

describe('docs/ and CONTRIBUTING.md paths named in code and messages', () => {
  const named = sourceFiles.flatMap((file) => docsPathsIn(readFileSync(join(ROOT, file), 'utf8')).map((path) => ({ file, path })));

  it('finds the references to check', () => {
    expect(named.length).toBeGreaterThan(0);
  });

  it('every docs/… path (and #anchor) exists', () => {
    // Act
    const broken = named
      .map(({ file, path }) => brokenLink('.', path)?.replace(/^\.:/, `${file}:`))
      .filter((problem) => problem !== undefined);
    // Assess
    expect(broken).toEqual([]);
  });

  it('detects a docs/ path that does not exist, and ignores URLs (negative control)', () => {
    // Prepare
    const source = [
      '/** Documented in docs/no-such-guide.md; see docs/operator.md#runbook and CONTRIBUTING.md#no-such-section. */',
      "const message = 'see docs/operator.md#no-such-heading.';",
      '// https://example.com/docs/not-ours.md',
    ].join('\n');
    // Act
    const paths = docsPathsIn(source);
    const broken = paths.map((path) => brokenLink('.', path)).filter((problem) => problem !== undefined);
    // Assess
    expect(paths).toEqual([
      'docs/no-such-guide.md',
      'docs/operator.md#runbook',
      'CONTRIBUTING.md#no-such-section',
      'docs/operator.md#no-such-heading',
    ]);
    expect(broken).toEqual([
      '.: docs/no-such-guide.md: docs/no-such-guide.md does not exist',
      '.: CONTRIBUTING.md#no-such-section: CONTRIBUTING.md has no heading with the anchor #no-such-section',
      '.: docs/operator.md#no-such-heading: docs/operator.md has no heading with the anchor #no-such-heading',
    ]);
  });
});
