// Follows a run's event history until it ends: `gcflow run --wait` and
// `gcflow logs --follow`. Polls the event list with a short interval; stops on
// a terminal status or when the user interrupts.
import type { RunEvent } from '../engine/events.js';
import { isTerminalRun, type RunState } from '../engine/state.js';
import type { RunStore } from '../runs/store.js';
import { systemClock } from '../shared/clock.js';

export interface FollowOptions {
  store: Pick<RunStore, 'mustLoad' | 'events'>;
  runId: string;
  onEvent: (e: RunEvent) => void;
  /** The state at each poll, after its events (for a status line). */
  onState?: (state: RunState) => void;
  signal: AbortSignal;
  intervalMs?: number;
}

/** Resolves with the final state, or undefined when interrupted. */
export async function followRun(options: FollowOptions): Promise<RunState | undefined> {
  const { store, runId, onEvent, signal } = options;
  let after = 0;
  for (;;) {
    const state = await store.mustLoad(runId);
    for (const { id, event } of await store.events(runId, after)) {
      after = id;
      onEvent(event);
    }
    if (isTerminalRun(state)) {
      for (const { event } of await store.events(runId, after)) onEvent(event);
      return state;
    }
    options.onState?.(state);
    if (signal.aborted) return undefined;
    // The clock's sleep removes its abort listener when it wakes (one left per poll
    // was a leak: Node warned after 11 polls, i.e. 3 s of --wait).
    await systemClock.sleep(options.intervalMs ?? 250, signal).catch(() => undefined);
  }
}
