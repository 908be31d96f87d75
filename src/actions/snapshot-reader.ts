// Shared snapshot reads. Every step in the process that needs the account's snapshots
// (instance.snapshot's look by name, snapshots.prune) or one snapshot's status (a
// snapshot's wait for `created`) reads through one in-process list stamped with the
// time its sweep began: a read asks for a list no older than its `notBefore`, and one
// sweep (100 per page) serves every step whose bound it meets. So a for_each of 100
// snapshot steps lists the snapshots once, not once per item (a lone step still reads
// its instance's own list, one page, rather than the account's), and its waits cost one
// sweep per poll, or one GET per snapshot waited on when that is cheaper (fewer
// snapshots watched than the list has pages).
import { type GenesisClient, isNotFound, type Snapshot } from '../genesis/index.js';
import type { Clock } from '../shared/clock.js';
import type { SnapshotSource } from './types.js';

const PAGE = 100;
/** A snapshot whose waiter stopped asking counts as watched this long at most. */
const WATCH_MS = 60_000;
/** Instances whose snapshots were asked for this recently count as asking together. */
export const SNAPSHOT_ASK_WINDOW_MS = 5_000;
/** Statuses after which nobody waits on a snapshot any more. */
const SETTLED = new Set(['created', 'active', 'error', 'deleting', 'pending_delete']);

interface Listed {
  /** When the sweep began: every snapshot that existed then (and still did) is in it. */
  at: number;
  all: Snapshot[];
  byId: Map<string, Snapshot>;
}

interface Demand {
  id: string;
  notBefore: number;
  resolve: (s: Snapshot | undefined) => void;
  reject: (err: unknown) => void;
}

export interface SnapshotReaderOptions {
  client: GenesisClient;
  clock: Clock;
  /** Demand gathered over this window is served by one refresh. */
  batchWindowMs?: number;
}

export class SnapshotReader implements SnapshotSource {
  private last: Listed | undefined;
  private inflight: { startedAt: number; promise: Promise<Listed> } | undefined;
  private batch: Demand[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  /** id -> last time a waiter asked for it. */
  private readonly watched = new Map<string, number>();
  /** instance id -> last time a step asked for its snapshots. */
  private readonly askers = new Map<string, number>();

  constructor(private readonly options: SnapshotReaderOptions) {}

  async listAll(opts: { notBefore: number }): Promise<Snapshot[]> {
    return (await this.sweep(opts.notBefore)).all;
  }

  async listFor(instanceId: string, opts: { notBefore: number; signal?: AbortSignal }): Promise<Snapshot[]> {
    const now = this.options.clock.now();
    this.askers.set(instanceId, now);
    const horizon = now - SNAPSHOT_ASK_WINDOW_MS;
    for (const [id, at] of this.askers) if (at < horizon) this.askers.delete(id);
    const shared =
      (this.last && this.last.at >= opts.notBefore) ||
      (this.inflight && this.inflight.startedAt >= opts.notBefore) ||
      this.askers.size >= Math.max(2, this.pagesOfLast());
    if (!shared) {
      return this.options.client.instances.listSnapshots(
        instanceId,
        opts.signal ? { signal: opts.signal } : {},
      );
    }
    return (await this.sweep(opts.notBefore)).all.filter((s) => s.resource_id === instanceId);
  }

  get(id: string, opts: { notBefore: number }): Promise<Snapshot | undefined> {
    this.watched.set(id, this.options.clock.now());
    const last = this.last;
    const found = last && last.at >= opts.notBefore ? last.byId.get(id) : undefined;
    if (found) return Promise.resolve(this.seen(found));
    return new Promise((resolve, reject) => {
      this.batch.push({ id, notBefore: opts.notBefore, resolve, reject });
      this.flushTimer ??= setTimeout(() => void this.flush(), this.options.batchWindowMs ?? 5);
    });
  }

  /** A list begun no earlier than `notBefore`: the last one, the one under way, or a new one. */
  private sweep(notBefore: number): Promise<Listed> {
    if (this.last && this.last.at >= notBefore) return Promise.resolve(this.last);
    if (this.inflight && this.inflight.startedAt >= notBefore) return this.inflight.promise;
    const startedAt = this.options.clock.now();
    const promise = this.options.client.snapshots.listAll().then((all) => {
      const listed: Listed = { at: startedAt, all, byId: new Map(all.map((s) => [s.id, s])) };
      if (!this.last || this.last.at <= startedAt) this.last = listed;
      return listed;
    });
    const entry = { startedAt, promise };
    this.inflight = entry;
    const clear = () => {
      if (this.inflight === entry) this.inflight = undefined;
    };
    promise.then(clear, clear);
    return promise;
  }

  private async flush(): Promise<void> {
    const demands = this.batch;
    this.batch = [];
    this.flushTimer = undefined;
    try {
      const ids = [...new Set(demands.map((d) => d.id))];
      const out = new Map<string, Snapshot | undefined>();
      let missing = ids;
      if (this.watchedCount() >= this.pagesOfLast()) {
        const listed = await this.sweep(Math.max(...demands.map((d) => d.notBefore)));
        for (const id of ids) if (listed.byId.has(id)) out.set(id, listed.byId.get(id));
        // Absent from the list (taken after the sweep began, or gone): confirm with a GET.
        missing = ids.filter((id) => !out.has(id));
      }
      await Promise.all(missing.map(async (id) => out.set(id, await this.getOne(id))));
      for (const d of demands) {
        const s = out.get(d.id);
        d.resolve(s === undefined ? undefined : this.seen(s));
      }
    } catch (err) {
      for (const d of demands) d.reject(err);
    }
  }

  private async getOne(id: string): Promise<Snapshot | undefined> {
    try {
      return await this.options.client.snapshots.get(id);
    } catch (err) {
      if (isNotFound(err)) {
        this.watched.delete(id);
        return undefined;
      }
      throw err;
    }
  }

  /** A snapshot that reached a settled status is no longer waited on. */
  private seen(s: Snapshot): Snapshot {
    if (SETTLED.has(s.status)) this.watched.delete(s.id);
    return s;
  }

  private pagesOfLast(): number {
    return this.last ? Math.max(1, Math.ceil(this.last.all.length / PAGE)) : 1;
  }

  private watchedCount(): number {
    const horizon = this.options.clock.now() - WATCH_MS;
    for (const [id, at] of this.watched) if (at < horizon) this.watched.delete(id);
    return this.watched.size;
  }
}

/** The client call by call: what plans and tests without a shared reader use. */
export function directSnapshots(client: GenesisClient): SnapshotSource {
  return {
    listAll: ({ signal }) => client.snapshots.listAll(signal ? { signal } : {}),
    listFor: (id, { signal }) => client.instances.listSnapshots(id, signal ? { signal } : {}),
    async get(id, { signal }) {
      try {
        return await client.snapshots.get(id, signal ? { signal } : {});
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
  };
}
