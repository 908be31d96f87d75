// Concurrency groups: which runs of a group are active (what the overlap policy of
// a fire looks at), and the ConcurrencyGate that makes `overlap: queue` runs take
// turns: up to `concurrency.limit` (default 1) per group hold the group's slots in
// Redis, the others wait parked (holding no worker) in arrival order; `leave` frees
// the slot and wakes the next in line. A slot belongs to a run, not a worker: a run
// whose worker died keeps it while another worker resumes the run, and a run that is
// no longer active (ended without leaving) loses it at the next enter or leave.
// Must not import bullmq (waking goes through the run queue's own module).
import type { Redis } from 'ioredis';
import type { WorkflowDefinition } from '../dsl/types.js';
import { isTerminalRun, type RunState } from '../engine/state.js';
import type { RunQueue } from '../queue/runs.js';
import type { ConcurrencyGate } from '../runs/runner.js';
import { runStateRecord } from '../runs/records.js';
import { type LuaScript, luaCommand } from '../shared/lua.js';
import type { RunStore } from '../runs/store.js';
import type { Logger } from '../shared/logger.js';
import type { GroupRun } from './decisions.js';
import { schedulerKeys } from './keys.js';

const ENTER: LuaScript = {
  name: 'gcflowGateEnter',
  numberOfKeys: 4,
  file: new URL('./lua/gate-enter.lua', import.meta.url),
};
const ACTIVE_OF: LuaScript = {
  name: 'gcflowActiveOf',
  numberOfKeys: 1,
  file: new URL('./lua/active-of.lua', import.meta.url),
};
const LEAVE: LuaScript = {
  name: 'gcflowGateLeave',
  numberOfKeys: 4,
  file: new URL('./lua/gate-leave.lua', import.meta.url),
};

export interface GateDeps {
  redis: Redis;
  prefix: string;
  store: RunStore;
  queue: Pick<RunQueue, 'wake'>;
  logger: Logger;
}

/**
 * The gate the run workers consult. Only `overlap: queue` serialises runs, manual
 * and API runs included (they wait their turn like scheduled ones); every other
 * policy is decided when a schedule fires, so `enter` lets those runs through.
 */
export function createConcurrencyGate(deps: GateDeps): ConcurrencyGate {
  const keys = schedulerKeys(deps.prefix);
  const active = deps.store.keys.activeRuns;
  return {
    async enter(run: RunState, def: WorkflowDefinition): Promise<boolean> {
      if (def.concurrency.overlap !== 'queue') return true;
      const group = def.concurrency.group;
      const entered = await luaCommand(deps.redis, ENTER)(
        keys.gate(group),
        keys.gateHolders(group),
        keys.gatePending(group),
        active,
        run.id,
        String(Date.parse(run.created_at) || 0),
        String(groupLimit(def)),
      );
      if (entered !== 1) deps.logger.debug({ runId: run.id, group }, 'waits for its concurrency group');
      return entered === 1;
    },
    async leave(run: RunState, def: WorkflowDefinition): Promise<void> {
      if (def.concurrency.overlap !== 'queue') return;
      const group = def.concurrency.group;
      const next = (await luaCommand(deps.redis, LEAVE)(
        keys.gate(group),
        keys.gateHolders(group),
        keys.gatePending(group),
        active,
        run.id,
        String(groupLimit(def)),
      )) as string[];
      // Woken now rather than at their next poll; a wake that fails leaves them to it.
      for (const id of next)
        await deps.queue
          .wake(id)
          .catch((err) =>
            deps.logger.warn(
              { err, runId: id, group },
              'could not wake a waiting run; it looks again at its next poll',
            ),
          );
    },
  };
}

/** How many runs of the definition's group may hold a slot at once. */
export const groupLimit = (def: WorkflowDefinition): number => def.concurrency.limit ?? 1;

/** The runs holding a group's slots, a holder from before limits (a string key) included. */
export async function groupHolders(redis: Redis, prefix: string, group: string): Promise<Set<string>> {
  const keys = schedulerKeys(prefix);
  const [legacy, members] = await Promise.all([
    redis.get(keys.gate(group)),
    redis.smembers(keys.gateHolders(group)),
  ]);
  return new Set(legacy ? [...members, legacy] : members);
}

/** Reads the active runs of a concurrency group (definitions from the store's cache). */
export class GroupView {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly store: RunStore,
  ) {}

  /**
   * Runs not yet finished whose definition is in `group`. `workflows` names the
   * workflows that may be in it (a run id starts with its workflow's name), so
   * only their records are read; `exclude` is the firing slot's own run.
   */
  async active(group: string, workflows: string[], exclude: string): Promise<GroupRun[]> {
    const prefixes = workflows.map((w) => `${w}-`);
    if (prefixes.length === 0) return [];
    const ids = (await luaCommand(this.redis, ACTIVE_OF)(
      this.store.keys.activeRuns,
      exclude,
      ...prefixes,
    )) as string[];
    if (ids.length === 0) return [];
    const [jsons, holders] = await Promise.all([
      this.redis.mget(ids.map((id) => this.store.keys.run(id))),
      groupHolders(this.redis, this.prefix, group),
    ]);
    const out: GroupRun[] = [];
    for (const [i, json] of jsons.entries()) {
      if (json === null) continue;
      const state = runStateRecord.decode(json, this.store.keys.run(ids[i]!));
      if (isTerminalRun(state) || !workflows.includes(state.workflow)) continue;
      const def = await this.definition(state.definition_hash);
      if ((def?.concurrency.group ?? state.workflow) !== group) continue;
      out.push({ id: state.id, status: state.status as GroupRun['status'], holder: holders.has(state.id) });
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Undefined when it cannot be read (the run counts in its workflow's own group). */
  private definition(hash: string): Promise<WorkflowDefinition | undefined> {
    return this.store.loadDefinition(hash).catch(() => undefined);
  }
}
