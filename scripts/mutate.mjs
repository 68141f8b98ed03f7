// @ts-check
// npm run mutate [-- <part> …]: runs StrykerJS once per part (mutation/parts.js), then prints each
// module's score from the parts' JSON reports: killed (or timed out) ÷ (killed + survived + not
// covered), the figure bench/README.md records. Not in CI: a part takes up to an hour.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import mutationParts from '../mutation/parts.js';

const { MUTATION_PARTS } = mutationParts;

const names = process.argv.slice(2);
const unknown = names.filter((name) => !(name in MUTATION_PARTS));
if (unknown.length > 0) {
  console.error(`mutate: no part ${unknown.join(', ')}; the parts are ${Object.keys(MUTATION_PARTS).join(', ')}.`);
  process.exit(2);
}
const parts = names.length > 0 ? names : Object.keys(MUTATION_PARTS);
let failed = false;
for (const part of parts) {
  console.error(`mutate: part ${part}`);
  const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], { stdio: 'inherit', env: { ...process.env, MUTATE_PART: part } });
  if (run.status !== 0) {
    failed = true;
    continue;
  }
  const report = JSON.parse(readFileSync(`reports/mutation/${part}.json`, 'utf8'));
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const count = (/** @type {string[]} */ ...statuses) =>
      mutants.filter((/** @type {{status: string}} */ m) => statuses.includes(m.status)).length;
    const killed = count('Killed', 'Timeout');
    const counted = killed + count('Survived', 'NoCoverage');
    console.log(
      `${part}\t${file}\t${counted} mutants\t${killed} killed\t${count('Survived')} survived\t${count('NoCoverage')} not covered\t${((100 * killed) / counted).toFixed(1)} %`,
    );
  }
}
process.exit(failed ? 1 : 0);
