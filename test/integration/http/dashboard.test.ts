// The gcflow dashboard's pages over real HTTP (the browser tests drive them in
// Chromium; these pin the HTTP contract: headers, fragments, filters, error pages).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';
import { FAILER, LISTER, NAPPER } from './workflows.js';

describe('/ui pages', () => {
  let h: Harness;
  let failed: string;
  let listed: string;
  beforeAll(async () => {
    h = await startHarness({ workers: true, workflows: [NAPPER, LISTER, FAILER] });
    failed = (await h.request('/api/workflows/failer/runs', { method: 'POST', body: {} })).json.run_id;
    listed = (await h.request('/api/workflows/lister/runs', { method: 'POST', body: {} })).json.run_id;
    await h.waitForRun(failed, (r) => r.status === 'failed');
    await h.waitForRun(listed, (r) => r.status === 'succeeded');
  });
  afterAll(() => h.close());

  it('serves pages that load only their own script and stylesheet, cannot be framed and are not cached', async () => {
    for (const path of ['/ui', '/ui/', '/ui/workflows', `/ui/runs/${failed}`]) {
      const page = await h.request(path);
      expect(page.status, path).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toMatch(
        /script-src 'self';.*frame-ancestors 'none'/,
      );
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.text).not.toMatch(/<script>|<style>| style=|https?:\/\/(?!127\.0\.0\.1)/);
      const script = /<script src="(\/ui\/assets\/app\.js\?v=\w+)"/.exec(page.text)?.[1];
      expect(script, path).toBeDefined();
    }
    const js = await h.request('/ui/assets/app.js');
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await h.request('/ui/assets/app.css')).headers.get('content-type')).toMatch(/^text\/css/);
    expect((await h.request('/ui/assets/other.js')).status).toBe(404);
  });

  it('lists runs newest first, filtered by workflow and status, failed ones with their error', async () => {
    const all = await h.request('/ui');
    const order = [...all.text.matchAll(/<tr data-run-id="([^"]+)"/g)].map((m) => m[1]);
    expect(order.indexOf(listed)).toBeLessThan(order.indexOf(failed));
    const onlyFailed = await h.request('/ui?status=failed');
    expect(onlyFailed.text).toContain(`data-run-id="${failed}" data-status="failed"`);
    expect(onlyFailed.text).not.toContain(listed);
    expect(onlyFailed.text).toMatch(/class="error-line">step look failed: [^<]*no-such-box/);
    const lister = await h.request('/ui?workflow=lister');
    expect(lister.text).toContain(listed);
    expect(lister.text).not.toContain(`data-run-id="${failed}"`);
    expect(lister.text).toMatch(/<option value="lister" selected>/);
  });

  it('answers a fragment request with the live region alone', async () => {
    const live = await h.request('/ui?status=failed', { headers: { 'x-gcflow-fragment': 'live' } });
    expect(live.status).toBe(200);
    expect(live.headers.get('vary')).toMatch(/X-Gcflow-Fragment/i);
    expect(live.text).toMatch(/^<div id="live" data-poll-ms="\d+">/);
    expect(live.text).not.toContain('<html');
    expect(live.text).toContain(failed);
    const run = await h.request(`/ui/runs/${failed}`, { headers: { 'x-gcflow-fragment': 'live' } });
    expect(run.text).toMatch(/^<div id="live" data-run-status="failed">/);
  });

  it('shows a run with its steps, events and the definition’s step names', async () => {
    const page = await h.request(`/ui/runs/${failed}`);
    expect(page.text).toMatch(/<tr class="step" data-step="look" data-status="failed">/);
    expect(page.text).toContain('Look for the box');
    expect(page.text).toMatch(/<tr class="step" data-step="after" data-status="skipped">/);
    expect(page.text).toMatch(/<tr data-event="run.failed">/);
    expect(page.text).not.toContain('data-cancel-run');
  });

  it('answers unknown runs, bad ids and bad filters with an HTML error page', async () => {
    const missing = await h.request('/ui/runs/napper-nosuch');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^text\/html/);
    expect(missing.text).toContain('E_RUN_NOT_FOUND');
    const bad = await h.request('/ui/runs/napper%3Aevents');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('E_RUN_ID_INVALID');
    for (const query of ['status=done', 'limit=0', 'workflow=a%20b']) {
      const reply = await h.request(`/ui?${query}`);
      expect(reply.status, query).toBe(400);
      expect(reply.text).toContain('<h1>E_HTTP_BAD_REQUEST</h1>');
    }
  });
});
