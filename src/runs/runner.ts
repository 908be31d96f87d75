// Executes one processing turn of a run: load its state, let the engine decide,
// execute tasks through the actions, checkpoint every task outcome before the next
// task starts (together with the engine's next decision), and end
// the turn by parking (the run waits, holding no worker) or completing.
// Knows nothing of BullMQ: the queue module turns a park into moveToDelayed.
import { setMaxListeners } from 'node:events';
import type { WorkflowDefinition } from '../dsl/types.js';
import { advance, type CancelRequest, type TaskRef } from '../engine/advance.js';
import { event, type RunEvent } from '../engine/events.js';
import { applyOutcome, type TaskOutcome } from '../engine/outcome.js';
import { isTerminalRun, type RunState } from '../engine/state.js';
import { prepareTask, type PreparedTask, type WaitDefaults } from '../engine/task.js';
import type { RunTurn } from '../queue/runs.js';
import type { Clock } from '../shared/clock.js';
import { parseDuration } from '../shared/duration.js';
import type { Logger } from '../shared/logger.js';
import { faultThrow } from '../shared/faultpoints.js';
import type { Redactor } from '../shared/redact.js';
import type { Fence, RunStore } from './store.js';

/** What an action sees of the run besides its parameters. */
export interface TaskIO {
  run: { id: string; workflow: string };
  /** Aborts on cancel (main steps), step timeout and run timeout. */
  signal: AbortSignal;
  /** Durably records the action's resumable state before it returns (e.g. before a POST). */
  checkpoint(cursor: unknown): Promise<void>;
  log: Logger;
}

/** Runs a prepared task; never throws: failures come back as an error outcome. */
export type TaskExecutor = (task: PreparedTask, io: TaskIO) => Promise<TaskOutcome>;

/** Serialises runs of one concurrency group (`overlap: queue`). */
export interface ConcurrencyGate {
  /** True when the run may proceed now. */
  enter(run: RunState, def: WorkflowDefinition): Promise<boolean>;
  /** Frees the run's slot when it ends. */
  leave(run: RunState, def: WorkflowDefinition): Promise<void>;
}

export interface CancelWatcher {
  /** Calls `onCancel` when a cancel for `runId` is announced; returns the unsubscribe. */
  watch(runId: string, onCancel: () => void): () => void;
}

export interface RunnerDeps {
  store: RunStore;
  execute: TaskExecutor;
  clock: Clock;
  secrets: () => Record<string, string>;
  redactor: Redactor;
  waitDefaults: WaitDefaults;
  cancels?: CancelWatcher;
  gate?: ConcurrencyGate;
  logger: Logger;
  random?: () => number;
  /** Waits shorter than this are slept in-process instead of parking the job. */
  inlineWaitMs?: number;
  /** How often a run blocked by its concurrency group looks again. */
  gatePollMs?: number;
  onEvents?: (state: RunState, events: RunEvent[]) => void;
}

export function createRunner(deps: RunnerDeps) {
  const random = deps.random ?? Math.random;
  const inlineWaitMs = deps.inlineWaitMs ?? 250;

  return async function runTurn(runId: string, fence: Fence): Promise<RunTurn> {
    const { state: loaded, cancel: requested } = await deps.store.loadForTurn(runId);
    if (!loaded || isTerminalRun(loaded)) return { type: 'done' };
    const state: RunState = loaded;
    const def = await deps.store.loadDefinition(state.definition_hash);
    const log = deps.logger.child({ runId, workflow: state.workflow });
    let pending: RunEvent[] = [];
    let writing: Promise<void> = Promise.resolve();
    // Tasks of the current batch still running, and whether an outcome awaits its checkpoint.
    let inFlight = 0;
    let unsaved = false;
    const checkpoint = (): Promise<void> => {
      const events = pending;
      pending = [];
      unsaved = false;
      deps.onEvents?.(state, events);
      for (const e of events)
        log.info(
          { step: e.step, index: e.index, attempt: e.attempt },
          `${e.type}${e.message ? `: ${e.message}` : ''}`,
        );
      writing = writing.then(() => deps.store.checkpoint(state, events, fence));
      return writing;
    };

    const now = deps.clock.now();
    let cancel: CancelRequest | null = requested;
    // A queued run waits for its concurrency group, unless it is being cancelled anyway.
    if (state.status === 'queued' && !cancel && deps.gate && !(await deps.gate.enter(state, def))) {
      return { type: 'park', until: now + (deps.gatePollMs ?? 2_000) };
    }
    if (state.status === 'queued' || state.status === 'running') {
      state.attempt += 1;
      pending.push(
        event(state.attempt === 1 ? 'run.started' : 'run.resumed', now, { attempt: state.attempt }),
      );
    }
    state.status = 'running';
    state.started_at ??= new Date(now).toISOString();
    if (state.deadline_at === null && def.timeout !== undefined)
      state.deadline_at = now + (parseDuration(def.timeout) ?? 0);

    const cancelled = new AbortController();
    // Every task of the turn listens to this signal (for_each runs up to 100 at once)
    // and removes its listener when it ends; Node's warning at 11 would be a false alarm.
    setMaxListeners(0, cancelled.signal);
    if (cancel) cancelled.abort(new Error(cancel.reason));
    const unwatch = deps.cancels?.watch(runId, () => {
      void deps.store.cancelRequest(runId).then((c) => {
        cancel = c;
        if (c) cancelled.abort(new Error(c.reason));
      });
    });

    try {
      for (;;) {
        const t = advance({ def, state, now: deps.clock.now(), secrets: deps.secrets(), cancel });
        pending.push(...t.events);
        const decision = t.decision;
        if (decision.type === 'complete') {
          await checkpoint();
          await deps.gate?.leave(state, def);
          return { type: 'done' };
        }
        if (decision.type === 'park') {
          const delay = decision.until - deps.clock.now();
          if (delay <= inlineWaitMs) {
            // Short waits are slept here, but the run reads as waiting meanwhile.
            if (unsaved) await checkpoint();
            await deps.clock.sleep(Math.max(0, delay), cancelled.signal).catch(() => undefined);
            continue;
          }
          state.status = 'waiting';
          await checkpoint();
          return { type: 'park', until: decision.until };
        }
        // The last batch's outcome is durable before the next task starts.
        if (unsaved) await checkpoint();
        for (const ref of decision.tasks) faultThrow(`run.execute:${ref.stepId}`);
        state.status = 'running';
        inFlight = decision.tasks.length;
        await Promise.all(decision.tasks.map((ref) => runTask(ref)));
        await writing;
      }
    } finally {
      unwatch?.();
    }

    async function runTask(ref: TaskRef): Promise<void> {
      const prepared = prepareTask(def, state, ref, deps.secrets(), deps.waitDefaults);
      let outcome: TaskOutcome;
      if (!prepared.ok) {
        outcome = { type: 'error', message: prepared.message, code: 'E_STEP_INPUT', retryable: false };
      } else {
        const task = prepared.task;
        const { signal, dispose } = taskSignal(state, ref, cancelled.signal, deps.clock.now());
        let unitLog: Logger | undefined;
        try {
          outcome = await deps.execute(task, {
            run: { id: state.id, workflow: state.workflow },
            signal,
            // Created on first use: most tasks never log, and a child logger is not free.
            get log() {
              unitLog ??= log.child({ stepId: ref.stepId, index: ref.index, attempt: task.attempt });
              return unitLog;
            },
            checkpoint: (cursor) => {
              const step = state.steps[ref.stepId]!;
              const unit = ref.index === undefined ? step : step.items![ref.index]!;
              unit.cursor = deps.redactor.scrub(cursor);
              return checkpoint();
            },
          });
        } finally {
          dispose();
        }
      }
      pending.push(...applyOutcome(def, state, ref, deps.redactor.scrub(outcome), deps.clock.now(), random));
      // While other tasks of the batch run (for_each items), each outcome is written as
      // it lands. The batch's last outcome is written with the engine's next decision,
      // one checkpoint instead of two (the run's end, a park or the next step's start).
      if (--inFlight > 0) await checkpoint();
      else unsaved = true;
    }
  };
}

/**
 * A task's signal aborts on cancel (main steps only: cleanup in finally must not be
 * cut short by the cancel that caused it), on the step's deadline and on the run's.
 */
function taskSignal(
  state: RunState,
  ref: TaskRef,
  cancelled: AbortSignal,
  now: number,
): { signal: AbortSignal; dispose: () => void } {
  const inMain = state.phase === 'main';
  const deadlines = [
    state.steps[ref.stepId]?.deadline_at,
    inMain ? (state.deadline_at ?? undefined) : undefined,
  ].filter((d): d is number => d !== undefined);
  // The common case, a main step without a deadline: the cancel signal is the task's own
  // (an AbortController per task is a measurable share of a read-only step's CPU).
  if (inMain && deadlines.length === 0) return { signal: cancelled, dispose: () => {} };
  const controller = new AbortController();
  const onCancel = () => controller.abort(cancelled.reason);
  if (inMain) {
    if (cancelled.aborted) controller.abort(cancelled.reason);
    else cancelled.addEventListener('abort', onCancel, { once: true });
  }
  let timer: NodeJS.Timeout | undefined;
  if (deadlines.length > 0) {
    const ms = Math.max(0, Math.min(...deadlines) - now);
    timer = setTimeout(() => controller.abort(new Error('deadline reached')), ms);
  }
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      cancelled.removeEventListener('abort', onCancel);
    },
  };
}
