// The operator's metrics around runs (part of daemon/metrics.ts): runs in flight by
// workflow and status, run durations, step retries, webhook failures, invalid
// workflow files and failed loads (leaked instances: daemon/guards.ts). Imports no bullmq, no HTTP.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { z } from 'zod';
import type { RunEvent } from '../engine/events.js';
import { RUN_STATUSES, type RunState } from '../engine/state.js';
import type { RegistryEvents, StepKindOf } from './metrics.js';
import type { Redis } from 'ioredis';
import type { RunStore } from '../runs/store.js';
import type { Logger } from '../shared/logger.js';

const RUN_BUCKETS = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400];
const RUN_ENDS: Partial<Record<RunEvent['type'], string>> = {
  'run.succeeded': 'succeeded',
  'run.failed': 'failed',
  'run.cancelled': 'cancelled',
};
/** What the in-flight sampler reads of a run record: two fields, checked, the rest ignored. */
const InFlightRecord = z.object({ workflow: z.string(), status: z.enum(RUN_STATUSES) });
const IN_FLIGHT = new Set(['queued', 'running', 'waiting']);
/** Records read per MGET while sampling runs in flight. */
const BATCH = 500;

/** What the in-flight gauge reads at each scrape: the active index, then the records. */
export interface InFlightSource {
  redis: Pick<Redis, 'mget'>;
  store: Pick<RunStore, 'activeIds' | 'keys'>;
  logger: Logger;
}

export function createRunMetrics(registers: Registry[]) {
  let source: InFlightSource | undefined;
  let failing = false;
  new Gauge({
    name: 'gcflow_runs_in_flight',
    help: 'Runs not yet finished, by workflow and status (queued, running, waiting), read from Redis at each scrape; the same on every replica',
    labelNames: ['workflow', 'status'] as const,
    registers,
    // Read when scraped, so it is never stale and costs nothing when nobody scrapes.
    // A failed read keeps the last values (a scrape must not fail because Redis hiccuped).
    async collect() {
      if (!source) return;
      try {
        const counts = await countInFlight(source);
        this.reset();
        for (const { workflow, status, n } of counts) this.set({ workflow, status }, n);
        failing = false;
      } catch (err) {
        if (!failing)
          source.logger.warn({ err }, 'cannot read the runs in flight for /metrics; keeping the last values');
        failing = true;
      }
    },
  });
  const runDuration = new Histogram({
    name: 'gcflow_run_duration_seconds',
    help: 'Duration of finished runs from start (or creation, if never started) to end, by workflow and final status',
    labelNames: ['workflow', 'status'] as const,
    buckets: RUN_BUCKETS,
    registers,
  });
  const retries = new Counter({
    name: 'gcflow_step_retries_total',
    help: 'Failed step attempts that will be tried again under the step retry policy, by workflow and step',
    labelNames: ['workflow', 'step'] as const,
    registers,
  });
  const webhookFailures = new Counter({
    name: 'gcflow_webhook_failures_total',
    help: 'Failed notify.webhook attempts (retried or final), by workflow and step',
    labelNames: ['workflow', 'step'] as const,
    registers,
  });
  const invalidFiles = new Gauge({
    name: 'gcflow_workflow_files_invalid',
    help: 'Workflow files with errors in the last load of the workflows directory (their previous valid version, if any, keeps running)',
    registers,
  });
  const loadFailures = new Counter({
    name: 'gcflow_workflow_reload_failures_total',
    help: 'Loads of the workflows directory (at start and on every change) that left a file invalid or could not read the directory',
    registers,
  });

  return {
    onEvent(state: RunState, e: RunEvent, kindOf: StepKindOf | undefined): void {
      const end = RUN_ENDS[e.type];
      if (end !== undefined) {
        const from = Date.parse(state.started_at ?? state.created_at);
        const to = Date.parse(state.finished_at ?? e.at);
        if (!Number.isNaN(from) && !Number.isNaN(to))
          runDuration.observe({ workflow: state.workflow, status: end }, Math.max(0, to - from) / 1000);
        return;
      }
      if (e.step === undefined || (e.type !== 'step.retrying' && e.type !== 'step.failed')) return;
      const labels = { workflow: state.workflow, step: e.step };
      if (e.type === 'step.retrying') retries.inc(labels);
      // A for_each step's own failure follows its items' failures: count each attempt once.
      const attemptFailed =
        e.type === 'step.retrying' || e.index !== undefined || !state.steps[e.step]?.items;
      if (attemptFailed && kindOf?.(state.workflow, e.step) === 'notify.webhook') webhookFailures.inc(labels);
    },
    watchRegistry(registry: RegistryEvents): void {
      const onLoaded = (invalid: number) => {
        invalidFiles.set(invalid);
        if (invalid > 0) loadFailures.inc();
      };
      onLoaded(registry.invalidFiles());
      registry.on('loaded', onLoaded);
      registry.on('load_failed', () => loadFailures.inc());
    },
    /** From now on, each scrape reads the runs in flight from Redis (see inFlight's collect). */
    watchInFlight(from: InFlightSource): void {
      source = from;
    },
  };
}

/** Active runs by workflow and status: the active index, then the records in batches. */
async function countInFlight({ redis, store }: InFlightSource) {
  const counts = new Map<string, { workflow: string; status: string; n: number }>();
  const ids = await store.activeIds();
  for (let i = 0; i < ids.length; i += BATCH) {
    const jsons = await redis.mget(ids.slice(i, i + BATCH).map((id) => store.keys.run(id)));
    for (const json of jsons) {
      const record = json === null ? undefined : InFlightRecord.safeParse(JSON.parse(json));
      // The index can lag a run's end by a moment: count only what is still in flight.
      if (!record?.success || !IN_FLIGHT.has(record.data.status)) continue;
      const key = `${record.data.workflow}\u0000${record.data.status}`;
      const entry = counts.get(key) ?? { ...record.data, n: 0 };
      entry.n += 1;
      counts.set(key, entry);
    }
  }
  return [...counts.values()];
}
