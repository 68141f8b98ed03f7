/**
 * Two jest projects in one configuration: `unit`, the fast suites (`npm run test:unit`, about a
 * minute: the functions, plan review, the docs, the stack and its synthesized JSON, the example
 * workflows), and `integration`, the suites that start loopback servers, child processes or the
 * whole pipeline (the credential helper, end to end, the attack scenarios, the simulator,
 * `npm run synth`, the dashboard's filters over simulated logs, the report page in Chromium). `npm test` runs both. Every test file is in exactly one: `unit` is every
 * suite that `integration` does not list. Type checking is `tsc --noEmit` (npm test); jest only
 * transpiles (tsconfig `isolatedModules`), which keeps the suite fast.
 */
const INTEGRATION = [
  'credential-helper/',
  'e2e/',
  'security/',
  'simulation/',
  'main.test.ts',
  // They run the simulator (and the report page, Chromium) to read what the functions wrote.
  'stacks/dashboard.test.ts',
  'functions/shared/sweep/report-html.test.ts',
];

const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
};

module.exports = {
  // A global option: jest refuses it inside a project.
  testTimeout: 60000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/__tests__'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...INTEGRATION.map((path) => `<rootDir>/__tests__/${path.replace(/\./g, '\\.')}`)],
    },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/__tests__'],
      testMatch: INTEGRATION.map((path) => `<rootDir>/__tests__/${path.endsWith('/') ? `${path}**/*.test.ts` : path}`),
    },
  ],
};
