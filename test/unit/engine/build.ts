// Builders for engine unit tests: definitions and states without YAML.
import type { StepKind, StepSpec, WorkflowDefinition } from '../../../src/dsl/types.js';
import {
  driveRun,
  newRunState,
  type RunEvent,
  type RunState,
  type TaskExecutor,
  type TaskIO,
  type TaskLogger,
  type TaskOutcome,
  type TaskRef,
  type WaitDefaults,
} from '../../../src/engine/index.js';

/** Parameters that pass each kind's run-time check (the driver checks them before a task runs). */
const SAMPLE_WITH: Partial<Record<StepKind, Record<string, unknown>>> = {
  'instance.wait': { instance: 'box', status: 'active' },
  'instance.stop': { instance: 'box' },
};

export function step(id: string, uses: StepKind = 'instances.list', extra: Partial<StepSpec> = {}): StepSpec {
  return {
    id,
    uses,
    with: SAMPLE_WITH[uses] ?? {},
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

export function start(
  def: WorkflowDefinition,
  now = 1_000_000,
  run: { id?: string; inputs?: Record<string, unknown> } = {},
): RunState {
  return newRunState({
    id: run.id ?? 'wf-run1',
    workflow: def.name,
    definitionHash: 'h',
    trigger: 'manual',
    scheduledAt: null,
    inputs: run.inputs ?? {},
    now,
    stepIds: [...def.steps, ...def.on_failure, ...def.finally].map((s) => s.id),
  });
}

const quiet: TaskLogger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

/** The virtual time of the run being driven (for fakes that stamp what they create). */
export const virtual = { now: 0 };

export interface Driven {
  /** Units in the order they were executed (`step`, or `step[index]` for for_each items). */
  executed: string[];
  /** Each batch of tasks the engine started at once. */
  batches: TaskRef[][];
  /** The times the run waited until (parks and backoffs), in order. */
  parks: number[];
  events: RunEvent[];
}

/**
 * Drives a run to completion through the engine's driver (the workers' and the plan's
 * loop) on a virtual clock: `outcomes(stepId, index, state)` says what each task reports.
 */
export async function drive(
  def: WorkflowDefinition,
  state: RunState,
  outcomes: (stepId: string, index: number | undefined, state: RunState, io: TaskIO) => TaskOutcome,
  options: {
    now?: number;
    cancelAt?: number;
    cancelKind?: 'cancel' | 'gave_up';
    /** Real actions instead of `outcomes` (they see the virtual clock through `clock`). */
    executor?: TaskExecutor;
    waitDefaults?: WaitDefaults;
  } = {},
): Promise<Driven> {
  let now = options.now ?? 1_000_000;
  virtual.now = now;
  const driven: Driven = { executed: [], batches: [], parks: [], events: [] };
  const cancelled = new AbortController();
  const result = await driveRun({
    def,
    state,
    now: () => now,
    sleep: async (ms) => {
      now += ms;
      virtual.now = now;
      driven.parks.push(now);
    },
    inlineWaitMs: Number.POSITIVE_INFINITY,
    execute: async (task, io) => {
      const { stepId, index } = task.ref;
      driven.executed.push(index === undefined ? stepId : `${stepId}[${index}]`);
      const outcome = options.executor
        ? await options.executor(task, io)
        : outcomes(stepId, index, state, io);
      now += 1;
      virtual.now = now;
      return outcome;
    },
    persist: async (_, events) => {
      driven.events.push(...events);
    },
    cancel: {
      signal: cancelled.signal,
      current: () =>
        options.cancelAt !== undefined && now >= options.cancelAt
          ? { at: options.cancelAt, reason: 'test', kind: options.cancelKind ?? 'cancel' }
          : null,
    },
    secrets: () => ({}),
    waitDefaults: options.waitDefaults ?? { pollMs: 1_000, timeoutMs: 60_000 },
    random: () => 0.5,
    log: quiet,
    beforeExecute: (tasks) => {
      driven.batches.push(tasks);
    },
  });
  if (result.type !== 'complete') throw new Error('run did not complete');
  return driven;
}

export const ok = (outputs: Record<string, unknown> = {}): TaskOutcome => ({ type: 'done', outputs });
export const fail = (message = 'boom', retryable = false): TaskOutcome => ({
  type: 'error',
  code: 'E_TEST',
  message,
  retryable,
});
