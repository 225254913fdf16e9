import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Multi-process tests spawn many workers; two cores do not like several of those suites at once.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
