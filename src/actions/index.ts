// Every task kind's action, and the executor that runs a prepared task through the
// right one: it decodes the unit's saved cursor with the action's declared schema and
// turns whatever the action throws into the engine's error outcome (except Redis being
// unavailable, which ends the turn: see createExecutor).
import type { TaskExecutor, TaskIO } from '../engine/driver.js';
import type { TaskOutcome } from '../engine/outcome.js';
import type { TaskKind } from '../engine/resources.js';
import { isRedisUnavailable } from '../queue/outage.js';
import type { PreparedTask } from '../engine/task.js';
import { runCleanup } from './cleanup.js';
import { StepFailure, toErrorOutcome } from './errors.js';
import { instanceCreate } from './instance-create.js';
import { instanceDelete } from './instance-delete.js';
import { instanceReset, instanceStart, instanceStop } from './instance-power.js';
import { instanceSnapshot } from './instance-snapshot.js';
import { instanceUpdate } from './instance-update.js';
import { instanceWait } from './instance-wait.js';
import { jobWait } from './job-wait.js';
import { instanceGet, instancesList } from './instances-read.js';
import { availabilityCheck, notifyWebhook, sleep } from './misc.js';
import { directSnapshots } from './snapshot-reader.js';
import { snapshotClone, snapshotDelete, snapshotsList } from './snapshots.js';
import { snapshotsPrune } from './snapshots-prune.js';
import type { Action, ActionContext, ActionDefinition, ActionDeps } from './types.js';

/** Each kind's action: with its cursor schema (defineAction), or a plain function that keeps no cursor. */
export const ACTIONS: { [K in TaskKind]: ActionDefinition<K> | Action<K> } = {
  'instances.list': instancesList,
  'instance.get': instanceGet,
  'instance.create': instanceCreate,
  'instance.start': instanceStart,
  'instance.stop': instanceStop,
  'instance.reset': instanceReset,
  'instance.delete': instanceDelete,
  'instance.update': instanceUpdate,
  'instance.wait': instanceWait,
  'job.wait': jobWait,
  'instance.snapshot': instanceSnapshot,
  'snapshots.list': snapshotsList,
  'snapshot.delete': snapshotDelete,
  'snapshot.clone': snapshotClone,
  'snapshots.prune': snapshotsPrune,
  'availability.check': availabilityCheck,
  'notify.webhook': notifyWebhook,
  sleep,
  'run.cleanup': runCleanup,
};

function actionOf(kind: TaskKind): ActionDefinition<TaskKind> {
  const entry = ACTIONS[kind] as ActionDefinition<TaskKind> | Action<TaskKind>;
  return typeof entry === 'function' ? { kind, cursor: undefined, run: entry } : entry;
}

/** The saved cursor as the action declared it; a shape it does not know fails the step. */
function decodeCursor(action: ActionDefinition<TaskKind>, task: PreparedTask): unknown {
  if (task.cursor === undefined || action.cursor === undefined) return undefined;
  const checked = action.cursor.safeParse(task.cursor);
  if (checked.success) return checked.data;
  const issue = checked.error.issues[0]!;
  throw new StepFailure(
    'E_CURSOR_INVALID',
    `step ${task.ref.stepId}: its saved progress does not have the shape ${task.kind} expects (${issue.path.join('.') || 'cursor'}: ${issue.message})`,
    'a gcflow upgrade changed how this step records its progress while the run was under way; check what the step created by hand',
  );
}

export function createExecutor(deps: ActionDeps): TaskExecutor {
  const snapshots = deps.snapshots ?? directSnapshots(deps.client);
  return async (task: PreparedTask, io: TaskIO): Promise<TaskOutcome> => {
    const action = actionOf(task.kind);
    try {
      // Field by field, not `{ ...deps, ...io }`: spreading io would call its lazy `log`
      // getter (a child logger per step, which most steps never use).
      const ctx: ActionContext<TaskKind> = {
        client: deps.client,
        statuses: deps.statuses,
        snapshots,
        ownership: deps.ownership,
        holds: deps.holds,
        clock: deps.clock,
        fetch: deps.fetch,
        reports: deps.reports,
        run: io.run,
        signal: io.signal,
        checkpoint: io.checkpoint,
        track: io.track,
        released: io.released,
        get log() {
          return io.log;
        },
        params: task.params as ActionContext<TaskKind>['params'],
        task,
        cursor: decodeCursor(action, task),
        now: () => deps.clock.now(),
      };
      return await action.run(ctx);
    } catch (err) {
      // Redis gone mid-step (an outage, a failover) is no failure of the step: the turn
      // ends, and BullMQ retries it from the last checkpoint once Redis answers.
      if (isRedisUnavailable(err)) throw err;
      return toErrorOutcome(err, io.signal);
    }
  };
}

export {
  directSnapshots,
  SNAPSHOT_ASK_WINDOW_MS,
  SnapshotReader,
  type SnapshotReaderOptions,
} from './snapshot-reader.js';
export { StatusReader, type StatusReaderOptions } from './status-reader.js';
export type {
  ActionDeps,
  ActiveHold,
  HoldSource,
  OwnershipRecorder,
  ReportSource,
  SnapshotSource,
  StatusSource,
} from './types.js';
export { NO_HOLDS } from './types.js';
