// Which instances gcflow created, for which run and step: written before
// POST /instances (the intent) and after it (the instance id), so no box a run
// created can go unnoticed. The janitor reads it to find leaked boxes.
import type { Redis } from 'ioredis';
import { runKeys, type RunKeys } from './keys.js';

export interface CreateIntent {
  /** `runId/stepId[/index]`: the task that intends to create the instance. */
  task: string;
  run: string;
  workflow: string;
  step: string;
  /** The deterministic name the instance will carry. */
  name: string;
  /** ms: when the POST was about to be sent; adoption accepts instances created after it. */
  at: number;
  keep: boolean;
}

export interface OwnedInstance {
  instance_id: string;
  task: string;
  run: string;
  workflow: string;
  step: string;
  name: string;
  keep: boolean;
  created_at: string;
  /** Set once a step of gcflow deleted it. */
  deleted_at?: string;
}

export class Ownership {
  private readonly keys: RunKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = runKeys(prefix);
  }

  async recordIntent(intent: CreateIntent): Promise<void> {
    await this.redis.hset(this.keys.intents, intent.task, JSON.stringify(intent));
  }

  async intents(): Promise<CreateIntent[]> {
    const all = await this.redis.hvals(this.keys.intents);
    return all.map((v) => JSON.parse(v) as CreateIntent);
  }

  /** The instance is ours: the intent becomes an ownership record. */
  async recordOwned(owned: OwnedInstance): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.owned, owned.instance_id, JSON.stringify(owned))
      .hdel(this.keys.intents, owned.task)
      .exec();
  }

  async get(instanceId: string): Promise<OwnedInstance | undefined> {
    const json = await this.redis.hget(this.keys.owned, instanceId);
    return json === null ? undefined : (JSON.parse(json) as OwnedInstance);
  }

  async markDeleted(instanceId: string, at: string): Promise<void> {
    const owned = await this.get(instanceId);
    if (owned)
      await this.redis.hset(this.keys.owned, instanceId, JSON.stringify({ ...owned, deleted_at: at }));
  }

  async all(): Promise<OwnedInstance[]> {
    const all = await this.redis.hvals(this.keys.owned);
    return all.map((v) => JSON.parse(v) as OwnedInstance);
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
