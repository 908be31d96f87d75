// What BullMQ's Job Schedulers do, as the scheduler relies on it: a fire carries
// its slot; after downtime only the first missed slot is delivered (late); and an
// upsert replaces an overdue pending fire, dropping it (why reconcile upserts only
// what changed, after catching up).
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { type TriggerFire, TRIGGERS_QUEUE, TriggerQueue } from '../../../src/queue/triggers.js';
import {
  FIRES_PER_WORKER,
  startTriggerWorker,
  type TriggerWorker,
} from '../../../src/queue/trigger-worker.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { testPrefix } from '../../helpers/prefix.js';
import { at, until } from './harness.js';

const EVERY_2S = { cron: '*/2 * * * * *', timezone: 'Europe/Berlin' };

describe('the triggers queue (BullMQ Job Schedulers)', () => {
  const open: Array<{ close(): Promise<void> | void }> = [];
  const connect = () => {
    const r = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    open.push({ close: () => r.disconnect() });
    return r;
  };
  const worker = (prefix: string, fires: Array<TriggerFire & { at: number }>): TriggerWorker => {
    const w = startTriggerWorker({
      connection: connect(),
      prefix,
      concurrency: 5,
      logger: silentLogger(),
      handler: async (f) => void fires.push({ ...f, at: Date.now() }),
    });
    open.unshift(w);
    return w;
  };
  const queue = (prefix: string) => {
    const q = new TriggerQueue(connect(), prefix);
    open.unshift(q);
    return q;
  };
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });

  it('delivers each fire with its slot time, its scheduler id and data', async () => {
    const prefix = testPrefix('tq');
    const q = queue(prefix);
    await q.upsert('wf:0', EVERY_2S, { workflow: 'wf', trigger: 0, key: 'k1' });
    const fires: Array<TriggerFire & { at: number }> = [];
    worker(prefix, fires);
    await until(() => (fires.length >= 2 ? true : undefined), 8_000, 'two fires');
    for (const f of fires) {
      expect(f).toMatchObject({ schedulerId: 'wf:0', workflow: 'wf', trigger: 0, key: 'k1', attempt: 1 });
      expect(f.slotMs % 2_000).toBe(0);
      expect(f.at).toBeGreaterThanOrEqual(f.slotMs);
    }
    expect(fires[1]!.slotMs - fires[0]!.slotMs).toBe(2_000);
    const [registered] = await q.list();
    expect(registered).toMatchObject({ id: 'wf:0', pattern: EVERY_2S.cron, tz: EVERY_2S.timezone });
    expect(registered!.next).toBeGreaterThan(fires[1]!.slotMs);
  });

  it('a fire carries when a worker took it (processedOn); takenUnfinished reads it while the fire is held only', async () => {
    const prefix = testPrefix('tq');
    const q = queue(prefix);
    const redis = connect();
    await q.upsert('wf:0', EVERY_2S, { workflow: 'wf', trigger: 0, key: 'k1' });
    const seen: Array<{ fire: TriggerFire; stored: string | null; unfinished: Array<number | undefined> }> =
      [];
    const w = startTriggerWorker({
      connection: connect(),
      prefix,
      concurrency: 1,
      logger: silentLogger(),
      handler: async (fire) => {
        const job = `${prefix}:${TRIGGERS_QUEUE}:repeat:wf:0:${fire.slotMs}`;
        seen.push({
          fire,
          stored: await redis.hget(job, 'processedOn'),
          unfinished: await q.takenUnfinished('wf:0', [fire.slotMs, fire.slotMs + 2_000]),
        });
      },
    });
    open.unshift(w);
    await until(() => seen[0], 8_000, 'a fire');
    const { fire, stored, unfinished } = seen[0]!;
    expect(fire.takenAt).toBe(Number(stored));
    expect(fire.takenAt).toBeGreaterThanOrEqual(fire.slotMs);
    // Held: taken at processedOn. The next slot's fire is armed, not taken.
    expect(unfinished).toEqual([fire.takenAt, undefined]);
    // Completed (and removed): nothing taken and unfinished.
    await until(
      async () => ((await q.takenUnfinished('wf:0', [fire.slotMs]))[0] === undefined ? true : undefined),
      8_000,
      'the fire to complete',
    );
  });

  /** A queue with two schedulers: wf:0 every 2 s, yearly:0 on January 1st. */
  async function twoSchedulers() {
    const prefix = testPrefix('tq');
    const q = queue(prefix);
    await q.upsert('wf:0', EVERY_2S, { workflow: 'wf', trigger: 0, key: 'k1' });
    await q.upsert(
      'yearly:0',
      { cron: '0 0 1 1 *', timezone: 'UTC' },
      { workflow: 'yearly', trigger: 0, key: 'k2' },
    );
    return { prefix, q };
  }

  it('dueBefore names the schedulers whose pending fire is due by then, with the time list() gives', async () => {
    const { q } = await twoSchedulers();
    const next = new Map((await q.list()).map((s) => [s.id, s.next]));
    const soon = next.get('wf:0')!;
    expect(await q.dueBefore(soon - 1)).toEqual([]);
    expect(await q.dueBefore(soon)).toEqual([{ id: 'wf:0', next: soon }]);
    const all = await q.dueBefore(next.get('yearly:0')!);
    expect(all).toEqual([
      { id: 'wf:0', next: soon },
      { id: 'yearly:0', next: next.get('yearly:0') },
    ]);
  });

  it('armed gives what list() gives, in one command, less a scheduler whose record was lost', async () => {
    const { prefix, q } = await twoSchedulers();
    const listed = (await q.list()).map((s) => ({ id: s.id, next: s.next }));
    expect(await q.armed()).toEqual(listed.sort((a, b) => a.next! - b.next!));
    // The record lost, its index entry kept (what a look that reads the index alone misses).
    const probe = new Redis(inject('redisUrl'));
    try {
      expect(await probe.del(`${prefix}:triggers:repeat:yearly:0`)).toBe(1);
    } finally {
      probe.disconnect();
    }
    expect((await q.dueBefore()).map((s) => s.id)).toContain('yearly:0');
    expect((await q.armed()).map((s) => s.id)).toEqual(['wf:0']);
  });

  it('after downtime delivers only the first missed slot, late, then goes on from now', async () => {
    const prefix = testPrefix('tq');
    const q = queue(prefix);
    await q.upsert('wf:0', EVERY_2S, { workflow: 'wf', trigger: 0, key: 'k1' });
    const pending = (await q.list())[0]!.next!;
    await at(pending + 2_500); // slots pending and pending+2 s pass with no worker
    const fires: Array<TriggerFire & { at: number }> = [];
    worker(prefix, fires);
    await until(() => (fires.length >= 2 ? true : undefined), 6_000, 'the late fire and the next one');
    expect(fires[0]!.slotMs).toBe(pending);
    expect(fires[0]!.at - fires[0]!.slotMs).toBeGreaterThanOrEqual(2_500);
    expect(fires[1]!.slotMs).toBeGreaterThanOrEqual(pending + 4_000);
  });

  it('an upsert replaces an overdue pending fire: the missed slot is never delivered', async () => {
    const prefix = testPrefix('tq');
    const q = queue(prefix);
    await q.upsert('wf:0', EVERY_2S, { workflow: 'wf', trigger: 0, key: 'k1' });
    const pending = (await q.list())[0]!.next!;
    await at(pending + 500);
    await q.upsert('wf:0', EVERY_2S, { workflow: 'wf', trigger: 0, key: 'k1' });
    expect((await q.list())[0]!.next).toBeGreaterThan(pending);
    const fires: Array<TriggerFire & { at: number }> = [];
    worker(prefix, fires);
    await until(() => (fires.length >= 1 ? true : undefined), 5_000, 'a fire');
    expect(fires.map((f) => f.slotMs)).not.toContain(pending);
    expect(await q.remove('wf:0')).toBe(true);
    expect(await q.list()).toEqual([]);
  });

  it('takes fires with several BullMQ workers of at most FIRES_PER_WORKER each, so a burst ramps up side by side', async () => {
    const prefix = testPrefix('tq');
    const w = startTriggerWorker({
      connection: connect(),
      prefix,
      concurrency: 2 * FIRES_PER_WORKER + 1,
      logger: silentLogger(),
      handler: async () => {},
    });
    open.unshift(w);
    const probe = new Queue(TRIGGERS_QUEUE, { connection: connect(), prefix });
    open.unshift(probe);
    await until(
      async () => ((await probe.getWorkersCount()) === 3 ? true : undefined),
      8_000,
      'three workers',
    );
    await w.close();
    await until(async () => ((await probe.getWorkersCount()) === 0 ? true : undefined), 8_000, 'none left');
  });
});
