// Transitions of one unit of work (a step, or one item of a for_each step) that the
// state machine (advance.ts), for_each (for-each.ts) and outcomes (outcome.ts) share.
// Pure: mutates only the state it is given.
import type { WorkflowDefinition } from '../dsl/types.js';
import { event, isoTime, type RunEvent } from './events.js';
import { type EngineStep, exposeResources } from './resources.js';
import type { Attempted, RunState, StepState } from './state.js';

/** A waiting unit runs again; a pending retry starts its next attempt (true then). */
export function resume(unit: Attempted): boolean {
  const retry = unit.retry_pending === true;
  if (retry) unit.attempts += 1;
  delete unit.retry_pending;
  delete unit.wake_at;
  unit.status = 'running';
  return retry;
}

/** A step failed for good: record it and decide what the run does next. */
export function failStep(
  def: WorkflowDefinition,
  state: RunState,
  spec: EngineStep,
  step: StepState,
  message: string,
  now: number,
  events: RunEvent[],
): void {
  step.status = 'failed';
  step.error = message;
  step.finished_at = isoTime(now);
  delete step.wake_at;
  delete step.retry_pending;
  exposeResources(state, step.id, step);
  events.push(event('step.failed', now, { step: spec.id, attempt: step.attempts || undefined, message }));
  if (spec.continue_on_error) return;
  if (state.phase === 'main') {
    state.outcome = 'failed';
    state.error = `step ${spec.id} failed: ${message}`;
    // The main steps after it never run; on_failure and finally steps still do.
    for (const other of def.steps) {
      const st = state.steps[other.id]!;
      if (st.status === 'pending') st.status = 'skipped';
    }
  } else if (state.phase === 'finally' && state.outcome === 'succeeded') {
    state.outcome = 'failed';
    state.error = `finally step ${spec.id} failed: ${message}`;
  } else if (state.phase === 'cleanup') {
    // Whatever the run's outcome, a box it could not delete must be seen.
    state.outcome = 'failed';
    const cause = state.error ? `${state.error}; then ` : '';
    state.error = `${cause}gcflow could not delete what the run left behind: ${message}; \`gcflow janitor\` lists it`;
  }
}

export function wakeTime(state: RunState, step: StepState, at: number): number {
  let until = at;
  if (step.deadline_at !== undefined) until = Math.min(until, step.deadline_at);
  if (state.outcome === null && state.deadline_at !== null) until = Math.min(until, state.deadline_at);
  return until;
}
