// The shared limiter's lateness check (genesis/shared-rate-limit.ts), with a scripted
// bucket and a manual clock: a slot is for its time, counted from when it was asked for.
import { describe, expect, it } from 'vitest';
import {
  createSharedRateLimiter,
  type SharedBudget,
  type SharedRateLimiter,
} from '../../../src/genesis/shared-rate-limit.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { ManualClock, settle } from './manual-clock.js';

/**
 * A bucket that answers each take with the next scripted wait (then `slotMs` more per
 * further slot of the same take), after `stallMs` of the caller's time.
 */
function scripted(clock: ManualClock, answers: { waitMs: number; stallMs: number }[], slotMs = 100) {
  const takes: number[] = [];
  const counts: number[] = [];
  const budget: SharedBudget = {
    ready: () => true,
    take: async (_key, _rate, _burst, count) => {
      takes.push(clock.now());
      counts.push(count);
      const next = answers.shift() ?? { waitMs: 0, stallMs: 0 };
      // The event loop stalls between Redis's answer and the caller's continuation.
      if (next.stallMs > 0) await clock.advance(next.stallMs);
      return Array.from({ length: count }, (_, i) => next.waitMs + i * slotMs);
    },
    pause: async () => undefined,
  };
  return { budget, takes, counts };
}

const options = (budget: SharedBudget, clock: ManualClock) => ({
  budget,
  baseUrl: 'http://sim/compute/v1',
  token: 't',
  ratePerSecond: 10,
  burst: 1,
  clock,
  logger: silentLogger(),
});

describe('shared rate limiter: late callers take a new slot', () => {
  it('a stall between the answer and the continuation counts as lateness', async () => {
    const clock = new ManualClock();
    // The slot was "now" when Redis answered, but the caller resumed 250 ms (2.5 slots) later.
    const { budget, takes } = scripted(clock, [{ waitMs: 0, stallMs: 250 }]);
    const limiter = createSharedRateLimiter(options(budget, clock));
    let sent = false;
    const done = limiter.acquire().then(() => (sent = true));
    await done;
    // Counting lateness from the answer's arrival (the old code) sent on the first take.
    expect(takes).toHaveLength(2);
    expect(sent).toBe(true);
  });

  it('an on-time caller waits out its slot and sends on the first take', async () => {
    const clock = new ManualClock();
    const start = clock.now();
    const { budget, takes } = scripted(clock, [{ waitMs: 300, stallMs: 20 }]);
    const limiter = createSharedRateLimiter(options(budget, clock));
    let sentAt: number | undefined;
    void limiter.acquire().then(() => (sentAt = clock.now()));
    // Once the take's answer (and its 20 ms stall) is in:
    while (clock.now() < start + 20) await settle();
    await clock.advance(279);
    expect(sentAt).toBeUndefined();
    await clock.advance(10);
    // The wait counts from when the take was asked: 300 ms after the start, not 320.
    expect(sentAt).toBe(start + 300);
    expect(takes).toHaveLength(1);
  });

  it('callers that ask while a take is in flight share the next take, each sent at its own slot', async () => {
    const clock = new ManualClock();
    const start = clock.now();
    // The first take answers after 50 ms; meanwhile 9 more callers ask.
    const { budget, counts } = scripted(clock, [
      { waitMs: 0, stallMs: 50 },
      { waitMs: 0, stallMs: 0 },
    ]);
    const limiter = createSharedRateLimiter(options(budget, clock));
    const sentAt: number[] = [];
    const first = limiter.acquire().then(() => sentAt.push(clock.now() - start));
    await settle();
    const rest = Array.from({ length: 9 }, () =>
      limiter.acquire().then(() => sentAt.push(clock.now() - start)),
    );
    await first;
    // The 9 share one take, and their slots (0, 100, ... 800 ms after it was sent) are kept.
    for (let t = 0; t < 9; t++) {
      await settle();
      await clock.advance(100);
    }
    await Promise.all(rest);
    expect(counts).toEqual([1, 9]);
    expect(sentAt).toEqual([50, 50, 150, 250, 350, 450, 550, 650, 750, 850]);
  });

  /** Budget takes of one acquire at 10,000/s (a 0.1 ms slot) whose first answer comes `stallMs` late. */
  const takesAt10k = async (stallMs: number): Promise<number> => {
    const clock = new ManualClock();
    const { budget, takes } = scripted(clock, [{ waitMs: 0, stallMs }], 0.1);
    const limiter = createSharedRateLimiter({
      ...options(budget, clock),
      ratePerSecond: 10_000,
      burst: 10_000,
    });
    await limiter.acquire();
    return takes.length;
  };

  it('above 100/s, a caller up to 10 ms late (1 % of a second) sends on its first take', async () => {
    // A Redis round trip on a busy event loop takes a few ms. Judged against the 0.1 ms
    // slot (or the clock's 1 ms grain), such a caller read as late and retook: at
    // 1,000,000/s about half the bench's calls did.
    expect(await takesAt10k(1)).toBe(1);
    expect(await takesAt10k(10)).toBe(1);
  });

  it('above 100/s, a caller later than 10 ms still takes a new slot', async () => {
    expect(await takesAt10k(11)).toBe(2);
  });
});

describe('shared rate limiter: slots taken ahead from 100/s up', () => {
  /** A limiter at `ratePerSecond` over a full bucket (every slot at once; scripted with no waits), and its takes' counts. */
  const limiterAt = (ratePerSecond: number, clock: ManualClock) => {
    const { budget, counts } = scripted(clock, [], 0);
    const limiter = createSharedRateLimiter({
      ...options(budget, clock),
      ratePerSecond,
      burst: ratePerSecond,
    });
    return { limiter, counts };
  };

  it('at 10,000/s, a take asks for as many slots again, and the next callers send without a take', async () => {
    const clock = new ManualClock();
    const { limiter, counts } = limiterAt(10_000, clock);
    await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    expect(counts).toEqual([6]);
    await clock.advance(5);
    await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    expect(counts).toEqual([6]);
    // The fourth caller finds none left ahead and takes again, for itself and one more.
    await limiter.acquire();
    expect(counts).toEqual([6, 2]);
  });

  /** The counts of the takes of two acquires in turn at `rate`, with `between` done between them. */
  async function takesOfTwo(
    rate: number,
    between: (limiter: SharedRateLimiter, clock: ManualClock) => unknown = () => undefined,
  ): Promise<number[]> {
    const clock = new ManualClock();
    const { limiter, counts } = limiterAt(rate, clock);
    await limiter.acquire();
    await between(limiter, clock);
    await limiter.acquire();
    return counts;
  }

  it('a slot taken ahead is used up to 10 ms after its time, not later', async () => {
    expect(await takesOfTwo(10_000, (_, clock) => clock.advance(10))).toEqual([2]);
    expect(await takesOfTwo(10_000, (_, clock) => clock.advance(11))).toEqual([2, 2]);
  });

  it("a 429's pause drops the slots taken ahead", async () => {
    expect(await takesOfTwo(10_000, (limiter) => limiter.pause?.(1_000))).toEqual([2, 2]);
  });

  it('below 100/s, no slot is taken ahead: each caller takes its own', async () => {
    expect(await takesOfTwo(99)).toEqual([1, 1]);
  });
});
