// The watchdog and the schedule views: overdue time from BullMQ's pending fire, a
// metric for every trigger, one warning per overdue episode.
import { afterEach, describe, expect, it } from 'vitest';
import type { Registration } from '../../../src/scheduler/reconcile.js';
import { overdueViews, scheduleView } from '../../../src/scheduler/views.js';
import { startWatchdog, type Watchdog } from '../../../src/scheduler/watchdog.js';
import type { ScheduleView } from '../../../src/scheduler/views.js';
import { createLogger } from '../../../src/shared/logger.js';

const at = (iso: string) => Date.parse(iso);
const REG: Registration = {
  id: 'nightly:0',
  workflow: 'nightly',
  trigger: 0,
  cron: '0 2 * * *',
  timezone: 'Europe/Berlin',
  inputs: {},
  catch_up: 'last',
  catch_up_window: '1h',
  catchUpWindowMs: 3_600_000,
  key: 'k',
  definitionHash: 'h',
  registeredAt: at('2026-06-01T00:00:00Z'),
};

describe('scheduleView', () => {
  it('shows the next fire in the zone and in UTC, the last slot, and no overdue when BullMQ is on time', () => {
    const now = at('2026-06-10T12:00:00Z');
    const view = scheduleView(REG, at('2026-06-10T00:00:00Z'), at('2026-06-11T00:00:00Z'), now);
    expect(view).toEqual({
      workflow: 'nightly',
      trigger: 0,
      cron: '0 2 * * *',
      timezone: 'Europe/Berlin',
      catch_up: 'last',
      next: '2026-06-11T02:00:00+02:00',
      next_utc: '2026-06-11T00:00:00.000Z',
      last_slot: '2026-06-10T00:00:00.000Z',
      overdue_ms: 0,
    });
  });

  it('is overdue by the time since BullMQ’s pending fire was due', () => {
    const now = at('2026-06-10T00:05:00Z');
    expect(scheduleView(REG, null, at('2026-06-10T00:00:00Z'), now).overdue_ms).toBe(5 * 60_000);
  });

  it('without a BullMQ scheduler, expects the first slot after the last decided one', () => {
    const now = at('2026-06-12T00:30:00Z');
    expect(scheduleView(REG, at('2026-06-10T00:00:00Z'), undefined, now).overdue_ms).toBe(24.5 * 3_600_000);
  });
});

describe('overdueViews (what the watchdog reads)', () => {
  it('gives the same overdue time as the full view, with or without a BullMQ scheduler', () => {
    const now = at('2026-06-12T00:30:00Z');
    const last = new Map([[REG.id, at('2026-06-10T00:00:00Z')]]);
    expect(overdueViews([REG], last, new Map(), now)).toEqual([
      { workflow: 'nightly', trigger: 0, cron: '0 2 * * *', timezone: 'Europe/Berlin', overdue_ms: 24.5 * 3_600_000 },
    ]);
    const pending = new Map([[REG.id, at('2026-06-12T00:00:00Z')]]);
    expect(overdueViews([REG], last, pending, now)[0]!.overdue_ms).toBe(30 * 60_000);
  });

  it('is not overdue when the expected slot is still ahead (a yearly cron registered today)', () => {
    const yearly = { ...REG, cron: '0 0 1 1 *', timezone: 'UTC', registeredAt: at('2026-11-29T21:00:00Z') };
    expect(overdueViews([yearly], new Map(), new Map(), at('2026-11-29T22:00:00Z'))[0]!.overdue_ms).toBe(0);
    expect(overdueViews([yearly], new Map(), new Map(), at('2027-01-01T00:10:00Z'))[0]!.overdue_ms).toBe(10 * 60_000);
  });
});

describe('watchdog', () => {
  let dog: Watchdog | undefined;
  afterEach(() => dog?.close());

  const view = (overdue_ms: number): ScheduleView => ({
    workflow: 'nightly',
    trigger: 0,
    cron: '0 2 * * *',
    timezone: 'Europe/Berlin',
    catch_up: 'last',
    next: '',
    next_utc: '',
    last_slot: null,
    overdue_ms,
  });

  it('reports every trigger in the metric and warns once per overdue episode', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      pretty: false,
      destination: { write: (l: string) => void lines.push(l) },
    });
    const metric: Array<[string, number, number]> = [];
    let current: ScheduleView[] = [view(500)];
    dog = startWatchdog({
      views: async () => current,
      setOverdue: (w, t, ms) => void metric.push([w, t, ms]),
      graceMs: 60_000,
      intervalMs: 3_600_000,
      logger,
    });
    await dog.check();
    expect(lines).toHaveLength(0);
    current = [view(90_000)];
    await dog.check();
    await dog.check();
    expect(lines).toHaveLength(1);
    const warning = JSON.parse(lines[0]!);
    expect(warning.level).toBe(40);
    expect(warning.msg).toContain('schedule nightly:0 is overdue by 1m30s');
    expect(warning.msg).toContain('Check that a gcflow daemon');
    current = [view(0)];
    await dog.check();
    current = [view(120_000)];
    await dog.check();
    expect(lines).toHaveLength(2);
    current = [];
    await dog.check();
    expect(metric).toEqual([
      ['nightly', 0, 500],
      ['nightly', 0, 90_000],
      ['nightly', 0, 90_000],
      ['nightly', 0, 0],
      ['nightly', 0, 120_000],
      ['nightly', 0, 0],
    ]);
  });
});
