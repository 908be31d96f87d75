// Three test layers as vitest projects (ARCHITECTURE.md, Tests):
//   unit         test/unit: pure modules, no Redis (test/helpers/no-redis.ts refuses
//                any connection), no child process, seconds.
//   integration  test/integration: one real dependency (Redis from the global setup,
//                the simulator over HTTP), in-process gcflow parts.
//   e2e          test/e2e: the built CLI and daemon as child processes; dist/ is built
//                once by the global setup when missing or stale. Also test/browser:
//                the dashboard in a headless Chromium child process.
// `npx vitest run --project NAME` runs one layer. Deadlines in tests are upper bounds
// for a loaded 2-core machine: a passing test ends as soon as its condition holds.
import { defineConfig } from 'vitest/config';
import { LongestFirst } from './test/helpers/sequencer.js';

export default defineConfig({
  test: {
    // Two cores, one pool for the three layers. Most of an e2e file's time is spent
    // waiting (a daemon polling the simulator, a 50 s late answer, a 2-minute kill
    // storm), so a third file in flight uses the CPU the other two leave idle; the
    // longest files start first (test/helpers/sequencer.ts).
    maxWorkers: 3,
    sequence: { sequencer: LongestFirst },
    reporters: ['default'],
    passWithNoTests: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Refuses every Redis connection: the unit layer runs without Redis.
          setupFiles: ['test/helpers/no-redis.ts'],
          // Pure tests share a worker's module cache: importing zod, yaml and hono once
          // per worker instead of once per file is most of the layer's time.
          isolate: false,
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/helpers/global-redis.ts'],
          setupFiles: ['test/helpers/children.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/browser/**/*.test.ts'],
          globalSetup: ['test/helpers/global-build.ts', 'test/helpers/global-redis.ts'],
          setupFiles: ['test/helpers/children.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
