// The run state machine: given a definition, the run's state and the time, moves
// the run forward as far as it can without I/O and says what must happen next:
// execute these tasks, park until a time, or the run is complete.
// Pure and deterministic: it mutates only the state it is given and returns the
// events of every transition. Imports no I/O.
import { FOR_EACH_MAX_ITEMS, type WorkflowDefinition } from '../dsl/types.js';
import { type ExprContext, evaluateCondition, interpolate } from '../expr/index.js';
import { durationMs } from '../shared/duration.js';
import { exprContext } from './context.js';
import { event, isoTime, type RunEvent } from './events.js';
import { cancelUnits, nextForItems } from './for-each.js';
import { CLEANUP_STEP, type EngineStep, exposeResources, needsCleanup } from './resources.js';
import {
  isTerminalStep,
  newItemState,
  newStepState,
  type Phase,
  type RunState,
  type StepState,
} from './state.js';
import { failStep, resume, wakeTime } from './units.js';

/** One unit of work to execute now: a step, or one item of a for_each step. */
export interface TaskRef {
  stepId: string;
  index?: number;
}

export type Decision =
  | { type: 'execute'; tasks: TaskRef[] }
  | { type: 'park'; until: number }
  | { type: 'complete' };

export interface CancelRequest {
  at: number;
  reason: string;
  /**
   * `cancel` (default): a user's; the run ends cancelled. `gave_up`: gcflow could not
   * carry the run on (its turns kept failing); the run fails, and on_failure and
   * finally still run.
   */
  kind?: 'cancel' | 'gave_up';
}

export interface AdvanceInput {
  def: WorkflowDefinition;
  state: RunState;
  now: number;
  secrets: Record<string, string>;
  /** The run's `run.report_url` (holds a secret token); default ''. */
  reportUrl?: string;
  cancel: CancelRequest | null;
  /** Default DEFAULT_LIMITS. */
  limits?: EngineLimits;
}

export interface EngineLimits {
  /** A for_each list longer than this fails its step (engine.for_each_max_items). */
  forEachMaxItems: number;
}

export const DEFAULT_LIMITS: EngineLimits = { forEachMaxItems: FOR_EACH_MAX_ITEMS };

export interface Transition {
  decision: Decision;
  events: RunEvent[];
}

export function stepsOf(def: WorkflowDefinition, phase: Phase): EngineStep[] {
  if (phase === 'main') return def.steps;
  if (phase === 'on_failure') return def.on_failure;
  if (phase === 'finally') return def.finally;
  if (phase === 'cleanup') return [CLEANUP_STEP];
  return [];
}

export function findStep(
  def: WorkflowDefinition,
  id: string,
): { spec: EngineStep; phase: Phase } | undefined {
  for (const phase of ['main', 'on_failure', 'finally', 'cleanup'] as const) {
    const spec = stepsOf(def, phase).find((s) => s.id === id);
    if (spec) return { spec, phase };
  }
  return undefined;
}

/** Moves the run forward; mutates `input.state`. */
export function advance(input: AdvanceInput): Transition {
  const { def, state, now } = input;
  const events: RunEvent[] = [];
  for (let guard = 0; guard < 100_000; guard++) {
    if (state.phase === 'done') return { decision: { type: 'complete' }, events };
    if (state.outcome === null) interruptIfDue(input, events);

    const list = stepsOf(def, state.phase);
    const spec = list.find((s) => !isTerminalStep(state.steps[s.id]!));
    if (!spec) {
      finishPhase(def, state, now, events);
      continue;
    }
    const step = state.steps[spec.id]!;
    if (step.status === 'pending') {
      startStep(input, spec, step, events);
      continue;
    }
    if (step.deadline_at !== undefined && now >= step.deadline_at) {
      cancelUnits(state, step, now);
      failStep(def, state, spec, step, `timed out after ${spec.timeout}`, now, events);
      continue;
    }
    const decision =
      spec.for_each === undefined
        ? nextForStep(state, spec, step, now, events)
        : nextForItems(def, state, spec, step, now, events);
    if (decision) return { decision, events };
  }
  throw new Error(`engine did not settle for run ${state.id}: a bug, please report it`);
}

/** Cancellation (by a user), giving up and the run timeout end the main steps. */
function interruptIfDue(input: AdvanceInput, events: RunEvent[]): void {
  const { state, now, cancel, def } = input;
  const interrupt = (
    outcome: 'failed' | 'cancelled',
    error: string,
    type: 'run.gave_up' | 'run.cancelling' | 'run.timed_out',
    message: string,
  ) => {
    endMainSteps(state, def, now);
    state.outcome = outcome;
    state.error = error;
    // A cancelled run skips on_failure; a failed one runs it.
    state.phase = outcome === 'cancelled' ? 'finally' : 'on_failure';
    events.push(event(type, now, { message }));
  };
  if (cancel?.kind === 'gave_up') {
    interrupt('failed', cancel.reason, 'run.gave_up', cancel.reason);
  } else if (cancel) {
    state.cancelled_at = isoTime(now);
    interrupt('cancelled', `cancelled: ${cancel.reason}`, 'run.cancelling', cancel.reason);
  } else if (state.deadline_at !== null && now >= state.deadline_at) {
    const error = `run timed out after ${def.timeout}`;
    interrupt('failed', error, 'run.timed_out', error);
  }
}

function endMainSteps(state: RunState, def: WorkflowDefinition, now: number): void {
  for (const spec of def.steps) {
    const step = state.steps[spec.id]!;
    if (step.status === 'pending') step.status = 'skipped';
    else if (!isTerminalStep(step)) {
      cancelUnits(state, step, now);
      step.status = 'cancelled';
      step.finished_at = isoTime(now);
      exposeResources(state, step.id, step);
    }
  }
}

function finishPhase(def: WorkflowDefinition, state: RunState, now: number, events: RunEvent[]): void {
  if (state.phase === 'main') {
    state.outcome ??= 'succeeded';
    state.phase = state.outcome === 'failed' ? 'on_failure' : 'finally';
  } else if (state.phase === 'on_failure') {
    state.phase = 'finally';
  } else if (state.phase === 'finally' && needsCleanup(def, state)) {
    state.phase = 'cleanup';
    state.steps[CLEANUP_STEP.id] = newStepState(CLEANUP_STEP.id);
  } else {
    state.phase = 'done';
    state.status = state.outcome ?? 'succeeded';
    state.finished_at = isoTime(now);
    for (const step of Object.values(state.steps)) {
      // Only a run ended without its definition (given up) can leave a step unfinished.
      if (step.status === 'pending') step.status = 'skipped';
      else if (!isTerminalStep(step)) step.status = 'cancelled';
    }
    events.push(
      event(`run.${state.status}` as 'run.succeeded', now, state.error ? { message: state.error } : {}),
    );
  }
}

function startStep(input: AdvanceInput, spec: EngineStep, step: StepState, events: RunEvent[]): void {
  const { def, state, now, secrets } = input;
  // Built only for a step with an `if`, a timeout or a for_each (most steps have none).
  let built: ExprContext | undefined;
  const ctx = (): ExprContext => (built ??= exprContext(state, secrets, undefined, input.reportUrl));
  try {
    if (spec.if !== undefined && !evaluateCondition(spec.if, ctx())) {
      step.status = 'skipped';
      events.push(event('step.skipped', now, { step: spec.id, message: `if: ${spec.if}` }));
      return;
    }
    if (spec.timeout !== undefined)
      step.deadline_at = now + durationMs(interpolate(spec.timeout, ctx()), 'timeout');
    if (spec.for_each !== undefined) {
      const list = interpolate(spec.for_each, ctx());
      if (!Array.isArray(list)) throw new Error(`for_each must give a list, got ${describe(list)}`);
      const max = (input.limits ?? DEFAULT_LIMITS).forEachMaxItems;
      if (list.length > max)
        throw new Error(
          `for_each gave ${list.length} items; at most ${max} are allowed (engine.for_each_max_items)`,
        );
      step.for_each = list;
      step.items = list.map((_, index) => newItemState(index));
      step.items_next = 0;
      step.live = [];
    } else {
      step.attempts = 1;
    }
  } catch (err) {
    step.started_at = isoTime(now);
    failStep(def, state, spec, step, (err as Error).message, now, events);
    return;
  }
  step.status = 'running';
  step.started_at = isoTime(now);
  events.push(event('step.started', now, { step: spec.id, attempt: step.attempts || undefined }));
}

function nextForStep(
  state: RunState,
  spec: EngineStep,
  step: StepState,
  now: number,
  events: RunEvent[],
): Decision | undefined {
  if (step.status === 'waiting' && (step.wake_at ?? 0) > now) {
    return { type: 'park', until: wakeTime(state, step, step.wake_at!) };
  }
  if (resume(step)) events.push(event('step.started', now, { step: spec.id, attempt: step.attempts }));
  return { type: 'execute', tasks: [{ stepId: spec.id }] };
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Makes the waiting (not retry-pending) steps of `kind` due at `now`: what an outside
 * event that ends their wait early does (a batch job's final report for job.wait).
 * Returns whether any step was woken.
 */
export function wakeStepsOfKind(
  def: WorkflowDefinition,
  state: RunState,
  kind: string,
  now: number,
): boolean {
  let woke = false;
  for (const step of Object.values(state.steps)) {
    if (step.status !== 'waiting' || step.retry_pending || (step.wake_at ?? 0) <= now) continue;
    if (findStep(def, step.id)?.spec.uses !== kind) continue;
    step.wake_at = now;
    woke = true;
  }
  return woke;
}
