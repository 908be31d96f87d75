// The clock watch of the integration and e2e layers (test/helpers/clock-watch.ts):
// a wall clock that moves ahead of the monotonic one is recorded, with its span; one
// that moves with it is not, however slow the ticks.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clockJumps, slotsAcrossJumps, watchClock } from '../../helpers/clock-watch.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('clock watch', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  // First: the next test's clock, set ahead and back, leaves jumps on record.
  it('records nothing for ticks that are only late (a busy event loop)', async () => {
    watchClock();
    const before = Date.now();
    const end = performance.now() + 800;
    while (performance.now() < end) {
      // Holds the event loop: the watch's ticks come 800 ms late.
    }
    await sleep(250);
    expect(clockJumps(before)).toEqual([]);
  });

  it('records a wall clock that jumped ahead of the monotonic one, and which slots it explains', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    watchClock();
    await sleep(250);
    const before = Date.now();
    expect(clockJumps(before - 10_000)).toEqual([]);
    const real = Date.now.bind(Date);
    const ahead = vi.spyOn(Date, 'now').mockImplementation(() => real() + 7_000);
    await sleep(350);
    const [jump, ...more] = clockJumps(before);
    expect(more).toEqual([]);
    expect(jump!.aheadMs).toBeGreaterThan(6_500);
    expect(jump!.aheadMs).toBeLessThan(7_500);
    expect(jump!.to - jump!.from).toBeGreaterThan(6_500);
    expect(
      stderr.mock.calls.some(([line]) => String(line).includes('clock-watch: the wall clock moved')),
    ).toBe(true);
    // A slot due inside the jump, or just before it within its grace, is explained;
    // one well before it is not.
    expect(
      slotsAcrossJumps([jump!.from + 3_000, jump!.from - 1_500, jump!.from - 60_000], 2_000, before),
    ).toEqual([jump!.from + 3_000, jump!.from - 1_500]);
    // The clock set back: a jump the other way (its line also goes to the mock).
    ahead.mockRestore();
    await sleep(350);
    expect(clockJumps(before, Date.now() + 60_000).map((j) => Math.sign(j.aheadMs))).toEqual([1, -1]);
  });
});
