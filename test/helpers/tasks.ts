// A prepared task and the io an action sees, for unit tests that call an executor
// directly (no engine, no run): the defaults an engine would fill, overridable.
import type { TaskIO } from '../../src/engine/driver.js';
import type { PreparedTask } from '../../src/engine/task.js';

export function preparedTask(task: {
  ref: PreparedTask['ref'];
  kind: string;
  params: object;
  cursor?: unknown;
  wait?: { statuses: string[]; timeoutMs: number; pollMs: number };
}): PreparedTask {
  const unit = task.ref.index === undefined ? task.ref.stepId : `${task.ref.stepId}/${task.ref.index}`;
  return {
    wait: undefined,
    key: `r/${unit}`,
    attempt: 1,
    cursor: undefined,
    defaults: { pollMs: 10_000, timeoutMs: 60_000 },
    ...task,
  } as unknown as PreparedTask;
}

/** Run `r` of workflow `w`, never aborted; checkpoints and resource notes are dropped; logs go nowhere. */
export function taskIO(): TaskIO {
  const quiet = () => undefined;
  const log = { debug: quiet, info: quiet, warn: quiet, error: quiet, child: () => log };
  return {
    run: { id: 'r', workflow: 'w' },
    signal: new AbortController().signal,
    checkpoint: async () => undefined,
    track: () => undefined,
    released: () => undefined,
    log,
  };
}
