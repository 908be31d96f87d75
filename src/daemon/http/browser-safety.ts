// What keeps web pages the operator visits from using the daemon: a foreign Host is
// refused (DNS rebinding), a foreign Origin is refused (cross-site requests), and a
// state-changing request must be JSON or carry the UI's header (no "simple" request
// that skips the browser's preflight gets through). Imports hono, node:net and ./errors.
import { isIP } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { errorResponse, HttpApiError } from './errors.js';

export interface BrowserPolicy {
  /** The host part of `http.listen` (`127.0.0.1`, `0.0.0.0`, `::1`, `gcflow.internal`). */
  listenHost: string;
  /** `http.public_url`, or '' (then the listen address). */
  publicUrl: string;
  /** `http.allowed_hosts`: names; `.example.com` also allows subdomains; `*` allows any. */
  allowedHosts: readonly string[];
  /** `http.allowed_origins`: `scheme://host[:port]`. */
  allowedOrigins: readonly string[];
}

/** The header the dashboard's script sends with every state-changing request. */
export const UI_HEADER = 'X-Gcflow-Client';

/** Methods that never change anything: no Content-Type rule for them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The host name of a Host header or URL host (`[::1]:8080` → `::1`), lower-cased; undefined if malformed. */
export function hostName(host: string): string | undefined {
  const match = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9_.-]+))(?::\d{1,5})?$/i.exec(host.trim());
  if (!match) return undefined;
  return (match[1] ?? match[2]!).toLowerCase().replace(/\.$/, '');
}

/**
 * A Host is ours when it names localhost, an IP address (a browser that asked for an
 * IP is on that address's own origin: rebinding needs a DNS name), the listen host,
 * public_url's host, or an allowed host.
 */
export function isAllowedHost(host: string, policy: BrowserPolicy): boolean {
  if (policy.allowedHosts.includes('*')) return true;
  const name = hostName(host);
  if (name === undefined) return false;
  if (name === 'localhost' || isIP(name) !== 0) return true;
  if (name === policy.listenHost.toLowerCase()) return true;
  if (policy.publicUrl !== '' && name === hostName(new URL(policy.publicUrl).host)) return true;
  return policy.allowedHosts.some((allowed) => {
    const a = allowed.toLowerCase();
    return a.startsWith('.') ? name === a.slice(1) || name.endsWith(a) : name === a;
  });
}

/** Origins are compared as `scheme://host:port`, the form browsers send. */
function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.origin === 'null' ? undefined : parsed.origin;
  } catch {
    return undefined;
  }
}

/**
 * An Origin is ours when its host:port is the Host the request was sent to (already
 * checked by the host guard; either scheme, as a TLS proxy may sit in front), or it
 * is public_url's origin or an allowed origin. `null` (sandboxed frames, files) is foreign.
 */
export function isAllowedOrigin(origin: string, host: string, policy: BrowserPolicy): boolean {
  const given = originOf(origin);
  if (given === undefined) return false;
  const { protocol, host: originHost } = new URL(given);
  if ((protocol === 'http:' || protocol === 'https:') && sameHost(originHost, host, protocol)) return true;
  const allowed = [policy.publicUrl, ...policy.allowedOrigins].filter((u) => u !== '').map(originOf);
  return allowed.includes(given);
}

/** `example.com` and `example.com:443` are one host for https (browsers omit default ports). */
function sameHost(originHost: string, requestHost: string, protocol: string): boolean {
  const defaultPort = protocol === 'https:' ? ':443' : ':80';
  const strip = (h: string) => (h.toLowerCase().endsWith(defaultPort) ? h.slice(0, -defaultPort.length) : h);
  return strip(originHost.toLowerCase()) === strip(requestHost.trim().toLowerCase());
}

/** 421 for a foreign Host on every route but /healthz (probes address pods by any name). */
export function hostGuard(policy: BrowserPolicy): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path === '/healthz') return next();
    const host = c.req.header('host') ?? '';
    if (isAllowedHost(host, policy)) return next();
    return errorResponse(
      c,
      new HttpApiError(
        'E_HTTP_FOREIGN_HOST',
        `this daemon does not answer to the host ${JSON.stringify(host)}`,
        'reach it as localhost or by IP address, or add the name to http.allowed_hosts (or set http.public_url / GCFLOW_PUBLIC_URL)',
      ),
    );
  };
}

/** 403 for a request whose Origin is present and foreign, whatever the method. */
export function originGuard(policy: BrowserPolicy): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin === undefined || isAllowedOrigin(origin, c.req.header('host') ?? '', policy)) return next();
    return errorResponse(
      c,
      new HttpApiError(
        'E_HTTP_FOREIGN_ORIGIN',
        `requests from pages of ${JSON.stringify(origin)} are refused: it is not the daemon's own origin`,
        'use the dashboard at /ui, call the API from outside a browser, or add the origin to http.allowed_origins',
      ),
    );
  };
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * 415 for a state-changing request that is neither JSON nor from the dashboard: the
 * requests a foreign page can send without a CORS preflight are form posts and
 * text/plain, and both lack these.
 */
export function jsonOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    if (JSON_TYPE.test(c.req.header('content-type') ?? '') || c.req.header(UI_HEADER) !== undefined)
      return next();
    const type = c.req.header('content-type');
    return errorResponse(
      c,
      new HttpApiError(
        'E_HTTP_UNSUPPORTED_MEDIA_TYPE',
        `${c.req.method} ${c.req.path} takes a JSON body, not ${type ? JSON.stringify(type) : 'a body without Content-Type'}`,
        `send Content-Type: application/json (also with an empty body), or the ${UI_HEADER} header`,
      ),
    );
  };
}
