/**
 * Jest for `npm run mutate` only: the suites of the part being mutated (mutation/parts.js, named
 * by MUTATE_PART). The end-to-end, stack and simulation suites would add minutes per mutant and
 * exercise these modules only through the unit-tested paths; they stay in `npm test`.
 */
// The timeout and the unit project's transform and environment; not its selection of suites.
const { projects, ...global } = require('./jest.config.js');
const { displayName, testPathIgnorePatterns, roots, testMatch, ...unit } = projects[0];

const part = require('./mutation/parts.js').currentPart();

module.exports = {
  ...global,
  ...unit,
  roots: ['<rootDir>/__tests__'],
  testMatch: part.tests.map((path) => `<rootDir>/__tests__/${path.endsWith('/') ? `${path}**/*.test.ts` : path}`),
};
