// The one wait a process shares for another replica's status sweep: each flush gets
// only statuses fresh enough for its own demands, a Redis failure reaches every flush
// (and the next wait starts afresh), and a flush's deadline ends its wait alone.
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { SweepWait } from '../../../src/actions/sweep-wait.js';

type Snap = { at: number; id: string };

/** A fake of the two commands the wait sends: the lock's EXISTS and the statuses' MGET. */
function fakeRedis() {
  const fake = {
    locked: true,
    statuses: new Map<string, Snap>(),
    failing: false,
    mgets: 0,
    async exists() {
      if (fake.failing) throw new Error('Connection is closed.');
      return fake.locked ? 1 : 0;
    },
    async mget(keys: string[]) {
      fake.mgets += 1;
      return keys.map((k) => {
        const snap = fake.statuses.get(k);
        return snap ? JSON.stringify(snap) : null;
      });
    },
  };
  return fake;
}

function setup() {
  const redis = fakeRedis();
  const clock = { t: 1_000, now: () => clock.t, sleep: () => new Promise<void>((r) => setTimeout(r, 1)) };
  const wait = new SweepWait<Snap>({
    redis: redis as unknown as Redis,
    clock,
    lockKey: 'lock',
    statusKey: (id) => `status:${id}`,
    decode: (json) => JSON.parse(json) as Snap,
  });
  return { redis, clock, wait };
}

const ticks = (n: number) => new Promise((r) => setTimeout(r, 10 * n));

describe('SweepWait', () => {
  it('gives each flush only the statuses read late enough for it, then ends with the lock', async () => {
    const { redis, wait } = setup();
    const poll = wait.wait(new Map([['a', 500]]), 60_000);
    const look = wait.wait(new Map([['a', 1_500]]), 60_000);
    redis.statuses.set('status:a', { at: 1_000, id: 'a' });
    expect(await poll).toEqual(new Map([['a', { at: 1_000, id: 'a' }]]));
    await ticks(2);
    redis.locked = false;
    // The sweep began before the look's action was sent: it does not serve the look.
    expect(await look).toEqual(new Map());
  });

  it('fails every waiting flush when Redis fails, and a later wait polls again', async () => {
    const { redis, wait } = setup();
    const first = wait.wait(new Map([['a', 0]]), 60_000);
    const second = wait.wait(new Map([['b', 0]]), 60_000);
    redis.failing = true;
    await expect(first).rejects.toThrow('Connection is closed.');
    await expect(second).rejects.toThrow('Connection is closed.');
    redis.failing = false;
    redis.statuses.set('status:c', { at: 1_000, id: 'c' });
    expect(await wait.wait(new Map([['c', 0]]), 60_000)).toEqual(new Map([['c', { at: 1_000, id: 'c' }]]));
  });

  it("ends a flush's wait at its deadline while the others go on", async () => {
    const { redis, clock, wait } = setup();
    const short = wait.wait(new Map([['a', 0]]), 2_000);
    const long = wait.wait(new Map([['b', 0]]), 60_000);
    clock.t = 2_000;
    expect(await short).toEqual(new Map());
    redis.statuses.set('status:b', { at: 2_000, id: 'b' });
    expect(await long).toEqual(new Map([['b', { at: 2_000, id: 'b' }]]));
    expect(redis.mgets).toBeGreaterThan(1);
  });
});
