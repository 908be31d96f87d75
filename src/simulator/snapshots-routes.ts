// HTTP routes of /compute/v1/snapshots: list, import, get, rename, delete, clone.
// Thin: the logic is in snapshots.ts.
import { Hono } from 'hono';
import { type SimEnv, noContent, pageOf, readJson, type RouteDeps } from './http.js';
import { snapshotView } from './model.js';
import { cloneSnapshot, deleteSnapshot, importSnapshot, updateSnapshot } from './snapshots.js';
import { paginate } from './validate.js';

export function snapshotsRoutes({ sim }: RouteDeps): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  const store = sim.store;

  app.get('/snapshots', (c) => {
    const page = pageOf(c);
    return c.json(paginate('snapshots', store.listSnapshots(), page, snapshotView));
  });

  app.post('/snapshots', async (c) => {
    const snapshot = importSnapshot(store, sim.settings, await readJson(c));
    return c.json({ snapshot: snapshotView(snapshot) }, 201);
  });

  app.get('/snapshots/:id', (c) => c.json({ snapshot: snapshotView(store.getSnapshot(c.req.param('id'))) }));

  app.patch('/snapshots/:id', async (c) => {
    const snapshot = updateSnapshot(store, c.req.param('id'), await readJson(c));
    return c.json({ snapshot: snapshotView(snapshot) });
  });

  app.delete('/snapshots/:id', (c) => {
    deleteSnapshot(store, sim.settings, c.req.param('id'));
    return noContent(c);
  });

  app.post('/snapshots/:id/clone', async (c) => {
    const snapshot = cloneSnapshot(store, sim.settings, c.req.param('id'), await readJson(c));
    return c.json({ snapshot: snapshotView(snapshot) }, 201);
  });

  return app;
}
