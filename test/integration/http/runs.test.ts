import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../../src/runs/service.js';
import type { ScheduleView } from '../../../src/scheduler/index.js';
import { type Harness, startHarness } from './harness.js';
import { LISTER, NAPPER } from './workflows.js';

const TOKEN = 'http-token-runs-71c2';
const SCHEDULE: ScheduleView = {
  workflow: 'napper',
  trigger: 0,
  cron: '0 2 * * *',
  timezone: 'Europe/Berlin',
  catch_up: 'last',
  next: '2025-03-02T02:00:00+01:00',
  next_utc: '2025-03-02T01:00:00.000Z',
  last_slot: null,
  overdue_ms: 0,
};

describe('runs through the HTTP API (no workers: runs stay queued)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      httpToken: TOKEN,
      workflows: [NAPPER, LISTER],
      files: { 'broken.yaml': 'name: broken\nstpes: []\n' },
      scheduler: { schedules: async () => [SCHEDULE] },
    });
  });
  afterAll(() => h.close());

  it('lists workflows with inputs, triggers and file, plus the diagnostics of invalid files', async () => {
    const reply = await h.request('/api/workflows');
    expect(reply.status).toBe(200);
    expect(reply.json.workflows.map((w: { name: string }) => w.name)).toEqual(['lister', 'napper']);
    const napper = reply.json.workflows[1];
    expect(napper).toMatchObject({
      name: 'napper',
      description: 'Naps for an hour.',
      file: expect.stringMatching(/w0\.yaml$/),
      inputs: { who: { type: 'string', default: 'world' }, count: { type: 'integer', default: 1 } },
      triggers: [{ cron: '0 2 * * *', timezone: 'Europe/Berlin' }],
    });
    expect(reply.json.diagnostics).toContainEqual(
      expect.objectContaining({
        file: expect.stringMatching(/broken\.yaml$/),
        line: 2,
        column: 1,
        severity: 'error',
        code: 'E_UNKNOWN_KEY',
      }),
    );
  });

  it('starts a run: 202 {run_id}, then visible in GET /api/runs, GET /api/runs/{id} and the run store', async () => {
    const started = await h.request('/api/workflows/napper/runs', {
      method: 'POST',
      body: { who: 'ops', count: 3 },
    });
    expect(started.status).toBe(202);
    const runId: string = started.json.run_id;
    expect(Object.keys(started.json)).toEqual(['run_id']);
    expect(started.headers.get('location')).toBe(`/api/runs/${encodeURIComponent(runId)}`);

    const list = await h.request('/api/runs?workflow=napper');
    expect(list.json.map((r: RunView) => r.id)).toContain(runId);
    const one = await h.request(`/api/runs/${runId}`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({
      id: runId,
      workflow: 'napper',
      status: 'queued',
      trigger: 'api',
      inputs: { who: 'ops', count: 3 },
      steps: [expect.objectContaining({ id: 'nap', status: 'pending' })],
    });
    const stored = await h.services.store.load(runId);
    expect(stored).toMatchObject({
      id: runId,
      workflow: 'napper',
      trigger: 'api',
      inputs: { who: 'ops', count: 3 },
    });
    expect(await h.services.queue.exists(runId)).toBe(true);
  });

  it('accepts inputs wrapped in {inputs: ...} and fills defaults', async () => {
    const started = await h.request('/api/workflows/napper/runs', {
      method: 'POST',
      body: { inputs: { who: 'w' } },
    });
    expect(started.status).toBe(202);
    const stored = await h.services.store.load(started.json.run_id);
    expect(stored?.inputs).toEqual({ who: 'w', count: 1 });
    const empty = await h.request('/api/workflows/napper/runs', { method: 'POST' });
    expect(empty.status).toBe(202);
    expect((await h.services.store.load(empty.json.run_id))?.inputs).toEqual({ who: 'world', count: 1 });
  });

  it('answers 400 with the input error for bad inputs, and starts nothing', async () => {
    const before = (await h.services.store.list({ limit: 1000 })).length;
    const bad = await h.request('/api/workflows/napper/runs', {
      method: 'POST',
      body: { count: 'many', whom: 'x' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('E_INPUT_INVALID');
    expect(bad.json.error.message).toMatch(/count/);
    expect(bad.json.error.message).toMatch(/unknown input 'whom'/);
    expect(bad.json.error.hint).toMatch(/JSON object/);
    for (const body of ['{not json', '[1,2]', '"text"']) {
      const reply = await h.request('/api/workflows/napper/runs', { method: 'POST', body });
      expect(reply.status, body).toBe(400);
      expect(reply.json.error.code).toBe('E_HTTP_BAD_REQUEST');
    }
    expect((await h.services.store.list({ limit: 1000 })).length).toBe(before);
  });

  it('answers 413 to a body over 1 MiB', async () => {
    const reply = await h.request('/api/workflows/napper/runs', {
      method: 'POST',
      body: { who: 'x'.repeat(1024 * 1024 + 10) },
    });
    expect(reply.status).toBe(413);
    expect(reply.json.error.code).toBe('E_HTTP_BODY_TOO_LARGE');
  });

  it('answers 404 with {error: {code, message, hint}} for unknown workflows, runs and routes', async () => {
    const workflow = await h.request('/api/workflows/nosuch/runs', { method: 'POST', body: {} });
    expect(workflow.status).toBe(404);
    expect(workflow.json.error).toEqual({
      code: 'E_WORKFLOW_NOT_FOUND',
      message: 'no workflow named nosuch',
      hint: expect.stringMatching(/GET \/api\/workflows/),
    });
    const run = await h.request('/api/runs/nosuch-run');
    expect(run.status).toBe(404);
    expect(run.json.error).toMatchObject({ code: 'E_RUN_NOT_FOUND', message: 'no run nosuch-run' });
    expect(run.json.error.hint).toMatch(/gcflow runs/);
    const cancel = await h.request('/api/runs/nosuch-run/cancel', { method: 'POST' });
    expect(cancel.status).toBe(404);
    for (const path of ['/api/nothing', '/nothing', '/api/runs/x/y/z']) {
      const reply = await h.request(path);
      expect(reply.status, path).toBe(404);
      expect(reply.json.error.code).toBe('E_NOT_FOUND');
      expect(reply.headers.get('content-type')).toMatch(/application\/json/);
    }
    expect(run.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it('filters runs by workflow, status and limit, and refuses bad filters', async () => {
    await h.request('/api/workflows/lister/runs', { method: 'POST', body: {} });
    const listers = await h.request('/api/runs?workflow=lister');
    expect(listers.json.length).toBeGreaterThan(0);
    expect(listers.json.every((r: RunView) => r.workflow === 'lister')).toBe(true);
    const queued = await h.request('/api/runs?status=queued&limit=2');
    expect(queued.json).toHaveLength(2);
    expect(queued.json.every((r: RunView) => r.status === 'queued')).toBe(true);
    expect((await h.request('/api/runs?status=succeeded')).json).toEqual([]);
    for (const query of ['status=done', 'limit=0', 'limit=abc', 'limit=1.5', 'limit=100000']) {
      const reply = await h.request(`/api/runs?${query}`);
      expect(reply.status, query).toBe(400);
      expect(reply.json.error.code).toBe('E_HTTP_BAD_REQUEST');
    }
  });

  it('cancels a queued run: 202 {run_id, cancelling: true} and the cancel is recorded', async () => {
    const { json } = await h.request('/api/workflows/napper/runs', { method: 'POST', body: {} });
    const reply = await h.request(`/api/runs/${json.run_id}/cancel`, { method: 'POST' });
    expect(reply.status).toBe(202);
    expect(reply.json).toEqual({ run_id: json.run_id, cancelling: true });
    const events = await h.services.store.events(json.run_id);
    expect(events.map((e) => e.event.type)).toContain('run.cancel_requested');
  });

  it('serves the scheduler’s schedules', async () => {
    const reply = await h.request('/api/schedules');
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual([SCHEDULE]);
  });
});

describe('runs through the HTTP API with workers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ workers: true, workflows: [NAPPER, LISTER] });
  });
  afterAll(() => h.close());

  it('runs a started workflow to the end, and answers 409 to cancelling it afterwards', async () => {
    const { status, json } = await h.request('/api/workflows/lister/runs', { method: 'POST', body: {} });
    expect(status).toBe(202);
    const run = await h.waitForRun(json.run_id, (r) => r.status === 'succeeded');
    expect(run.steps.map((s) => [s.id, s.status])).toEqual([
      ['look', 'succeeded'],
      ['rest', 'succeeded'],
    ]);
    const cancel = await h.request(`/api/runs/${json.run_id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(409);
    expect(cancel.json.error).toMatchObject({
      code: 'E_RUN_ENDED',
      message: `run ${json.run_id} already ended (succeeded); there is nothing to cancel`,
    });
  });

  it('cancels a parked run through POST /api/runs/{id}/cancel', async () => {
    const { json } = await h.request('/api/workflows/napper/runs', { method: 'POST', body: {} });
    await h.waitForRun(json.run_id, (r) => r.steps[0]?.status === 'waiting');
    const cancel = await h.request(`/api/runs/${json.run_id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    const run = await h.waitForRun(json.run_id, (r) => r.status === 'cancelled');
    expect(run.finished_at).not.toBeNull();
  });
});
