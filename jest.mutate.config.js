/**
 * Jest for `npm run mutate` only: the unit and attack suites of the mutated modules. The end-to-end,
 * stack and simulation suites would add minutes per mutant and exercise these modules only through
 * the unit-tested paths; they stay in `npm test`.
 */
// The timeout and the unit project's transform and environment; not its selection of suites.
const { projects, ...global } = require('./jest.config.js');
const { displayName, testPathIgnorePatterns, ...unit } = projects[0];

module.exports = {
  ...global,
  ...unit,
  roots: ['<rootDir>/__tests__/functions', '<rootDir>/__tests__/security', '<rootDir>/__tests__/credential-helper'],
};
