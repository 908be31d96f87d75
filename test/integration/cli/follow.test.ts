// Following a run (`gcflow run --wait`, `gcflow logs --follow`) on a real Redis:
// events arrive in order, and a long follow holds one abort listener at most.
import { getEventListeners } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, expect, inject, it } from 'vitest';
import { followRun } from '../../../src/cli/follow.js';
import { event, type RunEvent } from '../../../src/engine/events.js';
import { newRunState } from '../../../src/engine/state.js';
import { RunStore } from '../../../src/runs/store.js';
import { testPrefix } from '../../helpers/prefix.js';

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
