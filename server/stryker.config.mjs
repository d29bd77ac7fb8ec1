/**
 * Mutation testing of the rule modules (`pnpm test:mutation`; not part of `pnpm test`). test/mutation/run.ts starts one
 * PostgreSQL, migrates the template database, then runs Stryker once per group below (LUNEO_MUTATION_GROUP names it)
 * and writes docs/mutation.md from the JSON reports.
 *
 * Each group mutates one module and runs only the test files that exercise its rules: jest runs every test that covers
 * a mutant (it cannot bail programmatically), and the tenancy helpers are covered by every API test, so one run over
 * all files would spend most of its time in tests that cannot tell a mutant apart.
 */
export const GROUPS = {
  pricing: { mutate: ['src/orders/pricing.ts'], tests: ['test/properties/pricing.test.ts'] },
  stats: {
    mutate: ['src/stats/stats.service.ts', 'src/stats/stats-rollup.ts'],
    tests: ['test/unit/stats-rules.test.ts', 'test/unit/stats-range.test.ts', 'test/unit/stats-rollup-rules.test.ts'],
  },
  tenancy: {
    mutate: ['src/shared/sql.ts', 'src/shared/request-context.ts', 'src/db/pipelined-transaction.ts'],
    tests: ['test/unit/tenancy-helpers.test.ts', 'test/unit/pipelined-transaction.test.ts'],
  },
  idempotency: { mutate: ['src/orders/idempotency.ts'], tests: ['test/unit/idempotency-rules.test.ts', 'test/unit/idempotency-key.test.ts'] },
  lifecycle: { mutate: ['src/orders/order-lifecycle.ts'], tests: ['test/unit/order-lifecycle.test.ts'] },
  stock: { mutate: ['src/products/stock.service.ts'], tests: ['test/unit/stock-rules.test.ts'] },
  discounts: { mutate: ['src/discounts/discount.service.ts'], tests: ['test/unit/discount-rules.test.ts'] },
  payments: { mutate: ['src/orders/order-payments.ts'], tests: ['test/unit/payment-rules.test.ts'] },
};

const name = process.env.LUNEO_MUTATION_GROUP ?? 'pricing';
const group = GROUPS[name];
if (!group) throw new Error(`Unknown mutation group ${name}; one of ${Object.keys(GROUPS).join(', ')}`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'pnpm',
  // Under pnpm the plugins are not beside @stryker-mutator/core, where Stryker looks for them by default.
  plugins: [import.meta.resolve('@stryker-mutator/jest-runner'), import.meta.resolve('@stryker-mutator/typescript-checker')],
  mutate: group.mutate,
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // Off: jest finds related tests through its map of `roots` (here test/ and the mutated file's folder), so an API
    // test that reaches the module through the app is not found, runs nothing and every mutant "survives". The
    // group's own test files are run instead, narrowed per mutant to the tests that cover it.
    enableFindRelatedTests: false,
    // The group's test files are chosen here, not with Stryker's `testFiles`: with `testFiles` set, Stryker 9.6 hands a
    // static mutant (code run when a module loads, e.g. a transition table) a test filter made of file paths, which the
    // jest runner turns into a test-name pattern that matches no test; nothing ran and every static mutant "survived".
    config: {
      testMatch: group.tests.map((file) => `<rootDir>/${file}`),
      // run.ts has started PostgreSQL and migrated the template once for all groups; jest's own global setup would do
      // it again for every mutant, and from the sandbox, which has no top-level migrations/ folder.
      globalSetup: null,
      globalTeardown: null,
    },
  },
  checkers: ['typescript'],
  // The benchmarks are not under test: a half-written one elsewhere should not stop the checker.
  tsconfigFile: 'test/mutation/tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  mutator: {
    // A string literal here is an error message or SQL text. Emptying SQL fails every covering test and says nothing;
    // the SQL's rules are checked by the hand-planted bugs listed in docs/mutation.md instead.
    excludedMutations: ['StringLiteral'],
  },
  incremental: true,
  incrementalFile: `test/mutation/incremental/${name}.json`,
  concurrency: 2,
  // A busy shared machine: a mutant is only called a timeout when it is clearly stuck, not merely slow.
  timeoutMS: 20_000,
  reporters: ['progress-append-only', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  ignorePatterns: ['dist', 'coverage', 'reports', 'bench', 'test/mutation/incremental'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  thresholds: { high: 90, low: 75, break: null },
};
