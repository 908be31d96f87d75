// Why a queued run has not started yet, in words (`gcflow status`, the run page,
// `gcflow run --wait`): its concurrency group is full, no daemon takes runs from this
// Redis, every worker slot is busy, or its job is missing. Read on demand from the gate's keys and the
// run queue; nothing is written.
import type { Redis } from 'ioredis';
import type { WorkflowDefinition } from '../dsl/types.js';
import type { RunState } from '../engine/state.js';
import type { RunQueue } from '../queue/runs.js';
import type { QueuedReason } from '../runs/service.js';
import type { RunStore } from '../runs/store.js';
import { groupHolders, groupLimit } from './gate.js';
import { schedulerKeys } from './keys.js';

export interface QueuedReasonDeps {
  redis: Redis;
  prefix: string;
  store: Pick<RunStore, 'loadDefinition' | 'keys'>;
  queue: Pick<RunQueue, 'workerCount' | 'jobState'>;
}

/** What a group's slots look like to one waiting run. */
export interface GroupWait {
  group: string;
  limit: number;
  /** Live runs holding the group's slots (not the run itself). */
  holders: string[];
  /** Live runs that arrived before it and wait too. */
  ahead: number;
}

export function queuedReason(deps: QueuedReasonDeps): QueuedReason {
  return async (run: RunState) => {
    const def = await deps.store.loadDefinition(run.definition_hash).catch(() => undefined);
    if (def?.concurrency.overlap === 'queue') {
      const wait = await groupWait(deps, run.id, def);
      if (wait.holders.length >= wait.limit || wait.ahead > 0) return describeGroupWait(wait);
    }
    if ((await deps.queue.workerCount()) === 0)
      return 'a worker: no gcflow daemon takes runs from this Redis; start one with `gcflow daemon`';
    const job = await deps.queue.jobState(run.id);
    if (job === 'waiting' || job === 'prioritized') return 'a free worker: every worker slot is busy';
    if (job === undefined)
      return 'its job, which is missing (lost with Redis data, or a crash right after the run was created): the daemon queues it again at its next requeue check';
    return undefined;
  };
}

/** The group's live holders and how many live runs wait before `runId`. */
export async function groupWait(
  deps: Pick<QueuedReasonDeps, 'redis' | 'prefix' | 'store'>,
  runId: string,
  def: WorkflowDefinition,
): Promise<GroupWait> {
  const group = def.concurrency.group;
  const [held, pending] = await Promise.all([
    groupHolders(deps.redis, deps.prefix, group),
    deps.redis.zrange(schedulerKeys(deps.prefix).gatePending(group), '0', '-1'),
  ]);
  const holding = [...held].filter((id) => id !== runId);
  const mine = pending.indexOf(runId);
  const before = mine < 0 ? pending : pending.slice(0, mine);
  const candidates = [...holding, ...before];
  const live =
    candidates.length === 0 ? [] : await deps.redis.smismember(deps.store.keys.activeRuns, ...candidates);
  return {
    group,
    limit: groupLimit(def),
    holders: holding.filter((_, i) => live[i] === 1).sort(),
    ahead: before.filter((_, i) => live[holding.length + i] === 1).length,
  };
}

export function describeGroupWait(wait: GroupWait): string {
  const parts: string[] = [];
  if (wait.holders.length > 0) {
    const slots = `${wait.limit} slot${wait.limit === 1 ? '' : 's'}`;
    parts.push(`${wait.holders.length} of ${slots} held by ${wait.holders.join(', ')}`);
  }
  parts.push(
    wait.ahead === 0 ? 'next in line' : `${wait.ahead} run${wait.ahead === 1 ? '' : 's'} ahead of it`,
  );
  return `its turn in concurrency group ${wait.group} (${parts.join('; ')})`;
}
