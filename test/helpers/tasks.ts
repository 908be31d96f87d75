// A prepared task, the io and the services an action sees, for tests that call an
// executor directly (no engine, no run): the defaults an engine would fill, overridable.
import { NO_HOLDS } from '../../src/actions/index.js';
import type { ActionDeps } from '../../src/actions/types.js';
import type { TaskIO } from '../../src/engine/driver.js';
import type { PreparedTask } from '../../src/engine/task.js';
import type { GenesisClient } from '../../src/genesis/index.js';

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

/**
 * What actions need besides the client, for tests that call an executor directly:
 * statuses read live from the client (stamped with `now`), ownership records kept
 * nowhere (`othersOwn`: the names other runs own), no holds, no reports.
 */
export function liveActionDeps(
  client: GenesisClient,
  now: () => number,
  othersOwn: string[] = [],
): ActionDeps {
  const live = async (id: string) => ({ at: now(), instance: await client.instances.get(id) });
  return {
    client,
    statuses: { get: live, read: live, remember: async () => {}, invalidate: async () => {} },
    ownership: {
      recordIntent: async () => {},
      recordOwned: async () => {},
      markDeleted: async () => {},
      ownedByOthers: async () => new Set(othersOwn),
    },
    holds: NO_HOLDS,
    clock: { now, sleep: async () => {} },
    fetch: globalThis.fetch,
    reports: { read: async () => undefined },
  };
}
