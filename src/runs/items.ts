// for_each steps at scale: the run record never holds a for_each list, its items or
// their gathered outputs. The list is stored once when its step starts
// (`run:<id>:list:<step>`), each started item in a hash field of its own
// (`run:<id>:items:<step>`), so a checkpoint writes the items that changed, not all of
// them, and the record stays the same size whatever the item count. Items never
// started are not stored: pending while the step runs, skipped once it ended. Pure:
// splits a state for writing and merges what was read back.
import type { TaskRef } from '../engine/advance.js';
import {
  isTerminalStep,
  type ItemState,
  newItemState,
  type RunState,
  type StepState,
} from '../engine/state.js';
import { itemRecord } from './records.js';

export interface StateWrite {
  /** The run record: for_each lists, items and their gathered outputs left out. */
  record: RunState;
  /** Lists to store now (steps that started since the last write). */
  lists: Array<{ step: string; json: string }>;
  /** Items to store now, per step: index -> encoded item. */
  items: Map<string, Array<[number, string]>>;
  /** Every for_each step of the run (their keys expire with the run's). */
  steps: string[];
}

/**
 * What to write for `state`: items touched since the last write, plus the live ones
 * (whose stored copy may be stale after an interrupt changed them); for steps not in
 * `listsStored` (which this adds them to), the list and every started item.
 */
export function splitState(state: RunState, touched: TaskRef[], listsStored: Set<string>): StateWrite {
  const write: StateWrite = { record: state, lists: [], items: new Map(), steps: [] };
  let steps: Record<string, StepState> | undefined;
  for (const [id, step] of Object.entries(state.steps)) {
    if (!step.items) continue;
    write.steps.push(id);
    const indices = new Set(step.live ?? []);
    for (const t of touched) if (t.stepId === id && t.index !== undefined) indices.add(t.index);
    // A step written apart for the first time (just started, or read from a record that
    // held its items inline): every started item goes, not only the touched ones.
    const first = !listsStored.has(id);
    if (first) for (const item of step.items) indices.add(item.index);
    const encoded: Array<[number, string]> = [];
    for (const index of indices) {
      const item = step.items[index];
      if (item && item.status !== 'pending' && item.status !== 'skipped')
        encoded.push([index, itemRecord.encode(item)]);
    }
    if (encoded.length > 0) write.items.set(id, encoded);
    if (first) {
      write.lists.push({ step: id, json: JSON.stringify(step.for_each ?? []) });
      listsStored.add(id);
    }
    steps ??= { ...state.steps };
    const { for_each: _list, items: _items, ...rest } = step;
    const { items: _outputs, ...outputs } = step.outputs;
    steps[id] = { ...rest, outputs, items_total: step.items.length };
  }
  if (steps) write.record = { ...state, steps };
  return write;
}

/** The stored list and items of one for_each step. */
export interface StoredItems {
  list: unknown[];
  items: Map<number, ItemState>;
}

/** Puts a for_each step back together: its list, its items (unstarted ones rebuilt) and, once over, its outputs. */
export function mergeItems(step: StepState, stored: StoredItems): void {
  const terminal = isTerminalStep(step);
  step.for_each = stored.list;
  step.items = stored.list.map((_, index) => {
    const item = stored.items.get(index);
    if (item) return item;
    const fresh = newItemState(index);
    if (terminal) fresh.status = 'skipped';
    return fresh;
  });
  delete step.items_total;
  // Gathered when the step finished its items (finishItems); a step cancelled midway has none.
  if ('count' in step.outputs) step.outputs = { ...step.outputs, items: step.items.map((i) => i.outputs) };
}

/** Steps of a record whose items are stored apart (records from before v2 hold them inline). */
export function storedItemSteps(record: RunState): string[] {
  return Object.entries(record.steps)
    .filter(([, step]) => step.items_total !== undefined && step.items === undefined)
    .map(([id]) => id);
}
