// Slot arithmetic and the DST rules, checked on the 2026 transition days of
// Europe/Berlin (Mar 29, Oct 25) and America/New_York (Mar 8, Nov 1).
import { describe, expect, it } from 'vitest';
import {
  hasFixedHours,
  isRepeatedWallClock,
  isSecondPass,
  latestSlot,
  nextSlot,
  offsetMs,
  type Schedule,
  zonedIso,
} from '../../../src/scheduler/slots.js';

const at = (iso: string) => Date.parse(iso);
const berlin = (cron: string): Schedule => ({ cron, timezone: 'Europe/Berlin' });
const newYork = (cron: string): Schedule => ({ cron, timezone: 'America/New_York' });

/** Every slot from `fromIso` (exclusive) to `toIso`, as zoned ISO strings. */
function slots(s: Schedule, fromIso: string, toIso: string): string[] {
  const out: string[] = [];
  let cursor = at(fromIso);
  for (;;) {
    const ms = nextSlot(s, cursor);
    if (ms === undefined || ms > at(toIso)) return out;
    out.push(zonedIso(ms, s.timezone));
    cursor = ms;
  }
}

describe('DST: Europe/Berlin', () => {
  it('spring-forward: a daily 02:30 that does not exist fires once, at 03:30 CEST', () => {
    expect(slots(berlin('30 2 * * *'), '2026-03-27T12:00:00Z', '2026-03-31T00:00:00Z')).toEqual([
      '2026-03-28T02:30:00+01:00',
      '2026-03-29T03:30:00+02:00',
      '2026-03-30T02:30:00+02:00',
    ]);
  });

  it('spring-forward: a daily 02:00 fires once, at 03:00 CEST, the instant the clocks jump', () => {
    expect(slots(berlin('0 2 * * *'), '2026-03-28T12:00:00Z', '2026-03-30T12:00:00Z')).toEqual([
      '2026-03-29T03:00:00+02:00',
      '2026-03-30T02:00:00+02:00',
    ]);
  });

  it('fall-back: a daily 02:30 that happens twice fires once, in the first pass (CEST)', () => {
    expect(slots(berlin('30 2 * * *'), '2026-10-24T12:00:00Z', '2026-10-26T12:00:00Z')).toEqual([
      '2026-10-25T02:30:00+02:00',
      '2026-10-26T02:30:00+01:00',
    ]);
  });

  it('fall-back: counting from inside the repeated hour does not fire the wall-clock time again', () => {
    // cron-parser alone answers 2026-10-25T01:30Z (02:30 CET, the second pass) here.
    const from = at('2026-10-25T01:00:00Z');
    expect(zonedIso(nextSlot(berlin('30 2 * * *'), from)!, 'Europe/Berlin')).toBe(
      '2026-10-26T02:30:00+01:00',
    );
    expect(isRepeatedWallClock(berlin('30 2 * * *'), at('2026-10-25T01:30:00Z'))).toBe(true);
    expect(isRepeatedWallClock(berlin('30 2 * * *'), at('2026-10-25T00:30:00Z'))).toBe(false);
  });

  it('fall-back: an hourly schedule fires in both passes, once per real hour', () => {
    expect(slots(berlin('0 * * * *'), '2026-10-24T22:30:00Z', '2026-10-25T02:00:00Z')).toEqual([
      '2026-10-25T01:00:00+02:00',
      '2026-10-25T02:00:00+02:00',
      '2026-10-25T02:00:00+01:00',
      '2026-10-25T03:00:00+01:00',
    ]);
  });

  it('spring-forward: an hour range collapses 02:00 and 03:00 into one 03:00 fire', () => {
    expect(slots(berlin('0 1-3 * * *'), '2026-03-28T22:00:00Z', '2026-03-29T12:00:00Z')).toEqual([
      '2026-03-29T01:00:00+01:00',
      '2026-03-29T03:00:00+02:00',
    ]);
  });
});

describe('DST: America/New_York', () => {
  it('spring-forward: a daily 02:30 that does not exist fires once, at 03:30 EDT', () => {
    expect(slots(newYork('30 2 * * *'), '2026-03-06T12:00:00Z', '2026-03-10T00:00:00Z')).toEqual([
      '2026-03-07T02:30:00-05:00',
      '2026-03-08T03:30:00-04:00',
      '2026-03-09T02:30:00-04:00',
    ]);
  });

  it('fall-back: a daily 01:30 that happens twice fires once, in the first pass (EDT)', () => {
    expect(slots(newYork('30 1 * * *'), '2026-10-31T12:00:00Z', '2026-11-02T12:00:00Z')).toEqual([
      '2026-11-01T01:30:00-04:00',
      '2026-11-02T01:30:00-05:00',
    ]);
  });

  it('fall-back: counting from inside the repeated hour does not fire 01:30 again', () => {
    const from = at('2026-11-01T06:00:00Z'); // 01:00 EST, the second pass
    expect(zonedIso(nextSlot(newYork('30 1 * * *'), from)!, 'America/New_York')).toBe(
      '2026-11-02T01:30:00-05:00',
    );
  });

  it('fall-back: every 15 minutes of a fixed hour fires each wall-clock time once', () => {
    expect(slots(newYork('*/15 1 * * *'), '2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z')).toEqual([
      '2026-11-01T01:00:00-04:00',
      '2026-11-01T01:15:00-04:00',
      '2026-11-01T01:30:00-04:00',
      '2026-11-01T01:45:00-04:00',
    ]);
  });
});

describe('latestSlot: the most recent slot at or before a time', () => {
  it('finds the shifted spring-forward fire that cron-parser prev() skips (Berlin)', () => {
    expect(zonedIso(latestSlot(berlin('0 2 * * *'), at('2026-03-29T03:00:00Z'))!, 'Europe/Berlin')).toBe(
      '2026-03-29T03:00:00+02:00',
    );
  });

  it('finds the shifted spring-forward fire (New York)', () => {
    expect(zonedIso(latestSlot(newYork('30 2 * * *'), at('2026-03-08T09:00:00Z'))!, 'America/New_York')).toBe(
      '2026-03-08T03:30:00-04:00',
    );
  });

  it('returns the first pass on fall-back night, never the repeated time (Berlin and New York)', () => {
    expect(latestSlot(berlin('0 2 * * *'), at('2026-10-25T03:00:00Z'))).toBe(at('2026-10-25T00:00:00Z'));
    expect(latestSlot(newYork('30 1 * * *'), at('2026-11-01T07:00:00Z'))).toBe(at('2026-11-01T05:30:00Z'));
  });

  it('includes a slot exactly at the given time', () => {
    expect(latestSlot({ cron: '*/2 * * * * *', timezone: 'UTC' }, at('2026-06-01T10:00:04Z'))).toBe(
      at('2026-06-01T10:00:04Z'),
    );
    expect(latestSlot({ cron: '*/2 * * * * *', timezone: 'UTC' }, at('2026-06-01T10:00:05.500Z'))).toBe(
      at('2026-06-01T10:00:04Z'),
    );
  });

  it('agrees with nextSlot: the slot after the latest one lies after the given time', () => {
    const s = berlin('15 */3 * * 1-5');
    for (const iso of ['2026-03-29T01:30:00Z', '2026-10-25T01:20:00Z', '2026-07-04T12:00:00Z']) {
      const latest = latestSlot(s, at(iso))!;
      expect(latest).toBeLessThanOrEqual(at(iso));
      expect(nextSlot(s, latest)!).toBeGreaterThan(at(iso));
    }
  });
});

describe('zones and fields', () => {
  it('formats an instant with the zone offset', () => {
    const july = at('2026-07-01T00:00:00Z');
    expect(zonedIso(july, 'America/New_York')).toBe('2026-06-30T20:00:00-04:00');
    expect(zonedIso(july, 'Asia/Kolkata')).toBe('2026-07-01T05:30:00+05:30');
    expect(zonedIso(july, 'UTC')).toBe('2026-07-01T00:00:00+00:00');
    expect(offsetMs(at('2026-01-15T12:00:00Z'), 'Europe/Berlin')).toBe(3_600_000);
  });

  it('knows which instants lie in the second pass of a repeated hour', () => {
    expect(isSecondPass(at('2026-10-25T00:30:00Z'), 'Europe/Berlin')).toBe(false);
    expect(isSecondPass(at('2026-10-25T01:30:00Z'), 'Europe/Berlin')).toBe(true);
    expect(isSecondPass(at('2026-10-25T02:00:00Z'), 'Europe/Berlin')).toBe(false);
    expect(isSecondPass(at('2026-11-01T06:30:00Z'), 'America/New_York')).toBe(true);
    expect(isSecondPass(at('2026-11-01T06:30:00Z'), 'UTC')).toBe(false);
  });

  it('reads the hour field of 5- and 6-field crons', () => {
    expect(hasFixedHours('0 2 * * *')).toBe(true);
    expect(hasFixedHours('0 0 2 * * *')).toBe(true);
    expect(hasFixedHours('*/15 * * * *')).toBe(false);
    expect(hasFixedHours('*/2 * * * * *')).toBe(false);
    expect(hasFixedHours('0 */6 * * *')).toBe(true);
  });
});
