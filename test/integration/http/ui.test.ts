import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';
import { NAPPER } from './workflows.js';

const TOKEN = 'ui-token-c0ffee42';

describe('/ui queue dashboard', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ workers: true, httpToken: TOKEN, workflows: [NAPPER] });
  });
  afterAll(() => h.close());

  it('answers 200 with HTML behind the token, and serves its assets', async () => {
    expect((await h.request('/ui', { token: null })).status).toBe(401);
    const page = await h.request('/ui');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toMatch(/<base href="\/ui\/"/);
    const script = /src="(static\/js\/main[^"]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    expect((await h.request(`/ui/${script}`)).status).toBe(200);
    expect((await h.request(`/ui/${script}`, { token: null })).status).toBe(401);
  });

  it('shows both queues, runs read-only', async () => {
    const reply = await h.request('/ui/api/queues');
    expect(reply.status).toBe(200);
    const queues = Object.fromEntries(
      reply.json.queues.map((q: { name: string; readOnlyMode: boolean }) => [q.name, q.readOnlyMode]),
    );
    expect(queues).toEqual({ runs: true, triggers: false });
  });

  it('refuses to promote, retry, clean or pause run jobs, and the parked run stays parked', async () => {
    const { json } = await h.request('/api/workflows/napper/runs', { method: 'POST', body: {} });
    const runId: string = json.run_id;
    await h.waitForRun(runId, (r) => r.steps[0]?.status === 'waiting');
    expect(await h.services.queue.jobState(runId)).toBe('delayed');
    const attempts = [
      `/ui/api/queues/runs/${runId}/promote`,
      `/ui/api/queues/runs/${runId}/retry`,
      `/ui/api/queues/runs/${runId}/clean`,
      '/ui/api/queues/runs/promote',
      '/ui/api/queues/runs/pause',
      '/ui/api/queues/runs/empty',
      '/ui/api/queues/runs/clean/delayed',
    ];
    for (const path of attempts) {
      const reply = await h.request(path, { method: 'PUT' });
      expect(reply.status, path).toBe(405);
    }
    expect(await h.services.queue.jobState(runId)).toBe('delayed');
    expect(await h.services.queue.isPaused()).toBe(false);
    expect((await h.request(`/api/runs/${runId}`)).json.status).toBe('waiting');
  });

  it('shows a run job with the run id as its only data', async () => {
    const { json } = await h.request('/api/workflows/napper/runs', {
      method: 'POST',
      body: { who: 'data-check' },
    });
    await h.waitForRun(json.run_id, (r) => r.steps[0]?.status === 'waiting');
    const reply = await h.request(`/ui/api/queues/runs/${json.run_id}`);
    expect(reply.status).toBe(200);
    expect(reply.json.job.data).toEqual({ runId: json.run_id });
  });
});
