// `gcflow daemon`: the composition root. Opens Redis and the API client, loads
// the workflows (hot-reloaded), runs the workers, the scheduler and the HTTP
// API, and shuts all of it down in reverse order on SIGTERM within a grace
// period, so no run is lost: an interrupted turn resumes from its checkpoint.
import type { Config, Secrets } from '../config/schema.js';
import type { TurnRetry } from '../queue/runs.js';
import {
  type RunningScheduler,
  type Scheduler,
  type SchedulerTuning,
  startScheduler,
} from '../scheduler/index.js';
import { type Clock, systemClock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { type Guards, startGuards } from './guards.js';
import { createHttpApp, type HttpServer, publicUrl, serveHttp } from './http/index.js';
import { createMetrics, type Metrics } from './metrics.js';
import { httpServices } from './parts.js';
import { WorkflowRegistry } from './registry.js';
import { openGate, openServices, type Services, startWorkers, type Workers } from './services.js';

/** How often run-history indexes drop entries past the retention. */
const PRUNE_EVERY_MS = 3_600_000;

export interface DaemonOptions {
  config: Config;
  secrets: Secrets;
  logger: Logger;
  clock?: Clock;
  /** Serve HTTP (default true). */
  http?: boolean;
  /** Fire schedules (default true). */
  scheduler?: boolean;
  /** Worker concurrency override. */
  concurrency?: number;
  /** `dev` when running against the embedded simulator; shown by /healthz. */
  mode?: 'production' | 'dev';
  fetch?: typeof globalThis.fetch;
  // The rest shapes the process for tests (test/helpers/daemon.ts builds every test
  // stack here, so tests run the production wiring); `gcflow daemon` leaves them unset.
  /** Run workers (default true). Without them there is no API client, hence no guards. */
  workers?: boolean;
  /** Delays between retries of a failing turn (default TURN_RETRY, src/queue/runs.ts). */
  turnRetry?: TurnRetry;
  /** How often a run waiting for its concurrency group looks again (default 2 s). */
  gatePollMs?: number;
  /** The janitor sweep and the data-loss watch (default true). */
  guards?: boolean;
  /** Watch the workflow directory (default true); reload after this quiet time. */
  watchWorkflows?: boolean;
  workflowsDebounceMs?: number;
  /** The metrics to feed (default a fresh createMetrics()). */
  metrics?: Metrics;
  schedulerTuning?: SchedulerTuning;
  /** What /api/schedules lists (default: the scheduler's view, else what Redis holds). */
  schedules?: Pick<Scheduler, 'schedules'>;
}

export interface RunningDaemon {
  services: Services;
  /** Undefined when started with `workers: false`. */
  workers: Workers | undefined;
  registry: WorkflowRegistry;
  scheduler: RunningScheduler | undefined;
  metrics: Metrics;
  /** The janitor sweep and the data-loss watch (undefined without workers or with `guards: false`). */
  guards: Guards | undefined;
  /** http://host:port when serving HTTP. */
  url: string | undefined;
  close(): Promise<void>;
}

export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const services = await openServices({ config, secrets: options.secrets, logger, clock });
  const { releasers } = services;
  try {
    const metrics = options.metrics ?? createMetrics();
    const registry = await WorkflowRegistry.open({
      dir: config.workflows,
      logger,
      watch: options.watchWorkflows !== false,
      ...(options.workflowsDebounceMs !== undefined ? { debounceMs: options.workflowsDebounceMs } : {}),
    });
    releasers.add('workflow registry', () => registry.close());

    let scheduler: RunningScheduler | undefined;
    let workers: Workers | undefined;
    if (options.workers !== false) {
      const started = await startWorkers(services, {
        ...(options.concurrency ? { concurrency: options.concurrency } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.turnRetry ? { turnRetry: options.turnRetry } : {}),
        ...(options.gatePollMs !== undefined ? { gatePollMs: options.gatePollMs } : {}),
        onCall: (call) => metrics.onApiCall(call),
        onEvents: (state, events) => metrics.onRunEvents(state, events, (w, s) => registry.stepKind(w, s)),
        // The gate works without the scheduler (--no-scheduler) and before it starts.
        gate: openGate(services),
      });
      workers = started;
      releasers.add('workers', () => started.close(config.worker.shutdown_grace_ms));
    }

    if (options.scheduler !== false) {
      scheduler = await startScheduler({
        services,
        registry,
        metrics,
        logger: logger.child({ component: 'scheduler' }),
        ...(options.schedulerTuning ? { tuning: options.schedulerTuning } : {}),
      });
      releasers.add('scheduler', () => scheduler!.close());
    } else {
      scheduler = undefined;
    }

    let server: HttpServer | undefined;
    if (options.http !== false) {
      const app = createHttpApp({
        services: await httpServices(services, workers?.client),
        registry,
        scheduler: options.schedules ?? scheduler,
        metrics,
        mode: options.mode ?? 'production',
      });
      server = await serveHttp(app, { listen: config.http.listen, token: options.secrets.httpToken, logger });
      // run.report_url: http.public_url, else the address the server got (port 0 resolved).
      services.reports.setBase(publicUrl(config.http, server.url));
      releasers.add('http', () => server!.close());
    }
    metrics.watchQueues(services, releasers);
    let guards: Guards | undefined;
    if (workers && options.guards !== false) {
      const started = await startGuards({
        redis: services.redis,
        prefix: config.redis.prefix,
        client: workers.client,
        store: services.store,
        ownership: services.ownership,
        clock,
        logger: logger.child({ component: 'janitor' }),
        registry: metrics.registry,
        workflows: () => registry.all(),
        janitor: {
          enabled: config.janitor.enabled,
          intervalMs: config.janitor.interval_ms,
          apply: config.janitor.apply,
        },
        markerCheckMs: config.janitor.data_loss_check_ms,
        queue: services.queue,
        requeueCheckMs: config.janitor.requeue_check_ms,
      });
      guards = started;
      releasers.add('guards', () => started.close());
    }
    metrics.watchRegistry(registry);
    const pruner = setInterval(() => {
      services.store
        .pruneIndexes(clock.now(), registry.names())
        .catch((err) => logger.warn({ err }, 'could not prune the run indexes'));
    }, PRUNE_EVERY_MS);
    pruner.unref();
    releasers.add('index pruner', () => clearInterval(pruner));
    logger.info(
      {
        event: 'daemon.started',
        workflows: registry.names(),
        http: server?.url,
        mode: options.mode ?? 'production',
      },
      'gcflow daemon started',
    );
    return {
      services,
      workers,
      registry,
      scheduler,
      metrics,
      guards,
      url: server?.url,
      close: async () => {
        logger.info({ event: 'daemon.stopping' }, 'gcflow daemon stopping');
        const errors = await releasers.releaseAll();
        for (const { name, error } of errors)
          logger.error({ err: error, resource: name }, 'error while shutting down');
      },
    };
  } catch (err) {
    await releasers.releaseAll();
    throw err;
  }
}
