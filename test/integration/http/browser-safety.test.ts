// Browser-safe HTTP over real HTTP: what a page on another site, a rebinding DNS name
// or a crafted run id can make the daemon do (nothing), and who may read /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';
import { NAPPER } from './workflows.js';

const TOKEN = 'safety-token-5d1e9c';

/** A raw request with exactly these headers (fetch cannot set Host; node:http can). */
async function raw(
  url: string,
  path: string,
  o: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; json: { error?: { code: string } } | undefined }> {
  const { request } = await import('node:http');
  const target = new URL(path, url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: o.method ?? 'GET',
        headers: o.headers,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => {
          let json: { error?: { code: string } } | undefined;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

describe('browser-safe HTTP (loopback, no token: the default setup)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      workflows: [NAPPER],
      http: { allowed_hosts: ['gcflow.internal'], allowed_origins: ['https://ops.example.org'] },
    });
  });
  afterAll(() => h.close());

  const runCount = async () => (await h.services.store.list({ limit: 1000 })).length;

  it('refuses the cross-site request of the issue with 403 and starts nothing', async () => {
    const before = await runCount();
    const reply = await h.request('/api/workflows/napper/runs', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'text/plain', origin: 'http://evil.example' },
    });
    expect(reply.status).toBe(403);
    expect(reply.json.error.code).toBe('E_HTTP_FOREIGN_ORIGIN');
    expect(reply.json.error.hint).toMatch(/http\.allowed_origins/);
    // Also as JSON, as a form, and for cancel and reads: a foreign page gets nothing.
    for (const [method, path, type] of [
      ['POST', '/api/workflows/napper/runs', 'application/json'],
      ['POST', '/api/workflows/napper/runs', 'application/x-www-form-urlencoded'],
      ['POST', '/api/runs/napper-x/cancel', 'application/json'],
      ['GET', '/api/runs', ''],
      ['GET', '/ui', ''],
      ['OPTIONS', '/api/workflows/napper/runs', ''],
    ] as const) {
      const body = method === 'POST' ? '{}' : undefined;
      const r = await h.request(path, { method, body, headers: { 'content-type': type, origin: 'null' } });
      expect(r.status, `${method} ${path} ${type}`).toBe(403);
    }
    expect(await runCount()).toBe(before);
  });

  it('accepts its own origin, public and allowed origins', async () => {
    for (const origin of [h.url, h.url.replace('127.0.0.1', 'localhost'), 'https://ops.example.org']) {
      const host = new URL(origin).host;
      const reply = await raw(h.url, '/api/workflows/napper/runs', {
        method: 'POST',
        headers: {
          host: origin.includes('ops.example') ? new URL(h.url).host : host,
          origin,
          'content-type': 'application/json',
        },
        body: '{}',
      });
      expect(reply.status, origin).toBe(202);
    }
  });

  it('answers 415 to a state-changing request that is not JSON, and starts nothing', async () => {
    const before = await runCount();
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
    ]) {
      const reply = await h.request('/api/workflows/napper/runs', {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': type },
      });
      expect(reply.status, type || '(none)').toBe(415);
      expect(reply.json.error.code).toBe('E_HTTP_UNSUPPORTED_MEDIA_TYPE');
      expect(reply.json.error.hint).toMatch(/application\/json/);
    }
    const cancel = await h.request('/api/runs/napper-x/cancel', {
      method: 'POST',
      headers: { 'content-type': '' },
    });
    expect(cancel.status).toBe(415);
    expect(await runCount()).toBe(before);
    // JSON, also with a charset or a +json type, and the dashboard's header pass.
    const passing: Array<Record<string, string>> = [
      { 'content-type': 'application/json; charset=utf-8' },
      { 'content-type': 'application/merge-patch+json' },
      { 'content-type': 'text/plain', 'x-gcflow-client': 'dashboard' },
    ];
    for (const headers of passing) {
      const reply = await h.request('/api/workflows/napper/runs', { method: 'POST', body: '{}', headers });
      expect(reply.status, JSON.stringify(headers)).toBe(202);
    }
  });

  it('answers 421 to a foreign Host (DNS rebinding), on every route but /healthz', async () => {
    for (const path of ['/api/runs', '/api/workflows', '/ui', '/ui/queues', '/metrics']) {
      const reply = await raw(h.url, path, { headers: { host: 'attacker.example' } });
      expect(reply.status, path).toBe(421);
      expect(reply.json?.error?.code).toBe('E_HTTP_FOREIGN_HOST');
    }
    const post = await raw(h.url, '/api/workflows/napper/runs', {
      method: 'POST',
      headers: { host: 'attacker.example:8080', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(421);
    expect((await raw(h.url, '/healthz', { headers: { host: 'attacker.example' } })).status).toBe(200);
    const port = new URL(h.url).port;
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      'gcflow.internal',
      `GCFLOW.internal:${port}`,
    ])
      expect((await raw(h.url, '/api/runs', { headers: { host } })).status, host).toBe(200);
  });

  it('answers 400 to a run id outside the id grammar, before touching Redis', async () => {
    const { json } = await h.request('/api/workflows/napper/runs', { method: 'POST', body: {} });
    const id: string = json.run_id;
    for (const bad of [`${id}:events`, `${id}:cancel`, 'x*', 'a.b', 'NAPPER', `${id} `]) {
      const enc = encodeURIComponent(bad);
      const get = await h.request(`/api/runs/${enc}`);
      expect(get.status, bad).toBe(400);
      expect(get.json.error.code).toBe('E_RUN_ID_INVALID');
      expect((await h.request(`/api/runs/${enc}/cancel`, { method: 'POST' })).status, bad).toBe(400);
      expect((await h.request(`/ui/runs/${enc}`)).status, bad).toBe(400);
    }
    expect(await h.services.store.cancelRequest(id)).toBeNull();
    for (const query of ['workflow=napper:x', 'workflow=*']) {
      expect((await h.request(`/api/runs?${query}`)).status, query).toBe(400);
      expect((await h.request(`/ui?${query}`)).status, query).toBe(400);
    }
  });
});

describe('who may read /metrics', () => {
  const scrape = (h: Harness, headers: Record<string, string> = {}, token: string | null = null) =>
    h.request('/metrics', { token, headers });

  it('loopback (default): this machine without the token; a forwarded request needs it', async () => {
    const h = await startHarness({ httpToken: TOKEN });
    try {
      expect((await scrape(h)).status).toBe(200);
      const forwarded = await scrape(h, { 'x-forwarded-for': '203.0.113.9' });
      expect(forwarded.status).toBe(401);
      expect(forwarded.json.error.hint).toMatch(/metrics_access/);
      expect((await scrape(h, { forwarded: 'for=203.0.113.9' })).status).toBe(401);
      expect((await scrape(h, { 'x-forwarded-for': '203.0.113.9' }, TOKEN)).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('loopback without a token: a forwarded request is refused, as no token can be asked for', async () => {
    const h = await startHarness();
    try {
      expect((await scrape(h)).status).toBe(200);
      expect((await scrape(h, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);
    } finally {
      await h.close();
    }
  });

  it('token: always the token; open: anyone', async () => {
    const strict = await startHarness({ httpToken: TOKEN, http: { metrics_access: 'token' } });
    try {
      expect((await scrape(strict)).status).toBe(401);
      expect((await scrape(strict, {}, 'wrong')).status).toBe(401);
      expect((await scrape(strict, {}, TOKEN)).status).toBe(200);
    } finally {
      await strict.close();
    }
    const open = await startHarness({ httpToken: TOKEN, http: { metrics_access: 'open' } });
    try {
      expect((await scrape(open, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
