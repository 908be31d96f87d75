// `gcflow daemon`: the composition root. Opens Redis and the API client, loads
// the workflows (hot-reloaded), runs the workers, the scheduler and the HTTP
// API, and shuts all of it down in reverse order on SIGTERM within a grace
// period, so no run is lost: an interrupted turn resumes from its checkpoint.
import type { Config, Secrets } from '../config/schema.js';
import { type Scheduler, startScheduler } from '../scheduler/index.js';
import { type Clock, systemClock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { type Guards, startGuards } from './guards.js';
import { createHttpApp, type HttpServer, publicUrl, serveHttp } from './http/index.js';
import { createMetrics, type Metrics } from './metrics.js';
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
}

export interface RunningDaemon {
  services: Services;
  workers: Workers;
  registry: WorkflowRegistry;
  scheduler: Scheduler | undefined;
  metrics: Metrics;
  /** The janitor sweep and the data-loss watch. */
  guards: Guards;
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
    const metrics = createMetrics();
    const registry = await WorkflowRegistry.open({ dir: config.workflows, logger, watch: true });
    releasers.add('workflow registry', () => registry.close());

    let scheduler: Scheduler | undefined;
    const workers = await startWorkers(services, {
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      onCall: (call) => metrics.onApiCall(call),
      onEvents: (state, events) => metrics.onRunEvents(state, events, (w, s) => registry.stepKind(w, s)),
      // The gate works without the scheduler (--no-scheduler) and before it starts.
      gate: openGate(services),
    });
    releasers.add('workers', () => workers.close(config.worker.shutdown_grace_ms));

    if (options.scheduler !== false) {
      scheduler = await startScheduler({
        services,
        registry,
        metrics,
        logger: logger.child({ component: 'scheduler' }),
      });
      releasers.add('scheduler', () => scheduler!.close());
    } else {
      scheduler = undefined;
    }

    let server: HttpServer | undefined;
    if (options.http !== false) {
      const app = createHttpApp({
        services,
        registry,
        scheduler,
        metrics,
        workers,
        mode: options.mode ?? 'production',
      });
      server = await serveHttp(app, { listen: config.http.listen, token: options.secrets.httpToken, logger });
      // run.report_url: http.public_url, else the address the server got (port 0 resolved).
      services.reports.setBase(publicUrl(config.http, server.url));
      releasers.add('http', () => server!.close());
    }
    metrics.watchQueues(services, releasers);
    const guards = await startGuards({
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
    });
    releasers.add('guards', () => guards.close());
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
