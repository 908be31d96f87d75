// The client against the simulator's injected faults, over real HTTP: what is retried,
// what is not, and what the caller is told.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AmbiguousCreateError,
  AmbiguousWriteError,
  type ApiCall,
  GenesisAbortedError,
  GenesisApiError,
  isCapacityError,
  isNotFound,
} from '../../../src/genesis/index.js';
import { type Clock, systemClock } from '../../../src/shared/clock.js';
import { createBody, pollUntil, type Sim, startSim } from './sim.js';

let sim: Sim;

beforeAll(async () => {
  sim = await startSim({ transition_ms: 20 });
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(async () => {
  await sim.reset();
  await sim.config({ transition_ms: 20, rate_limit_per_s: null, latency_ms: 0 });
});

/** A real clock that remembers every wait the client asked for. */
function recordingClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => systemClock.now(),
    sleep: (ms, signal) => {
      sleeps.push(ms);
      return systemClock.sleep(ms, signal);
    },
  };
}

async function callsTo(method: string, path: string) {
  const { calls } = await sim.calls();
  return calls.filter((c) => c.method === method && c.path.split('?')[0] === path);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => err,
  );
}

describe('retries against the simulator', () => {
  it('waits out a 429 for its Retry-After, then succeeds', async () => {
    await sim.fault({
      match: { method: 'GET', path: '/compute/v1/quotas' },
      status: 429,
      count: 1,
      retry_after: 1,
    });
    const clock = recordingClock();
    const seen: ApiCall[] = [];
    // Zero jitter: any wait the client makes comes from Retry-After alone.
    const client = sim.client({ clock, random: () => 0, onCall: (c) => seen.push(c) });
    const quotas = await client.quotas.get();
    expect(Array.isArray(quotas)).toBe(true);
    expect(clock.sleeps).toEqual([1000]);
    expect(seen.map((c) => [c.route, c.status, c.attempt])).toEqual([
      ['/quotas', 429, 1],
      ['/quotas', 200, 2],
    ]);
    expect((await callsTo('GET', '/compute/v1/quotas')).map((c) => c.status)).toEqual([429, 200]);
  });

  it('retries a 503 on GET and succeeds', async () => {
    const client = sim.client();
    const body = await createBody(client, 'retry-503');
    const created = await client.instances.create(body);
    const path = `/compute/v1/instances/${created.id}`;
    await sim.fault({ match: { method: 'GET', path }, status: 503, count: 2 });
    const got = await client.instances.get(created.id);
    expect(got.id).toBe(created.id);
    expect((await callsTo('GET', path)).map((c) => c.status)).toEqual([503, 503, 200]);
  });

  it('retries a dropped connection on GET and succeeds', async () => {
    await sim.fault({ match: { method: 'GET', path: '/compute/v1/images' }, drop: true, count: 1 });
    const images = await sim.client().images.list();
    expect(images.length).toBeGreaterThan(0);
  });

  it('does not retry a dropped POST /instances: AmbiguousCreateError after exactly one POST', async () => {
    const client = sim.client();
    const body = await createBody(client, 'dropped-create');
    await sim.fault({ match: { method: 'POST', path: '/compute/v1/instances' }, drop: true, count: 1 });
    const err = await rejection(client.instances.create(body));
    expect(err).toBeInstanceOf(AmbiguousCreateError);
    expect((err as AmbiguousCreateError).code).toBe('E_API_AMBIGUOUS_CREATE');
    expect((err as AmbiguousCreateError).hint).toMatch(/before creating it again/);
    const { counts } = await sim.calls();
    expect(counts['POST /instances']).toBe(1);
    expect(await callsTo('POST', '/compute/v1/instances')).toHaveLength(1);
  });

  it('leaves the caller to look when the create happened but the answer was lost', async () => {
    const client = sim.client();
    const body = await createBody(client, 'created-then-dropped');
    await sim.fault({ match: { method: 'POST', path: '/compute/v1/instances' }, drop: 'after', count: 1 });
    const err = await rejection(client.instances.create(body));
    expect(err).toBeInstanceOf(AmbiguousCreateError);
    const named = (await client.instances.listAll()).filter((i) => i.name === 'created-then-dropped');
    expect(named).toHaveLength(1);
    expect((await sim.calls()).counts['POST /instances']).toBe(1);
  });

  it('does not retry a POST /instances that got a 503: AmbiguousCreateError', async () => {
    const client = sim.client();
    const body = await createBody(client, 'create-503');
    await sim.fault({ match: { method: 'POST', path: '/compute/v1/instances' }, status: 503, count: 3 });
    const err = await rejection(client.instances.create(body));
    expect(err).toBeInstanceOf(AmbiguousCreateError);
    expect((err as AmbiguousCreateError).status).toBe(503);
    expect(await callsTo('POST', '/compute/v1/instances')).toHaveLength(1);
  });

  it('does not retry a POST that timed out: AmbiguousCreateError', async () => {
    const client = sim.client({ timeoutMs: 150 });
    const body = await createBody(client, 'create-timeout');
    await sim.fault({ match: { method: 'POST', path: '/compute/v1/instances' }, latency_ms: 1000, count: 1 });
    const err = await rejection(client.instances.create(body));
    expect(err).toBeInstanceOf(AmbiguousCreateError);
    expect((err as AmbiguousCreateError).kind).toBe('timeout');
    // The simulator logs a call when it finishes handling it, after the injected latency.
    const posts = await pollUntil(
      () => callsTo('POST', '/compute/v1/instances'),
      (calls) => calls.length > 0,
    );
    expect(posts).toHaveLength(1);
  });

  it('reports an instance action with an unknown outcome as an ambiguous write, not a create', async () => {
    const client = sim.client();
    const created = await client.instances.create(await createBody(client, 'action-drop'));
    const path = `/compute/v1/instances/${created.id}/actions`;
    await sim.fault({ match: { method: 'POST', path }, drop: true, count: 1 });
    const err = await rejection(client.instances.performAction(created.id, 'stop'));
    expect(err).toBeInstanceOf(AmbiguousWriteError);
    expect(err).not.toBeInstanceOf(AmbiguousCreateError);
  });

  it('retries a POST whose connection was refused before anything was sent', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const seen: ApiCall[] = [];
    const client = sim.client({
      baseUrl: `http://127.0.0.1:${port}/compute/v1`,
      maxAttempts: 3,
      onCall: (c) => seen.push(c),
    });
    const err = await rejection(
      client.instances.create({ name: 'x', hostname: 'x', type: 't', region: 'r', image: 'i' }),
    );
    expect(err).toBeInstanceOf(GenesisApiError);
    expect(err).not.toBeInstanceOf(AmbiguousWriteError);
    expect((err as GenesisApiError).kind).toBe('refused');
    expect((err as GenesisApiError).retryable).toBe(true);
    expect(seen.map((c) => c.attempt)).toEqual([1, 2, 3]);
  });

  it('stops at once when the caller aborts, without retrying', async () => {
    await sim.fault({ match: { method: 'GET', path: '/compute/v1/quotas' }, latency_ms: 2000, count: 5 });
    const controller = new AbortController();
    const seen: ApiCall[] = [];
    const call = sim.client({ onCall: (c) => seen.push(c) }).quotas.get({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('shutting down')), 100);
    const err = await rejection(call);
    expect(err).toBeInstanceOf(GenesisAbortedError);
    expect((err as GenesisAbortedError).code).toBe('E_API_ABORTED');
    expect((err as GenesisAbortedError).inFlight).toBe(true);
    expect((err as GenesisAbortedError).retryable).toBe(false);
    expect(seen.map((c) => [c.status, c.attempt])).toEqual([['error', 1]]);
  });
});

describe('API errors from the simulator', () => {
  it('names a missing instance with a 404 that isNotFound recognises', async () => {
    const err = await rejection(sim.client().instances.get('00000000-0000-4000-8000-000000000000'));
    expect(isNotFound(err)).toBe(true);
    const e = err as GenesisApiError;
    expect(e.code).toBe('E_API_404');
    expect(e.message).toMatch(
      /^\[GET\] "\/compute\/v1\/instances\/00000000-0000-4000-8000-000000000000": 404 Not Found/,
    );
    expect(e.apiCode).toMatch(/^\d{5}$/);
  });

  it('rejects a create with a 400 that carries the API code and message, without retrying', async () => {
    const client = sim.client();
    const body = await createBody(client, 'bad-password');
    const err = await rejection(client.instances.create({ ...body, ssh_keys: undefined, password: 'short' }));
    expect(err).toBeInstanceOf(GenesisApiError);
    expect(err).not.toBeInstanceOf(AmbiguousWriteError);
    expect((err as GenesisApiError).status).toBe(400);
    expect((err as GenesisApiError).apiMessage).toBeTruthy();
    expect(await callsTo('POST', '/compute/v1/instances')).toHaveLength(1);
  });

  it('recognises a create past the capacity as a capacity error', async () => {
    const client = sim.client();
    const body = await createBody(client, 'no-room');
    await sim.config({ capacity: { [`${body.region}/${body.type}`]: 0 } });
    const err = await rejection(client.instances.create(body));
    expect((err as GenesisApiError).status).toBeGreaterThanOrEqual(400);
    expect((err as GenesisApiError).status).toBeLessThan(500);
    expect(isCapacityError(err)).toBe(true);
  });
});
