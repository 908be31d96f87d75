// The one interpreter of a run: starts a turn, then loops advance -> prepareTask ->
// execute -> applyOutcome, checkpoints every outcome before the next task starts
// (reads in a row excepted: see mustWrite), and ends the turn by parking or
// completing. The worker (Redis persistence, real clock), `gcflow plan` (in memory,
// virtual clock) and the engine tests all drive runs through it. Storage, clock,
// cancellation and the actions come in as plain functions: imports no I/O.
import { READ_ONLY_KINDS, type WorkflowDefinition } from '../dsl/types.js';
import { durationMs } from '../shared/duration.js';
import {
  advance,
  type CancelRequest,
  DEFAULT_LIMITS,
  type EngineLimits,
  findStep,
  type TaskRef,
} from './advance.js';
import { event, isoTime, type RunEvent } from './events.js';
import { applyOutcome, type TaskOutcome } from './outcome.js';
import { type ResourceUpdate, releaseResource, trackResource } from './resources.js';
import type { Outcome, RunResource, RunState } from './state.js';
import { type PreparedTask, prepareTask, type WaitDefaults } from './task.js';

type LogFn = (fields: object, message?: string) => void;

/** The part of a (pino) logger the driver and actions use. */
export interface TaskLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): TaskLogger;
}

/** What an action sees of the run besides its parameters. */
export interface TaskIO {
  run: { id: string; workflow: string };
  /** Aborts on cancel (main steps), step timeout and run timeout. */
  signal: AbortSignal;
  /** Durably records the action's resumable state before it returns (e.g. before a POST). */
  checkpoint(cursor: unknown): Promise<void>;
  /** Records what this unit creates: before its create call is sent, and once answered. */
  track(update: ResourceUpdate): void;
  /** A resource of this run (any step's) was deleted. */
  released(kind: RunResource['kind'], id: string): void;
  log: TaskLogger;
}

/**
 * Runs a prepared task; failures come back as an error outcome. It throws only when
 * the run's storage is unavailable (Redis gone mid-step): the turn ends like a crash.
 */
export type TaskExecutor = (task: PreparedTask, io: TaskIO) => Promise<TaskOutcome>;

/** Where the driver learns of a cancel (a user's, or gcflow giving up). */
export interface CancelSource {
  /** Aborts when a cancel arrives while the turn runs. */
  signal: AbortSignal;
  current(): CancelRequest | null;
}

export interface DriveOptions {
  def: WorkflowDefinition;
  /** Mutated in place. */
  state: RunState;
  now(): number;
  /** Sleeps a short wait in-process (virtual time simply jumps). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  execute: TaskExecutor;
  /**
   * Writes the state with the events that led to it. Must read `state` before it
   * first awaits (the driver goes on changing it); writes must land in call order.
   * `touched`: the for_each items started or finished since the last write (with the
   * items the state lists as live, the ones whose stored copy may be stale).
   */
  persist(state: RunState, events: RunEvent[], touched: TaskRef[]): Promise<void>;
  /** Default DEFAULT_LIMITS. */
  limits?: EngineLimits;
  cancel: CancelSource;
  secrets(): Record<string, string>;
  /** The run's `run.report_url` (a secret: in memory only, like secrets); default ''. */
  reportUrl?(runId: string): string;
  waitDefaults: WaitDefaults;
  /** Removes secret values from what actions return before it is stored. */
  scrub?: <T>(value: T) => T;
  random?: () => number;
  /** Waits up to this long are slept in-process instead of ending the turn (default 250 ms). */
  inlineWaitMs?: number;
  log: TaskLogger;
  /** Sees every batch of events before it is written. */
  onEvents?(state: RunState, events: RunEvent[]): void;
  /** Called before tasks start (fault injection in tests). */
  beforeExecute?(tasks: TaskRef[]): void;
  /**
   * True once the process is shutting down: the turn then parks at its next wait, however
   * short, instead of sleeping it in-process, so it does not hold the shutdown.
   */
  stopping?(): boolean;
}

/** How long the outcomes of reads in a row may wait for a write (see mustWrite). */
export const READ_WRITE_LAG_MS = 1_000;

export type DriveResult = { type: 'park'; until: number } | { type: 'complete'; outcome: Outcome };

/** The start of every turn: counts the attempt, fixes the run's deadline. Returns its events. */
export function beginTurn(def: WorkflowDefinition, state: RunState, now: number): RunEvent[] {
  const events: RunEvent[] = [];
  if (state.status === 'queued' || state.status === 'running') {
    state.attempt += 1;
    events.push(event(state.attempt === 1 ? 'run.started' : 'run.resumed', now, { attempt: state.attempt }));
  }
  state.status = 'running';
  state.started_at ??= isoTime(now);
  if (state.deadline_at === null && def.timeout !== undefined)
    state.deadline_at = now + durationMs(def.timeout, 'timeout');
  return events;
}

export async function driveRun(o: DriveOptions): Promise<DriveResult> {
  const { def, state } = o;
  const scrub = o.scrub ?? (<T>(value: T) => value);
  const random = o.random ?? Math.random;
  const inlineWaitMs = o.inlineWaitMs ?? 250;
  let pending: RunEvent[] = beginTurn(def, state, o.now());
  let writing: Promise<void> = Promise.resolve();
  // Tasks of the current batch still running, and whether an outcome awaits its checkpoint.
  let inFlight = 0;
  let unsaved = false;
  // Whether an outcome not yet written is of a step that acts (not a read), and when the
  // last write was issued.
  let unsavedEffects = false;
  let lastWrite = o.now();
  let touched: TaskRef[] = [];
  const limits = o.limits ?? DEFAULT_LIMITS;
  const reportUrl = (): string => o.reportUrl?.(state.id) ?? '';

  const checkpoint = (): Promise<void> => {
    const events = pending;
    const items = touched;
    pending = [];
    touched = [];
    unsaved = false;
    unsavedEffects = false;
    lastWrite = o.now();
    o.onEvents?.(state, events);
    // Issued now, with the state as it is now: a later change cannot slip into this write.
    const write = o.persist(state, events, items);
    write.catch(() => undefined); // observed through `writing`
    writing = writing.then(() => write);
    writing.catch(() => undefined); // awaited by the loop and by io.checkpoint
    return writing;
  };

  for (;;) {
    const t = advance({
      def,
      state,
      now: o.now(),
      secrets: o.secrets(),
      reportUrl: reportUrl(),
      cancel: o.cancel.current(),
      limits,
    });
    pending.push(...t.events);
    const decision = t.decision;
    if (decision.type === 'complete') {
      await checkpoint();
      return { type: 'complete', outcome: state.outcome ?? 'succeeded' };
    }
    if (decision.type === 'park') {
      const delay = decision.until - o.now();
      if (delay <= inlineWaitMs && !o.stopping?.()) {
        // Short waits are slept here, but the run reads as waiting meanwhile.
        if (unsaved) await checkpoint();
        await o.sleep(Math.max(0, delay), o.cancel.signal).catch(() => undefined);
        continue;
      }
      state.status = 'waiting';
      await checkpoint();
      return { type: 'park', until: decision.until };
    }
    // The last batch's outcome is durable before the next task starts (reads excepted).
    if (unsaved && mustWrite(decision.tasks)) await checkpoint();
    o.beforeExecute?.(decision.tasks);
    for (const ref of decision.tasks) if (ref.index !== undefined) touched.push(ref);
    state.status = 'running';
    inFlight = decision.tasks.length;
    await Promise.all(decision.tasks.map((ref) => runTask(ref)));
    await writing;
  }

  /**
   * Whether the outcomes not yet written must be before `next` starts. A read's outcome
   * may wait for the next write (a Redis round trip per step saved on a run of reads)
   * when only reads ran since the last write, the next tasks are reads too, and that
   * write is under READ_WRITE_LAG_MS old: a crash then repeats at most a second of reads,
   * and nothing that acts ever starts before every earlier outcome is written.
   */
  function mustWrite(next: TaskRef[]): boolean {
    return unsavedEffects || o.now() - lastWrite >= READ_WRITE_LAG_MS || !next.every(isRead);
  }

  function isRead(ref: TaskRef): boolean {
    const uses = findStep(def, ref.stepId)?.spec.uses;
    return uses !== undefined && READ_ONLY_KINDS.has(uses);
  }

  async function runTask(ref: TaskRef): Promise<void> {
    const prepared = prepareTask(def, state, ref, o.secrets(), o.waitDefaults, reportUrl());
    let outcome: TaskOutcome;
    if (!prepared.ok) {
      outcome = { type: 'error', message: prepared.message, code: 'E_STEP_INPUT', retryable: false };
    } else {
      outcome = await execute(prepared.task, ref);
    }
    pending.push(...applyOutcome(def, state, ref, scrub(outcome), o.now(), random));
    if (!isRead(ref)) unsavedEffects = true;
    if (ref.index !== undefined) touched.push(ref);
    // While other tasks of the batch run (for_each items), each outcome is written as
    // it lands. The batch's last outcome is written with the engine's next decision,
    // one checkpoint instead of two (the run's end, a park or the next step's start).
    if (--inFlight > 0) await checkpoint();
    else unsaved = true;
  }

  async function execute(task: PreparedTask, ref: TaskRef): Promise<TaskOutcome> {
    const { signal, dispose } = taskSignal(state, ref, o.cancel.signal, o.now());
    const unitKey = ref.index === undefined ? ref.stepId : `${ref.stepId}/${ref.index}`;
    let unitLog: TaskLogger | undefined;
    try {
      return await o.execute(task, {
        run: { id: state.id, workflow: state.workflow },
        signal,
        // Created on first use: most tasks never log, and a child logger is not free.
        get log() {
          unitLog ??= o.log.child({ stepId: ref.stepId, index: ref.index, attempt: task.attempt });
          return unitLog;
        },
        checkpoint: (cursor) => {
          const step = state.steps[ref.stepId]!;
          const unit = ref.index === undefined ? step : step.items![ref.index]!;
          unit.cursor = scrub(cursor);
          return checkpoint();
        },
        // Names may hold secrets: stored redacted (the hash of the real name recognises them).
        track: (update) => trackResource(state, ref.stepId, unitKey, scrub(update)),
        released: (kind, id) => releaseResource(state, kind, id),
      });
    } finally {
      dispose();
    }
  }
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
  let timer: ReturnType<typeof setTimeout> | undefined;
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
