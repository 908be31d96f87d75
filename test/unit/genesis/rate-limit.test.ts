import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../src/genesis/rate-limit.js';
import { ManualClock, settle } from './manual-clock.js';

/** Starts `n` acquisitions and records, in order, which ones got a token. */
function race(
  limiter: ReturnType<typeof createRateLimiter>,
  n: number,
  signals: (AbortSignal | undefined)[] = [],
) {
  const granted: number[] = [];
  const rejected: number[] = [];
  for (let i = 0; i < n; i++) {
    limiter.acquire(signals[i]).then(
      () => granted.push(i),
      () => rejected.push(i),
    );
  }
  return { granted, rejected };
}

describe('token bucket rate limiter', () => {
  it('lets a burst through at once, then one request per 1/rate seconds', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ ratePerSecond: 10, burst: 3, clock });
    const { granted } = race(limiter, 6);
    await settle();
    expect(granted).toEqual([0, 1, 2]);
    await clock.advance(99);
    expect(granted).toHaveLength(3);
    await clock.advance(1);
    expect(granted).toEqual([0, 1, 2, 3]);
    await clock.advance(200);
    expect(granted).toEqual([0, 1, 2, 3, 4, 5]);
    expect(limiter.waiting).toBe(0);
  });

  it('serves waiters first come, first served, even when a newcomer arrives as a token accrues', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ ratePerSecond: 1, burst: 1, clock });
    const order: string[] = [];
    for (const name of ['a', 'b', 'c']) limiter.acquire().then(() => order.push(name));
    await settle();
    await clock.advance(1000);
    limiter.acquire().then(() => order.push('late'));
    await clock.advance(2000);
    expect(order).toEqual(['a', 'b', 'c', 'late']);
  });

  it('never grants more than burst + rate·t tokens over any span', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ ratePerSecond: 20, burst: 5, clock });
    const times: number[] = [];
    for (let i = 0; i < 200; i++) limiter.acquire().then(() => times.push(clock.now()));
    for (let t = 0; t < 12_000; t += 10) await clock.advance(10);
    expect(times).toHaveLength(200);
    for (const start of times) {
      const inWindow = times.filter((t) => t >= start && t < start + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(20 + 5);
    }
  });

  it('drops an aborted waiter from the queue and rejects it with the signal reason', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ ratePerSecond: 1, burst: 1, clock });
    const controller = new AbortController();
    const { granted, rejected } = race(limiter, 3, [undefined, controller.signal, undefined]);
    await settle();
    controller.abort(new Error('stop'));
    await settle();
    expect(rejected).toEqual([1]);
    await clock.advance(1000);
    expect(granted).toEqual([0, 2]);
    await expect(limiter.acquire(AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });

  it('refills up to the burst after a quiet spell, no further', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ ratePerSecond: 10, burst: 2, clock });
    await clock.advance(60_000);
    const { granted } = race(limiter, 4);
    await settle();
    expect(granted).toEqual([0, 1]);
  });

  it('refuses a nonsensical configuration', () => {
    expect(() => createRateLimiter({ ratePerSecond: 0 })).toThrow(/invalid API rate limit/);
    expect(() => createRateLimiter({ burst: 0.5 })).toThrow(/invalid API rate limit/);
  });
});
