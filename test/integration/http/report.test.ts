// The batch-job report route through the daemon's real HTTP app, real Redis, real
// workers and the simulator: the box's only credential is the token in the URL it
// found in its startup script; everything else about the URL is refused alike.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_RATE } from '../../../src/runs/reports.js';
import { jobBox, report } from '../../helpers/job-box.js';
import { type Harness, startHarness } from './harness.js';

const HTTP_TOKEN = 'http-token-for-reports-3c9d';

/** A POST with exactly these headers (fetch may not send its own Host). */
function postRaw(url: string, headers: Record<string, string>, body: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const BATCH = `
name: batch
steps:
  - id: box
    uses: instance.create
    with:
      name: "job-\${{ run.id }}"
      type: vcpu-2_memory-4g
      region: NORD-NO-KRS-1
      image: ubuntu-22.04
      ssh_keys: [ops-laptop]
      startup_script: |
        #!/bin/bash
        URL='\${{ run.report_url }}'
        echo '{"status":"succeeded"}' | curl -fsS -X POST -H 'content-type: application/json' -d @- "$URL"
  - id: job
    uses: job.wait
    with: { instance: "\${{ steps.box.outputs.instance.id }}" }
finally:
  - id: teardown
    uses: instance.delete
    with: { instance: "\${{ steps.box.outputs.instance.id }}" }
`;

/** Names its report URL as an instance, so the step's error quotes it: it must come out redacted. */
const LEAKER = `
name: leaker
steps:
  - id: find
    uses: instance.get
    with: { instance: "\${{ run.report_url }}" }
`;

describe('POST /report/<run>/<token>', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ workers: true, httpToken: HTTP_TOKEN, workflows: [BATCH, LEAKER] });
  });
  afterAll(() => h.close());

  async function startBatch(): Promise<{ runId: string; url: string; token: string }> {
    const started = await h.request('/api/workflows/batch/runs', { method: 'POST', body: {} });
    expect(started.status).toBe(202);
    const runId = started.json.run_id as string;
    const box = await jobBox(h.sim!, `job-${runId}`, 30_000);
    expect(box.url.startsWith(`${h.url}/report/${runId}/gcr_`)).toBe(true);
    return { runId, url: box.url, token: box.url.split('/').pop()! };
  }

  it('takes reports without the bearer token, keeps the last 64 KiB of output, and a final report ends job.wait', async () => {
    const { runId, url } = await startBatch();
    const long = `${'x'.repeat(100 * 1024)}THE END`;
    const beat = await report(url, { status: 'running', output: long });
    expect(beat.status).toBe(200);
    const stored = await h.services.reports.read(runId);
    expect(stored!.output).toHaveLength(64 * 1024);
    expect(stored!.output.endsWith('THE END')).toBe(true);
    // A request from another Host name (a tunnel's) and no token still gets through.
    // (The API itself answers that Host 421: the report route is mounted before the guard.)
    const foreignHost = { host: 'gcflow.tunnel.example', 'content-type': 'application/json' };
    expect((await postRaw(`${h.url}/api/workflows/batch/runs`, foreignHost, '{}')).status).toBe(421);
    const body = JSON.stringify({ status: 'succeeded', exit_code: 0, output: 'ok\n' });
    expect((await postRaw(url, foreignHost, body)).status).toBe(200);
    const run = await h.waitForRun(runId, (r) => r.status === 'succeeded', 30_000);
    expect(run.steps.find((s) => s.id === 'job')!.outputs).toEqual({
      status: 'succeeded',
      exit_code: 0,
      output: 'ok\n',
    });
    const page = await h.request(`/ui/runs/${runId}`);
    expect(page.text).toMatch(
      /<section class="job-report" data-step="job">[\s\S]*exit code\s*<strong class="">0<\/strong>[\s\S]*<pre class="job-output">ok\n<\/pre>/,
    );
    // The run has ended: its URL is dead.
    expect((await report(url, { status: 'running' })).status).toBe(404);
  }, 60_000);

  it('answers a wrong token, an unknown run and a malformed path alike with 404 and stores nothing', async () => {
    const { runId, url, token } = await startBatch();
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const wrong = await report(url.replace(token, flipped), { status: 'failed', exit_code: 1 });
    expect(wrong.status).toBe(404);
    expect(JSON.parse(wrong.text).error.code).toBe('E_REPORT_NOT_FOUND');
    expect((await report(url.replace(token, 'short'), { status: 'failed' })).status).toBe(404);
    expect((await report(url.replace(runId, `${runId}x`), { status: 'failed' })).status).toBe(404);
    expect(await h.services.reports.read(runId)).toBeUndefined();
    const run = await h.waitForRun(runId, () => true);
    expect(['running', 'waiting']).toContain(run.status);
    await h.request(`/api/runs/${runId}/cancel`, { method: 'POST', body: {} });
    await h.waitForRun(runId, (r) => r.status === 'cancelled', 30_000);
  }, 60_000);

  it('refuses a body over 256 KiB (413), a malformed report (400), and too many reports (429)', async () => {
    const { runId, url } = await startBatch();
    const huge = await report(url, { status: 'running', output: 'y'.repeat(300 * 1024) });
    expect(huge.status).toBe(413);
    const bad = await report(url, { status: 'done', exit_code: 1.5 });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error.code).toBe('E_REPORT_INVALID');
    expect((await report(url, 'not json')).status).toBe(400);
    // The three above count towards the limit: fill the rest of the window.
    const statuses: number[] = [];
    for (let i = 0; i < REPORT_RATE.limit; i++)
      statuses.push((await report(url, { status: 'running' })).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const limited = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"status":"running"}',
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    await h.request(`/api/runs/${runId}/cancel`, { method: 'POST', body: {} });
    await h.waitForRun(runId, (r) => r.status === 'cancelled', 30_000);
  }, 60_000);

  it('never shows the token: a step error that quotes run.report_url is redacted in the API and the dashboard', async () => {
    const started = await h.request('/api/workflows/leaker/runs', { method: 'POST', body: {} });
    const runId = started.json.run_id as string;
    const run = await h.waitForRun(runId, (r) => r.status === 'failed', 30_000);
    const token = await h.services.reports.token(runId);
    const detail = await h.request(`/api/runs/${runId}`);
    expect(detail.text).not.toContain(token);
    expect(run.steps[0]!.error).toContain('[REDACTED]');
    expect(run.steps[0]!.error).toContain(`/report/${runId}/`);
    const page = await h.request(`/ui/runs/${runId}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(token);
    // Nor is it stored: the record in Redis holds the redacted text.
    const raw = await h.services.redis.get(`${h.services.config.redis.prefix}:run:${runId}`);
    expect(raw).not.toContain(token);
  }, 60_000);
});
