// @ts-check
// npm run mutate: mutation testing of the security-critical modules, run like a benchmark (not in
// CI), one part at a time (mutation/parts.js, MUTATE_PART). Figures and survivors: bench/README.md.
import parts from './mutation/parts.js';

const { currentPart } = parts;

const part = currentPart();

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.mutate.config.js',
    // Only the suites that import a mutated module (of those the part names, mutation/parts.js).
    enableFindRelatedTests: true,
  },
  coverageAnalysis: 'perTest',
  // mutation/parts.js says why a part may run without it.
  checkers: part.typeCheck === false ? [] : ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: part.mutate,
  plugins: ['@stryker-mutator/*', './stryker-ignorers.mjs'],
  ignorers: ['message-text'],
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/${part.name}.json` },
  concurrency: 2,
  timeoutMS: 60000,
  tempDirName: '.stryker-tmp',
  // The Node.js that scripts/use-node.sh installs (a binary of about 100 MB): not a source to copy
  // into each sandbox. Stryker's own defaults already leave out node_modules and its reports.
  ignorePatterns: ['/.tools'],
  cleanTempDir: 'always',
};
