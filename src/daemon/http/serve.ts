// Serving the daemon's HTTP app with @hono/node-server: parses `host:port`, refuses to
// listen beyond loopback without a token, reports the address actually bound, and
// closes promptly (keep-alive sockets included).
import type { Server } from 'node:http';
import { isIPv4, isIPv6, type AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { ExitCode, GcflowError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';

export interface HttpServer {
  /** `http://host:port` actually bound. */
  url: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** `host:port` (`[::1]:8080` for IPv6); port 0 picks a free one. */
  listen: string;
  /** GCFLOW_API_TOKEN; required unless `listen` is a loopback address. */
  token: string | undefined;
  logger: Logger;
}

export class InsecureListenError extends GcflowError {
  override readonly name = 'InsecureListenError';
  constructor(listen: string) {
    super(
      'E_HTTP_INSECURE',
      `refusing to serve the HTTP API on ${listen} without a token: it is reachable beyond this machine`,
      {
        hint: 'set GCFLOW_API_TOKEN to a long random value (clients send it as `Authorization: Bearer ...`), or listen on 127.0.0.1',
        exitCode: ExitCode.usage,
      },
    );
  }
}

export class ListenAddressError extends GcflowError {
  override readonly name = 'ListenAddressError';
  constructor(listen: string, why: string) {
    super('E_HTTP_LISTEN', `cannot serve HTTP on ${JSON.stringify(listen)}: ${why}`, {
      hint: 'write host:port, e.g. 127.0.0.1:8080, [::1]:8080 or 0.0.0.0:8080 (GCFLOW_HTTP or http.listen)',
      exitCode: ExitCode.usage,
    });
  }
}

/** `host:port` → parts; an empty host (`:8080`) means every interface. */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(listen.trim());
  if (!match) throw new ListenAddressError(listen, 'expected host:port');
  const port = Number(match[3]);
  if (port > 65_535) throw new ListenAddressError(listen, `port ${port} is above 65535`);
  const host = match[1] ?? match[2] ?? '';
  if (match[1] !== undefined && !isIPv6(host))
    throw new ListenAddressError(listen, `${host} is not an IPv6 address`);
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped 127.x) and `localhost`. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost') return true;
  if (isIPv4(h)) return h.split('.')[0] === '127';
  if (!isIPv6(h)) return false;
  if (h === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(h)) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  return mapped !== null && isLoopback(mapped[1]!);
}

const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

export function serveHttp(app: Hono, o: ServeOptions): Promise<HttpServer> {
  let parsed: { host: string; port: number };
  try {
    parsed = parseListen(o.listen);
    if (!o.token && !isLoopback(parsed.host)) throw new InsecureListenError(o.listen);
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: parsed.port, hostname: parsed.host }) as Server;
    server.once('error', (err) => reject(new ListenAddressError(o.listen, (err as Error).message)));
    server.once('listening', () => {
      server.removeAllListeners('error');
      server.on('error', (err) => o.logger.error({ err }, 'HTTP server error'));
      const { address, port } = server.address() as AddressInfo;
      const url = `http://${urlHost(address)}:${port}`;
      o.logger.info({ url, auth: o.token ? 'bearer token' : 'none (loopback only)' }, 'HTTP API listening');
      let closing: Promise<void> | undefined;
      resolve({
        url,
        close: () => {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
