// The run store on a real Redis: records, history cursors, fenced checkpoints,
// cancel requests, listing and index pruning.
import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { event } from '../../../src/engine/events.js';
import { newRunState, type RunState } from '../../../src/engine/state.js';
import { parseWorkflow } from '../../../src/dsl/index.js';
import { definitionHash, LockLostError, RunStore } from '../../../src/runs/store.js';
import { testPrefix } from '../../helpers/prefix.js';

const redis = new Redis(inject('redisUrl'));
afterAll(() => redis.disconnect());

let store: RunStore;
beforeEach(() => {
  store = new RunStore(redis, testPrefix('store'), 3_600);
});

const run = (id: string, workflow = 'wf', now = Date.now()): RunState =>
  newRunState({
    id,
    workflow,
    definitionHash: 'h',
    trigger: 'manual',
    scheduledAt: null,
    inputs: {},
    now,
    stepIds: ['a'],
  });

describe('RunStore', () => {
  it('creates a run once per id', async () => {
    expect(await store.create(run('r1'), [event('run.queued', Date.now())])).toBe(true);
    expect(await store.create(run('r1'), [])).toBe(false);
    expect((await store.mustLoad('r1')).id).toBe('r1');
  });

  it('stores the definition with the run in one step, once per content', async () => {
    const { definition: def } = parseWorkflow(
      'name: wf\nsteps:\n  - id: a\n    uses: sleep\n    with: { duration: 1s }\n',
      'wf.yaml',
    );
    const hash = definitionHash(def!);
    const state = { ...run('r-def'), definition_hash: hash };
    expect(await store.create(state, [event('run.queued', Date.now())], def)).toBe(true);
    // Another process (a fresh store, no cache) reads it back as written.
    const fresh = new RunStore(redis, store.prefix, 3_600);
    expect(await fresh.loadDefinition(hash)).toEqual(def);
    // A second run of the same content leaves the stored record as it was.
    const stored = await redis.get(`${store.prefix}:def:${hash}`);
    expect(await store.create({ ...run('r-def-2'), definition_hash: hash }, [], def)).toBe(true);
    expect(await redis.get(`${store.prefix}:def:${hash}`)).toBe(stored);
  });

  it('reads a definition once per process: concurrent loads share one GET, a saved one needs none, a missing one is not remembered', async () => {
    const { definition: def } = parseWorkflow(
      'name: cached\nsteps:\n  - id: a\n    uses: sleep\n    with: { duration: 2s }\n',
      'cached.yaml',
    );
    const gets: string[] = [];
    const counting = new Redis(inject('redisUrl'));
    try {
      await counting.ping(); // connected: ioredis sends commands queued before it again
      const send = counting.sendCommand.bind(counting);
      counting.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
        if (command.name === 'get') gets.push(command.name);
        return (send as (...a: unknown[]) => unknown)(command, ...rest);
      }) as typeof counting.sendCommand;
      const reader = new RunStore(counting, store.prefix, 3_600);
      const hash = definitionHash(def!);
      // Not stored yet: refused, and the refusal is not kept.
      await expect(reader.loadDefinition(hash)).rejects.toThrow(/E_DEFINITION_MISSING|missing from Redis/);
      await store.saveDefinition(def!);
      const [a, b] = await Promise.all([reader.loadDefinition(hash), reader.loadDefinition(hash)]);
      expect(a).toEqual(def);
      expect(b).toBe(a);
      expect(await reader.loadDefinition(hash)).toBe(a);
      expect(gets).toHaveLength(2); // the refused read, then one shared by three loads
      // The process that saved it never reads it back.
      const writer = new RunStore(counting, testPrefix('store'), 3_600);
      const saved = await writer.saveDefinition(def!);
      expect(await writer.loadDefinition(saved)).toEqual(def);
      expect(gets).toHaveLength(2);
    } finally {
      counting.disconnect();
    }
  });

  it('refuses a checkpoint from a worker that no longer holds the job lock', async () => {
    const state = run('r2');
    await store.create(state, []);
    const lockKey = `${store.prefix}:runs:r2:lock`;
    await redis.set(lockKey, 'token-A');
    state.status = 'running';
    await store.checkpoint(state, [event('run.started', Date.now())], { lockKey, token: 'token-A' });
    await redis.set(lockKey, 'token-B'); // the job stalled and another worker took it
    state.status = 'failed';
    await expect(store.checkpoint(state, [], { lockKey, token: 'token-A' })).rejects.toBeInstanceOf(
      LockLostError,
    );
    expect((await store.mustLoad('r2')).status).toBe('running');
  });

  it('returns history after a cursor, so followers see each event once', async () => {
    const state = run('r3');
    await store.create(state, [event('run.queued', 1)]);
    await store.checkpoint(state, [event('run.started', 2), event('step.started', 3, { step: 'a' })]);
    const first = await store.events('r3');
    expect(first.map((e) => e.event.type)).toEqual(['run.queued', 'run.started', 'step.started']);
    await store.checkpoint(state, [event('step.succeeded', 4, { step: 'a' })]);
    const next = await store.events('r3', first.at(-1)!.id);
    expect(next.map((e) => e.event.type)).toEqual(['step.succeeded']);
  });

  it('reads a run and its cancel request in one call', async () => {
    await store.create(run('r4'), []);
    expect((await store.loadForTurn('r4')).cancel).toBeNull();
    expect(await store.requestCancel('r4', 'operator', 5)).toBe(true);
    expect(await store.requestCancel('r4', 'again', 6)).toBe(false);
    // The first request stands: a later give-up does not turn a user's cancel into a failure.
    expect(await store.requestCancel('r4', 'gave up', 7, 'gave_up')).toBe(false);
    expect((await store.loadForTurn('r4')).cancel).toEqual({ at: 5, reason: 'operator', kind: 'cancel' });
  });

  it('lists newest first, filters by workflow and status, and prunes entries past the retention', async () => {
    const now = Date.now();
    await store.create(run('old', 'wf', now - 2 * 3_600_000), []);
    await store.create(run('new-a', 'wf', now - 1_000), []);
    await store.create(run('new-b', 'other', now), []);
    const failed = run('new-c', 'wf', now - 500);
    await store.create(failed, []);
    failed.status = 'failed';
    await store.checkpoint(failed, []);
    expect((await store.list()).map((r) => r.id)).toEqual(['new-b', 'new-c', 'new-a', 'old']);
    expect((await store.list({ workflow: 'wf', status: 'failed' })).map((r) => r.id)).toEqual(['new-c']);
    expect(await store.activeIds()).not.toContain('new-c');
    await store.pruneIndexes(now, ['wf', 'other']);
    expect((await store.list()).map((r) => r.id)).toEqual(['new-b', 'new-c', 'new-a']);
    expect((await store.list({ workflow: 'wf' })).map((r) => r.id)).toEqual(['new-c', 'new-a']);
  });
});
