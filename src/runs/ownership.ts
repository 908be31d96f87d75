// Which instances gcflow created, for which run and step: written before
// POST /instances (the intent) and after it (the instance id), so no box a run
// created can go unnoticed, even by the janitor of another process. Names are stored
// redacted, with a hash of the real name to recognise the instance in a listing:
// a secret in a name never reaches Redis.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Redactor } from '../shared/redact.js';
import { defineRecord } from '../shared/records.js';
import { runKeys, type RunKeys } from './keys.js';

/** sha256 of an instance (or snapshot) name: how records recognise it without storing it. */
export function nameHash(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

const ownedBy = {
  /** `runId/stepId[/index]`: the task that creates the instance. */
  task: z.string(),
  run: z.string(),
  workflow: z.string(),
  step: z.string(),
  /** As shown to users: secret values redacted. */
  name: z.string(),
  /** sha256 of the real name ('' in records from before v1: compare `name` then). */
  name_hash: z.string(),
  keep: z.boolean(),
};

/** v1: `name` redacted, `name_hash` added. */
const intentRecord = defineRecord({
  kind: 'create intent',
  version: 1,
  schema: z.object({
    ...ownedBy,
    /** ms: when the POST was about to be sent; adoption accepts instances created after it. */
    at: z.number(),
  }),
  migrations: { 0: (old) => ({ name_hash: '', ...old }) },
});

/** v1: `name` redacted, `name_hash` added. */
const ownedRecord = defineRecord({
  kind: 'ownership record',
  version: 1,
  schema: z.object({
    ...ownedBy,
    instance_id: z.string(),
    created_at: z.string(),
    /** Set once gcflow deleted it. */
    deleted_at: z.string().optional(),
  }),
  migrations: { 0: (old) => ({ name_hash: '', ...old }) },
});

export type CreateIntent = ReturnType<typeof intentRecord.decode>;
export type OwnedInstance = ReturnType<typeof ownedRecord.decode>;

/** What actions pass: the real name, which is redacted and hashed before it is stored. */
export type NewIntent = Omit<CreateIntent, 'name_hash'>;
export type NewOwned = Omit<OwnedInstance, 'name_hash'>;

/** Whether a record names this instance (by hash; records from before v1 by name). */
export function namesMatch(record: { name: string; name_hash: string }, name: string): boolean {
  return record.name_hash ? record.name_hash === nameHash(name) : record.name === name;
}

export class Ownership {
  private readonly keys: RunKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly redactor: Redactor,
  ) {
    this.keys = runKeys(prefix);
  }

  private stored<T extends { name: string }>(record: T): T & { name_hash: string } {
    return { ...record, name: this.redactor.scrubString(record.name), name_hash: nameHash(record.name) };
  }

  async recordIntent(intent: NewIntent): Promise<void> {
    await this.redis.hset(this.keys.intents, intent.task, intentRecord.encode(this.stored(intent)));
  }

  async intents(): Promise<CreateIntent[]> {
    const all = await this.redis.hgetall(this.keys.intents);
    return Object.entries(all).map(([task, json]) =>
      intentRecord.decode(json, `${this.keys.intents}[${task}]`),
    );
  }

  /** The instance is ours: the intent becomes an ownership record. */
  async recordOwned(owned: NewOwned): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.owned, owned.instance_id, ownedRecord.encode(this.stored(owned)))
      .hdel(this.keys.intents, owned.task)
      .exec();
  }

  async get(instanceId: string): Promise<OwnedInstance | undefined> {
    const json = await this.redis.hget(this.keys.owned, instanceId);
    return json === null ? undefined : ownedRecord.decode(json, `${this.keys.owned}[${instanceId}]`);
  }

  async markDeleted(instanceId: string, at: string): Promise<void> {
    const owned = await this.get(instanceId);
    if (owned)
      await this.redis.hset(this.keys.owned, instanceId, ownedRecord.encode({ ...owned, deleted_at: at }));
  }

  async all(): Promise<OwnedInstance[]> {
    const all = await this.redis.hgetall(this.keys.owned);
    return Object.entries(all).map(([id, json]) => ownedRecord.decode(json, `${this.keys.owned}[${id}]`));
  }

  /** Instance ids owned by a task other than `task`: never adopt those. */
  async ownedByOthers(task: string): Promise<Set<string>> {
    const out = new Set<string>();
    for (const o of await this.all()) if (o.task !== task) out.add(o.instance_id);
    return out;
  }

  async forget(instanceId: string): Promise<void> {
    await this.redis.hdel(this.keys.owned, instanceId);
  }

  async forgetIntent(task: string): Promise<void> {
    await this.redis.hdel(this.keys.intents, task);
  }
}
