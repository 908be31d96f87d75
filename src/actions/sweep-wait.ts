// Waiting for another replica's status sweep (see StatusReader.sweep): every flush of
// this process that waits is served by one poll of Redis per tick, the lock's EXISTS and
// one MGET of all the statuses still wanted, however many flushes wait. (One poll per
// flush made Redis commands grow with the flushes of a long sweep: 2 per flush per tick.)
import type { Redis } from 'ioredis';
import type { Clock } from '../shared/clock.js';

/** How often the sweep's lock and the statuses it stores are read. */
const TICK_MS = 50;

interface Waiter<S> {
  /** id -> the oldest read (its `at`) that serves it. */
  need: Map<string, number>;
  out: Map<string, S>;
  deadline: number;
  resolve(out: Map<string, S>): void;
  reject(err: unknown): void;
}

export interface SweepWaitOptions<S extends { at: number }> {
  redis: Redis;
  clock: Clock;
  lockKey: string;
  statusKey(id: string): string;
  decode(json: string, key: string): S;
}

export class SweepWait<S extends { at: number }> {
  private readonly waiters = new Set<Waiter<S>>();
  private polling = false;

  constructor(private readonly options: SweepWaitOptions<S>) {}

  /**
   * What the sweep stores of `need`'s instances, each read no earlier than its demand
   * allows: until all are there, the lock is gone (read once more after: the sweep
   * stores before it lets go) or `deadline` passes.
   */
  wait(need: Map<string, number>, deadline: number): Promise<Map<string, S>> {
    if (this.options.clock.now() >= deadline) return Promise.resolve(new Map());
    return new Promise((resolve, reject) => {
      this.waiters.add({ need, out: new Map(), deadline, resolve, reject });
      if (!this.polling) {
        this.polling = true;
        void this.poll();
      }
    });
  }

  private async poll(): Promise<void> {
    const { redis, clock } = this.options;
    try {
      // No await between the last check of `waiters` and `polling = false` (finally):
      // a waiter added later starts a new poll.
      while (this.waiters.size > 0) {
        await clock.sleep(TICK_MS);
        const last = (await redis.exists(this.options.lockKey)) === 0;
        // Waiters that come while this read is in flight are served by the next tick's.
        const served = [...this.waiters];
        const wanted = new Set<string>();
        for (const w of served) for (const id of w.need.keys()) if (!w.out.has(id)) wanted.add(id);
        const ids = [...wanted];
        const values = ids.length === 0 ? [] : await redis.mget(ids.map((id) => this.options.statusKey(id)));
        const read = new Map<string, S>();
        values.forEach((json, i) => {
          if (json === null) return;
          const key = this.options.statusKey(ids[i]!);
          read.set(ids[i]!, this.options.decode(json, key));
        });
        const now = clock.now();
        for (const w of served) {
          for (const [id, notBefore] of w.need) {
            const snap = read.get(id);
            if (snap !== undefined && snap.at >= notBefore) w.out.set(id, snap);
          }
          if (last || w.out.size === w.need.size || now >= w.deadline) {
            this.waiters.delete(w);
            w.resolve(w.out);
          }
        }
      }
    } catch (err) {
      for (const w of this.waiters) w.reject(err);
      this.waiters.clear();
    } finally {
      this.polling = false;
    }
  }
}
