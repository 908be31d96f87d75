// Builders for engine unit tests: definitions and states without YAML.
import type { StepKind, StepSpec, WorkflowDefinition } from '../../../src/dsl/types.js';
import {
  advance,
  applyOutcome,
  type Decision,
  newRunState,
  type RunState,
  type TaskOutcome,
} from '../../../src/engine/index.js';

export function step(id: string, uses: StepKind = 'instances.list', extra: Partial<StepSpec> = {}): StepSpec {
  return {
    id,
    uses,
    with: {},
    max_parallel: 1,
    continue_on_error: false,
    wait: undefined,
    keep: false,
    ...extra,
  };
}

export function workflow(parts: Partial<WorkflowDefinition>): WorkflowDefinition {
  return {
    name: 'wf',
    inputs: {},
    triggers: [],
    concurrency: { group: 'wf', overlap: 'skip' },
    steps: [],
    finally: [],
    on_failure: [],
    ...parts,
  };
}

export function start(def: WorkflowDefinition, now = 1_000_000): RunState {
  const state = newRunState({
    id: 'wf-run1',
    workflow: def.name,
    definitionHash: 'h',
    trigger: 'manual',
    scheduledAt: null,
    inputs: {},
    now,
    stepIds: [...def.steps, ...def.on_failure, ...def.finally].map((s) => s.id),
  });
  state.status = 'running';
  state.attempt = 1;
  return state;
}

/**
 * Drives a run to completion: `outcomes(stepId, index)` says what each task reports.
 * Returns the order tasks were executed in and every decision.
 */
export function drive(
  def: WorkflowDefinition,
  state: RunState,
  outcomes: (stepId: string, index: number | undefined, state: RunState) => TaskOutcome,
  options: { now?: number; cancelAt?: number; cancelKind?: 'cancel' | 'gave_up'; maxTurns?: number } = {},
): { executed: string[]; decisions: Decision[] } {
  let now = options.now ?? 1_000_000;
  const executed: string[] = [];
  const decisions: Decision[] = [];
  for (let turn = 0; turn < (options.maxTurns ?? 1000); turn++) {
    const cancel =
      options.cancelAt !== undefined && now >= options.cancelAt
        ? { at: options.cancelAt, reason: 'test', kind: options.cancelKind ?? 'cancel' }
        : null;
    const { decision } = advance({ def, state, now, secrets: {}, cancel });
    decisions.push(decision);
    if (decision.type === 'complete') return { executed, decisions };
    if (decision.type === 'park') {
      now = decision.until;
      continue;
    }
    for (const task of decision.tasks) {
      executed.push(task.index === undefined ? task.stepId : `${task.stepId}[${task.index}]`);
      applyOutcome(def, state, task, outcomes(task.stepId, task.index, state), now, () => 0.5);
    }
    now += 1;
  }
  throw new Error('run did not complete');
}

export const ok = (outputs: Record<string, unknown> = {}): TaskOutcome => ({ type: 'done', outputs });
export const fail = (message = 'boom', retryable = false): TaskOutcome => ({
  type: 'error',
  code: 'E_TEST',
  message,
  retryable,
});
