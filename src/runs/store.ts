// Run records, their event history and the definitions they execute, in Redis.
// A run record outlives BullMQ's job retention, so `gcflow status`, `runs` and
// audit always work. Checkpoints are fenced: a worker that lost its job lock
// (it stalled and another worker took over) can no longer write.
// Must not import bullmq (the fence comes in as plain key + token).
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { WorkflowDefinition } from '../dsl/types.js';
import type { TaskRef } from '../engine/advance.js';
import type { RunEvent } from '../engine/events.js';
import type { ItemState } from '../engine/state.js';
import { isTerminalRun, type RunState, type RunStatus } from '../engine/state.js';
import type { Fence } from '../queue/runs.js';
import { ExitCode, GcflowError } from '../shared/errors.js';
import { execChecked } from '../shared/exec.js';
import { type LuaCommand, type LuaScript, luaCommand } from '../shared/lua.js';
import { RecordError } from '../shared/records.js';
import { mergeItems, splitState, storedItemSteps } from './items.js';
import { type RunKeys, runKeys } from './keys.js';
import { cancelRecord, definitionRecord, itemRecord, runEventRecord, runStateRecord } from './records.js';

export type { Fence } from '../queue/runs.js';

export class LockLostError extends GcflowError {
  override readonly name = 'LockLostError';
  constructor(runId: string) {
    super('E_LOCK_LOST', `lost the lock on run ${runId}: another worker has taken it over`, {
      hint: 'nothing to do: the other worker continues the run from its last checkpoint',
    });
  }
}

export class RunNotFoundError extends GcflowError {
  override readonly name = 'RunNotFoundError';
  constructor(runId: string) {
    super('E_RUN_NOT_FOUND', `no run ${runId}`, {
      hint: 'list runs with `gcflow runs`; finished runs are kept for engine.history_retention',
      exitCode: ExitCode.usage,
    });
  }
}

/** A run's history is capped: beyond this many events, later ones are dropped (and counted). */
const EVENTS_MAX = 10_000;

// The history is a plain list: a stream costs ~4.7 KB even for four entries, a list
// about the size of its JSON, and waiting runs must stay small.
const CHECKPOINT: LuaScript = {
  name: 'gcflowCheckpoint',
  // 4 fixed keys, then the run's for_each keys: the key count is the first argument.
  file: new URL('./lua/checkpoint.lua', import.meta.url),
};

/** `create_run(keys, k, argv, a, last)`, for scripts that create a run (see RunCreation). */
export const CREATE_RUN_LUA = new URL('./lua/create-run.lua', import.meta.url);

const CREATE: LuaScript = {
  name: 'gcflowRunCreate',
  numberOfKeys: 6,
  file: new URL('./lua/create.lua', import.meta.url),
  uses: [CREATE_RUN_LUA],
};

/**
 * A run's creation as create_run (CREATE_RUN_LUA) takes it: 6 keys, then 4 arguments
 * and the events. Another script may create the run in the same step as its own work.
 */
export interface RunCreation {
  keys: string[];
  args: string[];
}

/** A cancel request as stored; `kind` absent means a user's (see CancelRequest, src/engine/advance.ts). */
export type CancelRecord = ReturnType<typeof cancelRecord.decode>;

export interface ListFilter {
  workflow?: string;
  status?: RunStatus;
  limit?: number;
}

/**
 * Each definition's hash and stored JSON, worked out once per definition object: a
 * definition is never changed once built (it is addressed by its content), and every
 * start of a run (1,000 schedule fires in a second) needs both.
 */
const encodedDefinitions = new WeakMap<WorkflowDefinition, { hash: string; json?: string }>();

function encoded(def: WorkflowDefinition): { hash: string; json?: string } {
  let known = encodedDefinitions.get(def);
  if (!known) {
    known = { hash: createHash('sha256').update(JSON.stringify(def)).digest('hex').slice(0, 32) };
    encodedDefinitions.set(def, known);
  }
  return known;
}

/** A definition's address: the sha256 of its JSON, 32 hex digits. */
export function definitionHash(def: WorkflowDefinition): string {
  return encoded(def).hash;
}

/** A definition as stored: its versioned record's JSON. */
function definitionJson(def: WorkflowDefinition): string {
  const known = encoded(def);
  known.json ??= definitionRecord.encode(def);
  return known.json;
}

export class RunStore {
  readonly keys: RunKeys;

  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
    private readonly retentionSeconds = 30 * 86_400,
  ) {
    this.keys = runKeys(prefix);
    this.checkpointScript = luaCommand(redis, CHECKPOINT);
    this.createScript = luaCommand(redis, CREATE);
  }

  private readonly checkpointScript: LuaCommand;
  private readonly createScript: LuaCommand;

  /**
   * Definitions are immutable (addressed by content), so each process reads one once
   * (callers asking at the same time share the read; a failed read is not kept), and
   * one it has just saved not at all. The one cache of definitions in a process.
   */
  private readonly definitions = new Map<string, Promise<WorkflowDefinition>>();

  /** Stores a definition once per distinct content; returns its hash. */
  async saveDefinition(def: WorkflowDefinition): Promise<string> {
    const hash = definitionHash(def);
    await this.redis.set(this.keys.definition(hash), definitionJson(def), 'NX');
    if (!this.definitions.has(hash)) this.definitions.set(hash, Promise.resolve(def));
    return hash;
  }

  loadDefinition(hash: string): Promise<WorkflowDefinition> {
    let def = this.definitions.get(hash);
    if (!def) {
      def = this.readDefinition(hash);
      this.definitions.set(hash, def);
      def.catch(() => this.definitions.delete(hash));
    }
    return def;
  }

  private async readDefinition(hash: string): Promise<WorkflowDefinition> {
    const key = this.keys.definition(hash);
    const json = await this.redis.get(key);
    if (json === null)
      throw new GcflowError('E_DEFINITION_MISSING', `workflow definition ${hash} is missing from Redis`, {
        hint: 'the run cannot continue; was Redis flushed or its keys evicted? use maxmemory-policy noeviction',
      });
    return definitionRecord.decode(json, key);
  }

  /**
   * Creates the run record; false when a run with this id already exists. With `def`
   * (whose hash is the state's definition_hash), the definition is stored in the same
   * step unless it is there already.
   */
  async create(state: RunState, events: RunEvent[], def?: WorkflowDefinition): Promise<boolean> {
    const { keys, args } = this.creation(state, events, def);
    return (await this.createScript(...keys, ...args)) === 1;
  }

  /** What create() sends, for a script that creates the run in the same step as its own work. */
  creation(state: RunState, events: RunEvent[], def?: WorkflowDefinition): RunCreation {
    return {
      keys: [
        this.keys.run(state.id),
        this.keys.allRuns,
        this.keys.workflowRuns(state.workflow),
        this.keys.activeRuns,
        this.keys.events(state.id),
        this.keys.definition(state.definition_hash),
      ],
      args: [
        runStateRecord.encode(state),
        String(Date.parse(state.created_at)),
        state.id,
        def === undefined ? '' : definitionJson(def),
        ...events.map((e) => runEventRecord.encode(e)),
      ],
    };
  }

  /** The whole state, for_each lists and items included. */
  async load(id: string): Promise<RunState | undefined> {
    const key = this.keys.run(id);
    const json = await this.redis.get(key);
    return json === null ? undefined : this.withItems(runStateRecord.decode(json, key));
  }

  /** The state and any cancel request (the start of every run turn). */
  async loadForTurn(id: string): Promise<{ state: RunState | undefined; cancel: CancelRecord | null }> {
    const [state, cancel] = await this.redis.mget(this.keys.run(id), this.keys.cancel(id));
    return {
      state: state ? await this.withItems(runStateRecord.decode(state, this.keys.run(id))) : undefined,
      cancel: cancel ? cancelRecord.decode(cancel, this.keys.cancel(id)) : null,
    };
  }

  /** for_each steps stored apart are read back and merged (one round trip for all of them). */
  private async withItems(state: RunState): Promise<RunState> {
    const steps = storedItemSteps(state);
    const stored = new Set<string>();
    this.listsStored.set(state, stored);
    if (steps.length === 0) return state;
    const pipeline = this.redis.pipeline();
    for (const step of steps) {
      pipeline.get(this.keys.itemList(state.id, step));
      pipeline.hgetall(this.keys.items(state.id, step));
    }
    const replies = await execChecked(pipeline);
    steps.forEach((step, i) => {
      const listJson = replies[2 * i];
      const fields = replies[2 * i + 1];
      const listKey = this.keys.itemList(state.id, step);
      const list: unknown = listJson === null ? [] : JSON.parse(String(listJson));
      if (!Array.isArray(list))
        throw new RecordError(
          'E_RECORD_INVALID',
          listKey,
          'for_each list is not a JSON list',
          'the key was changed outside gcflow',
        );
      const itemsKey = this.keys.items(state.id, step);
      const items = new Map<number, ItemState>();
      for (const [field, json] of Object.entries(fields as Record<string, string>))
        items.set(Number(field), itemRecord.decode(json, `${itemsKey}[${field}]`));
      mergeItems(state.steps[step]!, { list, items });
      stored.add(step);
    });
    return state;
  }

  async mustLoad(id: string): Promise<RunState> {
    const state = await this.load(id);
    if (!state) throw new RunNotFoundError(id);
    return state;
  }

  /** Writes the state and appends its events atomically; throws LockLostError when fenced out. */
  /**
   * Writes the state and appends its events atomically; throws LockLostError when
   * fenced out. Encodes synchronously (the caller goes on changing `state`). `touched`:
   * for_each items changed since the last checkpoint (see items.ts).
   */
  async checkpoint(
    state: RunState,
    events: RunEvent[],
    fence?: Fence,
    touched: TaskRef[] = [],
  ): Promise<void> {
    const stored = this.listsStored.get(state) ?? new Set<string>();
    this.listsStored.set(state, stored);
    const write = splitState(state, touched, stored);
    const extraKeys: string[] = [];
    const extraArgs: string[] = [];
    for (const step of write.steps) {
      const list = write.lists.find((l) => l.step === step);
      extraKeys.push(this.keys.itemList(state.id, step), this.keys.items(state.id, step));
      extraArgs.push(...(list ? ['1', list.json] : ['0']));
      const items = write.items.get(step) ?? [];
      extraArgs.push(String(items.length), ...items.flatMap(([index, json]) => [String(index), json]));
    }
    const ok = await this.checkpointScript(
      4 + extraKeys.length,
      fence?.lockKey ?? this.keys.run(state.id),
      this.keys.run(state.id),
      this.keys.events(state.id),
      this.keys.activeRuns,
      ...extraKeys,
      fence?.token ?? '',
      runStateRecord.encode(write.record),
      isTerminalRun(state) ? '1' : '0',
      state.id,
      String(this.retentionSeconds),
      String(EVENTS_MAX),
      String(events.length),
      ...events.map((e) => runEventRecord.encode(e)),
      ...extraArgs,
    );
    if (ok !== 1) throw new LockLostError(state.id);
  }

  /** Which for_each lists of a state in memory are already stored (they never change). */
  private readonly listsStored = new WeakMap<RunState, Set<string>>();

  /** Appends events without touching the state (e.g. a cancel request). */
  async appendEvents(id: string, events: RunEvent[]): Promise<void> {
    if (events.length > 0)
      await this.redis.rpush(this.keys.events(id), ...events.map((e) => runEventRecord.encode(e)));
  }

  /** Events after the first `after` ones, with their positions as cursors for the next call. */
  async events(id: string, after = 0, count = 1000): Promise<Array<{ id: number; event: RunEvent }>> {
    const key = this.keys.events(id);
    const rows = await this.redis.lrange(key, after, after + count - 1);
    return rows.map((json, i) => ({
      id: after + i + 1,
      event: runEventRecord.decode(json, `${key}[${after + i}]`),
    }));
  }

  /** Newest first. Status filtering reads records, so `limit` bounds the work. */
  async list(filter: ListFilter = {}): Promise<RunState[]> {
    const limit = filter.limit ?? 50;
    const key = filter.workflow ? this.keys.workflowRuns(filter.workflow) : this.keys.allRuns;
    const out: RunState[] = [];
    const page = Math.max(limit, 100);
    for (let start = 0; out.length < limit; start += page) {
      const ids = await this.redis.zrevrange(key, start, start + page - 1);
      if (ids.length === 0) break;
      const jsons = await this.redis.mget(ids.map((i) => this.keys.run(i)));
      for (const [i, json] of jsons.entries()) {
        if (json === null) continue;
        const state = runStateRecord.decode(json, this.keys.run(ids[i]!));
        if (filter.status && state.status !== filter.status) continue;
        out.push(state);
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  async activeIds(): Promise<string[]> {
    return this.redis.smembers(this.keys.activeRuns);
  }

  /** Records a cancel request (the first one stands); the engine acts on it at its next step. */
  async requestCancel(
    id: string,
    reason: string,
    now: number,
    kind: CancelRecord['kind'] = 'cancel',
  ): Promise<boolean> {
    const record: CancelRecord = { at: now, reason, kind };
    const set = await this.redis.set(
      this.keys.cancel(id),
      cancelRecord.encode(record),
      'EX',
      this.retentionSeconds,
      'NX',
    );
    if (set === 'OK') await this.redis.publish(this.keys.cancelChannel, id);
    return set === 'OK';
  }

  async cancelRequest(id: string): Promise<CancelRecord | null> {
    const key = this.keys.cancel(id);
    const json = await this.redis.get(key);
    return json === null ? null : cancelRecord.decode(json, key);
  }

  /**
   * Drops index entries older than the retention (their records have expired).
   * Runs still active are never older than that in practice: a run's `timeout`
   * is far shorter than the retention.
   */
  async pruneIndexes(now: number, workflows: string[]): Promise<void> {
    const cutoff = now - this.retentionSeconds * 1000;
    const tx = this.redis.multi();
    tx.zremrangebyscore(this.keys.allRuns, '-inf', cutoff);
    for (const w of workflows) tx.zremrangebyscore(this.keys.workflowRuns(w), '-inf', cutoff);
    await tx.exec();
  }
}
