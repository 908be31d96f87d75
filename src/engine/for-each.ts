// for_each: which items of a step run now (in index order, at most max_parallel at
// once, looking only at the started and unfinished ones, so a decision costs
// O(max_parallel) whatever the item count) and how the step ends once all have.
// Pure: mutates only the state it is given.
import type { WorkflowDefinition } from '../dsl/types.js';
import type { Decision, TaskRef } from './advance.js';
import { event, isoTime, type RunEvent } from './events.js';
import { type EngineStep, exposeResources } from './resources.js';
import { isTerminalStep, type ItemState, type RunState, type StepState } from './state.js';
import { failStep, resume, wakeTime } from './units.js';

export function nextForItems(
  def: WorkflowDefinition,
  state: RunState,
  spec: EngineStep,
  step: StepState,
  now: number,
  events: RunEvent[],
): Decision | undefined {
  // Items start in index order, so the ones never started are those from `items_next` on,
  // and only the started, unfinished ones (`live`, at most max_parallel) are looked at:
  // a decision costs O(max_parallel), whatever the item count.
  const items = step.items ?? [];
  const live = liveItems(step);
  let next = nextItem(step);
  while (live.length < spec.max_parallel && next < items.length) {
    const item = items[next++]!;
    item.status = 'running';
    item.attempts = 1;
    item.started_at = isoTime(now);
    live.push(item.index);
  }
  step.items_next = next;
  if (live.length === 0 && next >= items.length) {
    finishItems(def, state, spec, step, now, events);
    return undefined;
  }
  const tasks: TaskRef[] = [];
  let earliest = Number.POSITIVE_INFINITY;
  for (const index of live) {
    const item = items[index]!;
    if (item.status === 'waiting' && (item.wake_at ?? 0) > now) {
      earliest = Math.min(earliest, item.wake_at!);
      continue;
    }
    resume(item);
    tasks.push({ stepId: spec.id, index });
  }
  if (tasks.length > 0) return { type: 'execute', tasks };
  return { type: 'park', until: wakeTime(state, step, earliest) };
}

/** The first item never started (states from before `items_next` existed: the first pending one). */
function nextItem(step: StepState): number {
  const items = step.items ?? [];
  if (step.items_next === undefined) {
    const pending = items.findIndex((i) => i.status === 'pending');
    step.items_next = pending < 0 ? items.length : pending;
  }
  return step.items_next;
}

/** The started, unfinished items of a for_each step (finished ones are dropped here, lazily). */
function liveItems(step: StepState): number[] {
  const items = step.items ?? [];
  const live =
    step.live ?? items.filter((i) => i.status === 'running' || i.status === 'waiting').map((i) => i.index);
  step.live = live.filter((index) => !isTerminalStep(items[index]!));
  return step.live;
}

function finishItems(
  def: WorkflowDefinition,
  state: RunState,
  spec: EngineStep,
  step: StepState,
  now: number,
  events: RunEvent[],
): void {
  const items = step.items ?? [];
  step.outputs = { items: items.map((i) => i.outputs), count: items.length };
  const failed = items.filter((i) => i.status === 'failed');
  if (failed.length > 0) {
    const first = failed[0] as ItemState;
    failStep(
      def,
      state,
      spec,
      step,
      `${failed.length} of ${items.length} items failed; item ${first.index}: ${first.error}`,
      now,
      events,
    );
    return;
  }
  step.status = 'succeeded';
  step.finished_at = isoTime(now);
  events.push(event('step.succeeded', now, { step: spec.id }));
}

/** Ends the live items of a step being cancelled; the ones never started are skipped. */
export function cancelUnits(state: RunState, step: StepState, now: number): void {
  const items = step.items ?? [];
  for (const index of liveItems(step)) {
    const item = items[index]!;
    item.status = 'cancelled';
    item.finished_at = isoTime(now);
    exposeResources(state, step.id, item, index);
  }
  // Never started: skipped (and never stored, see src/runs/items.ts).
  for (let i = nextItem(step); i < items.length; i++) items[i]!.status = 'skipped';
  step.items_next = items.length;
  delete step.wake_at;
}
