// /ui/queues: Bull Board (bull-board on hono) over the `runs` and `triggers` queues,
// read-only twice over: both adapters are in readOnlyMode (src/queue/dashboard.ts),
// and every request that is not GET/HEAD is answered 403 before bull-board sees it.
import { createBullBoard } from '@bull-board/api';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import type { QueueViews } from '../../../queue/dashboard.js';
import { errorResponse, HttpApiError } from '../errors.js';
import { UI_BASE } from './html.js';

export const QUEUES_BASE = `${UI_BASE}/queues`;

/**
 * Bull Board's own assets only: its page links a web font from a CDN, which the daemon
 * (maybe without internet) must not make browsers fetch; its inline styles are allowed.
 */
const BOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'self'; form-action 'none'; frame-ancestors 'none'";

/** The Bull Board app to mount at QUEUES_BASE, over views the composition root opens and closes. */
export function queuesApp(views: Pick<QueueViews, 'boardAdapters'>): Hono {
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(QUEUES_BASE);
  createBullBoard({
    queues: views.boardAdapters(),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'gcflow queues' } },
  });
  const app = new Hono({ strict: false });
  app.use('*', readOnly());
  app.use('*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', BOARD_CSP);
  });
  app.route('/', serverAdapter.registerPlugin());
  return app;
}

/** 403 for anything but GET and HEAD: bull-board's pause, retry, clean, promote, add, scheduler edits. */
export function readOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return errorResponse(
      c,
      new HttpApiError(
        'E_HTTP_READ_ONLY',
        `${c.req.method} ${c.req.path}: the queue dashboard is read-only`,
        'start and cancel runs from /ui or the HTTP API; change triggers in the workflow files',
      ),
    );
  };
}
