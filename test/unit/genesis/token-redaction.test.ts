// Acceptance: the API token never appears in an error (message, String, JSON, inspect) or
// a log line, however a call fails. The server is a loopback node:http server on port 0
// that misbehaves on purpose (echoes the token, drops the socket, never answers).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGenesisClient, createRateLimiter, GenesisApiError } from '../../../src/genesis/index.js';

const TOKEN = 'gcf-test-token-5f2a9d17c3e8';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes: Record<string, Handler> = {
  '/compute/v1/instances/unauthorised': (_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: '02401', message: `token ${TOKEN} is not valid` }));
  },
  '/compute/v1/instances/proxy-500': (req, res) => {
    res.writeHead(500, { 'content-type': 'text/html' });
    res.end(`<html><body>upstream rejected ${req.headers.authorization}</body></html>`);
  },
  '/compute/v1/instances/proxy-503': (req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end(`overloaded; auth=${req.headers.authorization}`);
  },
  '/compute/v1/instances/drop': (req) => {
    req.socket.destroy();
  },
  '/compute/v1/instances/hang': () => {
    // never answers
  },
};

let server: Server;
let base: string;
const seenAuth: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seenAuth.push(String(req.headers.authorization));
    const path = (req.url ?? '').split('?')[0]!;
    const handler = routes[path] ?? routes[path.replace(/\/snapshots$/, '')];
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/compute/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function clientWithCapturedLogs(baseUrl: string) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  // A plain pino logger with no redaction of its own: the client must not hand it the token.
  const logger = pino({ level: 'trace' }, destination);
  const client = createGenesisClient({
    baseUrl,
    token: TOKEN,
    logger,
    timeoutMs: 200,
    maxAttempts: 2,
    baseDelayMs: 1,
    rateLimiter: createRateLimiter({ ratePerSecond: 1000, burst: 100 }),
  });
  return { client, lines };
}

async function failure(promise: Promise<unknown>): Promise<GenesisApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(GenesisApiError);
    return err as GenesisApiError;
  }
  throw new Error('expected the call to fail');
}

function expectNoToken(err: GenesisApiError, lines: string[]): void {
  for (const text of [
    err.message,
    String(err),
    JSON.stringify(err),
    inspect(err, { depth: 10 }),
    err.hint ?? '',
  ]) {
    expect(text).not.toContain(TOKEN);
  }
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.join('')).not.toContain(TOKEN);
}

describe('the API token stays out of errors and logs', () => {
  it('on a 401 whose JSON message echoes the token', async () => {
    const { client, lines } = clientWithCapturedLogs(base);
    const err = await failure(client.instances.get('unauthorised'));
    expect(err.status).toBe(401);
    expect(err.apiMessage).toContain('[REDACTED]');
    expectNoToken(err, lines);
  });

  it('on a 500 whose non-JSON body echoes the Authorization header', async () => {
    const { client, lines } = clientWithCapturedLogs(base);
    const err = await failure(client.instances.get('proxy-500'));
    expect(err.status).toBe(500);
    expect(err.message).toContain('non-JSON body');
    expectNoToken(err, lines);
  });

  it('on an ambiguous POST whose 503 body echoes the token', async () => {
    const { client, lines } = clientWithCapturedLogs(base);
    const err = await failure(client.instances.createSnapshot('proxy-503', { name: 's' }));
    expect(err.code).toBe('E_API_AMBIGUOUS_CREATE');
    expectNoToken(err, lines);
  });

  it('on a dropped connection', async () => {
    const { client, lines } = clientWithCapturedLogs(base);
    const err = await failure(client.instances.get('drop'));
    expect(err.code).toBe('E_API_TRANSPORT');
    expectNoToken(err, lines);
  });

  it('on a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { client, lines } = clientWithCapturedLogs(`http://127.0.0.1:${port}/compute/v1`);
    const err = await failure(client.quotas.get());
    expect(err.kind).toBe('refused');
    expectNoToken(err, lines);
  });

  it('on a timeout', async () => {
    const { client, lines } = clientWithCapturedLogs(base);
    const err = await failure(client.instances.get('hang'));
    expect(err.code).toBe('E_API_TIMEOUT');
    expectNoToken(err, lines);
  });

  it('while the token really was sent as a Bearer header', () => {
    expect(seenAuth.length).toBeGreaterThan(0);
    expect(new Set(seenAuth)).toEqual(new Set([`Bearer ${TOKEN}`]));
  });
});
