// The daemon's Prometheus metrics (prom-client), on a fresh Registry per instance so
// tests and several daemons in one process never clash. Fed by hooks (API calls, run
// events, schedule fires) and a queue sampler; imports no HTTP framework and no bullmq.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { RunEvent } from '../engine/events.js';
import type { RunState } from '../engine/state.js';
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema.js';
import type { ApiCall } from '../genesis/index.js';
import { logTaskError } from '../queue/connection.js';
import { openQueueViews } from '../queue/dashboard.js';
import { RUNS_QUEUE } from '../queue/runs.js';
import type { Releasers } from '../shared/releasers.js';
import { gcflowVersion } from '../shared/version.js';
import { createRunMetrics } from './metrics-runs.js';
import type { InFlightSource } from './metrics-runs.js';

export interface Metrics {
  registry: Registry;
  /** One Genesis API attempt (the client's onCall hook). */
  onApiCall(call: ApiCall): void;
  /**
   * Events of one checkpoint, with the run state after them (the runner's onEvents hook).
   * `kindOf` names a step's kind (`notify.webhook`, ...) for the webhook failure count.
   */
  onRunEvents(state: RunState, events: RunEvent[], kindOf?: StepKindOf): void;
  /** A schedule fired `lagMs` after its slot time. */
  onScheduleFire(workflow: string, lagMs: number): void;
  /** The watchdog's view of one trigger (index in the workflow's `triggers`); 0 when on time. */
  setScheduleOverdue(workflow: string, trigger: number, overdueMs: number): void;
  /** A slot that started no run, with the scheduler's fixed reason code (overlap_skip, late, ...). */
  onScheduleSkip(workflow: string, reason: string): void;
  /** Invalid workflow files and failed loads, from the registry's `loaded` and `load_failed` events. */
  watchRegistry(registry: RegistryEvents): void;
  /**
   * Samples queue depths every `queueSampleMs` (the timer's release goes to `releasers`);
   * from then on, runs in flight are read at each scrape.
   */
  watchQueues(sources: QueueSources, releasers: Releasers): void;
}

/** What the samplers read: the queues and run records in Redis, and where to log. */
export interface QueueSources extends InFlightSource {
  redis: Redis;
  config: Pick<Config, 'redis'>;
}

/** The step kind of a step of a workflow, if known. */
export type StepKindOf = (workflow: string, stepId: string) => string | undefined;

/** What the metrics need of the workflow registry (daemon/registry.ts). */
export interface RegistryEvents {
  /** Files with errors in the last load. */
  invalidFiles(): number;
  on(event: 'loaded', listener: (invalidFiles: number) => void): unknown;
  on(event: 'load_failed', listener: (err: unknown) => void): unknown;
}

export interface MetricsOptions {
  /** Node.js process metrics (process_*, nodejs_*); default true. */
  processMetrics?: boolean;
  /** Queue sampling period; default 5 s. */
  queueSampleMs?: number;
}

export const QUEUE_SAMPLE_MS = 5_000;

const API_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const STEP_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21_600];
const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300];

const RUN_OUTCOMES = {
  'run.started': 'started',
  'run.succeeded': 'succeeded',
  'run.failed': 'failed',
  'run.cancelled': 'cancelled',
} as const;
type RunOutcomeEvent = keyof typeof RUN_OUTCOMES;

const STEP_ENDS: Partial<Record<RunEvent['type'], string>> = {
  'step.succeeded': 'succeeded',
  'step.failed': 'failed',
  'step.cancelled': 'cancelled',
};

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  new Gauge({
    name: 'gcflow_build_info',
    help: 'Always 1; the labels say which gcflow and which Node.js this process runs',
    labelNames: ['version', 'node'] as const,
    registers,
  }).set({ version: gcflowVersion(), node: process.version }, 1);
  const ops = createRunMetrics(registers);

  const apiCalls = new Counter({
    name: 'gcflow_api_calls_total',
    help: 'Genesis Cloud API requests (one per attempt), by route template, method and HTTP status ("error" when no response came)',
    labelNames: ['route', 'method', 'status'] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: 'gcflow_api_rate_limited_total',
    help: 'Genesis Cloud API answers 429 Too Many Requests, by route template and method',
    labelNames: ['route', 'method'] as const,
    registers,
  });
  const apiDuration = new Histogram({
    name: 'gcflow_api_call_duration_seconds',
    help: 'Duration of one Genesis Cloud API attempt, by route template and method',
    labelNames: ['route', 'method'] as const,
    buckets: API_BUCKETS,
    registers,
  });
  const runs = Object.fromEntries(
    Object.entries(RUN_OUTCOMES).map(([type, word]) => [
      type,
      new Counter({
        name: `gcflow_runs_${word}_total`,
        help: `Runs ${word}, by workflow`,
        labelNames: ['workflow'] as const,
        registers,
      }),
    ]),
  ) as Record<RunOutcomeEvent, Counter<'workflow'>>;
  const stepDuration = new Histogram({
    name: 'gcflow_step_duration_seconds',
    help: 'Duration of finished steps from first start to end (retries and waits included), by workflow, step id and final status',
    labelNames: ['workflow', 'step', 'status'] as const,
    buckets: STEP_BUCKETS,
    registers,
  });
  const scheduleLag = new Histogram({
    name: 'gcflow_schedule_lag_seconds',
    help: 'Time from a schedule slot to the fire that created its run, by workflow',
    labelNames: ['workflow'] as const,
    buckets: LAG_BUCKETS,
    registers,
  });
  const scheduleOverdue = new Gauge({
    name: 'gcflow_schedule_overdue_seconds',
    help: 'How long a trigger is past its expected fire time (0 when on time), by workflow and trigger index',
    labelNames: ['workflow', 'trigger'] as const,
    registers,
  });
  const scheduleSkips = new Counter({
    name: 'gcflow_schedule_skipped_total',
    help: 'Scheduled slots that started no run, by workflow and reason (overlap_skip, overlap_queue_full, late, outside_window, dst_repeat, no_slot, missed: not delivered within its grace)',
    labelNames: ['workflow', 'reason'] as const,
    registers,
  });
  const queueJobs = new Gauge({
    name: 'gcflow_queue_jobs',
    help: 'Jobs per queue (runs, triggers) and state, sampled every few seconds',
    labelNames: ['queue', 'state'] as const,
    registers,
  });
  const parked = new Gauge({
    name: 'gcflow_runs_parked',
    help: 'Runs parked without a worker slot (delayed run jobs: waits, sleeps, retry backoffs)',
    registers,
  });

  return {
    registry,
    onApiCall: (call) => {
      const status = String(call.status);
      apiCalls.inc({ route: call.route, method: call.method, status });
      if (call.status === 429) rateLimited.inc({ route: call.route, method: call.method });
      apiDuration.observe({ route: call.route, method: call.method }, Math.max(0, call.durationMs) / 1000);
    },
    onRunEvents: (state, events, kindOf) => {
      for (const e of events) {
        ops.onEvent(state, e, kindOf);
        if (e.type in RUN_OUTCOMES) {
          runs[e.type as RunOutcomeEvent].inc({ workflow: state.workflow });
          continue;
        }
        const status = STEP_ENDS[e.type];
        // for_each items report with an index; the step's own end event has none.
        if (status === undefined || e.step === undefined || e.index !== undefined) continue;
        const seconds = stepSeconds(state, e);
        if (seconds !== undefined)
          stepDuration.observe({ workflow: state.workflow, step: e.step, status }, seconds);
      }
    },
    onScheduleFire: (workflow, lagMs) => scheduleLag.observe({ workflow }, Math.max(0, lagMs) / 1000),
    setScheduleOverdue: (workflow, trigger, overdueMs) =>
      scheduleOverdue.set({ workflow, trigger: String(trigger) }, Math.max(0, overdueMs) / 1000),
    onScheduleSkip: (workflow, reason) => scheduleSkips.inc({ workflow, reason }),
    watchRegistry: (registry) => ops.watchRegistry(registry),
    watchQueues: (services, releasers) => {
      ops.watchInFlight(services);
      const views = openQueueViews(services.redis, services.config.redis.prefix);
      const log = services.logger.child({ component: 'metrics' });
      let failing = false;
      let sampling: Promise<void> = Promise.resolve();
      const sample = async (): Promise<void> => {
        try {
          for (const { queue, counts } of await views.counts()) {
            for (const [state, n] of Object.entries(counts)) queueJobs.set({ queue, state }, n);
            if (queue === RUNS_QUEUE) parked.set(counts.delayed);
          }
          if (failing) log.info('queue metrics sampled again');
          failing = false;
        } catch (err) {
          // Redis unreachable: the outage's own line says so. Otherwise one line per
          // spell of failures, not one per tick; the gauges keep their last values.
          const message = 'cannot sample queue depths for /metrics; retrying every few seconds';
          logTaskError(services.redis, log, err, message, 'queue metrics', (e) => {
            if (!failing) log.warn({ err: e }, message);
            failing = true;
          });
        }
      };
      sampling = sample();
      const timer = setInterval(() => {
        sampling = sample();
      }, options.queueSampleMs ?? QUEUE_SAMPLE_MS);
      timer.unref();
      releasers.add('queue metrics', async () => {
        clearInterval(timer);
        await sampling;
        await views.close();
      });
    },
  };
}

function stepSeconds(state: RunState, e: RunEvent): number | undefined {
  const step = state.steps[e.step ?? ''];
  if (!step?.started_at) return undefined;
  const end = Date.parse(step.finished_at ?? e.at);
  const start = Date.parse(step.started_at);
  if (Number.isNaN(end) || Number.isNaN(start)) return undefined;
  return Math.max(0, end - start) / 1000;
}
