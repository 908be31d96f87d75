// The concurrency gate's slots on a real Redis: `limit` holders at once, the others in
// arrival order; `leave` names the runs to wake; and a holder that is no longer an
// active run (its worker died after the run's final checkpoint, before it gave the
// slot back; or the run was given up for good) does not block the group.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WorkflowDefinition } from '../../../src/dsl/types.js';
import type { RunState } from '../../../src/engine/state.js';
import type { ConcurrencyGate } from '../../../src/runs/runner.js';
import { runKeys } from '../../../src/runs/keys.js';
import type { RunStore } from '../../../src/runs/store.js';
import { createConcurrencyGate } from '../../../src/scheduler/gate.js';
import { describeGroupWait, groupWait } from '../../../src/scheduler/queued-reason.js';
import { schedulerKeys } from '../../../src/scheduler/keys.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { testPrefix } from '../../helpers/prefix.js';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
});
afterAll(() => redis?.disconnect());

const def = (limit?: number) =>
  ({ concurrency: { group: 'gpu', overlap: 'queue', ...(limit ? { limit } : {}) } }) as WorkflowDefinition;

/** A gate on a fresh prefix; `arrive` makes a run active (as RunService.start does) with a creation time. */
function gateFor() {
  const prefix = testPrefix('gate');
  const keys = runKeys(prefix);
  const woken: string[] = [];
  const gate: ConcurrencyGate = createConcurrencyGate({
    redis,
    prefix,
    store: { keys } as RunStore,
    queue: {
      wake: async (id) => {
        woken.push(id);
        return true;
      },
    },
    logger: silentLogger(),
  });
  let clock = Date.parse('2026-11-29T10:00:00Z');
  const runs = new Map<string, RunState>();
  return {
    gate,
    woken,
    prefix,
    async arrive(id: string): Promise<RunState> {
      clock += 1_000;
      const run = { id, created_at: new Date(clock).toISOString() } as RunState;
      runs.set(id, run);
      await redis.sadd(keys.activeRuns, id);
      return run;
    },
    /** The run's final checkpoint took it out of the active runs (what a worker dying right after it leaves). */
    async ended(id: string): Promise<void> {
      await redis.srem(keys.activeRuns, id);
    },
    run: (id: string) => runs.get(id)!,
  };
}

describe('the concurrency gate with limit', () => {
  it('admits `limit` runs, queues the rest in arrival order, and wakes as many as slots free up', async () => {
    const g = gateFor();
    const d = def(2);
    const [a, b, c, d4, e] = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => g.arrive(id)));
    expect(await g.gate.enter(a!, d)).toBe(true);
    expect(await g.gate.enter(b!, d)).toBe(true);
    // A holder asking again (its worker resumed it after a crash) still holds its slot.
    expect(await g.gate.enter(a!, d)).toBe(true);
    // e reaches the gate before c and d, but arrived (was created) after them.
    expect(await g.gate.enter(e!, d)).toBe(false);
    expect(await g.gate.enter(d4!, d)).toBe(false);
    expect(await g.gate.enter(c!, d)).toBe(false);

    await g.ended('a');
    await g.gate.leave(a!, d);
    expect(g.woken).toEqual(['c']);
    // d polls before c is back: one slot is free, c is first in line: d waits.
    expect(await g.gate.enter(d4!, d)).toBe(false);
    expect(await g.gate.enter(c!, d)).toBe(true);

    // Both other holders end at once: the two next in line are woken.
    await g.ended('b');
    await g.ended('c');
    await g.gate.leave(b!, d);
    expect(g.woken).toEqual(['c', 'd', 'e']);
    expect(await g.gate.enter(e!, d)).toBe(true);
    expect(await g.gate.enter(d4!, d)).toBe(true);
  });

  it('frees the slot of a holder that ended without leaving: the group is not blocked for good', async () => {
    const g = gateFor();
    const d = def(1);
    const holder = await g.arrive('holder');
    const next = await g.arrive('next');
    expect(await g.gate.enter(holder, d)).toBe(true);
    expect(await g.gate.enter(next, d)).toBe(false);
    // The holder's worker is killed after the run's final checkpoint, before leave().
    await g.ended('holder');
    expect(await g.gate.enter(next, d)).toBe(true);
    expect(await redis.smembers(schedulerKeys(g.prefix).gateHolders('gpu'))).toEqual(['next']);
  });

  it('skips waiting runs that ended while waiting (cancelled in line)', async () => {
    const g = gateFor();
    const d = def(1);
    const [h, w1, w2] = await Promise.all(['h', 'w1', 'w2'].map((id) => g.arrive(id)));
    expect(await g.gate.enter(h!, d)).toBe(true);
    expect(await g.gate.enter(w1!, d)).toBe(false);
    expect(await g.gate.enter(w2!, d)).toBe(false);
    await g.ended('w1');
    await g.ended('h');
    await g.gate.leave(h!, d);
    expect(g.woken).toEqual(['w2']);
    expect(await g.gate.enter(w2!, d)).toBe(true);
  });

  it('takes over a holder written before limits (a string key) as one of the slots', async () => {
    const g = gateFor();
    const d = def(2);
    const old = await g.arrive('old');
    const [x, y] = await Promise.all(['x', 'y'].map((id) => g.arrive(id)));
    await redis.set(schedulerKeys(g.prefix).gate('gpu'), 'old');
    expect(await g.gate.enter(x!, d)).toBe(true);
    expect(await g.gate.enter(y!, d)).toBe(false);
    expect(await g.gate.enter(old, d)).toBe(true);
    expect(await redis.exists(schedulerKeys(g.prefix).gate('gpu'))).toBe(0);
  });

  it('tells a waiting run (gcflow status) only about live holders and live runs ahead of it', async () => {
    const g = gateFor();
    const d = def(2);
    const [h1, h2, w1, w2, w3] = await Promise.all(['h1', 'h2', 'w1', 'w2', 'w3'].map((id) => g.arrive(id)));
    for (const run of [h1, h2]) expect(await g.gate.enter(run!, d)).toBe(true);
    for (const run of [w1, w2, w3]) expect(await g.gate.enter(run!, d)).toBe(false);
    const view = { redis, prefix: g.prefix, store: { keys: runKeys(g.prefix) } as RunStore };
    expect(describeGroupWait(await groupWait(view, 'w3', d))).toBe(
      'its turn in concurrency group gpu (2 of 2 slots held by h1, h2; 2 runs ahead of it)',
    );
    // h2's worker died after its final checkpoint; w1 was cancelled in line.
    await g.ended('h2');
    await g.ended('w1');
    expect(await groupWait(view, 'w3', d)).toEqual({ group: 'gpu', limit: 2, holders: ['h1'], ahead: 1 });
    expect(describeGroupWait(await groupWait(view, 'w2', d))).toBe(
      'its turn in concurrency group gpu (1 of 2 slots held by h1; next in line)',
    );
  });
});
