// The office-hours example's triggers, walked over a whole week with the slot
// arithmetic the scheduler fires with: every quarter hour of the off period has a
// stop, the weekday mornings until 08:45 a start, office hours after that nothing,
// and no two triggers ever fire at the same instant (no duplicated work).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWorkflow } from '../../../src/dsl/index.js';
import { nextSlot, zonedIso } from '../../../src/scheduler/slots.js';

const def = parseWorkflow(readFileSync('workflows/office-hours.yaml', 'utf8'), 'office-hours.yaml')
  .definition!;

/** Monday 2026-11-30 00:00 in Berlin (CET, +01:00), and a week on. */
const WEEK_START = Date.parse('2026-11-30T00:00:00+01:00');
const WEEK_END = WEEK_START + 7 * 86_400_000;

function firesOfTheWeek(): Map<number, string[]> {
  const fires = new Map<number, string[]>();
  for (const t of def.triggers) {
    let at = WEEK_START - 1;
    for (;;) {
      const slot = nextSlot({ cron: t.cron, timezone: t.timezone }, at);
      if (slot === undefined || slot >= WEEK_END) break;
      fires.set(slot, [...(fires.get(slot) ?? []), String(t.inputs['action'])]);
      at = slot;
    }
  }
  return fires;
}

describe('office-hours triggers', () => {
  it('assert the stop every quarter hour of the off period and the start until 08:45, one trigger per instant', () => {
    const fires = firesOfTheWeek();
    let stops = 0;
    let starts = 0;
    for (let at = WEEK_START; at < WEEK_END; at += 15 * 60_000) {
      const local = zonedIso(at, 'Europe/Berlin');
      const day = new Date(`${local.slice(0, 10)}T12:00:00Z`).getUTCDay();
      const hour = Number(local.slice(11, 13));
      const weekday = day >= 1 && day <= 5;
      const expected = !weekday || hour < 7 || hour >= 19 ? ['stop'] : hour < 9 ? ['start'] : [];
      expect(fires.get(at) ?? [], local).toEqual(expected);
      if (expected[0] === 'stop') stops++;
      if (expected[0] === 'start') starts++;
    }
    // 7 days x 96 quarter hours, less 5 x 48 in office hours; 5 mornings x 8 starts.
    expect([stops, starts, fires.size]).toEqual([432, 40, 472]);
  });
});
