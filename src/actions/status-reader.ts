// Coalesced instance status reads. Every waiter in every replica reads through a
// short-lived Redis cache; a stale entry is refreshed once for everybody. With
// many distinct instances in demand (at least `listThreshold` and at least the pages
// the last sweep took; an instance counts while its waiter polls), one sweep of the
// list pages (100 per call) refreshes them all, so API calls grow with instances watched, not with runs,
// and a fleet of waiting runs stays under the client's rate limit.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { type GenesisClient, type Instance, isNotFound } from '../genesis/index.js';
import { runKeys, type RunKeys } from '../runs/keys.js';
import type { Clock } from '../shared/clock.js';
import { releaseIfHeld } from '../shared/locks.js';
import type { Logger } from '../shared/logger.js';
import { defineRecord } from '../shared/records.js';
import { SweepWait } from './sweep-wait.js';

/** How long a sweep may hold its lock: a holder that died frees it then. */
const SWEEP_LOCK_MS = 30_000;

/** A look with no poll interval (maxAgeMs infinite) counts as watched this long. */
const LOOK_WATCH_MS = 1_000;

export type StatusSnapshot = { at: number; instance: Instance } | { at: number; gone: true };

/** A cached status (60 s): the instance's own fields are the API's, checked for what waits read. */
const snapshotRecord = defineRecord({
  kind: 'cached instance status',
  version: 1,
  schema: z.union([
    z.object({
      at: z.number(),
      instance: z
        .looseObject({ id: z.string(), name: z.string(), status: z.string(), created_at: z.string() })
        .transform((i) => i as unknown as Instance),
    }),
    z.object({ at: z.number(), gone: z.literal(true) }),
  ]),
  migrations: { 0: (old) => old },
});

export interface StatusReaderOptions {
  client: GenesisClient;
  redis: Redis;
  prefix: string;
  clock: Clock;
  logger: Logger;
  /** With at least this many distinct instances in demand, sweep the list instead of GETs. */
  listThreshold: number;
  /** Cached entries expire after this long (they are only ever read while fresh). */
  cacheTtlMs?: number;
  /** Demand gathered over this window is served by one refresh. */
  batchWindowMs?: number;
  /** Removes secret values (a secret in an instance name) before a status is cached in Redis. */
  scrub?: <T>(value: T) => T;
}

interface Demand {
  id: string;
  notBefore: number;
  resolve: (s: StatusSnapshot) => void;
  reject: (err: unknown) => void;
}

export class StatusReader {
  private readonly keys: RunKeys;
  private batch: Demand[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  /**
   * id -> until when it counts as watched: a waiter polling every `maxAgeMs` asks again
   * within two of its intervals; a one-off look (no maxAge) counts only for a moment.
   */
  private readonly watched = new Map<string, number>();
  /** Pages the last sweep took: a sweep pays only when more instances are watched. */
  private lastSweepPages = 1;
  /** API calls made by this reader, for the benchmark and metrics. */
  calls = 0;

  /** This process's flushes waiting for another replica's sweep, served by one poll. */
  private readonly otherSweep: SweepWait<StatusSnapshot>;

  constructor(private readonly options: StatusReaderOptions) {
    this.keys = runKeys(options.prefix);
    this.otherSweep = new SweepWait({
      redis: options.redis,
      clock: options.clock,
      lockKey: this.keys.statusSweepLock,
      statusKey: (id) => this.keys.status(id),
      decode: (json, key) => snapshotRecord.decode(json, key),
    });
  }

  /**
   * The instance's status, read no earlier than `maxAgeMs` ago and no earlier than
   * `notBefore` (e.g. the time an action was sent, so a stale status is never taken
   * for its result).
   */
  async get(id: string, opts: { maxAgeMs: number; notBefore?: number }): Promise<StatusSnapshot> {
    const now = this.options.clock.now();
    const ttl = this.options.cacheTtlMs ?? 60_000;
    const span = Number.isFinite(opts.maxAgeMs) ? Math.min(2 * opts.maxAgeMs, ttl) : LOOK_WATCH_MS;
    this.watched.set(id, Math.max(this.watched.get(id) ?? 0, now + span));
    const fresh = Math.max(now - opts.maxAgeMs, opts.notBefore ?? 0);
    const cached = await this.cached(id);
    if (cached && cached.at >= fresh) return cached;
    return new Promise<StatusSnapshot>((resolve, reject) => {
      this.batch.push({ id, notBefore: fresh, resolve, reject });
      this.flushTimer ??= setTimeout(() => void this.flush(), this.options.batchWindowMs ?? 5);
    });
  }

  /**
   * A look at the instance before acting on it (power steps, snapshots): the same
   * coalesced, cached read as a wait's poll. A plan's source answers it without
   * assuming the awaited status.
   */
  read(id: string, opts: { maxAgeMs: number; notBefore?: number }): Promise<StatusSnapshot> {
    return this.get(id, opts);
  }

  /**
   * Instances a step just listed (instances.list), as of `at`: the time the list was
   * asked for, so a status that changed while the pages came in is never taken as newer
   * than it is. Steps that look at those instances next are answered from it while fresh.
   */
  async remember(instances: readonly Instance[], at: number): Promise<void> {
    const out = new Map<string, StatusSnapshot>();
    for (const instance of instances) out.set(instance.id, { at, instance });
    await this.store(out);
  }

  /** Forgets the cached status, e.g. right after an action changed it. */
  async invalidate(id: string): Promise<void> {
    await this.options.redis.del(this.keys.status(id));
  }

  private async cached(id: string): Promise<StatusSnapshot | undefined> {
    const key = this.keys.status(id);
    const json = await this.options.redis.get(key);
    return json === null ? undefined : snapshotRecord.decode(json, key);
  }

  private async flush(): Promise<void> {
    const demands = this.batch;
    this.batch = [];
    this.flushTimer = undefined;
    try {
      // Per instance, the oldest read that serves every demand for it.
      const need = new Map<string, number>();
      for (const d of demands) need.set(d.id, Math.max(need.get(d.id) ?? d.notBefore, d.notBefore));
      const snapshots =
        this.watchedCount() >= Math.max(this.options.listThreshold, this.lastSweepPages)
          ? await this.sweep(need)
          : await this.getEach([...need.keys()]);
      for (const d of demands) d.resolve(snapshots.get(d.id)!);
    } catch (err) {
      for (const d of demands) d.reject(err);
    }
  }

  private watchedCount(): number {
    const now = this.options.clock.now();
    for (const [id, until] of this.watched) if (until < now) this.watched.delete(id);
    return this.watched.size;
  }

  private async getEach(ids: string[]): Promise<Map<string, StatusSnapshot>> {
    const out = new Map<string, StatusSnapshot>();
    await Promise.all(
      ids.map(async (id) => {
        const at = this.options.clock.now();
        this.calls += 1;
        try {
          out.set(id, { at, instance: await this.options.client.instances.get(id) });
        } catch (err) {
          if (!isNotFound(err)) throw err;
          out.set(id, { at, gone: true });
        }
      }),
    );
    await this.store(out);
    return out;
  }

  /**
   * One sweep of every list page refreshes all watched instances (`need`: id -> the
   * oldest read that serves it). A Redis lock keeps sweeps (this process's and other
   * replicas') from overlapping: a flush that finds one under way waits for it (this
   * process's own: its promise; another replica's: its lock, for as long as the lock
   * lives) and takes every status it read recently enough. What it did not serve is
   * read by a sweep of this flush's own when that costs fewer calls than a GET each
   * (the holder died, or the demands need a later read), else one GET each.
   */
  private async sweep(need: Map<string, number>, mayRepeat = true): Promise<Map<string, StatusSnapshot>> {
    const { redis, clock } = this.options;
    const started = clock.now();
    const joinOwn = async (sweep: Promise<Map<string, StatusSnapshot>>) =>
      servedBy(await sweep.catch(() => new Map<string, StatusSnapshot>()), need);
    if (!this.ownSweep) {
      const holder = randomUUID();
      const locked = await redis.set(this.keys.statusSweepLock, holder, 'PX', SWEEP_LOCK_MS, 'NX');
      if (locked === 'OK') return this.sweepHoldingLock([...need.keys()], started, holder);
    }
    // This process's sweep, found before or taken meanwhile by a flush that asked just
    // before this one (replies come in order), is joined; another replica's is awaited.
    const own = this.ownSweep;
    // Another replica's sweep: waited for as long as its lock may live. A sweep in flight
    // was stamped when it began, before these demands were made: it serves those whose
    // freshness it meets (a poll's "read within the last interval"), never one that must
    // see a status read after an action was sent later (notBefore).
    const out = own ? await joinOwn(own) : await this.otherSweep.wait(need, started + SWEEP_LOCK_MS);
    const missing = [...need.keys()].filter((id) => !out.has(id));
    if (missing.length === 0) return out;
    const rest =
      mayRepeat && missing.length > this.lastSweepPages
        ? await this.sweep(new Map(missing.map((id) => [id, need.get(id)!])), false)
        : await this.getEach(missing);
    for (const [id, snap] of rest) out.set(id, snap);
    return out;
  }

  /** This process's sweep in flight, for flushes made meanwhile (see sweep). */
  private ownSweep: Promise<Map<string, StatusSnapshot>> | undefined;

  private async sweepHoldingLock(
    ids: string[],
    started: number,
    holder: string,
  ): Promise<Map<string, StatusSnapshot>> {
    const listed = (async () => {
      const out = new Map<string, StatusSnapshot>();
      const instances = await this.options.client.instances.listAll();
      this.lastSweepPages = Math.max(1, Math.ceil(instances.length / 100));
      this.calls += this.lastSweepPages;
      // Stamped with the time the sweep began: a status that changed while the pages
      // came in must not pass for one read after the change.
      const at = started;
      for (const instance of instances) out.set(instance.id, { at, instance });
      const missing = ids.filter((id) => !out.has(id));
      // Absent from the list: confirm with a GET rather than assume it is gone.
      if (missing.length > 0) for (const [id, s] of await this.getEach(missing)) out.set(id, s);
      await this.store(out);
      return out;
    })();
    this.ownSweep = listed;
    try {
      return await listed;
    } finally {
      if (this.ownSweep === listed) this.ownSweep = undefined;
      // Not another replica's: this sweep may have outlived its lock (pages that hung).
      await releaseIfHeld(this.options.redis, this.keys.statusSweepLock, holder);
    }
  }

  private async store(snapshots: Map<string, StatusSnapshot>): Promise<void> {
    if (snapshots.size === 0) return;
    const ttl = this.options.cacheTtlMs ?? 60_000;
    const pipeline = this.options.redis.pipeline();
    for (const [id, snap] of snapshots)
      pipeline.set(
        this.keys.status(id),
        snapshotRecord.encode(this.options.scrub?.(snap) ?? snap),
        'PX',
        ttl,
      );
    await pipeline.exec();
  }
}

/** The snapshots of `listed` that serve `need` (read no earlier than each demand allows). */
function servedBy(
  listed: Map<string, StatusSnapshot>,
  need: Map<string, number>,
): Map<string, StatusSnapshot> {
  const out = new Map<string, StatusSnapshot>();
  for (const [id, notBefore] of need) {
    const snap = listed.get(id);
    if (snap && snap.at >= notBefore) out.set(id, snap);
  }
  return out;
}
