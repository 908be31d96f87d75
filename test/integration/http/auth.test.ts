import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';
import { NAPPER } from './workflows.js';

const TOKEN = 'http-token-3b9d0f5e1a';
const basic = (password: string) => `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`;

describe('HTTP API with GCFLOW_API_TOKEN set', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ httpToken: TOKEN, workflows: [NAPPER] });
  });
  afterAll(() => h.close());

  it('answers /api/runs 401 JSON without the token and 200 with it', async () => {
    const without = await h.request('/api/runs', { token: null });
    expect(without.status).toBe(401);
    expect(without.json.error).toMatchObject({ code: 'E_HTTP_UNAUTHORIZED' });
    expect(without.json.error.hint).toMatch(/Bearer/);
    expect(without.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const withToken = await h.request('/api/runs');
    expect(withToken.status).toBe(200);
    expect(withToken.json).toEqual([]);
  });

  it('refuses a wrong token, also one that only shares a prefix', async () => {
    for (const token of ['wrong', TOKEN.slice(0, -1), `${TOKEN}x`]) {
      const reply = await h.request('/api/runs', { token });
      expect(reply.status, token).toBe(401);
      expect(reply.json.error.message).toMatch(/not the daemon's API token/);
    }
  });

  it('guards every /api and /ui route, whatever the method or spelling of the path', async () => {
    const guarded: Array<[string, string]> = [
      ['GET', '/api/workflows'],
      ['POST', '/api/workflows/napper/runs'],
      ['GET', '/api/runs/some-run'],
      ['POST', '/api/runs/some-run/cancel'],
      ['GET', '/api/schedules'],
      ['GET', '/api/nowhere'],
      ['GET', '/api'],
      ['GET', '/ui'],
      ['GET', '/ui/'],
      ['GET', '/ui/queues'],
      ['PUT', '/ui/queues/api/queues/runs/pause'],
      ['GET', '/ui/queues/api/queues'],
      ['GET', '/ui/workflows'],
      ['GET', '/ui/runs/some-run'],
      ['GET', '/ui/assets/app.js'],
      ['GET', '/%61pi/runs'],
      ['GET', '/api/runs/'],
    ];
    for (const [method, path] of guarded) {
      const reply = await h.request(path, { method, token: null });
      expect(reply.status, `${method} ${path}`).toBe(401);
    }
    expect(await h.services.store.list()).toEqual([]);
  });

  it('keeps /healthz and /metrics open', async () => {
    expect((await h.request('/healthz', { token: null })).status).toBe(200);
    expect((await h.request('/metrics', { token: null })).status).toBe(200);
  });

  it('lets a browser in with Basic auth carrying the token as password', async () => {
    const challenge = await h.request('/ui', { token: null });
    expect(challenge.headers.get('www-authenticate')).toMatch(/^Basic realm="gcflow"/);
    const page = await h.request('/ui', { token: null, headers: { authorization: basic(TOKEN) } });
    expect(page.status).toBe(200);
    const wrong = await h.request('/ui', { token: null, headers: { authorization: basic('nope') } });
    expect(wrong.status).toBe(401);
  });
});

describe('HTTP API without a token (loopback only)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ workflows: [NAPPER] });
  });
  afterAll(() => h.close());

  it('serves /api without any Authorization header', async () => {
    const reply = await h.request('/api/workflows', { token: null });
    expect(reply.status).toBe(200);
    expect(reply.json.workflows.map((w: { name: string }) => w.name)).toEqual(['napper']);
  });
});
