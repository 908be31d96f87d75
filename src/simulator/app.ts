// The simulator's Hono app: the request pipeline of /compute/v1 (calls log, faults,
// latency, auth, rate limit), the API routes, and the unauthenticated /__sim admin routes.
import { Hono, type MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { adminRoutes } from './admin-routes.js';
import { catalogRoutes } from './catalog-routes.js';
import { ApiFailure, ErrorCode, injectedFailure, invalidRoute } from './errors.js';
import { failureResponse, type SimContext, type SimEnv, unexpected } from './http.js';
import { instancesRoutes } from './instances-routes.js';
import { keysGroupsRoutes } from './keys-groups-routes.js';
import type { Simulator } from './simulator.js';
import { snapshotsRoutes } from './snapshots-routes.js';

export const API_PREFIX = '/compute/v1';

/** Tokens the request presents: `Authorization: Bearer T` and/or `X-Auth-Token: T`. */
function presentedTokens(c: SimContext): string[] {
  const out: string[] = [];
  const authorization = c.req.header('authorization');
  if (authorization !== undefined) out.push(/^Bearer\s+(\S+)\s*$/i.exec(authorization.trim())?.[1] ?? '');
  const legacy = c.req.header('x-auth-token');
  if (legacy !== undefined) out.push(legacy.trim());
  return out;
}

function authenticate(c: SimContext, sim: Simulator): void {
  const tokens = presentedTokens(c);
  if (sim.acceptsToken(tokens)) return;
  const message =
    tokens.length === 0
      ? 'Unauthorized: no API token; send "Authorization: Bearer <token>" (or "X-Auth-Token: <token>")'
      : 'Unauthorized: the API token is invalid';
  throw new ApiFailure(401, ErrorCode.unauthorized, message);
}

/** `GET /instances/{id}`: the matched route relative to /compute/v1, or `(unmatched)`. */
function routeTemplate(c: SimContext): string {
  const route = matchedRoutes(c)
    .filter((r) => r.method !== 'ALL')
    .at(-1);
  if (!route) return `${c.req.method} (unmatched)`;
  const path = route.path.slice(route.path.indexOf(API_PREFIX) + API_PREFIX.length) || '/';
  return `${c.req.method} ${path.replace(/:(\w+)/g, '{$1}')}`;
}

/** Destroys the connection without answering (needs @hono/node-server's `incoming`). */
function dropConnection(c: SimContext): void {
  const socket = c.env?.incoming?.socket;
  if (!socket) {
    throw new ApiFailure(
      502,
      ErrorCode.injected(502),
      'cannot drop the connection: not served by @hono/node-server',
    );
  }
  socket.destroy();
}

function apiPipeline(sim: Simulator): MiddlewareHandler<SimEnv> {
  return async (c, next) => {
    const at = sim.clock.now();
    let dropped: 'before' | 'after' | undefined;
    const handle = async (): Promise<Response | undefined> => {
      const fault = sim.takeFault(c.req.method, c.req.path);
      if (fault && fault.latency_ms > 0) await sim.clock.sleep(fault.latency_ms);
      if (fault?.drop === 'before') {
        dropConnection(c);
        dropped = 'before';
        return c.body(null, 500);
      }
      if (fault && fault.drop === null && fault.status !== null) {
        throw injectedFailure(fault.status, fault.retry_after ?? undefined);
      }
      const latency = sim.settings.latency_ms;
      if (latency > 0) await sim.clock.sleep(latency);
      authenticate(c, sim);
      sim.admit();
      await next();
      if (fault?.drop === 'after') {
        dropConnection(c);
        dropped = 'after';
      }
      return undefined;
    };
    let response: Response | undefined;
    try {
      response = await handle();
    } catch (err) {
      response = failureResponse(c, unexpected(err));
    }
    if (response) c.res = response;
    sim.recordCall({
      method: c.req.method,
      path: c.req.path,
      route: routeTemplate(c),
      status: dropped ? 0 : c.res.status,
      at,
      ...(dropped ? { dropped } : {}),
    });
    return response;
  };
}

/** The whole simulator as one Hono app: `/compute/v1/...` and `/__sim/...`. */
export function createSimulatorApp(simulator: Simulator): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  app.onError((err, c) => failureResponse(c, unexpected(err)));
  app.notFound((c) => failureResponse(c, invalidRoute()));
  app.use(`${API_PREFIX}/*`, apiPipeline(simulator));
  const deps = { sim: simulator };
  app.route('/__sim', adminRoutes(deps));
  for (const routes of [instancesRoutes, snapshotsRoutes, catalogRoutes, keysGroupsRoutes]) {
    app.route(API_PREFIX, routes(deps));
  }
  return app;
}
