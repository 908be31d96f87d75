// Every step kind's action, and the executor that runs a prepared task through
// the right one, turning whatever it throws into the engine's error outcome.
import type { StepKind } from '../dsl/types.js';
import type { TaskOutcome } from '../engine/outcome.js';
import type { PreparedTask } from '../engine/task.js';
import type { TaskExecutor, TaskIO } from '../runs/runner.js';
import { toErrorOutcome } from './errors.js';
import { instanceCreate } from './instance-create.js';
import { instanceDelete } from './instance-delete.js';
import { instanceReset, instanceStart, instanceStop } from './instance-power.js';
import { instanceSnapshot } from './instance-snapshot.js';
import { instanceUpdate } from './instance-update.js';
import { instanceWait } from './instance-wait.js';
import { instanceGet, instancesList } from './instances-read.js';
import { availabilityCheck, notifyWebhook, sleep } from './misc.js';
import { snapshotsPrune } from './snapshots-prune.js';
import { snapshotClone, snapshotDelete, snapshotsList } from './snapshots.js';
import type { Action, ActionContext, ActionDeps } from './types.js';

export const ACTIONS: { [K in StepKind]: Action<K> } = {
  'instances.list': instancesList,
  'instance.get': instanceGet,
  'instance.create': instanceCreate,
  'instance.start': instanceStart,
  'instance.stop': instanceStop,
  'instance.reset': instanceReset,
  'instance.delete': instanceDelete,
  'instance.update': instanceUpdate,
  'instance.wait': instanceWait,
  'instance.snapshot': instanceSnapshot,
  'snapshots.list': snapshotsList,
  'snapshot.delete': snapshotDelete,
  'snapshot.clone': snapshotClone,
  'snapshots.prune': snapshotsPrune,
  'availability.check': availabilityCheck,
  'notify.webhook': notifyWebhook,
  sleep,
};

export function createExecutor(deps: ActionDeps): TaskExecutor {
  return async (task: PreparedTask, io: TaskIO): Promise<TaskOutcome> => {
    const action = ACTIONS[task.kind] as Action<StepKind>;
    // Field by field, not `{ ...deps, ...io }`: spreading io would call its lazy `log`
    // getter (a child logger per step, which most steps never use).
    const ctx: ActionContext<StepKind> = {
      client: deps.client,
      statuses: deps.statuses,
      ownership: deps.ownership,
      clock: deps.clock,
      fetch: deps.fetch,
      run: io.run,
      signal: io.signal,
      checkpoint: io.checkpoint,
      get log() {
        return io.log;
      },
      params: task.params as ActionContext<StepKind>['params'],
      task,
      now: () => deps.clock.now(),
    };
    try {
      return await action(ctx);
    } catch (err) {
      return toErrorOutcome(err, io.signal);
    }
  };
}

export { StatusReader, type StatusReaderOptions } from './status-reader.js';
export type { ActionDeps, OwnershipRecorder, StatusSource } from './types.js';
