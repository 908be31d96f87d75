// Scheduler replicas in one process on a real Redis (the injected URL, a fresh
// prefix per harness): each replica is a daemon built by the production composition
// root (test/helpers/daemon.ts) without HTTP: its own connections, workflow registry
// (watching a shared temp directory), scheduler and, optionally, run workers.
// Workflows use `sleep` steps only, so no API is called.
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import { createMetrics, type Metrics } from '../../../src/daemon/metrics.js';
import type { WorkflowRegistry } from '../../../src/daemon/registry.js';
import { openServices, type Services, type Workers } from '../../../src/daemon/services.js';
import type { RunView } from '../../../src/runs/service.js';
import type {
  FireOutcome,
  RunningScheduler,
  SchedulerMetrics,
  SchedulerTuning,
} from '../../../src/scheduler/index.js';
import { createLogger } from '../../../src/shared/logger.js';
import { startTestDaemon } from '../../helpers/daemon.js';
import { testPrefix } from '../../helpers/prefix.js';
import { waitFor } from '../../helpers/poll.js';

export interface RecordingMetrics extends SchedulerMetrics {
  fires: Array<{ workflow: string; lagMs: number }>;
  skips: Array<{ workflow: string; reason: string }>;
}

export function recordingMetrics(): RecordingMetrics {
  const m: RecordingMetrics = {
    fires: [],
    skips: [],
    onScheduleFire: (workflow, lagMs) => m.fires.push({ workflow, lagMs }),
    onScheduleSkip: (workflow, reason) => m.skips.push({ workflow, reason }),
    setScheduleOverdue: () => undefined,
  };
  return m;
}

/** The daemon's real metrics, with the scheduler's fires and skips also recorded. */
function recordingDaemonMetrics(): Metrics & RecordingMetrics {
  const real = createMetrics({ processMetrics: false });
  const fires: RecordingMetrics['fires'] = [];
  const skips: RecordingMetrics['skips'] = [];
  return {
    ...real,
    fires,
    skips,
    onScheduleFire: (workflow, lagMs) => {
      fires.push({ workflow, lagMs });
      real.onScheduleFire(workflow, lagMs);
    },
    onScheduleSkip: (workflow, reason) => {
      skips.push({ workflow, reason });
      real.onScheduleSkip(workflow, reason);
    },
  };
}

export interface Replica {
  services: Services;
  registry: WorkflowRegistry;
  scheduler: RunningScheduler;
  workers: Workers | undefined;
  metrics: RecordingMetrics;
  outcomes: FireOutcome[];
  close(): Promise<void>;
}

export interface Harness {
  dir: string;
  prefix: string;
  /** Every log line of every replica (JSON). */
  logs: string[];
  write(file: string, yaml: string): void;
  remove(file: string): void;
  replica(options?: { workers?: boolean; tuning?: SchedulerTuning }): Promise<Replica>;
  /** Runs of a workflow, oldest slot first. */
  runs(workflow: string): Promise<RunView[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Another Redis than the suite's (Cluster or Sentinel settings); `{}` around the prefix is added on a Cluster. */
  redis?: Partial<Config['redis']>;
}

export async function startHarness(
  files: Record<string, string> = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'gcflow-sched-'));
  const workflows = join(dir, 'workflows');
  mkdirSync(workflows);
  const prefix = options.redis?.cluster ? `{${testPrefix('sched')}}` : testPrefix('sched');
  /** The harness' Redis (the suite's, or options.redis) under its prefix. */
  const tuneRedis = (config: Config) => Object.assign(config.redis, options.redis, { prefix });
  const load = () => {
    const loaded = loadConfig({ env });
    tuneRedis(loaded.config);
    return loaded;
  };
  const logs: string[] = [];
  const replicas: Replica[] = [];
  const env = {
    REDIS_URL: inject('redisUrl'),
    GCFLOW_REDIS_PREFIX: prefix,
    GCFLOW_WORKFLOWS: workflows,
    // Only `sleep` steps run: the API is never called.
    GENESISCLOUD_API_URL: 'http://127.0.0.1:9/compute/v1',
    GENESISCLOUD_TOKEN: 'test-token-unused',
  };
  /** Writes like an editor: a temp file renamed over the old one. */
  const write = (file: string, yaml: string) => {
    const tmp = join(dir, `.${file}.tmp`);
    writeFileSync(tmp, yaml);
    renameSync(tmp, join(workflows, file));
  };
  for (const [file, yaml] of Object.entries(files)) write(file, yaml);
  let reader: Services | undefined;

  const harness: Harness = {
    dir: workflows,
    prefix,
    logs,
    write,
    remove: (file) => unlinkSync(join(workflows, file)),
    async replica(options = {}) {
      const logger = createLogger({
        level: 'info',
        pretty: false,
        destination: { write: (line: string) => void logs.push(line) },
      });
      const metrics = recordingDaemonMetrics();
      const daemon = await startTestDaemon({
        env,
        tune: (config) => {
          tuneRedis(config);
          config.worker.shutdown_grace_ms = 2_000;
        },
        logger,
        metrics,
        scheduler: true,
        schedulerTuning: { leaseIntervalMs: 500, leaseTtlMs: 15_000, watchdogMs: 60_000, ...options.tuning },
        workers: options.workers === true,
        concurrency: 10,
        watchWorkflows: true,
        workflowsDebounceMs: 50,
      });
      const { services, registry, workers } = daemon;
      const scheduler = daemon.scheduler!;
      const outcomes: FireOutcome[] = [];
      scheduler.events.on('fire', (o: FireOutcome) => outcomes.push(o));
      let closed = false;
      const replica: Replica = {
        services,
        registry,
        scheduler,
        workers,
        metrics,
        outcomes,
        async close() {
          if (closed) return;
          closed = true;
          await daemon.close();
        },
      };
      replicas.push(replica);
      return replica;
    },
    async runs(workflow) {
      if (!reader) {
        const { config, secrets } = load();
        reader = await openServices({
          config,
          secrets,
          logger: createLogger({ level: 'silent', pretty: false }),
        });
      }
      const runs = await reader.runs.list({ workflow, limit: 1000 });
      return runs.sort((a, b) =>
        (a.scheduled_at ?? a.created_at).localeCompare(b.scheduled_at ?? b.created_at),
      );
    },
    async close() {
      for (const r of replicas.reverse()) await r.close();
      await reader?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function until<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return waitFor(check, { timeoutMs, what, everyMs: 50 });
}

/** Resolves at the given time (ms since the epoch): for tests that must straddle a slot. */
export function at(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now())));
}
