import { describe, expect, it } from 'vitest';
import { isRunId, manualRunId, scheduledRunId } from '../../../src/shared/ids.js';

/** The id's stamp as first written: the ISO time with regular expressions. */
const byRegex = (slotMs: number) =>
  new Date(slotMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'z')
    .toLowerCase();

describe('scheduledRunId', () => {
  it('names the workflow, the trigger and the slot to the second', () => {
    expect(scheduledRunId('nightly-snapshots', 0, Date.parse('2026-11-28T02:00:00.000Z'))).toBe(
      'nightly-snapshots-t0-20261128t020000z',
    );
    expect(scheduledRunId('w', 3, Date.parse('2026-01-02T03:04:05.678Z'))).toBe('w-t3-20260102t030405z');
  });

  it('is the stamp the regex form gave, for any time (ids of stored runs must not change)', () => {
    // Slots across the years 1970-2300, with and without milliseconds.
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2_000; i++) {
      const slotMs = Math.floor(next() * 10_500_000_000_000) + (i % 2 === 0 ? 0 : Math.floor(next() * 999));
      expect(scheduledRunId('w', 1, slotMs)).toBe(`w-t1-${byRegex(slotMs)}`);
    }
    // Beyond 9999 the ISO form is `+YYYYYY-...`: the general form gives the same id.
    const far = Date.parse('+010000-01-01T00:00:00.000Z');
    expect(scheduledRunId('w', 0, far)).toBe(`w-t0-${byRegex(far)}`);
  });

  it('makes run ids the run-id grammar accepts', () => {
    expect(isRunId(scheduledRunId('office-hours', 2, Date.now()))).toBe(true);
    expect(isRunId(manualRunId('office-hours', Date.now()))).toBe(true);
  });
});
