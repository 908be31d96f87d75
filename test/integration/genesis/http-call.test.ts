// The HTTP call under the API client (src/genesis/http.ts) against a real local server
// that misbehaves on purpose: answers in pieces, never answers, stalls mid-body, or
// is left waiting behind a busy connection. What must hold: the whole answer or a
// clear error, within the timeout; a timed-out or cancelled request is cut off on
// the socket (the server sees it close) and one that never left is never sent.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  callOverFetch,
  callThrough,
  type HttpCall,
  type HttpFetch,
  HttpTimeoutError,
  undiciCall,
} from '../../../src/genesis/http.js';
import { waitFor } from '../../helpers/poll.js';

type Route = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let base: string;
const routes = new Map<string, Route>();
/** Requests the server received, by path, and those whose socket closed before an answer ended. */
const received: string[] = [];
const cutOff: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    received.push(path);
    res.on('close', () => {
      if (!res.writableFinished) cutOff.push(path);
    });
    const route = routes.get(path.split('?')[0]!);
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  routes.clear();
  received.length = 0;
  cutOff.length = 0;
});

const GET = { method: 'GET', headers: { accept: 'application/json' } };

async function eventually(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  await waitFor(() => check() || undefined, { timeoutMs: ms, what });
}

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => err,
  );
}

describe.each([
  ['undici dispatcher', undiciCall],
  ['a fetch-shaped function', callOverFetch(globalThis.fetch as unknown as HttpFetch)],
] as Array<[string, HttpCall]>)('the HTTP call over %s', (_name, call) => {
  it('gathers a body sent in pieces, with its status and headers', async () => {
    routes.set('/pieces', (_req, res) => {
      res.writeHead(429, { 'retry-after': '7', 'x-two': ['a', 'b'] });
      res.write('{"parts":[');
      setTimeout(() => res.write('"one",'), 20);
      setTimeout(() => res.end('"two"]}'), 40);
    });
    const response = await call(`${base}/pieces?page=2`, { ...GET, timeoutMs: 5_000 });
    expect(response.status).toBe(429);
    expect(response.statusText).toBe('Too Many Requests');
    expect(response.headers.get('Retry-After')).toBe('7');
    expect(response.headers.get('x-two')).toBe('a, b');
    expect(response.headers.get('absent')).toBeNull();
    expect(JSON.parse(await response.text())).toEqual({ parts: ['one', 'two'] });
    expect(received).toEqual(['/pieces?page=2']);
  });

  it('sends a POST body', async () => {
    routes.set('/echo', (req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end(body));
    });
    const response = await call(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"box"}',
      timeoutMs: 5_000,
    });
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('{"name":"box"}');
  });

  it('times out a server that never answers, and cuts the request off', async () => {
    routes.set('/silent', () => {});
    const started = performance.now();
    const err = await rejection(call(`${base}/silent`, { ...GET, timeoutMs: 200 }));
    expect(err).toBeInstanceOf(HttpTimeoutError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    await eventually(() => cutOff.includes('/silent'), 'the server sees the request cut off');
  });

  it('times out a body that stalls after the headers', async () => {
    routes.set('/stall', (_req, res) => {
      res.writeHead(200);
      res.write('{"half":');
    });
    const err = await rejection(call(`${base}/stall`, { ...GET, timeoutMs: 200 }));
    expect(err).toBeInstanceOf(HttpTimeoutError);
    await eventually(() => cutOff.includes('/stall'), 'the server sees the request cut off');
  });

  it("stops at the caller's abort with its reason, and cuts the request off", async () => {
    routes.set('/slow', () => {});
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    setTimeout(() => controller.abort(reason), 100);
    const err = await rejection(
      call(`${base}/slow`, { ...GET, signal: controller.signal, timeoutMs: 10_000 }),
    );
    expect(err).toBe(reason);
    await eventually(() => cutOff.includes('/slow'), 'the server sees the request cut off');
  });

  it('sends nothing when the caller aborted before the call', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already cancelled'));
    const err = await rejection(call(`${base}/any`, { ...GET, signal: controller.signal, timeoutMs: 5_000 }));
    expect((err as Error).message).toBe('already cancelled');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toEqual([]);
  });
});

describe('the undici call', () => {
  it('gives the socket error code of a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await rejection(undiciCall(`http://127.0.0.1:${port}/x`, { ...GET, timeoutMs: 5_000 }));
    expect(JSON.stringify({ code: (err as { code?: string }).code })).toContain('ECONNREFUSED');
  });

  it('times out a request still waiting for a connection, and never sends it', async () => {
    // One connection, held by a request the server never answers: the second waits in
    // the pool, so undici has not yet handed over its abort when the timeout passes.
    const pool = new Agent({ connections: 1 });
    const call = callThrough(pool);
    try {
      routes.set('/hold', () => {});
      routes.set('/queued', (_req, res) => res.end('{}'));
      const holder = rejection(call(`${base}/hold`, { ...GET, timeoutMs: 1_500 }));
      await eventually(() => received.includes('/hold'), 'the first request reaches the server');
      const started = performance.now();
      const err = await rejection(call(`${base}/queued`, { ...GET, timeoutMs: 200 }));
      expect(err).toBeInstanceOf(HttpTimeoutError);
      expect(performance.now() - started).toBeLessThan(1_400);
      expect(await holder).toBeInstanceOf(HttpTimeoutError);
      // The connection is free again: had the timed-out request stayed queued, it would go out now.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received).toEqual(['/hold']);
    } finally {
      await pool.close();
    }
  });
});
