import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

describe('GET /healthz', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('answers 200 with Redis ok, mode and version; no API probe without workers', async () => {
    h = await startHarness({ mode: 'dev' });
    const reply = await h.request('/healthz');
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      status: 'ok',
      mode: 'dev',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      redis: { ok: true },
      api: null,
    });
  });

  it('reports the API reachable through the workers’ client, probing at most once per ~10 s', async () => {
    h = await startHarness({ workers: true });
    const first = await h.request('/healthz');
    expect(first.status).toBe(200);
    expect(first.json.status).toBe('ok');
    expect(first.json.api).toMatchObject({ ok: true, checked_at: expect.any(String) });
    await h.request('/healthz');
    await h.request('/healthz');
    const log = (await (await fetch(`${h.sim!.url}/__sim/calls`)).json()) as {
      calls: Array<{ method: string; path: string }>;
    };
    const probes = log.calls.filter(
      (c: { method: string; path: string }) =>
        c.method === 'GET' && c.path.startsWith('/compute/v1/instances'),
    );
    expect(probes).toHaveLength(1);
  });

  it('stays 200 but degraded when the API refuses the token', async () => {
    h = await startHarness({ workers: true, simToken: 'only-this-token-1f', apiToken: 'another-token-2e' });
    const reply = await h.request('/healthz');
    expect(reply.status).toBe(200);
    expect(reply.json.status).toBe('degraded');
    expect(reply.json.api.ok).toBe(false);
    expect(reply.json.api.error).toMatch(/401/);
    expect(reply.text).not.toContain('another-token-2e');
  });

  it('answers 503 when Redis does not answer', async () => {
    h = await startHarness();
    h.services.redis.disconnect();
    const reply = await h.request('/healthz');
    expect(reply.status).toBe(503);
    expect(reply.json.status).toBe('unavailable');
    expect(reply.json.redis.ok).toBe(false);
    expect(reply.json.redis.error).toEqual(expect.any(String));
  });
});
