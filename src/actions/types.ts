// What every step kind's action receives and returns. An action is resumable:
// it gets back the cursor it last saved, so a crash or a park never repeats a
// side effect that already happened. Actions never sleep: to wait they return
// `{ type: 'wait' }` and the run parks.
import type { StepParams } from '../dsl/step-params.js';
import type { StepKind } from '../dsl/types.js';
import type { TaskOutcome } from '../engine/outcome.js';
import type { PreparedTask } from '../engine/task.js';
import type { GenesisClient } from '../genesis/index.js';
import type { Ownership } from '../runs/ownership.js';
import type { TaskIO } from '../runs/runner.js';
import type { Clock } from '../shared/clock.js';
import type { StatusReader } from './status-reader.js';

export type ActionResult = Extract<TaskOutcome, { type: 'done' } | { type: 'wait' }>;

/** Where actions read instance statuses: the coalesced reader, or a plan's overlay. */
export type StatusSource = Pick<StatusReader, 'get' | 'invalidate'>;

/** Where actions record the instances they create: Redis, or nowhere for a plan. */
export type OwnershipRecorder = Pick<
  Ownership,
  'recordIntent' | 'recordOwned' | 'markDeleted' | 'ownedByOthers'
>;

/** Long-lived services shared by every action in a process. */
export interface ActionDeps {
  client: GenesisClient;
  statuses: StatusSource;
  ownership: OwnershipRecorder;
  clock: Clock;
  /** For notify.webhook; injectable for tests. */
  fetch: typeof globalThis.fetch;
}

export interface ActionContext<K extends StepKind> extends ActionDeps, TaskIO {
  params: StepParams<K>;
  task: PreparedTask;
  now(): number;
}

export type Action<K extends StepKind> = (ctx: ActionContext<K>) => Promise<ActionResult>;

export const done = (outputs: Record<string, unknown>): ActionResult => ({ type: 'done', outputs });
export const waitUntil = (cursor: unknown, wakeAt: number, waitingFor?: string): ActionResult => ({
  type: 'wait',
  cursor,
  wakeAt,
  ...(waitingFor === undefined ? {} : { waitingFor }),
});
