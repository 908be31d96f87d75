// An in-process gcflow for integration tests: real Redis (the injected URL, a
// fresh prefix), the simulator over real HTTP on a free port, real workers.
import { inject } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { Hono } from 'hono';
import { serveHttp } from '../../src/daemon/http/index.js';
import { reportRoutes } from '../../src/daemon/http/report.js';
import {
  openGate,
  openServices,
  type Services,
  startWorkers,
  type Workers,
} from '../../src/daemon/services.js';
import { REPORT_PATH } from '../../src/runs/reports.js';
import { parseWorkflow } from '../../src/dsl/index.js';
import type { WorkflowDefinition } from '../../src/dsl/types.js';
import { isTerminalRun } from '../../src/engine/state.js';
import type { RunView } from '../../src/runs/service.js';
import { createLogger, silentLogger } from '../../src/shared/logger.js';
import { type RunningSimulator, type SimulatorSettings, startSimulator } from '../../src/simulator/index.js';
import { testPrefix } from './prefix.js';

export interface StackOptions {
  sim?: Partial<SimulatorSettings>;
  concurrency?: number;
  /** Delays between retries of a failing turn (default: the daemon's, 1 s doubling to 1 min). */
  turnRetry?: { baseMs: number; maxMs: number };
  /** Tweaks to the loaded config (e.g. a lower client rate limit). */
  tune?: (config: Config) => void;
  secrets?: Record<string, string>;
  /** Another Redis than the suite's (a Cluster or Sentinel group from test/helpers); its prefix must be hash-tagged on a Cluster. */
  redis?: Partial<Config['redis']>;
  /** Workers consult the concurrency gate (as the daemon's do); optional poll of waiting runs. */
  gate?: boolean | { pollMs: number };
}

export interface Stack {
  sim: RunningSimulator;
  services: Services;
  workers: Workers;
  config: Config;
  /** Parses YAML; fails the test on any error diagnostic. */
  workflow(yaml: string): WorkflowDefinition;
  start(def: WorkflowDefinition, inputs?: Record<string, unknown>): Promise<string>;
  waitFor(runId: string, until?: (run: RunView) => boolean, timeoutMs?: number): Promise<RunView>;
  close(): Promise<void>;
}

export const TEST_TOKEN = 'test-token-5f1c9e2a7b';

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sim = await startSimulator({
    settings: { transition_ms: 50, script_runtime_ms: 300, ...options.sim },
  });
  const env: Record<string, string> = {
    REDIS_URL: inject('redisUrl'),
    GCFLOW_REDIS_PREFIX: testPrefix('stack'),
    GENESISCLOUD_API_URL: sim.apiUrl,
    GENESISCLOUD_TOKEN: TEST_TOKEN,
  };
  for (const [k, v] of Object.entries(options.secrets ?? {})) env[`GCFLOW_SECRET_${k.toUpperCase()}`] = v;
  const { config, secrets } = loadConfig({ env });
  config.engine.poll_interval_ms = 100;
  config.engine.late_answer_window_ms = 1_000;
  config.worker.shutdown_grace_ms = 2_000;
  Object.assign(config.redis, options.redis);
  options.tune?.(config);
  // GCFLOW_TEST_LOG=debug shows what the workers do.
  const logger = process.env['GCFLOW_TEST_LOG']
    ? createLogger({ level: process.env['GCFLOW_TEST_LOG'], pretty: false })
    : silentLogger();
  const services = await openServices({ config, secrets, logger });
  // The daemon's report route alone, so a test can play a batch job's box (run.report_url).
  const reportApp = new Hono().route(REPORT_PATH, reportRoutes(services));
  const reportServer = await serveHttp(reportApp, { listen: '127.0.0.1:0', token: undefined, logger });
  services.reports.setBase(reportServer.url);
  const workers = await startWorkers(services, {
    concurrency: options.concurrency ?? 10,
    ...(options.turnRetry ? { turnRetry: options.turnRetry } : {}),
    ...(options.gate ? { gate: openGate(services) } : {}),
    ...(typeof options.gate === 'object' ? { gatePollMs: options.gate.pollMs } : {}),
  });
  const stack: Stack = {
    sim,
    services,
    workers,
    config,
    workflow(yaml) {
      const { definition, diagnostics } = parseWorkflow(yaml, 'test.yaml');
      const errors = diagnostics.filter((d) => d.severity === 'error');
      if (!definition || errors.length > 0)
        throw new Error(
          `invalid test workflow: ${errors.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('; ')}`,
        );
      return definition;
    },
    async start(def, inputs = {}) {
      return (await services.runs.start({ def, inputs, trigger: 'manual' })).runId;
    },
    async waitFor(runId, until = (r) => isTerminalRun(r), timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await services.runs.get(runId);
        if (until(run)) return run;
        if (Date.now() > deadline)
          throw new Error(
            `run ${runId} did not get there in ${timeoutMs} ms; it is ${run.status}: ${JSON.stringify(run.steps.map((s) => [s.id, s.status, s.error]))}`,
          );
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      await workers.close(2_000);
      await reportServer.close();
      await services.close();
      await sim.close();
    },
  };
  return stack;
}
