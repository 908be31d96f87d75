// The bearer token guard of `/api` and `/ui` (GCFLOW_API_TOKEN). Accepts
// `Authorization: Bearer TOKEN`, and Basic auth with TOKEN as the password so a browser
// can open the dashboard (it prompts once and resends the header for every asset and
// API call). Compared in constant time. Imports hono, node:crypto and siblings only.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { UI_HEADER } from './browser-safety.js';
import { errorBody, HttpApiError } from './errors.js';

/** Paths guarded when a token is set: `/api`, `/ui` and everything below them. */
export function isGuarded(path: string): boolean {
  return ['/api', '/ui'].some((root) => path === root || path.startsWith(`${root}/`));
}

/** The token a request presents, from Bearer or Basic (the password), else undefined. */
export function presentedToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^(\w+)\s+(.+)$/.exec(authorization.trim());
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  const value = match[2]!.trim();
  if (scheme === 'bearer') return value;
  if (scheme !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Equal-length digests, so neither the content nor the length of the token leaks through timing. */
export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Lets every request through when `token` is undefined (loopback-only daemons). */
export function requireToken(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (!token || !isGuarded(c.req.path)) return next();
    const given = presentedToken(c.req.header('authorization'));
    if (given !== undefined && tokenMatches(given, token)) return next();
    // Basic for browsers: the dashboard's pages, and its script's API calls (they carry
    // UI_HEADER), so the browser answers with the credentials it holds for the realm.
    const browser =
      c.req.path === '/ui' || c.req.path.startsWith('/ui/') || c.req.header(UI_HEADER) !== undefined;
    c.header('WWW-Authenticate', browser ? 'Basic realm="gcflow", charset="UTF-8"' : 'Bearer realm="gcflow"');
    const err = new HttpApiError(
      'E_HTTP_UNAUTHORIZED',
      given === undefined
        ? `${c.req.method} ${c.req.path} needs the daemon's API token`
        : `the token given for ${c.req.method} ${c.req.path} is not the daemon's API token`,
      'send `Authorization: Bearer $GCFLOW_API_TOKEN` (browsers: any user name, the token as password)',
    );
    return c.json(errorBody(err), 401);
  };
}
