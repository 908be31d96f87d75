// The daemon's HTTP surface: /healthz, /metrics, /api/* and the /ui dashboard as one
// hono app, plus serving it. daemon.ts calls createHttpApp and serveHttp; nothing
// here starts at import time. Secrets never leave in a response (redaction.ts);
// browsers cannot be turned against it (browser-safety.ts).
import { Hono } from 'hono';
import type { Config } from '../../config/schema.js';
import { REPORT_PATH } from '../../runs/reports.js';
import type { ScheduleView, Scheduler } from '../../scheduler/index.js';
import type { Metrics } from '../metrics.js';
import { apiRoutes, type WorkflowCatalog } from './api.js';
import type { HttpServices } from './deps.js';
import { requireToken } from './auth.js';
import { type BrowserPolicy, hostGuard, jsonOnly, originGuard } from './browser-safety.js';
import { handleError, notFound } from './errors.js';
import { healthHandler } from './health.js';
import { metricsGuard } from './metrics-access.js';
import { redactResponses, wireScrubber } from './redaction.js';
import { reportRoutes } from './report.js';
import { parseListen } from './serve.js';
import { dashboardApp, UI_BASE } from './ui/index.js';
import { QUEUES_BASE, readOnly } from './ui/queues.js';

export { type HttpServer, InsecureListenError, ListenAddressError, serveHttp } from './serve.js';
export type { WorkflowCatalog } from './api.js';
export type { HttpServices } from './deps.js';

export interface HttpDeps {
  /** What the routes use of the process (built by daemon/parts.ts, httpServices). */
  services: HttpServices;
  /** The WorkflowRegistry (src/daemon/registry.ts); only its read methods are used. */
  registry: WorkflowCatalog;
  scheduler: Pick<Scheduler, 'schedules'> | undefined;
  metrics: Pick<Metrics, 'registry'>;
  mode: 'production' | 'dev';
}

/** The Host and Origin rules of config `http` (see browser-safety.ts). */
export function browserPolicy(http: Config['http']): BrowserPolicy {
  return {
    listenHost: parseListen(http.listen).host,
    publicUrl: http.public_url,
    allowedHosts: http.allowed_hosts,
    allowedOrigins: http.allowed_origins,
  };
}

/**
 * The URL people and boxes reach the daemon at: `http.public_url` (GCFLOW_PUBLIC_URL)
 * without a trailing slash, else the URL the server is bound to (serveHttp's `url`).
 */
export function publicUrl(http: Pick<Config['http'], 'public_url'>, boundUrl: string): string {
  return http.public_url === '' ? boundUrl : http.public_url.replace(/\/+$/, '');
}

export function createHttpApp(deps: HttpDeps): Hono {
  const { services, metrics } = deps;
  const token = services.secrets.httpToken;
  const policy = browserPolicy(services.config.http);
  // strict: false: /ui/ and /ui are the same page.
  const app = new Hono({ strict: false });
  app.onError(handleError(services.logger.child({ component: 'http' })));
  app.notFound(notFound);
  app.use('*', redactResponses(wireScrubber(services.secrets, services.redactor)));
  // Boxes, not browsers: the token in the path is the credential; before the guards below
  // (a box reaches the daemon by whatever name its tunnel or proxy uses).
  app.route(REPORT_PATH, reportRoutes(services.report));
  // In this order: a foreign Host (DNS rebinding) or Origin (a cross-site page) is
  // refused before anything else; then the token; then what may change state.
  app.use('*', hostGuard(policy));
  app.use('*', originGuard(policy));
  app.use('*', requireToken(token));
  app.use(QUEUES_BASE, readOnly());
  app.use(`${QUEUES_BASE}/*`, readOnly());
  app.use('*', jsonOnly());

  app.get('/healthz', healthHandler({ services, mode: deps.mode }));
  app.get('/metrics', metricsGuard(services.config.http.metrics_access, token), async (c) => {
    const text = await metrics.registry.metrics();
    return c.body(text, 200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
  });
  const schedules = () => schedulesOf(deps);
  // Names are resolved with the workers' API client when this process has one.
  app.route('/api', apiRoutes({ services, registry: deps.registry, schedules, holds: services.holds }));
  app.route(UI_BASE, dashboardApp({ services, registry: deps.registry, schedules, mode: deps.mode }));
  return app;
}

/** The running scheduler's view; without one in this process, what is registered in Redis. */
function schedulesOf(deps: HttpDeps): Promise<ScheduleView[]> {
  return deps.scheduler ? deps.scheduler.schedules() : deps.services.registeredSchedules();
}
