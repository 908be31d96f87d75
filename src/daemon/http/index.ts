// The daemon's HTTP surface: /healthz, /metrics, /api/* and the /ui dashboard as one
// hono app, plus serving it. daemon.ts calls createHttpApp and serveHttp; nothing
// here starts at import time. Secrets never leave in a response (redaction.ts).
import { Hono } from 'hono';
import { listSchedules, type ScheduleView, type Scheduler } from '../../scheduler/index.js';
import type { Metrics } from '../metrics.js';
import type { Services, Workers } from '../services.js';
import { apiRoutes, type WorkflowCatalog } from './api.js';
import { requireToken } from './auth.js';
import { handleError, notFound } from './errors.js';
import { healthHandler } from './health.js';
import { redactResponses, wireScrubber } from './redaction.js';
import { dashboardApp, UI_BASE } from './ui.js';

export { type HttpServer, InsecureListenError, ListenAddressError, serveHttp } from './serve.js';
export type { WorkflowCatalog } from './api.js';

export interface HttpDeps {
  services: Services;
  /** The WorkflowRegistry (src/daemon/registry.ts); only its read methods are used. */
  registry: WorkflowCatalog;
  scheduler: Pick<Scheduler, 'schedules'> | undefined;
  metrics: Metrics;
  /** The workers of this process: their API client answers /healthz's API probe. */
  workers: Pick<Workers, 'client'> | undefined;
  mode: 'production' | 'dev';
}

export function createHttpApp(deps: HttpDeps): Hono {
  const { services, metrics } = deps;
  // strict: false: /ui/ (the dashboard's base href) and /ui are the same page.
  const app = new Hono({ strict: false });
  app.onError(handleError(services.logger.child({ component: 'http' })));
  app.notFound(notFound);
  app.use('*', redactResponses(wireScrubber(services.secrets, services.redactor)));
  app.use('*', requireToken(services.secrets.httpToken));

  app.get('/healthz', healthHandler({ services, client: deps.workers?.client, mode: deps.mode }));
  app.get('/metrics', async (c) => {
    const text = await metrics.registry.metrics();
    return c.body(text, 200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
  });
  app.route(
    '/api',
    apiRoutes({
      services,
      registry: deps.registry,
      schedules: () => schedulesOf(deps),
    }),
  );
  app.route(UI_BASE, dashboardApp(services));
  return app;
}

/** The running scheduler's view; without one in this process, what is registered in Redis. */
function schedulesOf(deps: HttpDeps): Promise<ScheduleView[]> {
  return deps.scheduler ? deps.scheduler.schedules() : listSchedules(deps.services);
}
