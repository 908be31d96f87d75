// /ui: the queue dashboard (bull-board on hono) over the `runs` and `triggers`
// queues, run jobs read-only (src/queue/dashboard.ts). Served behind the token guard.
import { createBullBoard } from '@bull-board/api';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import { openQueueViews } from '../../queue/dashboard.js';
import type { Services } from '../services.js';

export const UI_BASE = '/ui';

/** The dashboard app to mount at UI_BASE; its queue handles close with `services`. */
export function dashboardApp(services: Services): Hono {
  const views = openQueueViews(services.redis, services.config.redis.prefix);
  services.releasers.add('dashboard queues', () => views.close());
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(UI_BASE);
  createBullBoard({
    queues: views.boardAdapters(),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'gcflow' } },
  });
  return serverAdapter.registerPlugin();
}
