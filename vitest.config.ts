import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // What the tests need beyond npm dependencies (test/setup/prepare.ts; milliseconds once there),
    // then the run's PostgreSQL (started by the first test that needs it, stopped at the end).
    globalSetup: ['test/setup/global.ts', 'test/helpers/postgres-global.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Multi-process tests spawn many workers; two cores do not like several of those suites at once.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
