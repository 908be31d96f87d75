// The simulator's transport behaviour over real HTTP: both auth headers, 404 for unknown
// routes, the rate limit, injected faults (status, latency, drop before/after), forced
// statuses, the calls log, config and reset.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createBody,
  createInstance,
  type Json,
  SteppingClock,
  type TestSim,
  TOKEN,
  startTestSim,
  waitForStatus,
} from './harness.js';

let sim: TestSim;

beforeAll(async () => {
  sim = await startTestSim();
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(async () => {
  await sim.admin('POST', '/reset');
});

describe('auth', () => {
  it('accepts any non-empty token as Bearer, as X-Auth-Token, or both', async () => {
    const variants: Array<Record<string, string>> = [
      { authorization: 'Bearer anything' },
      { 'x-auth-token': 'anything' },
      { authorization: `Bearer ${TOKEN}`, 'x-auth-token': TOKEN },
    ];
    for (const headers of variants) {
      expect((await sim.api('GET', '/instances', undefined, headers)).status).toBe(200);
    }
  });

  it.each([
    ['no header', {}],
    ['an empty Bearer', { authorization: 'Bearer ' }],
    ['a Basic scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['an empty X-Auth-Token', { 'x-auth-token': '' }],
  ])('answers 401 {code, message} for %s', async (_what, headers) => {
    const reply = await sim.api('GET', '/instances', undefined, headers);
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ code: '01001', message: expect.stringContaining('Unauthorized') });
  });

  it('accepts only the configured token when one is set, through either header', async () => {
    const strict = await startTestSim({ token: 'only-this' });
    try {
      expect(
        (await strict.api('GET', '/instances', undefined, { authorization: 'Bearer only-this' })).status,
      ).toBe(200);
      expect((await strict.api('GET', '/instances', undefined, { 'x-auth-token': 'only-this' })).status).toBe(
        200,
      );
      const wrong = await strict.api('GET', '/instances', undefined, { authorization: 'Bearer other' });
      expect(wrong.status).toBe(401);
      expect(wrong.body.message).toMatch(/invalid/);
      const bothWrong = await strict.api('GET', '/instances', undefined, {
        authorization: 'Bearer other',
        'x-auth-token': 'also-other',
      });
      expect(bothWrong.status).toBe(401);
    } finally {
      await strict.close();
    }
  });

  it('serves admin routes without auth', async () => {
    expect((await sim.admin('GET', '/state')).status).toBe(200);
  });
});

describe('unknown routes', () => {
  it.each([
    ['GET', '/nope'],
    ['GET', '/instances/x/y/z'],
    ['PUT', '/instances'],
  ])('answers %s %s with 404 {"code":"02001","message":"Invalid route"}', async (method, path) => {
    const reply = await sim.api(method, path);
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ code: '02001', message: 'Invalid route' });
  });
});

describe('forced status', () => {
  it('sets any status string, unknown ones included, and GET reports it', async () => {
    const instance = await createInstance(sim);
    const forced = await sim.admin('POST', `/instances/${instance.id}/status`, {
      status: 'enqueued-weird',
      hold: true,
    });
    expect(forced.status).toBe(200);
    expect(forced.body.instance.status).toBe('enqueued-weird');
    expect((await sim.api('GET', `/instances/${instance.id}`)).body.instance.status).toBe('enqueued-weird');
    expect((await sim.api('GET', `/instances/${instance.id}/actions`)).body.actions).toEqual([]);
  });

  it('lets a forced transient status settle on its own unless held', async () => {
    const instance = await createInstance(sim);
    await sim.admin('POST', `/instances/${instance.id}/status`, { status: 'stopping' });
    await waitForStatus(sim, instance.id, 'stopped');
    await sim.admin('POST', `/instances/${instance.id}/status`, { status: 'error' });
    expect((await sim.api('GET', `/instances/${instance.id}`)).body.instance.status).toBe('error');
  });

  it('answers 404 for an unknown instance and 400 without a status', async () => {
    expect((await sim.admin('POST', '/instances/nope/status', { status: 'error' })).status).toBe(404);
    const instance = await createInstance(sim);
    expect((await sim.admin('POST', `/instances/${instance.id}/status`, {})).status).toBe(400);
  });
});

describe('faults', () => {
  it('answers an injected status with an error body for `count` matching requests, then recovers', async () => {
    const added = await sim.admin('POST', '/faults', {
      match: { method: 'GET', path: '/compute/v1/images' },
      status: 503,
      count: 2,
    });
    expect(added.status).toBe(201);
    expect(added.body.fault).toMatchObject({ status: 503, remaining: 2 });
    const replies = [];
    for (let i = 0; i < 3; i += 1) replies.push(await sim.api('GET', '/images?type=base-os'));
    expect(replies.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(replies[0]!.body).toEqual({ code: '00503', message: 'Service Unavailable (injected fault)' });
    // Other methods and paths were never affected.
    expect((await sim.api('GET', '/ssh-keys')).status).toBe(200);
  });

  it('sends Retry-After with an injected 429 when retry_after is set', async () => {
    await sim.admin('POST', '/faults', {
      match: { path: '/compute/v1/instances' },
      status: 429,
      retry_after: 3,
    });
    const reply = await sim.api('GET', '/instances');
    expect(reply.status).toBe(429);
    expect(reply.headers.get('retry-after')).toBe('3');
    expect(reply.body.code).toBe('01029');
  });

  it('drops the connection before handling: the client gets no response and nothing is created', async () => {
    await sim.admin('POST', '/faults', {
      match: { method: 'POST', path: '/compute/v1/instances' },
      drop: true,
    });
    await expect(sim.api('POST', '/instances', createBody())).rejects.toThrow();
    expect((await sim.admin('GET', '/state')).body.counts.instances).toBe(0);
    const { calls } = (await sim.admin('GET', '/calls')).body;
    expect(calls).toEqual([expect.objectContaining({ method: 'POST', status: 0, dropped: 'before' })]);
    expect((await sim.api('POST', '/instances', createBody())).status).toBe(201);
  });

  it('drops the connection after handling ("after"): the instance exists but the client never heard', async () => {
    await sim.admin('POST', '/faults', {
      match: { method: 'POST', path: '/compute/v1/instances' },
      drop: 'after',
    });
    await expect(sim.api('POST', '/instances', createBody({ name: 'ghost' }))).rejects.toThrow();
    const state = (await sim.admin('GET', '/state')).body;
    expect(state.instances.map((i: Json) => i.name)).toEqual(['ghost']);
    const { calls } = (await sim.admin('GET', '/calls')).body;
    expect(calls.at(-1)).toMatchObject({
      method: 'POST',
      route: 'POST /instances',
      status: 0,
      dropped: 'after',
    });
  });

  it('rejects a fault with no effect or unknown keys (400)', async () => {
    expect((await sim.admin('POST', '/faults', { match: { path: '/compute/v1' } })).status).toBe(400);
    expect((await sim.admin('POST', '/faults', { status: 500, colour: 'red' })).status).toBe(400);
  });
});

describe('with a stepping clock', () => {
  let clock: SteppingClock;
  let timed: TestSim;

  beforeAll(async () => {
    clock = new SteppingClock();
    timed = await startTestSim({ clock });
  });

  afterAll(async () => {
    await timed?.close();
  });

  beforeEach(async () => {
    await timed.admin('POST', '/reset');
    clock.sleeps.length = 0;
  });

  it('answers 429 with Retry-After and an error body past rate_limit_per_s in a rolling second', async () => {
    await timed.admin('POST', '/config', { rate_limit_per_s: 5 });
    const statuses = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await timed.api('GET', '/instances')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await timed.api('GET', '/instances');
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body).toEqual({ code: '01029', message: expect.stringContaining('rate limit of 5') });
    clock.advance(999);
    expect((await timed.api('GET', '/instances')).status).toBe(429);
    clock.advance(1);
    expect((await timed.api('GET', '/instances')).status).toBe(200);
    await timed.admin('POST', '/config', { rate_limit_per_s: null });
    for (let i = 0; i < 20; i += 1) expect((await timed.api('GET', '/instances')).status).toBe(200);
  });

  it('delays by a fault latency_ms and by the latency_ms setting, through the clock', async () => {
    await timed.admin('POST', '/faults', { match: { path: '/compute/v1/ssh-keys' }, latency_ms: 750 });
    expect((await timed.api('GET', '/ssh-keys')).status).toBe(200);
    expect(clock.sleeps).toEqual([750]);
    await timed.admin('POST', '/config', { latency_ms: 40 });
    await timed.api('GET', '/ssh-keys');
    await timed.api('GET', '/images');
    expect(clock.sleeps).toEqual([750, 40, 40]);
  });

  it('derives transitions from timestamps: nothing moves until time passes, then all at once', async () => {
    const ids = [];
    for (let i = 0; i < 3; i += 1)
      ids.push((await timed.api('POST', '/instances', createBody())).body.instance.id);
    const statuses = async () =>
      (await timed.api('GET', '/instances')).body.instances.map((i: Json) => i.status);
    expect(await statuses()).toEqual(['creating', 'creating', 'creating']);
    clock.advance(49);
    expect(await statuses()).toEqual(['creating', 'creating', 'creating']);
    clock.advance(1);
    expect(await statuses()).toEqual(['active', 'active', 'active']);
    const one = await timed.api('GET', `/instances/${ids[0]}`);
    expect(one.body.instance.updated_at).toBe(
      new Date(Date.parse(one.body.instance.created_at) + 50).toISOString(),
    );
  });
});

describe('calls log, config and reset', () => {
  it('logs every API request in order with status, time and counts per route template', async () => {
    const before = Date.now();
    const instance = await createInstance(sim);
    await sim.api('GET', `/instances/${instance.id}`);
    await sim.api('GET', '/instances/unknown-id');
    await sim.api('GET', '/nope');
    await sim.api('GET', '/instances', undefined, {});
    const report = (await sim.admin('GET', '/calls')).body;
    expect(report.calls[0]).toMatchObject({ method: 'POST', path: '/compute/v1/instances', status: 201 });
    expect(report.calls.every((c: Json) => c.at >= before && c.at <= Date.now())).toBe(true);
    expect(report.calls.slice(-3).map((c: Json) => [c.route, c.status])).toEqual([
      ['GET /instances/{id}', 404],
      ['GET (unmatched)', 404],
      ['GET /instances', 401],
    ]);
    expect(report.counts['POST /instances']).toBe(1);
    expect(report.counts['GET /instances/{id}']).toBe(
      report.calls.filter((c: Json) => c.route === 'GET /instances/{id}').length,
    );
    expect(report.total).toBe(report.calls.length);
    expect(report.calls.some((c: Json) => c.path.startsWith('/__sim'))).toBe(false);

    expect((await sim.admin('DELETE', '/calls')).status).toBe(204);
    expect((await sim.admin('GET', '/calls')).body).toEqual({ calls: [], counts: {}, total: 0 });
  });

  it('applies a partial config, answers the full settings, and refuses bad keys', async () => {
    const reply = await sim.admin('POST', '/config', {
      transition_ms: 20,
      capacity: { 'NORD-NO-KRS-1/vcpu-2_memory-4g': 1 },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      transition_ms: 20,
      script_runtime_ms: 100,
      rate_limit_per_s: null,
      capacity: { 'NORD-NO-KRS-1/vcpu-2_memory-4g': 1 },
      latency_ms: 0,
    });
    expect((await sim.admin('POST', '/config', { transitions: 5 })).status).toBe(400);
    expect((await sim.admin('POST', '/config', { transition_ms: -1 })).status).toBe(400);
    expect((await sim.admin('POST', '/config', { capacity: { nope: 1 } })).status).toBe(400);
  });

  it('reset returns to seed data and start settings, clearing instances, snapshots, faults and calls', async () => {
    const instance = await createInstance(sim);
    await sim.api('POST', `/instances/${instance.id}/snapshots`, { name: 's' });
    await sim.api('POST', '/ssh-keys', {
      name: 'extra',
      value: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA== x',
    });
    await sim.admin('POST', '/config', { transition_ms: 7 });
    await sim.admin('POST', '/faults', { status: 500, count: 9 });
    const reply = await sim.admin('POST', '/reset');
    expect(reply.status).toBe(200);
    const state = (await sim.admin('GET', '/state')).body;
    expect(state.counts).toMatchObject({ instances: 0, snapshots: 0 });
    expect(state.faults).toEqual([]);
    expect(state.settings.transition_ms).toBe(50);
    expect((await sim.admin('GET', '/calls')).body.total).toBe(0);
    const keys = await sim.api('GET', '/ssh-keys');
    expect(keys.body.ssh_keys.map((k: Json) => k.name)).toEqual(['ops-laptop', 'ci-runner']);
  });

  it('reports live instances and snapshots with counts in /__sim/state', async () => {
    const a = await createInstance(sim);
    await createInstance(sim, { name: 'b' });
    await sim.api('DELETE', `/instances/${a.id}`);
    const state = (await sim.admin('GET', '/state')).body;
    expect(Object.keys(state).sort()).toEqual(['counts', 'faults', 'instances', 'settings', 'snapshots']);
    expect(state.counts.instances).toBe(2);
    expect(state.counts.instances_by_status).toEqual({ active: 1, deleting: 1 });
  });
});
