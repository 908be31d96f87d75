// Admin routes under /__sim (no auth, not logged, never faulted). JSON keys as DESIGN.md
// lists them:
//   GET  /__sim/state                  instances, snapshots, settings, faults, counts
//   POST /__sim/reset                  back to the seed data and start settings
//   GET|POST /__sim/config             settings (a partial patch)
//   GET|POST|DELETE /__sim/faults      injected faults
//   POST /__sim/instances/{id}/status  {status, hold?}: force an instance status
//   POST /__sim/snapshots/{id}         {created_at?: ISO time, status?: string}: age a
//                                      snapshot (a status is held); 400 bad body, 404 unknown id
//   GET|DELETE /__sim/calls            the request log with counts per route
import { Hono } from 'hono';
import { type SimEnv, noContent, readJson, type RouteDeps } from './http.js';
import { invalid } from './errors.js';
import type { FaultSpec } from './faults.js';
import type { SimulatorSettings } from './settings.js';
import { asObject, bool, requireFields, str } from './validate.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function adminRoutes({ sim }: RouteDeps): Hono<SimEnv> {
  const app = new Hono<SimEnv>();

  app.get('/state', (c) => c.json(sim.state()));

  app.post('/reset', (c) => {
    sim.reset();
    return c.json({ reset: true, settings: sim.settings });
  });

  app.get('/config', (c) => c.json(sim.settings));

  /** A partial SimulatorSettings; answers the full settings. */
  app.post('/config', async (c) => {
    const body = asObject(await readJson(c));
    return c.json(sim.configure(body as Partial<SimulatorSettings>));
  });

  app.get('/faults', (c) => c.json({ faults: sim.faults() }));

  app.post('/faults', async (c) => {
    const fault = sim.addFault((await readJson(c)) as FaultSpec);
    return c.json({ fault }, 201);
  });

  app.delete('/faults', (c) => {
    sim.clearFaults();
    return noContent(c);
  });

  /** `{status, hold?}`: any status string; see ForceStatusOptions for `hold`. */
  app.post('/instances/:id/status', async (c) => {
    const body = asObject(await readJson(c));
    requireFields(body, ['status']);
    const instance = sim.forceStatus(c.req.param('id'), str(body, 'status')!, {
      hold: bool(body, 'hold') ?? false,
    });
    return c.json({ instance });
  });

  app.post('/snapshots/:id', async (c) => {
    const body = asObject(await readJson(c));
    const unknown = Object.keys(body).filter((k) => k !== 'created_at' && k !== 'status');
    if (unknown.length > 0)
      throw invalid(`unknown field ${unknown.join(', ')}; give created_at and/or status`);
    const createdAt = str(body, 'created_at');
    const status = str(body, 'status');
    if (createdAt === undefined && status === undefined) throw invalid('give created_at, status, or both');
    if (status === '') throw invalid('status must be a non-empty string');
    let at: number | undefined;
    if (createdAt !== undefined) {
      at = ISO_TIME.test(createdAt) ? Date.parse(createdAt) : Number.NaN;
      if (Number.isNaN(at))
        throw invalid(`created_at must be an ISO 8601 time such as 2024-05-06T02:30:00Z, got "${createdAt}"`);
    }
    const snapshot = sim.editSnapshot(c.req.param('id'), {
      ...(at === undefined ? {} : { created_at: at }),
      ...(status === undefined ? {} : { status }),
    });
    return c.json({ snapshot });
  });

  app.get('/calls', (c) => c.json(sim.calls()));

  app.delete('/calls', (c) => {
    sim.clearCalls();
    return noContent(c);
  });

  return app;
}
