// Bull Board at /ui/queues: read-only for both queues, over real HTTP; and a failed
// run looks failed there and in the queue metrics (its job fails, without a retry).
import { appRoutes } from '@bull-board/api/dist/routes.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from '../../unit/daemon/prometheus-text.js';
import { eventually, type Harness, startHarness } from './harness.js';
import { FAILER, LISTER, NAPPER } from './workflows.js';

const TOKEN = 'ui-token-c0ffee42';

/** Every bull-board route that is not a GET, with its parameters filled in. */
function mutatingRoutes(runId: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const route of appRoutes.api) {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const paths = Array.isArray(route.route) ? route.route : [route.route];
    for (const method of methods) {
      if (method === 'get') continue;
      for (const path of paths)
        for (const queue of ['runs', 'triggers'])
          out.push([
            method.toUpperCase(),
            `/ui/queues${path
              .replace(':queueName', queue)
              .replace(':jobId', runId)
              .replace(':queueStatus', 'failed')
              .replace(':schedulerId', 'napper:0')}`,
          ]);
    }
  }
  out.push(['PUT', '/ui/queues/api/queues/pause'], ['PUT', '/ui/queues/api/queues/resume']);
  out.push(['POST', '/ui/queues/api/metrics/history/purge'], ['DELETE', '/ui/queues/api/queues/runs']);
  return out;
}

describe('/ui/queues: Bull Board, read-only', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      workers: true,
      httpToken: TOKEN,
      workflows: [NAPPER, LISTER, FAILER],
      scheduler: 'real',
    });
  });
  afterAll(() => h.close());

  it('answers 200 with HTML behind the token, and serves its assets without any CDN', async () => {
    expect((await h.request('/ui/queues', { token: null })).status).toBe(401);
    const page = await h.request('/ui/queues');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toMatch(/<base href="\/ui\/queues\/"/);
    // Bull Board's page links a web font from a CDN; the CSP keeps browsers from fetching it.
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/style-src 'self' 'unsafe-inline';/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const script = /src="(static\/js\/main[^"]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    expect((await h.request(`/ui/queues/${script}`)).status).toBe(200);
    expect((await h.request(`/ui/queues/${script}`, { token: null })).status).toBe(401);
  });

  it('shows both queues read-only', async () => {
    const reply = await h.request('/ui/queues/api/queues');
    expect(reply.status).toBe(200);
    const queues = Object.fromEntries(
      reply.json.queues.map((q: { name: string; readOnlyMode: boolean }) => [q.name, q.readOnlyMode]),
    );
    expect(queues).toEqual({ runs: true, triggers: true });
  });

  it('answers 403 to every mutating route, for both queues, and changes nothing', async () => {
    const { json } = await h.request('/api/workflows/napper/runs', { method: 'POST', body: {} });
    const runId: string = json.run_id;
    await h.waitForRun(runId, (r) => r.steps[0]?.status === 'waiting');
    const triggers = h.scheduler!;
    await eventually(
      async () => ((await triggers.schedules()).length > 0 ? true : undefined),
      'napper:0 registered',
    );
    const before = await h.request('/api/schedules');
    const triggerCounts = await h.request('/ui/queues/api/queues');

    const routes = mutatingRoutes(runId);
    expect(routes.length).toBeGreaterThan(40);
    for (const [method, path] of routes) {
      for (const type of ['application/json', 'text/plain']) {
        const reply = await h.request(path, { method, body: '{}', headers: { 'content-type': type } });
        expect(reply.status, `${method} ${path} (${type})`).toBe(403);
        expect(reply.json.error.code).toBe('E_HTTP_READ_ONLY');
      }
    }
    expect(await h.services.queue.jobState(runId)).toBe('delayed');
    expect(await h.services.queue.isPaused()).toBe(false);
    expect((await h.request(`/api/runs/${runId}`)).json.status).toBe('waiting');
    expect((await h.request('/api/schedules')).json).toEqual(before.json);
    const after = await h.request('/ui/queues/api/queues');
    const countsOf = (reply: typeof after) =>
      reply.json.queues.find((q: { name: string }) => q.name === 'triggers').counts;
    expect(countsOf(after)).toEqual(countsOf(triggerCounts));
    expect((await h.services.store.list({ limit: 100 })).filter((r) => r.trigger === 'schedule')).toEqual([]);
  });

  it('shows a run job with the run id as its only data', async () => {
    const { json } = await h.request('/api/workflows/napper/runs', {
      method: 'POST',
      body: { who: 'data-check' },
    });
    await h.waitForRun(json.run_id, (r) => r.steps[0]?.status === 'waiting');
    const reply = await h.request(`/ui/queues/api/queues/runs/${json.run_id}`);
    expect(reply.status).toBe(200);
    expect(reply.json.job.data).toEqual({ runId: json.run_id });
  });

  it('fails the job of a failed run, once, with the run’s error, and gcflow does not give up on it', async () => {
    const { json } = await h.request('/api/workflows/failer/runs', { method: 'POST', body: {} });
    const run = await h.waitForRun(json.run_id, (r) => r.status === 'failed');
    expect(run.error).toMatch(/no-such-box/);
    const job = await eventually(async () => {
      // Bull Board reads the job and its state in two steps: wait until both say it ended.
      const reply = await h.request(`/ui/queues/api/queues/runs/${json.run_id}`);
      return reply.json?.status === 'failed' && reply.json.job.finishedOn ? reply.json : undefined;
    }, 'the run job failed');
    expect(job.job.failedReason).toContain(run.error!.split('\n')[0]);
    expect(job.job.attempts).toBe(1);
    expect(job.job.stacktrace.join('\n')).not.toMatch(/\bat .*\.(ts|js):\d+/);
    const failedList = await h.request('/ui/queues/api/queues?activeQueue=runs&status=failed&page=1');
    const listed = failedList.json.queues.find((q: { name: string }) => q.name === 'runs');
    expect(listed.jobs.map((j: { id: string }) => j.id)).toContain(json.run_id);
    const completedList = await h.request('/ui/queues/api/queues?activeQueue=runs&status=completed&page=1');
    const completed = completedList.json.queues.find((q: { name: string }) => q.name === 'runs');
    expect(completed.jobs.map((j: { id: string }) => j.id)).not.toContain(json.run_id);
    // Not taken for a turn that kept throwing: no give-up, no second turn.
    const events = (await h.services.store.events(json.run_id)).map((e) => e.event.type);
    expect(events).not.toContain('run.gave_up');
    expect(events.filter((t) => t === 'run.started' || t === 'run.resumed')).toEqual(['run.started']);
    expect(await h.services.store.cancelRequest(json.run_id)).toBeNull();
  });

  it('completes the job of a succeeded run with its outcome, and the queue metrics tell the two apart', async () => {
    const { json } = await h.request('/api/workflows/lister/runs', { method: 'POST', body: {} });
    await h.waitForRun(json.run_id, (r) => r.status === 'succeeded');
    const job = await eventually(async () => {
      const reply = await h.request(`/ui/queues/api/queues/runs/${json.run_id}`);
      return reply.json?.status === 'completed' && reply.json.job.finishedOn ? reply.json : undefined;
    }, 'the run job completed');
    expect(job.job.returnValue).toEqual({ outcome: 'succeeded' });
    const metrics = await eventually(async () => {
      const f = parsePrometheusText((await h.request('/metrics', { token: null })).text);
      return (sampleValue(f, 'gcflow_queue_jobs', { queue: 'runs', state: 'failed' }) ?? 0) >= 1 &&
        (sampleValue(f, 'gcflow_queue_jobs', { queue: 'runs', state: 'completed' }) ?? 0) >= 1
        ? f
        : undefined;
    }, 'queue metrics sampled');
    const failedRuns = (await h.services.store.list({ status: 'failed', limit: 100 })).length;
    expect(sampleValue(metrics, 'gcflow_queue_jobs', { queue: 'runs', state: 'failed' })).toBe(failedRuns);
  });
});
