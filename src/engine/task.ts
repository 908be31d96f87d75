// Prepares a task for execution: evaluates the step's `with` against the run
// state (secrets included, in memory only), checks the result against the step
// kind's run-time schema, and resolves its wait settings. Pure.
import type { StepKind, WorkflowDefinition } from '../dsl/types.js';
import { DEFAULT_WAIT_STATUS, RUNTIME_STEP_PARAMS } from '../dsl/step-params.js';
import { interpolate } from '../expr/index.js';
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
  const base = {
    ref,
    spec,
    kind: spec.uses,
    key,
    attempt: unit.attempts,
    ...(step.started_at ? { stepStartedAt: Date.parse(step.started_at) } : {}),
    cursor: unit.cursor,
    defaults,
  };
  if (spec.uses === CLEANUP_KIND)
    return { ok: true, task: { ...base, params: cleanupParams(def, state), wait: undefined } };
  const kind: StepKind = spec.uses;
  try {
    const ctx = exprContext(state, secrets, item, reportUrl);
    const raw = interpolate(spec.with, ctx);
    const checked = RUNTIME_STEP_PARAMS[kind].safeParse(raw);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      const path = issue.path.length > 0 ? `with.${issue.path.join('.')}` : 'with';
      return { ok: false, message: `${path}: ${issue.message} (after evaluating expressions)` };
    }
    const wait = resolveWait(kind, interpolate(spec.wait, ctx), defaults);
    return { ok: true, task: { ...base, params: checked.data, wait } };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
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
