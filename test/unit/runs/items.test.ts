// for_each at scale, the storage side: what a checkpoint writes does not grow with
// the item count (the record leaves lists, items and gathered outputs out; only the
// items touched or live are written), and what is read back is put together again.
import { describe, expect, it } from 'vitest';
import { newItemState, newRunState, type RunState } from '../../../src/engine/state.js';
import { mergeItems, splitState } from '../../../src/runs/items.js';
import { runStateRecord } from '../../../src/runs/records.js';

/** A run whose for_each step `each` has `n` items: the first `done` succeeded, the next `live` running. */
function runWith(n: number, done: number, live: number): RunState {
  const state = newRunState({
    id: 'wf-1',
    workflow: 'wf',
    definitionHash: 'h',
    trigger: 'manual',
    scheduledAt: null,
    inputs: {},
    now: 0,
    stepIds: ['each'],
  });
  const step = state.steps['each']!;
  step.status = 'running';
  step.for_each = Array.from({ length: n }, (_, i) => `box-${i}`);
  step.items = step.for_each.map((_, i) => newItemState(i));
  for (let i = 0; i < done + live; i++) {
    const item = step.items[i]!;
    item.attempts = 1;
    item.status = i < done ? 'succeeded' : 'running';
    if (i < done) item.outputs = { n: i };
  }
  step.items_next = done + live;
  step.live = Array.from({ length: live }, (_, i) => done + i);
  return state;
}

const recordBytes = (state: RunState) =>
  runStateRecord.encode(splitState(state, [], new Set(['each'])).record).length;

describe('splitting a run state for a checkpoint', () => {
  it('writes a record whose size does not grow with the item count', () => {
    const small = recordBytes(runWith(1_000, 500, 100));
    const large = recordBytes(runWith(100_000, 50_000, 100));
    // Only the digits of the indices grow (100 live ones, log of the count): no item is in it.
    expect(large).toBeLessThan(2_500);
    expect(large - small).toBeLessThan(250);
  });

  it('writes the list and every started item once, then only the touched and live items', () => {
    const state = runWith(10_000, 5_000, 3);
    const stored = new Set<string>();
    const first = splitState(state, [], stored);
    expect(first.lists.map((l) => l.step)).toEqual(['each']);
    expect(first.items.get('each')).toHaveLength(5_003);
    const next = splitState(state, [{ stepId: 'each', index: 4_999 }], stored);
    expect(next.lists).toEqual([]);
    expect(
      next.items
        .get('each')!
        .map(([i]) => i)
        .sort((a, b) => a - b),
    ).toEqual([4_999, 5_000, 5_001, 5_002]);
  });

  it('never stores items that were not started', () => {
    const state = runWith(10_000, 0, 0);
    expect(splitState(state, [{ stepId: 'each', index: 7 }], new Set()).items.size).toBe(0);
  });
});

describe('reading a for_each step back', () => {
  it('rebuilds unstarted items as pending while the step runs, skipped once it ended', () => {
    const state = runWith(5, 2, 1);
    const stored = new Map(state.steps['each']!.items!.slice(0, 3).map((i) => [i.index, i] as const));
    const { record } = splitState(state, [], new Set(['each']));
    const running = structuredClone(record.steps['each']!);
    mergeItems(running, { list: state.steps['each']!.for_each!, items: stored });
    expect(running.items!.map((i) => i.status)).toEqual([
      'succeeded',
      'succeeded',
      'running',
      'pending',
      'pending',
    ]);
    const ended = { ...structuredClone(record.steps['each']!), status: 'cancelled' as const };
    mergeItems(ended, { list: state.steps['each']!.for_each!, items: stored });
    expect(ended.items!.map((i) => i.status).slice(3)).toEqual(['skipped', 'skipped']);
  });

  it('gathers the outputs of a step that finished its items', () => {
    const state = runWith(3, 3, 0);
    const step = state.steps['each']!;
    step.status = 'succeeded';
    step.outputs = { items: step.items!.map((i) => i.outputs), count: 3 };
    const { record } = splitState(state, [], new Set(['each']));
    expect(record.steps['each']!.outputs).toEqual({ count: 3 });
    const back = structuredClone(record.steps['each']!);
    mergeItems(back, { list: step.for_each!, items: new Map(step.items!.map((i) => [i.index, i])) });
    expect(back.outputs).toEqual({ items: [{ n: 0 }, { n: 1 }, { n: 2 }], count: 3 });
  });
});
