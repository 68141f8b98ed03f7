/**
 * Jest for `npm run mutate` only: the suites of the part being mutated (mutation/parts.js, named
 * by MUTATE_PART). The end-to-end, stack and simulation suites would add minutes per mutant and
 * exercise these modules only through the unit-tested paths; they stay in `npm test`.
 */
// The timeout and the unit project's transform and environment; not its selection of suites.
const { projects, ...global } = require('./jest.config.js');
const { displayName, testPathIgnorePatterns, roots, testMatch, ...unit } = projects[0];

const part = require('./mutation/parts.js').currentPart();

// The parts that mutate nothing the stack is built from synthesize the example once per run, into
// Stryker's sandbox (this file's folder there): __tests__/support/synthesized.ts reads it back.
if (part.synthesizeOnce) process.env.SYNTHESIZED_EXAMPLE_CACHE = require('node:path').join(__dirname, '.synthesized-example.json');

module.exports = {
  ...global,
  ...unit,
  roots: ['<rootDir>/__tests__'],
  testMatch: part.tests.map((path) => `<rootDir>/__tests__/${path.endsWith('/') ? `${path}**/*.test.ts` : path}`),
};
