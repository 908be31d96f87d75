// /ui: gcflow's run dashboard, server-rendered HTML (hono's html helper) and one small
// script, plus Bull Board at /ui/queues. A request with `X-Gcflow-Fragment: live`
// gets only the page's live region, which the script swaps in to stay current.
// Reads through RunService, RunStore and the registry; changes nothing itself.
import { createHash } from 'node:crypto';
import { type Context, Hono } from 'hono';
import type { ScheduleView } from '../../../scheduler/index.js';
import { GcflowError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';
import type { HttpServices } from '../deps.js';
import { parseLimit, parseStatus, parseWorkflow, runIdOf, type WorkflowCatalog } from '../api.js';
import { handleError, statusOf } from '../errors.js';
import { gcflowVersion } from '../health.js';
import { CLIENT_JS } from './client.js';
import { errorPage, type Html, page } from './html.js';
import { queuesApp } from './queues.js';
import { runLive } from './run-page.js';
import { runsBody, runsLive } from './runs-page.js';
import { APP_CSS } from './style.js';
import { workflowsBody } from './workflows-page.js';

export { UI_BASE } from './html.js';

export interface UiDeps {
  services: HttpServices;
  registry: WorkflowCatalog;
  schedules: () => Promise<ScheduleView[]>;
  mode: 'production' | 'dev';
}

/** The fragment header the page script sends. */
export const FRAGMENT_HEADER = 'X-Gcflow-Fragment';

/** Shown in full on a run page; older ones are counted. */
const MAX_EVENTS = 500;

/** Our pages load only their own script and stylesheet; no page may frame them. */
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const ASSETS = {
  'app.js': { body: CLIENT_JS, type: 'text/javascript; charset=utf-8' },
  'app.css': { body: APP_CSS, type: 'text/css; charset=utf-8' },
} as const;
const ASSET_VERSION = createHash('sha256').update(CLIENT_JS).update(APP_CSS).digest('hex').slice(0, 12);

export function dashboardApp(deps: UiDeps): Hono {
  const { services, registry } = deps;
  const shell = { version: gcflowVersion(), assetVersion: ASSET_VERSION, mode: deps.mode };
  const ui = new Hono({ strict: false });

  ui.onError(htmlErrors(services.logger.child({ component: 'ui' }), shell));
  ui.use('*', async (c, next) => {
    await next();
    // Clickjacking: a foreign page must not frame Cancel or Run buttons (Bull Board too).
    c.header('X-Frame-Options', 'DENY');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'same-origin');
  });

  ui.get('/assets/:name', (c) => {
    const asset = ASSETS[c.req.param('name') as keyof typeof ASSETS];
    if (!asset) return c.notFound();
    return c.body(asset.body, 200, { 'Content-Type': asset.type, 'Cache-Control': 'private, max-age=86400' });
  });

  const respond = (c: Context, title: string, nav: 'runs' | 'workflows', live: Html, full: () => Html) => {
    c.header('Cache-Control', 'no-store');
    c.header('Vary', FRAGMENT_HEADER);
    c.header('Content-Security-Policy', PAGE_CSP);
    if (c.req.header(FRAGMENT_HEADER) === 'live') return c.html(live);
    return c.html(page({ ...shell, title, nav, body: full() }));
  };

  ui.get('/', async (c) => {
    const filter = {
      workflow: parseWorkflow(c.req.query('workflow')),
      status: parseStatus(c.req.query('status')),
      limit: parseLimit(c.req.query('limit')),
    };
    const runs = (
      await services.runs.list({
        limit: filter.limit,
        ...(filter.workflow ? { workflow: filter.workflow } : {}),
        ...(filter.status ? { status: filter.status } : {}),
      })
    ).map((r) => services.redactor.scrub(r));
    const now = services.clock.now();
    const names = [...registry.all()].map((d) => d.name);
    return respond(c, 'Runs', 'runs', runsLive(runs, filter, now), () => runsBody(runs, filter, names, now));
  });

  ui.get('/runs/:id', async (c) => {
    const id = runIdOf(c.req.param('id'));
    const [state, cancel] = await Promise.all([services.store.load(id), services.store.cancelRequest(id)]);
    if (!state) await services.runs.get(id); // throws the API's E_RUN_NOT_FOUND (404)
    const run = services.redactor.scrub(await services.runs.view(state!));
    const def = await services.store.loadDefinition(state!.definition_hash).catch(() => undefined);
    const total = await services.eventCount(id);
    const omitted = Math.max(0, total - MAX_EVENTS);
    const events = (await services.store.events(id, omitted, MAX_EVENTS)).map((e) =>
      services.redactor.scrub(e.event),
    );
    const live = runLive({
      run,
      def,
      events,
      eventsOmitted: omitted,
      cancelRequested:
        cancel && run.finished_at === null ? services.redactor.scrubString(cancel.reason) : null,
      now: services.clock.now(),
    });
    return respond(c, `Run ${id}`, 'runs', live, () => live);
  });

  ui.get('/workflows', async (c) => {
    const defs = [...registry.all()].sort((a, b) => a.name.localeCompare(b.name));
    const [schedules, lastRuns] = await Promise.all([
      deps.schedules().catch(() => [] as ScheduleView[]),
      Promise.all(defs.map((d) => services.runs.list({ workflow: d.name, limit: 1 }))),
    ]);
    const cards = defs.map((def, i) => ({
      def,
      lastRun: lastRuns[i]![0] && services.redactor.scrub(lastRuns[i]![0]),
    }));
    const body = workflowsBody(cards, schedules, registry.diagnostics(), services.clock.now());
    return respond(c, 'Workflows', 'workflows', body, () => body);
  });

  ui.route('/queues', queuesApp(services.queueViews));
  return ui;
}

/** Errors on dashboard pages as an HTML page with the API's code, message and hint. */
function htmlErrors(
  logger: Logger,
  shell: { version: string; assetVersion: string; mode: 'production' | 'dev' },
) {
  const json = handleError(logger);
  return (err: Error, c: Context): Response | Promise<Response> => {
    if (!(err instanceof GcflowError)) return json(err, c);
    c.header('Cache-Control', 'no-store');
    c.header('Content-Security-Policy', PAGE_CSP);
    const body = errorPage({ ...shell, title: err.code, message: err.message, hint: err.hint ?? null });
    return c.html(body, statusOf(err));
  };
}
