// Applies what an executed task reported (done, wait, error) to the run state:
// outputs recorded, polls scheduled, retries planned with backoff, failures
// decided. Pure: mutates only the state it is given.
import type { WorkflowDefinition } from '../dsl/types.js';
import { findStep, type TaskRef } from './advance.js';
import { retryDelayMs } from './backoff.js';
import { event, isoTime, type RunEvent } from './events.js';
import { exposeResources } from './resources.js';
import type { Attempted, RunState } from './state.js';
import { failStep } from './units.js';

export type TaskOutcome =
  | { type: 'done'; outputs: Record<string, unknown> }
  /**
   * Not there yet: resume at `wakeAt` with `cursor`. `waitingFor` is shown to users;
   * `deadline` (ms) is when the wait gives up, when the action knows it.
   */
  | { type: 'wait'; cursor: unknown; wakeAt: number; waitingFor?: string; deadline?: number }
  | {
      type: 'error';
      message: string;
      code: string;
      /** Worth another attempt under the step's retry policy. */
      retryable: boolean;
      retryAfterMs?: number;
      /** The action's state to keep for the next attempt (e.g. "POST was sent"). */
      cursor?: unknown;
      /** The task was interrupted (cancel, timeout, shutdown): not a failure of its own. */
      aborted?: boolean;
      /** What the failed unit still reports (job.wait: the exit code and output tail). */
      outputs?: Record<string, unknown>;
    };

export function applyOutcome(
  def: WorkflowDefinition,
  state: RunState,
  task: TaskRef,
  outcome: TaskOutcome,
  now: number,
  random: () => number = Math.random,
): RunEvent[] {
  const found = findStep(def, task.stepId);
  const step = state.steps[task.stepId];
  if (!found || !step) throw new Error(`run ${state.id} has no step ${task.stepId}`);
  const { spec } = found;
  const unit: Attempted = task.index === undefined ? step : step.items![task.index]!;
  const where = { step: spec.id, ...(task.index === undefined ? {} : { index: task.index }) };
  const events: RunEvent[] = [];
  const at = isoTime(now);

  switch (outcome.type) {
    case 'done':
      unit.status = 'succeeded';
      unit.outputs = outcome.outputs;
      unit.finished_at = at;
      unit.error = null;
      delete unit.cursor;
      delete unit.wake_at;
      delete unit.wait_deadline;
      if (task.index === undefined) events.push(event('step.succeeded', now, where));
      return events;

    case 'wait':
      unit.status = 'waiting';
      unit.cursor = outcome.cursor;
      unit.wake_at = outcome.wakeAt;
      if (outcome.deadline === undefined) delete unit.wait_deadline;
      else unit.wait_deadline = outcome.deadline;
      if (outcome.waitingFor !== undefined && outcome.waitingFor !== unit.waiting_for) {
        unit.waiting_for = outcome.waitingFor;
        events.push(event('step.waiting', now, { ...where, message: outcome.waitingFor }));
      }
      return events;

    case 'error': {
      delete unit.wait_deadline;
      if (outcome.cursor !== undefined) unit.cursor = outcome.cursor;
      if (outcome.aborted) {
        // Runnable again at once; advance() decides: cancelled, timed out, or resumed.
        unit.status = 'waiting';
        unit.wake_at = now;
        return events;
      }
      if (outcome.outputs !== undefined) unit.outputs = { ...unit.outputs, ...outcome.outputs };
      const attempts = spec.retry?.attempts ?? 1;
      if (outcome.retryable && unit.attempts < attempts) {
        const delay = retryDelayMs(spec.retry ?? {}, unit.attempts, random, outcome.retryAfterMs);
        unit.status = 'waiting';
        unit.wake_at = now + delay;
        unit.retry_pending = true;
        unit.error = outcome.message;
        events.push(
          event('step.retrying', now, {
            ...where,
            attempt: unit.attempts,
            message: `${outcome.message}; attempt ${unit.attempts + 1} of ${attempts} in ${Math.round(delay / 1000)}s`,
          }),
        );
        return events;
      }
      if (task.index !== undefined) {
        unit.status = 'failed';
        unit.error = outcome.message;
        unit.finished_at = at;
        delete unit.wake_at;
        exposeResources(state, task.stepId, unit, task.index);
        events.push(
          event('step.failed', now, { ...where, attempt: unit.attempts, message: outcome.message }),
        );
        return events;
      }
      failStep(def, state, spec, step, outcome.message, now, events);
      return events;
    }
  }
}
