// The one way tests build gcflow's daemon parts: the production composition root
// (startDaemon, src/daemon/daemon.ts) on a real Redis (the injected URL, a fresh
// prefix), with only the parts a test asks for. By default: workers, no scheduler, no
// HTTP, no janitor sweep, an empty workflow directory that is not watched. stack.ts
// and the HTTP and scheduler harnesses (test/integration/*/harness.ts) are views over it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config, Secrets } from '../../src/config/schema.js';
import { type DaemonOptions, type RunningDaemon, startDaemon } from '../../src/daemon/daemon.js';
import { createLogger, type Logger, silentLogger } from '../../src/shared/logger.js';
import { testPrefix } from './prefix.js';

export interface TestDaemonOptions extends Omit<DaemonOptions, 'config' | 'secrets' | 'logger'> {
  /** Environment the config is loaded from, over REDIS_URL and a fresh GCFLOW_REDIS_PREFIX. */
  env?: Record<string, string>;
  /** Tweaks to the loaded config (before anything starts). */
  tune?: (config: Config) => void;
  /** Replaces the secrets loaded from `env`. */
  secrets?: Secrets;
  /** Default: silent, or GCFLOW_TEST_LOG=<level> lines on stderr. */
  logger?: Logger;
}

export interface TestDaemon extends RunningDaemon {
  config: Config;
  secrets: Secrets;
}

export async function startTestDaemon(options: TestDaemonOptions = {}): Promise<TestDaemon> {
  const { env = {}, tune, secrets: givenSecrets, logger: givenLogger, ...daemonOptions } = options;
  // An empty workflow directory unless the test names one (GCFLOW_WORKFLOWS or tune).
  const emptyDir = env['GCFLOW_WORKFLOWS'] ? undefined : mkdtempSync(join(tmpdir(), 'gcflow-wf-'));
  const loaded = loadConfig({
    env: {
      REDIS_URL: inject('redisUrl'),
      GCFLOW_REDIS_PREFIX: testPrefix('daemon'),
      ...(emptyDir ? { GCFLOW_WORKFLOWS: emptyDir } : {}),
      ...env,
    },
  });
  const config = loaded.config;
  const secrets = givenSecrets ?? loaded.secrets;
  tune?.(config);
  // GCFLOW_TEST_LOG=debug shows what the daemon's parts do.
  const logger =
    givenLogger ??
    (process.env['GCFLOW_TEST_LOG']
      ? createLogger({ level: process.env['GCFLOW_TEST_LOG'], pretty: false })
      : silentLogger());
  const removeDir = () => {
    if (emptyDir) rmSync(emptyDir, { recursive: true, force: true });
  };
  let daemon: RunningDaemon;
  try {
    daemon = await startDaemon({
      http: false,
      scheduler: false,
      guards: false,
      watchWorkflows: false,
      ...daemonOptions,
      config,
      secrets,
      logger,
    });
  } catch (err) {
    removeDir();
    throw err;
  }
  return {
    ...daemon,
    config,
    secrets,
    close: async () => {
      await daemon.close();
      removeDir();
    },
  };
}
