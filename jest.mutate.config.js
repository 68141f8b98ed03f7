/**
 * Jest for `npm run mutate` only: the unit and attack suites of the mutated modules. The end-to-end,
 * stack and simulation suites would add minutes per mutant and exercise these modules only through
 * the unit-tested paths; they stay in `npm test`.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/__tests__/functions', '<rootDir>/__tests__/security', '<rootDir>/__tests__/credential-helper'],
};
