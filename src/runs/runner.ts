// One processing turn of a run in a worker: load its state and definition, wait for
// its concurrency group, then let the engine's driver run it with Redis persistence
// (fenced checkpoints) and cancel announcements, and say whether the run parks or is
// done. Knows nothing of BullMQ: the queue module turns a park into moveToDelayed.
import { setMaxListeners } from 'node:events';
import type { WorkflowDefinition } from '../dsl/types.js';
import { type CancelRequest, type EngineLimits, wakeStepsOfKind } from '../engine/advance.js';
import { driveRun, type TaskExecutor } from '../engine/driver.js';
import type { RunEvent } from '../engine/events.js';
import { isTerminalRun, type Outcome, type RunState } from '../engine/state.js';
import type { WaitDefaults } from '../engine/task.js';
import type { RunTurn } from '../queue/runs.js';
import type { Clock } from '../shared/clock.js';
import { faultPoint, faultThrow } from '../shared/faultpoints.js';
import { eventLevel, type Logger, logEvent } from '../shared/logger.js';
import type { Redactor } from '../shared/redact.js';
import type { Fence, RunStore } from './store.js';

export type { TaskExecutor, TaskIO } from '../engine/driver.js';

/** Admits runs of a concurrency group in turn (`overlap: queue`, up to `concurrency.limit` at once). */
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
  /** Batch-job reports: the run's report URL, and announcements that one arrived. */
  reports?: {
    url(runId: string): Promise<string>;
    wakes: CancelWatcher;
    /** Whether the run's batch job sent its final report. */
    hasFinal(runId: string): Promise<boolean>;
  };
  gate?: ConcurrencyGate;
  logger: Logger;
  random?: () => number;
  /** Waits shorter than this are slept in-process instead of parking the job. */
  inlineWaitMs?: number;
  /** How often a run blocked by its concurrency group looks again. */
  gatePollMs?: number;
  limits?: EngineLimits;
  onEvents?: (state: RunState, events: RunEvent[]) => void;
  /** True once the workers are closing: a turn parks at its next wait (see DriveOptions). */
  stopping?: () => boolean;
}

export function createRunner(deps: RunnerDeps) {
  return async function runTurn(runId: string, fence: Fence): Promise<RunTurn> {
    const { state, cancel: requested } = await deps.store.loadForTurn(runId);
    if (!state) return { type: 'done' };
    if (isTerminalRun(state)) {
      // Redelivered after it ended (its worker died before the job completed): give
      // back its concurrency slot, which the dead worker may not have, and wake the next.
      // Best effort: the waiting runs' own polls and enter() free it anyway.
      if (deps.gate)
        await deps.store
          .loadDefinition(state.definition_hash)
          .then((def) => deps.gate!.leave(state, def))
          .catch((err) =>
            deps.logger.warn({ err, runId }, 'could not give back the concurrency slot of an ended run'),
          );
      return { type: 'done', outcome: state.status as Outcome };
    }
    const def = await deps.store.loadDefinition(state.definition_hash);
    const log = deps.logger.child({ runId, workflow: state.workflow });

    // A queued run waits for its concurrency group, unless it is being cancelled anyway.
    if (state.status === 'queued' && !requested && deps.gate && !(await deps.gate.enter(state, def))) {
      return { type: 'park', until: deps.clock.now() + (deps.gatePollMs ?? 2_000) };
    }

    let cancel: CancelRequest | null = requested;
    const cancelled = new AbortController();
    // Every task of the turn listens to this signal (for_each runs up to 100 at once)
    // and removes its listener when it ends; Node's warning at 11 would be a false alarm.
    setMaxListeners(0, cancelled.signal);
    if (cancel) cancelled.abort(new Error(cancel.reason));
    const unwatch = deps.cancels?.watch(runId, () => {
      deps.store
        .cancelRequest(runId)
        .then((c) => {
          cancel = c;
          if (c) cancelled.abort(new Error(c.reason));
        })
        .catch((err) => log.warn({ err }, 'could not read the cancel request; the next turn will'));
    });

    // A report that arrives while this turn runs (after job.wait looked) must not wait
    // for the next poll: the park is cut short. Parked runs are woken by the HTTP route.
    let reported = false;
    const unwatchReports = deps.reports?.wakes.watch(runId, () => {
      reported = true;
    });
    try {
      const reportUrl = deps.reports ? await deps.reports.url(runId) : '';
      // A final report ends job.wait's wait now, not at the poll it parked for.
      if (deps.reports && usesJobWait(def) && (await deps.reports.hasFinal(runId)))
        wakeStepsOfKind(def, state, 'job.wait', deps.clock.now());
      const result = await driveRun({
        def,
        state,
        now: () => deps.clock.now(),
        sleep: (ms, signal) => deps.clock.sleep(ms, signal),
        execute: deps.execute,
        persist: (s, events, touched) => deps.store.checkpoint(s, events, fence, touched),
        cancel: { signal: cancelled.signal, current: () => cancel },
        secrets: deps.secrets,
        reportUrl: () => reportUrl,
        waitDefaults: deps.waitDefaults,
        scrub: (value) => deps.redactor.scrub(value),
        ...(deps.random ? { random: deps.random } : {}),
        ...(deps.inlineWaitMs !== undefined ? { inlineWaitMs: deps.inlineWaitMs } : {}),
        ...(deps.limits ? { limits: deps.limits } : {}),
        log,
        onEvents: (s, events) => {
          deps.onEvents?.(s, events);
          logEvents(log, events);
        },
        ...(deps.stopping ? { stopping: deps.stopping } : {}),
        beforeExecute: (tasks) => {
          for (const ref of tasks) faultThrow(`run.execute:${ref.stepId}`);
        },
      });
      if (result.type === 'park') return reported ? { type: 'park', until: deps.clock.now() } : result;
      // A worker dying here leaves the ended run holding its group's slot: the gate
      // drops holders that are no longer active (tested through this point).
      faultPoint('run.end:before-gate-leave');
      await deps.gate?.leave(state, def);
      return { type: 'done', outcome: result.outcome, error: state.error };
    } finally {
      unwatch?.();
      unwatchReports?.();
    }
  };
}

const usesJobWait = (def: WorkflowDefinition): boolean =>
  [...def.steps, ...def.on_failure, ...def.finally].some((s) => s.uses === 'job.wait');

/** One log line per transition, at the event's level (shared/logger.ts: failures error, retries warn). */
export function logEvents(log: Logger, events: RunEvent[]): void {
  for (const e of events) {
    // Filled field by field: four conditional spreads per event cost more than the call.
    const fields: Record<string, unknown> = {};
    if (e.step !== undefined) fields['step'] = e.step;
    if (e.index !== undefined) fields['index'] = e.index;
    if (e.attempt !== undefined) fields['attempt'] = e.attempt;
    if (e.message !== undefined && eventLevel(e.type) !== 'info') fields['error'] = e.message;
    logEvent(log, e.type, fields, e.message ? `${e.type}: ${e.message}` : e.type);
  }
}
