// The trigger queue's remembering repeat strategy answers exactly what BullMQ's own
// (defaultRepeatStrategy) answers, for any sequence of times, across DST transitions too.
import { defaultRepeatStrategy, type RepeatOptions } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { rememberingRepeatStrategy } from '../../../src/queue/triggers.js';

const at = (iso: string) => Date.parse(iso);

const CASES: Array<{ opts: RepeatOptions; from: string }> = [
  { opts: { pattern: '*/5 * * * * *', tz: 'UTC' }, from: '2026-05-01T10:00:00Z' },
  { opts: { pattern: '0 0 1 1 *', tz: 'UTC' }, from: '2026-12-31T23:59:30Z' },
  { opts: { pattern: '30 2 * * *', tz: 'Europe/Berlin' }, from: '2026-03-29T00:00:00Z' },
  { opts: { pattern: '30 2 * * *', tz: 'Europe/Berlin' }, from: '2026-10-25T00:00:00Z' },
  { opts: { pattern: '*/20 * * * *', tz: 'America/New_York' }, from: '2026-11-01T05:30:00Z' },
  { opts: { pattern: '7 31 14 30 11 *', tz: 'UTC' }, from: '2026-11-30T14:30:00Z' },
];

describe('rememberingRepeatStrategy', () => {
  for (const { opts, from } of CASES) {
    it(`matches defaultRepeatStrategy for ${opts.pattern} in ${opts.tz} from ${from}`, async () => {
      const strategy = rememberingRepeatStrategy();
      const start = at(from);
      // Ascending times a few ms to seconds apart (a burst of fires), then some going back.
      const times: number[] = [];
      let t = start;
      for (let i = 0; i < 400; i++) {
        t += (i * 7919) % 4_000;
        times.push(t);
      }
      for (let i = 0; i < 50; i++) times.push(start + ((i * 104_729) % 3_600_000));
      for (const ms of times) expect(await strategy(ms, opts)).toBe(defaultRepeatStrategy(ms, opts));
    });
  }

  it('keeps options other than a pattern and a timezone to BullMQ', async () => {
    const strategy = rememberingRepeatStrategy();
    const opts: RepeatOptions = { pattern: '* * * * *', tz: 'UTC', startDate: at('2027-01-01T00:00:00Z') };
    const ms = at('2026-06-01T00:00:00Z');
    expect(await strategy(ms, opts)).toBe(defaultRepeatStrategy(ms, opts));
    expect(await strategy(ms + 1, opts)).toBe(defaultRepeatStrategy(ms + 1, opts));
  });
});
