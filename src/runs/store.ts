// Run records, their event history and the definitions they execute, in Redis.
// A run record outlives BullMQ's job retention, so `gcflow status`, `runs` and
// audit always work. Checkpoints are fenced: a worker that lost its job lock
// (it stalled and another worker took over) can no longer write.
// Must not import bullmq (the fence comes in as plain key + token).
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { WorkflowDefinition } from '../dsl/types.js';
import type { RunEvent } from '../engine/events.js';
import { isTerminalRun, type RunState, type RunStatus } from '../engine/state.js';
import { GcflowError } from '../shared/errors.js';
import { runKeys, type RunKeys } from './keys.js';

/** Proof that the caller holds the queue's lock on the run's job. */
export interface Fence {
  lockKey: string;
  token: string;
}

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
    });
  }
}

const EVENTS_MAXLEN = 2000;

// KEYS: lock, run, events, active set. ARGV: token ('' = unfenced), state json,
// terminal ('1'/'0'), run id, ttl seconds (0 = none), then events as JSON.
const CHECKPOINT_LUA = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
for i = 6, #ARGV do redis.call('XADD', KEYS[3], 'MAXLEN', '~', '${EVENTS_MAXLEN}', '*', 'e', ARGV[i]) end
if ARGV[3] == '1' then
  redis.call('SREM', KEYS[4], ARGV[4])
  local ttl = tonumber(ARGV[5])
  if ttl > 0 then
    redis.call('EXPIRE', KEYS[2], ttl)
    redis.call('EXPIRE', KEYS[3], ttl)
  end
end
return 1
`;

export interface ListFilter {
  workflow?: string;
  status?: RunStatus;
  limit?: number;
}

export class RunStore {
  readonly keys: RunKeys;

  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
    private readonly retentionSeconds = 30 * 86_400,
  ) {
    this.keys = runKeys(prefix);
  }

  /** Stores a definition once per distinct content; returns its hash. */
  async saveDefinition(def: WorkflowDefinition): Promise<string> {
    const json = JSON.stringify(def);
    const hash = createHash('sha256').update(json).digest('hex').slice(0, 32);
    await this.redis.set(this.keys.definition(hash), json, 'NX');
    return hash;
  }

  async loadDefinition(hash: string): Promise<WorkflowDefinition> {
    const json = await this.redis.get(this.keys.definition(hash));
    if (json === null)
      throw new GcflowError('E_DEFINITION_MISSING', `workflow definition ${hash} is missing from Redis`, {
        hint: 'the run cannot continue; was Redis flushed or its keys evicted? use maxmemory-policy noeviction',
      });
    return JSON.parse(json) as WorkflowDefinition;
  }

  /** Creates the run record; false when a run with this id already exists. */
  async create(state: RunState, events: RunEvent[]): Promise<boolean> {
    const created = await this.redis.set(this.keys.run(state.id), JSON.stringify(state), 'NX');
    if (created !== 'OK') return false;
    const score = Date.parse(state.created_at);
    const tx = this.redis.multi();
    tx.zadd(this.keys.allRuns, score, state.id);
    tx.zadd(this.keys.workflowRuns(state.workflow), score, state.id);
    tx.sadd(this.keys.activeRuns, state.id);
    for (const e of events)
      tx.xadd(this.keys.events(state.id), 'MAXLEN', '~', EVENTS_MAXLEN, '*', 'e', JSON.stringify(e));
    await tx.exec();
    return true;
  }

  async load(id: string): Promise<RunState | undefined> {
    const json = await this.redis.get(this.keys.run(id));
    return json === null ? undefined : (JSON.parse(json) as RunState);
  }

  async mustLoad(id: string): Promise<RunState> {
    const state = await this.load(id);
    if (!state) throw new RunNotFoundError(id);
    return state;
  }

  /** Writes the state and appends its events atomically; throws LockLostError when fenced out. */
  async checkpoint(state: RunState, events: RunEvent[], fence?: Fence): Promise<void> {
    const ok = await this.redis.eval(
      CHECKPOINT_LUA,
      4,
      fence?.lockKey ?? this.keys.run(state.id),
      this.keys.run(state.id),
      this.keys.events(state.id),
      this.keys.activeRuns,
      fence?.token ?? '',
      JSON.stringify(state),
      isTerminalRun(state) ? '1' : '0',
      state.id,
      String(this.retentionSeconds),
      ...events.map((e) => JSON.stringify(e)),
    );
    if (ok !== 1) throw new LockLostError(state.id);
  }

  /** Appends events without touching the state (e.g. a cancel request). */
  async appendEvents(id: string, events: RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    const tx = this.redis.multi();
    for (const e of events)
      tx.xadd(this.keys.events(id), 'MAXLEN', '~', EVENTS_MAXLEN, '*', 'e', JSON.stringify(e));
    await tx.exec();
  }

  /** Events after stream id `after` ('0' = from the start), with their stream ids. */
  async events(id: string, after = '0', count = 1000): Promise<Array<{ id: string; event: RunEvent }>> {
    const rows = await this.redis.xrange(
      this.keys.events(id),
      after === '0' ? '-' : `(${after}`,
      '+',
      'COUNT',
      count,
    );
    return rows.map(([streamId, fields]) => ({
      id: streamId,
      event: JSON.parse(fields[1] ?? '{}') as RunEvent,
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
      for (const json of jsons) {
        if (json === null) continue;
        const state = JSON.parse(json) as RunState;
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

  /** Records a cancel request; the engine acts on it at its next step. */
  async requestCancel(id: string, reason: string, now: number): Promise<boolean> {
    const set = await this.redis.set(
      this.keys.cancel(id),
      JSON.stringify({ at: now, reason }),
      'EX',
      this.retentionSeconds,
      'NX',
    );
    if (set === 'OK') await this.redis.publish(this.keys.cancelChannel, id);
    return set === 'OK';
  }

  async cancelRequest(id: string): Promise<{ at: number; reason: string } | null> {
    const json = await this.redis.get(this.keys.cancel(id));
    return json === null ? null : (JSON.parse(json) as { at: number; reason: string });
  }

  /** Drops index entries of runs whose records expired. */
  async pruneIndexes(now: number): Promise<void> {
    const cutoff = now - this.retentionSeconds * 1000;
    await this.redis.zremrangebyscore(this.keys.allRuns, '-inf', cutoff);
  }
}
