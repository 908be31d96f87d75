// The append-only history of a run: one event per transition, written atomically
// with the checkpoint that caused it. Pure data.

export type RunEventType =
  | 'run.queued'
  | 'run.started'
  | 'run.resumed'
  | 'run.cancel_requested'
  | 'run.cancelling'
  | 'run.timed_out'
  | 'run.gave_up'
  | 'run.succeeded'
  | 'run.failed'
  | 'run.cancelled'
  | 'step.started'
  | 'step.skipped'
  | 'step.waiting'
  | 'step.retrying'
  | 'step.succeeded'
  | 'step.failed'
  | 'step.cancelled'
  | 'step.log';

export interface RunEvent {
  type: RunEventType;
  /** ISO time. */
  at: string;
  step?: string;
  /** for_each item index. */
  index?: number;
  attempt?: number;
  message?: string;
}

export function event(type: RunEventType, now: number, fields: Omit<RunEvent, 'type' | 'at'> = {}): RunEvent {
  return { type, at: isoTime(now), ...fields };
}

// The last time formatted: the events and timestamps of a transition, and of runs moving
// at the same moment, share their millisecond (formatting a Date is most of an event's cost).
let lastMs = Number.NaN;
let lastIso = '';

/** `new Date(ms).toISOString()`, formatted once per millisecond. */
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}
