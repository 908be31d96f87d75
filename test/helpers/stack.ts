// An in-process gcflow for integration tests: real Redis (the injected URL, a
// fresh prefix), the simulator over real HTTP on a free port, real workers, all
// built by the production composition root (test/helpers/daemon.ts).
import type { Config } from '../../src/config/schema.js';
import type { Services, Workers } from '../../src/daemon/services.js';
import { parseWorkflow } from '../../src/dsl/index.js';
import type { WorkflowDefinition } from '../../src/dsl/types.js';
import { isTerminalRun } from '../../src/engine/state.js';
import { isRedisUnavailable } from '../../src/queue/outage.js';
import type { RunView } from '../../src/runs/service.js';
import { type RunningSimulator, type SimulatorSettings, startSimulator } from '../../src/simulator/index.js';
import { startTestDaemon } from './daemon.js';
import { waitFor } from './poll.js';
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
  /**
   * The workers always consult the concurrency gate (the daemon's wiring); `{pollMs}` sets
   * how often a run waiting for its group looks again (`true` is the default poll).
   */
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
    GCFLOW_REDIS_PREFIX: testPrefix('stack'),
    GENESISCLOUD_API_URL: sim.apiUrl,
    GENESISCLOUD_TOKEN: TEST_TOKEN,
  };
  for (const [k, v] of Object.entries(options.secrets ?? {})) env[`GCFLOW_SECRET_${k.toUpperCase()}`] = v;
  let daemon: Awaited<ReturnType<typeof startTestDaemon>>;
  try {
    daemon = await startTestDaemon({
      env,
      tune: (config) => {
        config.engine.poll_interval_ms = 100;
        config.engine.late_answer_window_ms = 1_000;
        config.worker.shutdown_grace_ms = 2_000;
        // The daemon's HTTP app on a free loopback port: run.report_url points at it, so a
        // test can play a batch job's box.
        config.http.listen = '127.0.0.1:0';
        Object.assign(config.redis, options.redis);
        options.tune?.(config);
      },
      http: true,
      concurrency: options.concurrency ?? 10,
      ...(options.turnRetry ? { turnRetry: options.turnRetry } : {}),
      ...(typeof options.gate === 'object' ? { gatePollMs: options.gate.pollMs } : {}),
    });
  } catch (err) {
    await sim.close();
    throw err;
  }
  const { services, config } = daemon;
  const workers = daemon.workers!;
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
      let last: RunView | undefined;
      return waitFor(
        async () => {
          try {
            last = await services.runs.get(runId);
          } catch (err) {
            // Redis unreachable for a moment (a failover, a killed master): look again, as
            // `gcflow run --wait` does, until the deadline. Any other error fails the test.
            if (!isRedisUnavailable(err)) throw err;
            return undefined;
          }
          return until(last) ? last : undefined;
        },
        {
          timeoutMs,
          everyMs: 25,
          what: () =>
            last === undefined
              ? `run ${runId} (never read)`
              : `run ${runId}; it is ${last.status}: ${JSON.stringify(last.steps.map((s) => [s.id, s.status, s.error]))}`,
        },
      );
    },
    async close() {
      await daemon.close();
      await sim.close();
    },
  };
  return stack;
}
