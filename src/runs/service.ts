// The operations users perform on runs, shared by the CLI and the HTTP API:
// start, cancel, inspect, list. Validates inputs against the workflow's
// declarations; stores the exact definition each run executes.
import type { WorkflowDefinition } from '../dsl/types.js';
import { coerceInputs } from '../dsl/inputs.js';
import { event, type RunEvent } from '../engine/events.js';
import { isTerminalRun, newRunState, type RunState, type RunStatus, type Trigger } from '../engine/state.js';
import type { RunQueue } from '../queue/runs.js';
import type { Clock } from '../shared/clock.js';
import { ExitCode, GcflowError } from '../shared/errors.js';
import { manualRunId } from '../shared/ids.js';
import { definitionHash, type ListFilter, type RunStore } from './store.js';

export class InputError extends GcflowError {
  override readonly name = 'InputError';
  constructor(workflow: string, problems: string[]) {
    super('E_INPUT_INVALID', `invalid inputs for workflow ${workflow}: ${problems.join('; ')}`, {
      hint: 'pass inputs as -i name=value (CLI) or a JSON object (API); see the workflow file for its inputs',
      exitCode: ExitCode.usage,
    });
  }
}

export interface StartRun {
  def: WorkflowDefinition;
  inputs: Record<string, unknown>;
  trigger: Trigger;
  /** Deterministic id (scheduled fires); default: a fresh manual id. */
  id?: string;
  scheduledAt?: string | null;
}

/** A run's first state and events, not yet stored (RunService.prepare). */
export interface PreparedRun {
  state: RunState;
  events: RunEvent[];
}

export interface StartedRun {
  runId: string;
  /** False when a run with this id already existed (a re-delivered fire). */
  created: boolean;
}

/** The public JSON of a run (DESIGN.md: `gcflow status --json` and the HTTP API). */
export interface RunView {
  id: string;
  workflow: string;
  status: RunStatus;
  trigger: Trigger;
  scheduled_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  created_at: string;
  inputs: Record<string, unknown>;
  error: string | null;
  attempt: number;
  /** A queued run (`gcflow status`, GET /api/runs/:id only): what it waits for to start. */
  waiting_for?: string;
  steps: Array<{
    id: string;
    status: string;
    attempts: number;
    started_at: string | null;
    finished_at: string | null;
    outputs: Record<string, unknown>;
    error: string | null;
    waiting_for?: string;
    /** for_each steps: how many items the list has (list views carry no item arrays). */
    item_count?: number;
    items?: Array<{
      index: number;
      status: string;
      attempts: number;
      outputs: Record<string, unknown>;
      error: string | null;
    }>;
  }>;
}

/** What a queued run waits for before it starts, in words; undefined when nothing holds it. */
export type QueuedReason = (run: RunState) => Promise<string | undefined>;

export interface RunServiceOptions {
  /** How a run without a given id gets one. */
  newId?: (workflow: string, nowMs: number) => string;
  /** Why a queued run has not started (the composition root knows the gate and the queue). */
  queuedReason?: QueuedReason;
}

export class RunService {
  private readonly newId: (workflow: string, nowMs: number) => string;

  constructor(
    private readonly store: RunStore,
    private readonly queue: RunQueue,
    private readonly clock: Clock,
    private readonly options: RunServiceOptions = {},
  ) {
    this.newId = options.newId ?? manualRunId;
  }

  /**
   * A run ready to be created: its inputs checked (InputError), its first state and
   * event. start() creates and queues it; a schedule fire creates it in the same step
   * as the slot's claim (RunStore.creation) and then queues it (enqueue).
   */
  prepare(request: StartRun): PreparedRun {
    const { def } = request;
    const origin = request.trigger === 'schedule' ? 'trigger' : request.trigger === 'api' ? 'api' : 'cli';
    const coerced = coerceInputs(def, request.inputs, origin);
    if (coerced.errors.length > 0) throw new InputError(def.name, coerced.errors);
    const now = this.clock.now();
    const state = newRunState({
      id: request.id ?? this.newId(def.name, now),
      workflow: def.name,
      definitionHash: definitionHash(def),
      trigger: request.trigger,
      scheduledAt: request.scheduledAt ?? null,
      inputs: coerced.values,
      now,
      stepIds: [...def.steps, ...def.on_failure, ...def.finally].map((s) => s.id),
    });
    return { state, events: [event('run.queued', now, { message: `trigger ${request.trigger}` })] };
  }

  async start(request: StartRun): Promise<StartedRun> {
    const { def } = request;
    // A given id is a deduplication key: an existing run is the answer. A fresh id that
    // is taken is a collision: this start must still get a run of its own.
    for (let tries = 1; ; tries++) {
      const { state, events } = this.prepare(request);
      const id = state.id;
      const created = await this.store.create(state, events, def);
      if (created || request.id !== undefined) {
        // Added even when the record existed: if a crash came between the two writes,
        // this re-adds the missing job; BullMQ ignores a duplicate job id.
        const existing = created ? state : await this.store.load(id);
        if (existing && !isTerminalRun(existing)) await this.enqueue(id);
        return { runId: id, created };
      }
      if (tries >= 5)
        throw new GcflowError('E_RUN_ID_TAKEN', `${tries} fresh run ids for ${def.name} were all taken`, {
          hint: 'this should not happen with random ids: is the clock or the random source broken?',
        });
    }
  }

  /** Queues the job of a created run (BullMQ ignores a duplicate job id). */
  enqueue(runId: string): Promise<void> {
    return this.queue.add(runId);
  }

  /** Requests cancellation; the run's finally steps still run. False when it had already ended. */
  async cancel(runId: string, reason = 'cancelled by user'): Promise<boolean> {
    const state = await this.store.mustLoad(runId);
    if (isTerminalRun(state)) return false;
    const now = this.clock.now();
    if (await this.store.requestCancel(runId, reason, now)) {
      await this.store.appendEvents(runId, [event('run.cancel_requested', now, { message: reason })]);
    }
    await this.queue.wake(runId);
    return true;
  }

  async get(runId: string): Promise<RunView> {
    return this.view(await this.store.mustLoad(runId));
  }

  /** The run's public JSON; a queued run's says what it waits for. */
  async view(state: RunState): Promise<RunView> {
    const view = toRunView(state);
    if (state.status !== 'queued' || !this.options.queuedReason) return view;
    const reason = await this.options.queuedReason(state);
    return reason === undefined ? view : { ...view, waiting_for: reason };
  }

  async list(filter: ListFilter): Promise<RunView[]> {
    return (await this.store.list(filter)).map(toRunView);
  }
}

export function toRunView(state: RunState): RunView {
  return {
    id: state.id,
    workflow: state.workflow,
    status: state.status,
    trigger: state.trigger,
    scheduled_at: state.scheduled_at,
    started_at: state.started_at,
    finished_at: state.finished_at,
    created_at: state.created_at,
    inputs: state.inputs,
    error: state.error,
    attempt: state.attempt,
    steps: Object.values(state.steps).map((s) => ({
      id: s.id,
      status: s.status,
      attempts: s.attempts,
      started_at: s.started_at,
      finished_at: s.finished_at,
      outputs: s.outputs,
      error: s.error,
      ...(s.waiting_for && s.status === 'waiting' ? { waiting_for: s.waiting_for } : {}),
      ...(s.items || s.items_total !== undefined ? { item_count: s.items?.length ?? s.items_total } : {}),
      ...(s.items
        ? {
            items: s.items.map((i) => ({
              index: i.index,
              status: i.status,
              attempts: i.attempts,
              outputs: i.outputs,
              error: i.error,
            })),
          }
        : {}),
    })),
  };
}
