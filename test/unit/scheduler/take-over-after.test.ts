// How long a held, undecided fire waits before another replica fires its slot: half
// the slot's grace, at least 1 s. Short schedules are taken over within their grace;
// long ones (whose stalled fire comes back within their grace anyway) only after 15 s,
// so a burst slowed by a busy machine is not fired twice.
import { describe, expect, it } from 'vitest';
import { lateGraceMs } from '../../../src/scheduler/decisions.js';
import { TAKE_OVER_AFTER_MS, undecidedAfterMs } from '../../../src/scheduler/take-over.js';

const at = Date.parse('2026-06-10T00:00:00Z');

describe('undecidedAfterMs', () => {
  it('is half the grace, at least TAKE_OVER_AFTER_MS, and always within the grace', () => {
    const cases: Array<[string, number]> = [
      ['*/2 * * * * *', 1_000],
      ['*/10 * * * * *', 2_500],
      ['* * * * *', 15_000],
      ['0 3 * * *', 15_000],
    ];
    for (const [cron, expected] of cases) {
      const s = { cron, timezone: 'UTC' };
      expect(undecidedAfterMs(s, at), cron).toBe(expected);
      expect(undecidedAfterMs(s, at), cron).toBeGreaterThanOrEqual(TAKE_OVER_AFTER_MS);
      expect(undecidedAfterMs(s, at), cron).toBeLessThan(lateGraceMs(s, at));
    }
  });
});
