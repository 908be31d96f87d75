// The reconcile lease (one holder; another replica takes over when the holder dies
// or hands it over) and the concurrency gate for manual runs of `overlap: queue`.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { isTerminalRun } from '../../../src/engine/state.js';
import { startLease } from '../../../src/scheduler/lease.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { testPrefix } from '../../helpers/prefix.js';
import { type Harness, startHarness, until } from './harness.js';

describe('the reconcile lease', () => {
  const connections: Redis[] = [];
  const connect = () => {
    const r = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1, retryStrategy: () => null });
    r.on('error', () => undefined);
    connections.push(r);
    return r;
  };
  afterAll(() => {
    for (const c of connections) c.disconnect();
  });

  it('has one holder; another takes over when the holder dies, at once when it hands over', async () => {
    const key = `${testPrefix('lease')}:sched:leader`;
    const led: string[] = [];
    const lease = (name: string, redis = connect(), ttlMs = 60_000) =>
      startLease({
        redis,
        key,
        ttlMs,
        intervalMs: 100,
        onLead: async () => void led.push(name),
        logger: silentLogger(),
      });
    const deadRedis = connect();
    const a = lease('a', deadRedis, 2_000);
    await a.firstAttempt;
    const b = lease('b');
    await b.firstAttempt;
    expect(led).toEqual(['a']);
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);

    // a's process "dies": its connection is gone, its lease expires, b takes it.
    deadRedis.disconnect();
    await until(() => (b.isLeader() ? true : undefined), 10_000, 'b to take the lease');
    expect(led).toEqual(['a', 'b']);

    // A clean shutdown hands over without waiting for the expiry (b's lease lives 60 s).
    const c = lease('c');
    await c.firstAttempt;
    expect(c.isLeader()).toBe(false);
    await b.close();
    await until(() => (c.isLeader() ? true : undefined), 10_000, 'c to take the lease');
    await c.close();
    await a.close();
  });

  it('counts its terms: a lease lost while the holder lives and taken again is a new term', async () => {
    const key = `${testPrefix('lease')}:sched:leader`;
    const a = startLease({
      redis: connect(),
      key,
      ttlMs: 60_000,
      intervalMs: 100,
      onLead: async () => undefined,
      logger: silentLogger(),
    });
    await a.firstAttempt;
    expect([a.isLeader(), a.term()]).toEqual([true, 1]);
    // Another replica holds the key for a moment (a paused past its lease): a's renewal
    // fails, and a takes the lease again once that holder's key expires.
    await connect().set(key, 'another-replica', 'PX', 500);
    await until(() => (a.isLeader() ? undefined : true), 10_000, 'a to see the lease lost');
    expect(a.term()).toBe(1);
    await until(() => (a.isLeader() ? true : undefined), 10_000, 'a to take the lease again');
    expect(a.term()).toBe(2);
    await a.close();
  });

  it('keeps renewing while the work on taking it runs longer than the lease', async () => {
    const key = `${testPrefix('lease')}:sched:leader`;
    let finishLead!: () => void;
    const leadDone = new Promise<void>((resolve) => (finishLead = resolve));
    // A lifetime of 2 s: renewals every 100 ms keep it unless the process stalls ~2 s.
    const common = { key, ttlMs: 2_000, intervalMs: 100, logger: silentLogger() };
    const a = startLease({ ...common, redis: connect(), onLead: () => leadDone });
    await until(() => (a.isLeader() ? true : undefined), 10_000, 'a to take the lease');
    const b = startLease({ ...common, redis: connect(), onLead: async () => undefined });
    await b.firstAttempt;
    // Two and a half lease lifetimes while a's reconcile still runs: a's key never expires.
    const watcher = connect();
    const seen = new Set<string | null>();
    const end = Date.now() + 5_000;
    while (Date.now() < end) {
      seen.add(await watcher.get(key));
      await new Promise((r) => setTimeout(r, 50));
    }
    expect([...seen]).toEqual([a.holderId]);
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    finishLead();
    await a.firstAttempt;
    await a.close();
    await b.close();
  });

  it('hands the lease over only after the work on taking it has finished', async () => {
    const key = `${testPrefix('lease')}:sched:leader`;
    let finishLead!: () => void;
    const leadDone = new Promise<void>((resolve) => (finishLead = resolve));
    const common = { key, ttlMs: 60_000, intervalMs: 100, logger: silentLogger() };
    const a = startLease({ ...common, redis: connect(), onLead: () => leadDone });
    await until(() => (a.isLeader() ? true : undefined), 10_000, 'a to take the lease');
    const b = startLease({ ...common, redis: connect(), onLead: async () => undefined });
    const closing = a.close();
    const watcher = connect();
    for (let i = 0; i < 10; i++) {
      expect(await watcher.get(key)).toBe(a.holderId);
      await new Promise((r) => setTimeout(r, 50));
    }
    finishLead();
    await closing;
    await until(() => (b.isLeader() ? true : undefined), 10_000, 'b to take the lease');
    await b.close();
  });
});

const QUEUED = `
name: serial
concurrency: { group: serial, overlap: queue }
steps:
  - id: work
    uses: sleep
    with: { duration: 1s }
`;

describe('the concurrency gate for manual runs (overlap: queue)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ 'serial.yaml': QUEUED });
  });
  afterAll(() => h?.close());

  it('makes manual runs take turns in arrival order, none skipped', async () => {
    const replica = await h.replica({ workers: true });
    const def = replica.registry.get('serial')!;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await replica.services.runs.start({ def, inputs: {}, trigger: 'manual' })).runId);
    const runs = await until(
      async () => {
        const list = await Promise.all(ids.map((id) => replica.services.runs.get(id)));
        return list.every(isTerminalRun) ? list : undefined;
      },
      20_000,
      'the three runs to end',
    );
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    for (let i = 1; i < runs.length; i++)
      expect(Date.parse(runs[i]!.started_at!)).toBeGreaterThanOrEqual(Date.parse(runs[i - 1]!.finished_at!));
  });
});
