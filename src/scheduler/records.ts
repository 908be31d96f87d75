// The scheduler's records in Redis: what the leader registered per trigger, the
// most recent slot decided per trigger, and the decision taken for each slot.
// A slot's decision is claimed once (SET NX); whoever fires the slot later (a
// redelivered job, a catch-up on another replica) repeats that same decision.
// Must not import bullmq.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { parseDuration } from '../shared/duration.js';
import { execChecked } from '../shared/exec.js';
import { type LuaScript, luaCommand } from '../shared/lua.js';
import { defineRecord } from '../shared/records.js';
import { CREATE_RUN_LUA, type RunCreation } from '../runs/store.js';
import type { FireDecision } from './decisions.js';
import { type SchedulerKeys, schedulerKeys } from './keys.js';
import type { Registration } from './reconcile.js';

export const registrationRecord = defineRecord({
  kind: 'trigger registration',
  version: 2,
  schema: z.object({
    id: z.string(),
    workflow: z.string(),
    trigger: z.number().int(),
    cron: z.string(),
    timezone: z.string(),
    inputs: z.record(z.string(), z.unknown()),
    catch_up: z.enum(['last', 'none']),
    catch_up_window: z.string(),
    catchUpWindowMs: z.number().int().positive(),
    key: z.string(),
    definitionHash: z.string(),
    registeredAt: z.number(),
  }) satisfies z.ZodType<Registration>,
  migrations: {
    0: (old) => old,
    // v1 kept the window as text only; a text that is no duration is refused by the schema.
    1: (old) => ({ ...old, catchUpWindowMs: parseDuration(String(old['catch_up_window'])) }),
  },
});

const decisionRecord = defineRecord({
  kind: 'fire decision',
  version: 1,
  schema: z.union([
    z.object({ action: z.literal('start'), cancel: z.array(z.string()) }),
    z.object({
      action: z.literal('skip'),
      code: z.enum(['overlap_skip', 'overlap_queue_full', 'missed']),
      reason: z.string(),
      active: z.array(z.string()),
    }),
  ]) satisfies z.ZodType<FireDecision>,
  migrations: { 0: (old) => old },
});

const CLAIM: LuaScript = {
  name: 'gcflowClaimSlot',
  numberOfKeys: 2,
  file: new URL('./lua/claim-slot.lua', import.meta.url),
};

const CLAIM_IF_IDLE: LuaScript = {
  name: 'gcflowClaimIfIdle',
  // 4 keys, or 10 with the slot's run to create.
  file: new URL('./lua/claim-if-idle.lua', import.meta.url),
  uses: [CREATE_RUN_LUA],
};

/** The start decision a slot takes when no run of its group is active (decideOverlap's). */
const START_JSON = decisionRecord.encode({ action: 'start', cancel: [] });

export interface Claim {
  decision: FireDecision;
  /** True when this call took the decision; false when it repeats an earlier one. */
  mine: boolean;
}

/** What claimIfIdle did. */
export type IdleClaim =
  /** created: whether the run given was created (true), existed (false), or was not asked for (undefined). */
  | { type: 'decided'; claim: Claim; created?: boolean }
  /** Runs of the group are active: nothing claimed, the caller decides in full. */
  | { type: 'active' }
  /** The registration is not the one given: nothing done; the stored one (undefined: gone). */
  | { type: 'changed'; registration: Registration | undefined };

/** How long currentRegistrations may answer from what was read, at most. */
const REGISTRATIONS_REUSE_MS = 60_000;

export class SchedulerRecords {
  readonly keys: SchedulerKeys;
  /**
   * The last record decoded per trigger, with the JSON it came from: a record read
   * again unchanged is not parsed and checked again (the missed-slot check reads all
   * 10,000 every few seconds, each fire reads its own). Always read from Redis first;
   * callers must not modify what they get.
   */
  private readonly decoded = new Map<string, { json: string; record: Registration }>();
  /** What registrations() read last, with the change count it was read at. */
  private lastRead: { gen: string; all: Map<string, Registration>; at: number } | undefined;

  private decodeRegistration(id: string, json: string): Registration {
    const hit = this.decoded.get(id);
    if (hit?.json === json) return hit.record;
    const record = registrationRecord.decode(json, `${this.keys.registered}[${id}]`);
    this.decoded.set(id, { json, record });
    return record;
  }

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = schedulerKeys(prefix);
  }

  /** Every registration, read from Redis. */
  async registrations(): Promise<Map<string, Registration>> {
    const tx = this.redis.multi();
    tx.hgetall(this.keys.registered);
    tx.get(this.keys.registeredGen);
    const [all, gen] = (await execChecked(tx)) as [Record<string, string>, string | null];
    const out = new Map<string, Registration>();
    for (const [id, json] of Object.entries(all)) out.set(id, this.decodeRegistration(id, json));
    for (const id of this.decoded.keys()) if (!out.has(id)) this.decoded.delete(id);
    // A count of null (no change since Redis started empty, or a gcflow before the
    // counter) never matches: such a set is read again each time.
    this.lastRead = gen === null ? undefined : { gen, all: out, at: Date.now() };
    return out;
  }

  /**
   * The registrations as `registrations()` read them last, when their change count has
   * not moved since and that read is under a minute old: one GET instead of 10,000
   * records (the missed-slot check asks every 5 s, the watchdog every 15 s). A gcflow
   * before the counter writes without bumping it, so what it changed shows within the
   * minute; `fresh` reads in full now.
   */
  async currentRegistrations(fresh = false): Promise<Map<string, Registration>> {
    const last = this.lastRead;
    if (
      !fresh &&
      last &&
      Date.now() - last.at < REGISTRATIONS_REUSE_MS &&
      (await this.redis.get(this.keys.registeredGen)) === last.gen
    )
      return last.all;
    return this.registrations();
  }

  async registration(id: string): Promise<Registration | undefined> {
    const json = await this.redis.hget(this.keys.registered, id);
    if (json === null) {
      this.decoded.delete(id);
      return undefined;
    }
    return this.decodeRegistration(id, json);
  }

  /** Writes the registrations; this replica's fires of them need not read them back. */
  async save(records: Registration[]): Promise<void> {
    if (records.length === 0) return;
    const jsons = records.map((r) => registrationRecord.encode(r));
    this.lastRead = undefined;
    const tx = this.redis.multi();
    tx.hset(this.keys.registered, ...records.flatMap((r, i) => [r.id, jsons[i]!]));
    tx.incr(this.keys.registeredGen);
    await execChecked(tx);
    for (const [i, record] of records.entries()) this.decoded.set(record.id, { json: jsons[i]!, record });
  }

  async forget(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    this.lastRead = undefined;
    const tx = this.redis.multi();
    tx.hdel(this.keys.registered, ...ids);
    tx.incr(this.keys.registeredGen);
    tx.hdel(this.keys.lastSlot, ...ids);
    tx.hdel(this.keys.swept, ...ids);
    await execChecked(tx);
  }

  async lastSlots(): Promise<Map<string, number>> {
    const all = await this.redis.hgetall(this.keys.lastSlot);
    return new Map(Object.entries(all).map(([id, ms]) => [id, Number(ms)]));
  }

  async lastSlot(id: string): Promise<number | null> {
    const ms = await this.redis.hget(this.keys.lastSlot, id);
    return ms === null ? null : Number(ms);
  }

  async decision(id: string, slotMs: number): Promise<FireDecision | undefined> {
    return this.decodeDecision(id, slotMs, await this.redis.get(this.keys.slot(id, slotMs)));
  }

  /** The decisions of several slots of one trigger, in one round trip. */
  async decisions(id: string, slots: number[]): Promise<Array<FireDecision | undefined>> {
    if (slots.length === 0) return [];
    const values = await this.redis.mget(...slots.map((s) => this.keys.slot(id, s)));
    return values.map((json, i) => this.decodeDecision(id, slots[i]!, json));
  }

  private decodeDecision(id: string, slotMs: number, json: string | null): FireDecision | undefined {
    return json === null ? undefined : decisionRecord.decode(json, this.keys.slot(id, slotMs));
  }

  /**
   * Marks the slot as taken over by `replica`, unless another replica did first: one
   * replica fires (and reports) an undecided slot whose fire another replica holds.
   */
  async takeOver(id: string, slotMs: number, replica: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.takenOver(id, slotMs), replica, 'PX', ttlMs, 'NX')) === 'OK';
  }

  /** Stores `decision` for the slot unless one exists; returns the one that counts. */
  async claim(id: string, slotMs: number, decision: FireDecision, ttlMs: number): Promise<Claim> {
    const [mine, json] = (await luaCommand(this.redis, CLAIM)(
      this.keys.slot(id, slotMs),
      this.keys.lastSlot,
      decisionRecord.encode(decision),
      String(Math.max(1, Math.round(ttlMs))),
      id,
      String(slotMs),
    )) as [number, string];
    return { mine: mine === 1, decision: decisionRecord.decode(json, this.keys.slot(id, slotMs)) };
  }

  /** The registration last read for `id` and its JSON (no Redis call); undefined when none was. */
  cachedRegistration(id: string): { json: string; record: Registration } | undefined {
    return this.decoded.get(id);
  }

  /**
   * A fire's decision in one round trip: the slot's stored decision, else `start`
   * claimed when no id in `activeKey` (the active-runs set) other than `runId` starts
   * with one of `prefixes` (none given: the group is not looked at). With `registration`
   * (the JSON the caller fired with), nothing is done unless it is still the one stored.
   * With `create` (the slot's run), a plain `start` decision creates that run in the
   * same step.
   */
  async claimIfIdle(
    id: string,
    slotMs: number,
    ttlMs: number,
    group: {
      activeKey: string;
      runId: string;
      prefixes: string[];
      registration?: string;
      create?: RunCreation;
    },
  ): Promise<IdleClaim> {
    const key = this.keys.slot(id, slotMs);
    const { create } = group;
    const keys = [key, this.keys.lastSlot, group.activeKey, this.keys.registered, ...(create?.keys ?? [])];
    const [state, json, created] = (await luaCommand(this.redis, CLAIM_IF_IDLE)(
      keys.length,
      ...keys,
      START_JSON,
      String(Math.max(1, Math.round(ttlMs))),
      id,
      String(slotMs),
      group.runId,
      group.registration ?? '',
      String(group.prefixes.length),
      ...group.prefixes,
      ...(create?.args ?? []),
    )) as [number, string, number?];
    if (state === 3) {
      if (json !== '') return { type: 'changed', registration: this.decodeRegistration(id, json) };
      this.decoded.delete(id);
      return { type: 'changed', registration: undefined };
    }
    if (state === 2) return { type: 'active' };
    const decision: FireDecision =
      json === START_JSON ? { action: 'start', cancel: [] } : decisionRecord.decode(json, key);
    const claim = { mine: state === 1, decision };
    return created === 1 || created === 0
      ? { type: 'decided', claim, created: created === 1 }
      : { type: 'decided', claim };
  }
}
