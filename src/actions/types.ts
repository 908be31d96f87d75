// What every step kind's action receives and returns. An action is resumable:
// it gets back the cursor it last saved (decoded with the schema it declared in
// defineAction), so a crash or a park never repeats a side effect that already
// happened. Actions never sleep: to wait they return `{ type: 'wait' }` and the run parks.
import type { z } from 'zod';
import type { StepParams } from '../dsl/step-params.js';
import type { StepKind } from '../dsl/types.js';
import type { TaskIO } from '../engine/driver.js';
import type { TaskOutcome } from '../engine/outcome.js';
import type { CleanupParams, TaskKind } from '../engine/resources.js';
import type { PreparedTask } from '../engine/task.js';
import type { GenesisClient, Snapshot } from '../genesis/index.js';
import type { Ownership } from '../runs/ownership.js';
import type { RunReports } from '../runs/reports.js';
import type { Clock } from '../shared/clock.js';
import type { StatusReader } from './status-reader.js';

export type ActionResult = Extract<TaskOutcome, { type: 'done' } | { type: 'wait' }>;

/** Where actions read instance statuses: the coalesced reader, or a plan's overlay. */
export type StatusSource = Pick<StatusReader, 'get' | 'read' | 'remember' | 'invalidate'>;

/**
 * Where actions read snapshots: one list of the account's snapshots shared by every
 * step in the process (SnapshotReader), or the client call by call (plans, tests).
 */
export interface SnapshotSource {
  /** Every snapshot of the account, as listed no earlier than `notBefore` (ms). */
  listAll(opts: { notBefore: number; signal?: AbortSignal }): Promise<Snapshot[]>;
  /**
   * One instance's snapshots (`resource_id`), as listed no earlier than `notBefore`: from
   * the shared list when one is fresh enough or several instances ask (a for_each), else
   * the instance's own list.
   */
  listFor(instanceId: string, opts: { notBefore: number; signal?: AbortSignal }): Promise<Snapshot[]>;
  /** One snapshot as read no earlier than `notBefore` (ms); undefined once it is gone (404). */
  get(id: string, opts: { notBefore: number; signal?: AbortSignal }): Promise<Snapshot | undefined>;
}

/** Where actions record the instances they create: Redis, or nowhere for a plan. */
export type OwnershipRecorder = Pick<
  Ownership,
  'recordIntent' | 'recordOwned' | 'markDeleted' | 'ownedByOthers'
>;

/** A hold on an instance as actions see it (src/holds stores them). */
export interface ActiveHold {
  instance_id: string;
  instance_name?: string | undefined;
  /** ISO time the hold ends; absent: until someone lifts it. */
  until?: string | undefined;
  reason?: string | undefined;
  created_by?: string | undefined;
}

/**
 * Where actions read holds: the Redis store (src/holds), or nothing for a plan.
 * Only holds in force are returned: an expired one is as good as absent.
 */
export interface HoldSource {
  get(instanceId: string): Promise<ActiveHold | undefined>;
  list(): Promise<ActiveHold[]>;
}

/** No holds at all (plans, benchmarks). */
export const NO_HOLDS: HoldSource = {
  get: async () => undefined,
  list: async () => [],
};

/** Long-lived services shared by every action in a process. */
export interface ActionDeps {
  client: GenesisClient;
  statuses: StatusSource;
  /** Shared snapshot lists; absent: the client, call by call (directSnapshots). */
  snapshots?: SnapshotSource;
  ownership: OwnershipRecorder;
  /** Holds that keep power actions off an instance and instances.list from selecting it. */
  holds: HoldSource;
  clock: Clock;
  /** For notify.webhook; injectable for tests. */
  fetch: typeof globalThis.fetch;
  /** Batch-job reports (job.wait): Redis, or a plan's stand-in. */
  reports: ReportSource;
}

/** Where job.wait reads the last report of a run. */
export type ReportSource = Pick<RunReports, 'read'>;

/** The parameters of a task kind after expressions were evaluated. */
export type TaskParams<K extends TaskKind> = K extends StepKind ? StepParams<K> : CleanupParams;

export interface ActionContext<K extends TaskKind, C = unknown> extends ActionDeps, TaskIO {
  snapshots: SnapshotSource;
  params: TaskParams<K>;
  task: PreparedTask;
  /** The cursor this unit saved last, decoded; undefined on a first attempt. */
  cursor: C | undefined;
  now(): number;
}

export type Action<K extends TaskKind, C = unknown> = (ctx: ActionContext<K, C>) => Promise<ActionResult>;

/** An action with the shape of its cursor: what it checkpoints is checked when read back. */
export interface ActionDefinition<K extends TaskKind> {
  kind: K;
  /** The cursor's schema (the action's own type is erased here); undefined: keeps none. */
  cursor: z.ZodType | undefined;
  run: Action<K>;
}

export function defineAction<K extends TaskKind, S extends z.ZodType>(
  kind: K,
  cursor: S,
  run: Action<K, z.output<S>>,
): ActionDefinition<K> {
  // The executor decodes the cursor with `cursor` before calling `run`.
  return { kind, cursor, run: run as Action<K> };
}

export const done = (outputs: Record<string, unknown>): ActionResult => ({ type: 'done', outputs });

/** Resume at `wakeAt` with `cursor`; `deadline` (ms) is when the wait gives up, when known. */
export const waitUntil = (
  cursor: unknown,
  wakeAt: number,
  waitingFor?: string,
  deadline?: number,
): ActionResult => ({
  type: 'wait',
  cursor,
  wakeAt,
  ...(waitingFor === undefined ? {} : { waitingFor }),
  ...(deadline === undefined ? {} : { deadline }),
});
