// Following a run (`gcflow run --wait`, `gcflow logs --follow`) on a real Redis:
// events arrive in order, and a long follow holds one abort listener at most.
import { getEventListeners } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, expect, inject, it } from 'vitest';
import { followRun } from '../../../src/cli/follow.js';
import { event, type RunEvent } from '../../../src/engine/events.js';
import { newRunState } from '../../../src/engine/state.js';
import { RunStore } from '../../../src/runs/store.js';
import { ExitCode, GcflowError } from '../../../src/shared/errors.js';
import { testPrefix } from '../../helpers/prefix.js';
import { removeDir, spawnRedis } from '../../helpers/redis-server.js';

const redis = new Redis(inject('redisUrl'));
afterAll(() => redis.disconnect());

it('follows a run to its end through many polls without piling up abort listeners', async () => {
  const store = new RunStore(redis, testPrefix('follow'), 3_600);
  const state = newRunState({
    id: 'f1',
    workflow: 'wf',
    definitionHash: 'h',
    trigger: 'manual',
    scheduledAt: null,
    inputs: {},
    now: Date.now(),
    stepIds: ['a'],
  });
  await store.create(state, [event('run.queued', Date.now())]);
  const controller = new AbortController();
  const seen: RunEvent['type'][] = [];
  let polls = 0;
  let mostListeners = 0;
  const original = store.mustLoad.bind(store);
  store.mustLoad = async (id: string) => {
    polls++;
    mostListeners = Math.max(mostListeners, getEventListeners(controller.signal, 'abort').length);
    return original(id);
  };
  const followed = followRun({
    store,
    runId: 'f1',
    onEvent: (e) => seen.push(e.type),
    signal: controller.signal,
    intervalMs: 2,
  });
  while (polls < 40) await new Promise((r) => setTimeout(r, 5));
  state.status = 'succeeded';
  state.phase = 'done';
  state.outcome = 'succeeded';
  await store.checkpoint(state, [event('run.succeeded', Date.now())]);
  const final = await followed;
  expect(final?.status).toBe('succeeded');
  expect(seen).toEqual(['run.queued', 'run.succeeded']);
  expect(mostListeners).toBeLessThanOrEqual(1);
});

it('follows through a Redis outage (one line each way) and stops with E_UNREACHABLE (exit 3) when it lasts', async () => {
  const own = await spawnRedis({ appendonly: true, args: ['--appendfsync', 'always'] });
  const client = new Redis(own.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  client.on('error', () => undefined);
  try {
    const store = new RunStore(client, testPrefix('follow-outage'), 3_600);
    const state = newRunState({
      id: 'f2',
      workflow: 'wf',
      definitionHash: 'h',
      trigger: 'manual',
      scheduledAt: null,
      inputs: {},
      now: Date.now(),
      stepIds: ['a'],
    });
    await store.create(state, [event('run.queued', Date.now())]);
    const lines: string[] = [];
    // First an outage that ends: one line when Redis goes, one when it is back.
    const followed = followRun({
      store,
      runId: 'f2',
      onEvent: () => undefined,
      signal: new AbortController().signal,
      intervalMs: 20,
      outageMs: 60_000,
      redisAddress: own.url,
      onOutage: (line) => lines.push(line),
    });
    await own.stop('SIGKILL');
    const deadline = performance.now() + 30_000;
    while (lines.length === 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await own.restart();
    while (lines.length < 2 && performance.now() < deadline + 30_000)
      await new Promise((r) => setTimeout(r, 50));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(`Redis unreachable at ${own.url}`);
    expect(lines[1]).toContain('Redis reachable again after');
    state.status = 'succeeded';
    state.phase = 'done';
    state.outcome = 'succeeded';
    await store.checkpoint(state, [event('run.succeeded', Date.now())]);
    expect((await followed)?.status).toBe('succeeded');

    // Then an outage longer than outageMs: a clear error, exit 3, naming the run.
    await store.create({ ...newRunStateFor('f3') }, [event('run.queued', Date.now())]);
    const givingUp = followRun({
      store,
      runId: 'f3',
      onEvent: () => undefined,
      signal: new AbortController().signal,
      intervalMs: 20,
      outageMs: 1_000,
      redisAddress: own.url,
    });
    await own.stop('SIGKILL');
    const err = (await givingUp.catch((e: unknown) => e)) as GcflowError;
    expect(err).toBeInstanceOf(GcflowError);
    expect(err.code).toBe('E_UNREACHABLE');
    expect(err.exitCode).toBe(ExitCode.unreachable);
    expect(err.hint).toContain('gcflow status f3');
  } finally {
    client.disconnect();
    await own.stop('SIGKILL');
    removeDir(own.dir);
  }
}, 90_000);

function newRunStateFor(id: string) {
  return newRunState({
    id,
    workflow: 'wf',
    definitionHash: 'h',
    trigger: 'manual',
    scheduledAt: null,
    inputs: {},
    now: Date.now(),
    stepIds: ['a'],
  });
}
