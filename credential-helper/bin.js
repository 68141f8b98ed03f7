#!/usr/bin/env node
'use strict';
// The package is TypeScript; a bin must be runnable JavaScript. Use the esbuild bundle
// (`npm run build:credential-helper`) when it is at least as new as the sources, else run
// the sources through tsx (a devDependency) so a checkout works without a build step.
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', '.build', 'credential-helper', 'cli.js');

// The bundle includes the shared command-line helper (cli-kit/), so its sources count too.
const sources = [__dirname, join(__dirname, '..', 'cli-kit')];

function bundleIsCurrent() {
  if (!existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  return sources.every((dir) =>
    readdirSync(dir)
      .filter((file) => file.endsWith('.ts'))
      .every((file) => statSync(join(dir, file)).mtimeMs <= built),
  );
}

let cli;
if (bundleIsCurrent()) {
  cli = require(bundle);
} else {
  try {
    require('tsx/cjs');
  } catch {
    process.stderr.write('entra-aws-credentials: no build found and tsx is not installed; run `npm run build:credential-helper`.\n');
    process.exit(1);
  }
  cli = require('./cli.ts');
}
cli.runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
