// HTTP routes of /compute/v1/instances (the Instances page): list, create, get, update,
// delete, actions, and an instance's snapshots. Thin: the logic is in instances.ts.
import { Hono } from 'hono';
import { type SimEnv, noContent, pageOf, readJson, type RouteDeps } from './http.js';
import { createInstance, deleteInstance, performAction, updateInstance } from './instances.js';
import { allowedActions } from './lifecycle.js';
import { instanceView, snapshotView } from './model.js';
import { snapshotInstance } from './snapshots.js';
import { paginate } from './validate.js';

export function instancesRoutes({ sim }: RouteDeps): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  const store = sim.store;

  app.get('/instances', (c) => {
    const page = pageOf(c);
    return c.json(paginate('instances', store.listInstances(), page, instanceView));
  });

  app.post('/instances', async (c) => {
    const record = createInstance(store, sim.settings, await readJson(c));
    return c.json({ instance: instanceView(record) }, 201);
  });

  app.get('/instances/:id', (c) => c.json({ instance: instanceView(store.getInstance(c.req.param('id'))) }));

  app.patch('/instances/:id', async (c) => {
    const record = updateInstance(store, c.req.param('id'), await readJson(c));
    return c.json({ instance: instanceView(record) });
  });

  app.delete('/instances/:id', (c) => {
    deleteInstance(store, sim.settings, c.req.param('id'));
    return noContent(c);
  });

  app.get('/instances/:id/actions', (c) =>
    c.json({ actions: allowedActions(store.getInstance(c.req.param('id')).status) }),
  );

  app.post('/instances/:id/actions', async (c) => {
    performAction(store, sim.settings, c.req.param('id'), await readJson(c));
    return noContent(c);
  });

  app.get('/instances/:id/snapshots', (c) => {
    const instance = store.getInstance(c.req.param('id'));
    const page = pageOf(c);
    const own = store.listSnapshots().filter((s) => s.resource_id === instance.id);
    return c.json(paginate('snapshots', own, page, snapshotView));
  });

  app.post('/instances/:id/snapshots', async (c) => {
    const snapshot = snapshotInstance(store, sim.settings, c.req.param('id'), await readJson(c));
    return c.json({ snapshot: snapshotView(snapshot) }, 201);
  });

  return app;
}
