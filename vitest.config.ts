import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-redis.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration and e2e tests spawn servers and child processes; two cores.
    maxWorkers: 2,
    reporters: ['default'],
    passWithNoTests: false,
  },
});
