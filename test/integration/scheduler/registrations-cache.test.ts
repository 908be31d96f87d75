// The registrations as last read (SchedulerRecords.currentRegistrations): the missed-slot
// check (every 5 s, on the lease holder) and the watchdog (every 15 s) read 10,000 of
// them with one HGETALL each look; now with one GET of their change count while none
// changed. What must hold: a change by any replica is seen at the next read, a Redis
// that forgot is never answered from memory, and `fresh` always reads.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Registration } from '../../../src/scheduler/reconcile.js';
import { SchedulerRecords } from '../../../src/scheduler/records.js';
import { testPrefix } from '../../helpers/prefix.js';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(() => redis.disconnect());

const registration = (workflow: string, cron = '0 2 * * *'): Registration => ({
  id: `${workflow}:0`,
  workflow,
  trigger: 0,
  cron,
  timezone: 'UTC',
  inputs: {},
  catch_up: 'none',
  catch_up_window: '1h',
  catchUpWindowMs: 3_600_000,
  key: `key-${cron}`,
  definitionHash: 'hash',
  registeredAt: 1_000,
});

const ids = (m: Map<string, Registration>) => [...m.keys()].sort();

describe('the registrations as last read', () => {
  it('are reused while none changed; a change by any replica is read at the next call', async () => {
    const prefix = testPrefix('regs');
    const leader = new SchedulerRecords(redis, prefix);
    const other = new SchedulerRecords(redis, prefix);
    await leader.save([registration('a'), registration('b')]);
    const first = await leader.currentRegistrations();
    expect(ids(first)).toEqual(['a:0', 'b:0']);
    // Nothing changed: the same map, no records read.
    expect(await leader.currentRegistrations()).toBe(first);

    // Another replica (a later leader) adds one, changes one, removes one.
    await other.save([registration('c')]);
    expect(ids(await leader.currentRegistrations())).toEqual(['a:0', 'b:0', 'c:0']);
    await other.save([registration('a', '0 3 * * *')]);
    expect((await leader.currentRegistrations()).get('a:0')?.cron).toBe('0 3 * * *');
    await other.forget(['b:0']);
    expect(ids(await leader.currentRegistrations())).toEqual(['a:0', 'c:0']);
  });

  it('are never answered from memory once Redis forgot them', async () => {
    const prefix = testPrefix('regs');
    const records = new SchedulerRecords(redis, prefix);
    await records.save([registration('a')]);
    expect(ids(await records.currentRegistrations())).toEqual(['a:0']);
    // A Redis restarted empty: the hash and its change count are gone.
    await redis.del(records.keys.registered, records.keys.registeredGen);
    expect(ids(await records.currentRegistrations())).toEqual([]);
    // Written again (the leader's reconcile): read again.
    await records.save([registration('a')]);
    expect(ids(await records.currentRegistrations())).toEqual(['a:0']);
  });

  it('are read in full when asked fresh, even when the change count did not move', async () => {
    const prefix = testPrefix('regs');
    const records = new SchedulerRecords(redis, prefix);
    await records.save([registration('a')]);
    const cached = await records.currentRegistrations();
    // A gcflow from before the count writes without bumping it (a rolling upgrade).
    const changed = new SchedulerRecords(redis, `${prefix}-scratch`);
    await changed.save([registration('a', '*/5 * * * *')]);
    const json = await redis.hget(changed.keys.registered, 'a:0');
    await redis.hset(records.keys.registered, 'a:0', json!);
    expect(await records.currentRegistrations()).toBe(cached);
    expect((await records.currentRegistrations(true)).get('a:0')?.cron).toBe('*/5 * * * *');
  });
});
