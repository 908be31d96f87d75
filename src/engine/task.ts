// Prepares a task for execution: evaluates the step's `with` against the run
// state (secrets included, in memory only), checks the result against the step
// kind's run-time schema, and resolves its wait settings. Pure.
import type { StepKind, WorkflowDefinition } from '../dsl/types.js';
import { DEFAULT_WAIT_STATUS, RUNTIME_STEP_PARAMS } from '../dsl/step-params.js';
import { containsExpression, interpolate } from '../expr/index.js';
import { durationMs } from '../shared/duration.js';
import { findStep, type TaskRef } from './advance.js';
import { exprContext } from './context.js';
import { CLEANUP_KIND, cleanupParams, type EngineStep, type TaskKind } from './resources.js';
import type { RunState } from './state.js';

export interface WaitSettings {
  statuses: string[];
  timeoutMs: number;
  pollMs: number;
}

export interface WaitDefaults {
  pollMs: number;
  timeoutMs: number;
  /**
   * How long after a create call went unanswered the API may still act on it: creates
   * keep looking for (and remove) a late duplicate this long. Default 2 minutes.
   */
  lateAnswerMs?: number;
}

export interface PreparedTask {
  ref: TaskRef;
  spec: EngineStep;
  kind: TaskKind;
  /** Evaluated and checked parameters; may hold secrets: never store or log. */
  params: unknown;
  /** Undefined when the step does not wait for a status. */
  wait: WaitSettings | undefined;
  /** `runId/stepId` or `runId/stepId/index`: unique per unit, an idempotency key. */
  key: string;
  attempt: number;
  /** When the step began (ms; for a for_each step, before any item): a bound for reads shared by its items. */
  stepStartedAt?: number;
  cursor: unknown;
  /** The engine's poll interval and wait timeout, for actions that wait without a `wait` setting. */
  defaults: WaitDefaults;
}

export type Prepared = { ok: true; task: PreparedTask } | { ok: false; message: string };

export function prepareTask(
  def: WorkflowDefinition,
  state: RunState,
  ref: TaskRef,
  secrets: Record<string, string>,
  defaults: WaitDefaults,
  reportUrl = '',
): Prepared {
  const spec = findStep(def, ref.stepId)?.spec;
  const step = state.steps[ref.stepId];
  if (!spec || !step) return { ok: false, message: `no step ${ref.stepId}` };
  const unit = ref.index === undefined ? step : step.items?.[ref.index];
  if (!unit) return { ok: false, message: `step ${ref.stepId} has no item ${ref.index}` };
  const item = ref.index === undefined ? undefined : { value: step.for_each?.[ref.index], index: ref.index };
  const key = ref.index === undefined ? `${state.id}/${spec.id}` : `${state.id}/${spec.id}/${ref.index}`;
  // One object, filled in place (spreading a base into each result cost more than the rest).
  const task: PreparedTask = {
    ref,
    spec,
    kind: spec.uses,
    params: undefined,
    wait: undefined,
    key,
    attempt: unit.attempts,
    cursor: unit.cursor,
    defaults,
  };
  if (step.started_at) task.stepStartedAt = Date.parse(step.started_at);
  if (spec.uses === CLEANUP_KIND) {
    task.params = cleanupParams(def, state);
    return { ok: true, task };
  }
  const kind: StepKind = spec.uses;
  try {
    const constant = constantSettings(spec, kind, defaults);
    if (constant) {
      task.params = constant.params;
      task.wait = constant.wait;
      return { ok: true, task };
    }
    const ctx = exprContext(state, secrets, item, reportUrl);
    const raw = interpolate(spec.with, ctx);
    const checked = RUNTIME_STEP_PARAMS[kind].safeParse(raw);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      const path = issue.path.length > 0 ? `with.${issue.path.join('.')}` : 'with';
      return { ok: false, message: `${path}: ${issue.message} (after evaluating expressions)` };
    }
    task.params = checked.data;
    task.wait = resolveWait(kind, interpolate(spec.wait, ctx), defaults);
    return { ok: true, task };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

/** A step's checked parameters and wait settings, when neither holds an expression. */
interface ConstantSettings {
  defaults: WaitDefaults;
  params: unknown;
  wait: WaitSettings | undefined;
}

/** Per step of a loaded definition: its constant settings, or null when it has expressions. */
const constants = new WeakMap<EngineStep, ConstantSettings | null>();

/**
 * The settings of a step whose `with` and `wait` hold no expression: the same for every
 * run and item, so evaluated and checked once (most of a read-only step's preparation).
 * Frozen: an action that changed its parameters would change them for the next run.
 * Undefined when the step has expressions, or its constant parameters fail the check
 * (each task then reports the failure itself).
 */
function constantSettings(
  spec: EngineStep,
  kind: StepKind,
  defaults: WaitDefaults,
): ConstantSettings | undefined {
  let known = constants.get(spec);
  if (known === undefined || (known !== null && known.defaults !== defaults)) {
    known = null;
    if (!containsExpression(spec.with) && !containsExpression(spec.wait)) {
      const checked = RUNTIME_STEP_PARAMS[kind].safeParse(structuredClone(spec.with));
      if (checked.success)
        known = { defaults, params: deepFreeze(checked.data), wait: resolveWait(kind, spec.wait, defaults) };
    }
    constants.set(spec, known);
  }
  return known ?? undefined;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function resolveWait(kind: StepKind, evaluated: unknown, defaults: WaitDefaults): WaitSettings | undefined {
  if (evaluated === false) return undefined;
  const fallback = DEFAULT_WAIT_STATUS[kind];
  const given = (evaluated ?? {}) as { status?: string | string[]; timeout?: string; poll?: string };
  const status = given.status ?? fallback;
  if (status === undefined) return undefined;
  return {
    statuses: Array.isArray(status) ? status : [status],
    timeoutMs: given.timeout === undefined ? defaults.timeoutMs : durationMs(given.timeout, 'wait.timeout'),
    pollMs: given.poll === undefined ? defaults.pollMs : durationMs(given.poll, 'wait.poll'),
  };
}
