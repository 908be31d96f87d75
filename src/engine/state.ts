// The durable state of one run: what is checkpointed to Redis after every step and
// every for_each item, and what `gcflow status` shows. Pure data; imports nothing
// that does I/O.

export const RUN_STATUSES = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type Trigger = 'schedule' | 'manual' | 'api';
/** `cleanup`: after finally, gcflow's own step deletes what the run left behind (resources.ts). */
export type Phase = 'main' | 'on_failure' | 'finally' | 'cleanup' | 'done';
export type Outcome = 'succeeded' | 'failed' | 'cancelled';

export type StepStatus = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export const TERMINAL_STEP: ReadonlySet<StepStatus> = new Set([
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
]);
export const TERMINAL_RUN: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/** One execution unit: a step, or one item of a for_each step. */
export interface Attempted {
  status: StepStatus;
  /** Attempts started so far (a resumed wait is the same attempt). */
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
  outputs: Record<string, unknown>;
  error: string | null;
  /** Absolute time (ms) to resume a waiting unit: the next poll or the retry. */
  wake_at?: number;
  /** Set while waiting out a retry backoff: the next wake starts a new attempt. */
  retry_pending?: boolean;
  /** What a waiting unit waits for, as shown to users ("status active"). */
  waiting_for?: string;
  /** The action's own resumable state (e.g. "POST sent for name X"). Small JSON. */
  cursor?: unknown;
  /** When the current wait gives up (ms), if the action said: shown by `run --wait`. */
  wait_deadline?: number;
}

export interface ItemState extends Attempted {
  index: number;
}

export interface StepState extends Attempted {
  id: string;
  /** Absolute deadline (ms) from the step's `timeout`, fixed at its first start. */
  deadline_at?: number;
  /**
   * for_each steps: the list evaluated at start, and one state per element. The run
   * record stores neither: the list and each started item are stored on their own
   * (src/runs/items.ts), so an item's checkpoint does not rewrite the others.
   */
  for_each?: unknown[];
  items?: ItemState[];
  /** for_each: the first item never started (items start in index order). */
  items_next?: number;
  /** for_each: started items not yet known to be finished (at most max_parallel). */
  live?: number[];
  /** for_each, in a stored run record: how many items the list has (the list is stored apart). */
  items_total?: number;
}

export interface RunState {
  id: string;
  workflow: string;
  /** Content hash of the definition this run executes (stored once per version). */
  definition_hash: string;
  status: RunStatus;
  trigger: Trigger;
  /** The slot time of a scheduled run (ISO), else null. */
  scheduled_at: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  inputs: Record<string, unknown>;
  error: string | null;
  phase: Phase;
  /** Decided when the main steps end (or on cancel/timeout); finally may turn success into failure. */
  outcome: Outcome | null;
  /** Absolute deadline (ms) from the workflow's `timeout`, fixed when the run first starts. */
  deadline_at: number | null;
  /** Set once cancellation was taken into account by the engine. */
  cancelled_at: string | null;
  /** How many times a worker began executing this run (1 on the first start; more after crashes). */
  attempt: number;
  steps: Record<string, StepState>;
  /** Instances and snapshots the run's steps created, whether or not those steps succeeded. */
  resources: RunResource[];
}

/**
 * Something a step created in the cloud. Recorded from the moment its create call is
 * about to be sent (the name is known, the id not yet), so the run can always clean
 * it up: even when the step fails, is cancelled, or the answer to the call is lost.
 */
export interface RunResource {
  kind: 'instance' | 'snapshot';
  /** The creating unit: `stepId` or `stepId/index`. */
  task: string;
  step: string;
  /** As shown to users (secrets redacted). */
  name: string;
  /** sha256 of the real name: how the run recognises it in a listing. */
  name_hash: string;
  /** Set once the create call answered, or the resource was found by name. */
  id?: string;
  /** Snapshots: the instance they were taken of. */
  parent?: string;
  /** `pending`: the create call was sent, its answer not seen yet. */
  state: 'pending' | 'live' | 'deleted';
  /** `keep: true` on the step: meant to outlive the run. */
  keep: boolean;
  /** ms: when the (last) create call was about to be sent. */
  intent_at: number;
  /** ms: a create call's answer was lost; the API may still act on it until this time. */
  settle_until?: number;
}

export interface NewRun {
  id: string;
  workflow: string;
  definitionHash: string;
  trigger: Trigger;
  scheduledAt: string | null;
  inputs: Record<string, unknown>;
  now: number;
  stepIds: string[];
}

export function newRunState(run: NewRun): RunState {
  const steps: Record<string, StepState> = {};
  for (const id of run.stepIds) steps[id] = newStepState(id);
  return {
    id: run.id,
    workflow: run.workflow,
    definition_hash: run.definitionHash,
    status: 'queued',
    trigger: run.trigger,
    scheduled_at: run.scheduledAt,
    created_at: new Date(run.now).toISOString(),
    started_at: null,
    finished_at: null,
    inputs: run.inputs,
    error: null,
    phase: 'main',
    outcome: null,
    deadline_at: null,
    cancelled_at: null,
    attempt: 0,
    steps,
    resources: [],
  };
}

function pendingUnit(): Attempted {
  return { status: 'pending', attempts: 0, started_at: null, finished_at: null, outputs: {}, error: null };
}

export function newStepState(id: string): StepState {
  return { id, ...pendingUnit() };
}

export function newItemState(index: number): ItemState {
  return { index, ...pendingUnit() };
}

export const isTerminalStep = (s: { status: StepStatus }): boolean => TERMINAL_STEP.has(s.status);
export const isTerminalRun = (s: { status: RunStatus }): boolean => TERMINAL_RUN.has(s.status);
