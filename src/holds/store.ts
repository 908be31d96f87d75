// Holds in Redis: one versioned record per held instance (`hold:<instance id>`),
// with a TTL that ends it at its `until`, and a set of held ids for listing. A
// record whose `until` has passed is treated as absent even before Redis expires
// it, so a hold never outlives its time by a TTL's rounding. Imports ioredis, zod,
// shared and the actions' HoldSource shape; nothing above.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { HoldSource } from '../actions/types.js';
import { batchCalls } from '../shared/batch.js';
import type { Clock } from '../shared/clock.js';
import { defineRecord } from '../shared/records.js';

const holdRecord = defineRecord({
  kind: 'hold',
  version: 1,
  schema: z.object({
    instance_id: z.string().min(1),
    /** The name when the hold was placed (for listings; the id is what counts). */
    instance_name: z.string().optional(),
    /** ISO time the hold ends; absent: until it is lifted. */
    until: z.string().optional(),
    reason: z.string().optional(),
    created_at: z.string(),
    /** user@host for the CLI; absent when not known. */
    created_by: z.string().optional(),
  }),
});

export type Hold = ReturnType<typeof holdRecord.decode>;

export function holdKeys(prefix: string) {
  return {
    hold: (instanceId: string) => `${prefix}:hold:${instanceId}`,
    /** Set of instance ids that had a hold placed (pruned as holds expire). */
    index: `${prefix}:holds`,
  };
}

/** Whether a hold is in force at `now` (ms). */
export function inForce(hold: Pick<Hold, 'until'>, now: number): boolean {
  return hold.until === undefined || Date.parse(hold.until) > now;
}

export class HoldStore implements HoldSource {
  private readonly keys: ReturnType<typeof holdKeys>;
  /**
   * One read serves every caller that asked while the previous one was in flight
   * (every instances.list step reads the holds): as fresh as a read of one's own.
   */
  private readonly read = batchCalls<undefined, Hold[]>(async (callers) => {
    const holds = await this.readAll();
    return callers.map(() => [...holds]);
  });

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly clock: Clock,
  ) {
    this.keys = holdKeys(prefix);
  }

  /** Places (or replaces) the hold on `hold.instance_id`; its key expires at `until`. */
  async put(hold: Hold): Promise<void> {
    const key = this.keys.hold(hold.instance_id);
    const value = holdRecord.encode(hold);
    const multi = this.redis.multi();
    if (hold.until === undefined) multi.set(key, value);
    else multi.set(key, value, 'PX', Math.max(1, Date.parse(hold.until) - this.clock.now()));
    multi.sadd(this.keys.index, hold.instance_id);
    await multi.exec();
  }

  /** The hold in force on an instance, if any. */
  async get(instanceId: string): Promise<Hold | undefined> {
    const key = this.keys.hold(instanceId);
    const json = await this.redis.get(key);
    if (json === null) return undefined;
    const hold = holdRecord.decode(json, key);
    return inForce(hold, this.clock.now()) ? hold : undefined;
  }

  /** Every hold in force, by instance name then id; ids whose hold ended leave the index. */
  list(): Promise<Hold[]> {
    return this.read(undefined);
  }

  private async readAll(): Promise<Hold[]> {
    const ids = await this.redis.smembers(this.keys.index);
    if (ids.length === 0) return [];
    const keys = ids.map((id) => this.keys.hold(id));
    const values = await this.redis.mget(...keys);
    const now = this.clock.now();
    const holds: Hold[] = [];
    const gone: string[] = [];
    for (const [i, json] of values.entries()) {
      if (json === null) {
        gone.push(ids[i]!);
        continue;
      }
      const hold = holdRecord.decode(json, keys[i]!);
      if (inForce(hold, now)) holds.push(hold);
    }
    if (gone.length > 0) await this.redis.srem(this.keys.index, ...gone);
    return holds.sort(
      (a, b) =>
        (a.instance_name ?? '').localeCompare(b.instance_name ?? '') ||
        a.instance_id.localeCompare(b.instance_id),
    );
  }

  /** Lifts the hold on an instance; returns the hold that was in force, if any. */
  async remove(instanceId: string): Promise<Hold | undefined> {
    const key = this.keys.hold(instanceId);
    const [[, json]] = (await this.redis
      .multi()
      .get(key)
      .del(key)
      .srem(this.keys.index, instanceId)
      .exec()) as [[Error | null, string | null]];
    if (json === null) return undefined;
    const hold = holdRecord.decode(json, key);
    return inForce(hold, this.clock.now()) ? hold : undefined;
  }
}
