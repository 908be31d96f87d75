// Admin routes under /__sim (no auth, not logged, never faulted): state, reset, config,
// faults, forced instance status, the calls log. JSON keys as DESIGN.md lists them.
import { Hono } from 'hono';
import { type SimEnv, noContent, readJson, type RouteDeps } from './http.js';
import type { FaultSpec } from './faults.js';
import type { SimulatorSettings } from './settings.js';
import { asObject, bool, requireFields, str } from './validate.js';

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

  app.get('/calls', (c) => c.json(sim.calls()));

  app.delete('/calls', (c) => {
    sim.clearCalls();
    return noContent(c);
  });

  return app;
}
