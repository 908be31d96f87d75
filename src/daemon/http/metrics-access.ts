// Who may read /metrics (config http.metrics_access): `loopback` lets clients on this
// machine in without the token and asks others for it, `token` always asks (when a
// token is set), `open` asks nobody. Imports hono, @hono/node-server and siblings.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { presentedToken, tokenMatches } from './auth.js';
import { errorBody, HttpApiError } from './errors.js';
import { isLoopback } from './serve.js';

export type MetricsAccess = 'loopback' | 'token' | 'open';

/** True when the TCP peer is this machine and no proxy says it forwarded the request. */
export function fromThisMachine(c: Context): boolean {
  if (c.req.header('forwarded') !== undefined || c.req.header('x-forwarded-for') !== undefined) return false;
  try {
    const address = getConnInfo(c).remote.address;
    return address !== undefined && isLoopback(address);
  } catch {
    return false; // not served by @hono/node-server: no peer to judge
  }
}

export function metricsGuard(access: MetricsAccess, token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (access === 'open') return next();
    const local = fromThisMachine(c);
    if (access === 'loopback' && local) return next();
    if (token === undefined) {
      // No token to ask for: the daemon listens on loopback only, so only a proxy on
      // this machine brings remote clients here.
      if (local) return next();
      const err = new HttpApiError(
        'E_HTTP_FORBIDDEN',
        '/metrics is open only to clients on this machine, and this request came through a proxy',
        'set GCFLOW_API_TOKEN and scrape with it as Bearer token, or set http.metrics_access: open',
      );
      return c.json(errorBody(err), 403);
    }
    const given = presentedToken(c.req.header('authorization'));
    if (given !== undefined && tokenMatches(given, token)) return next();
    c.header('WWW-Authenticate', 'Bearer realm="gcflow"');
    const err = new HttpApiError(
      'E_HTTP_UNAUTHORIZED',
      access === 'token'
        ? 'GET /metrics needs the daemon API token (http.metrics_access: token)'
        : 'GET /metrics needs the daemon API token from beyond this machine (http.metrics_access: loopback)',
      'scrape with `Authorization: Bearer $GCFLOW_API_TOKEN` (Prometheus: authorization.credentials), or set http.metrics_access: open',
    );
    return c.json(errorBody(err), 401);
  };
}
