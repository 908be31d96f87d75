// Which slot a fire runs (on time, late, DST repeat), what catch-up runs after
// downtime, and what each overlap policy does with a busy group.
import { describe, expect, it } from 'vitest';
import {
  catchUpSlot,
  decideOverlap,
  type GroupRun,
  lateGraceMs,
  resolveFire,
  slotSinceRegistration,
  type TriggerTiming,
} from '../../../src/scheduler/decisions.js';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

const daily = (over: Partial<TriggerTiming> = {}): TriggerTiming => ({
  cron: '0 2 * * *',
  timezone: 'Europe/Berlin',
  catch_up: 'last',
  catchUpWindowMs: HOUR,
  registeredAt: at('2026-01-01T00:00:00Z'),
  ...over,
});
const everyTwoSeconds = (over: Partial<TriggerTiming> = {}): TriggerTiming =>
  daily({ cron: '*/2 * * * * *', timezone: 'UTC', ...over });

// 02:00 Berlin in June is 00:00Z.
const SLOT = at('2026-06-10T00:00:00Z');

describe('resolveFire', () => {
  it('runs an on-time fire for its own slot', () => {
    expect(resolveFire(daily(), SLOT, SLOT + 150)).toEqual({ type: 'fire', slotMs: SLOT, late: false });
  });

  it('drops a fire delivered after the grace when the trigger has catch_up: none', () => {
    expect(resolveFire(daily({ catch_up: 'none' }), SLOT, SLOT + 31_000)).toEqual({
      type: 'drop',
      reason: 'late',
      slotMs: SLOT,
    });
    expect(resolveFire(daily({ catch_up: 'none' }), SLOT, SLOT + 20_000).type).toBe('fire');
  });

  it('judges a fire by when a worker took it, not by when it is handled', () => {
    const none = everyTwoSeconds({ catch_up: 'none' });
    const slot = at('2026-06-10T12:00:00Z');
    // Taken 300 ms after its time; its taker died and another replica fires it 9 s later.
    expect(resolveFire(none, slot, slot + 9_000, slot + 300)).toEqual({
      type: 'fire',
      slotMs: slot,
      late: false,
    });
    // Taken after the grace (2 s): late, however it is handled.
    expect(resolveFire(none, slot, slot + 2_100, slot + 2_100)).toMatchObject({
      type: 'drop',
      reason: 'late',
    });
    // A delivery time after now (another replica's clock ahead) counts as now.
    expect(resolveFire(none, slot, slot + 2_100, slot + 9_000)).toMatchObject({
      type: 'drop',
      reason: 'late',
    });
    // Taken late with catch_up: last: the most recent slot as of now, not as of the take.
    expect(resolveFire(everyTwoSeconds(), slot, slot + 21_000, slot + 5_000)).toEqual({
      type: 'fire',
      slotMs: slot + 20_000,
      late: false,
    });
  });

  it('runs a late fire (catch_up: last) within the window', () => {
    expect(resolveFire(daily(), SLOT, SLOT + 10 * 60_000)).toEqual({
      type: 'fire',
      slotMs: SLOT,
      late: true,
    });
  });

  it('drops a late fire outside the catch-up window', () => {
    expect(resolveFire(daily(), SLOT, SLOT + 2 * HOUR)).toMatchObject({
      type: 'drop',
      reason: 'outside_window',
    });
  });

  it('turns a stale fire after downtime into the most recent slot', () => {
    // BullMQ delivers the first missed slot; 10 slots went by since.
    const delivered = at('2026-06-10T12:00:00Z');
    expect(resolveFire(everyTwoSeconds(), delivered, delivered + 21_000)).toEqual({
      type: 'fire',
      slotMs: delivered + 20_000,
      late: false,
    });
  });

  it('drops the repeated wall-clock fire of fall-back night for a fixed-hour schedule', () => {
    const secondPass = at('2026-10-25T01:30:00Z'); // 02:30 CET, after 02:30 CEST
    expect(resolveFire(daily({ cron: '30 2 * * *' }), secondPass, secondPass + 100)).toMatchObject({
      type: 'drop',
      reason: 'dst_repeat',
    });
  });

  it('never catches up a slot from before the schedule was registered', () => {
    const timing = daily({ registeredAt: SLOT + 5 * 60_000 });
    expect(resolveFire(timing, SLOT, SLOT + 10 * 60_000)).toMatchObject({
      type: 'drop',
      reason: 'before_registration',
    });
  });
});

describe('lateGraceMs', () => {
  it('is half the interval, between 2 s and 30 s', () => {
    expect(lateGraceMs({ cron: '*/20 * * * * *', timezone: 'UTC' }, at('2026-06-10T00:00:00Z'))).toBe(10_000);
    expect(lateGraceMs({ cron: '* * * * * *', timezone: 'UTC' }, at('2026-06-10T00:00:00Z'))).toBe(2_000);
    expect(lateGraceMs({ cron: '0 2 * * *', timezone: 'UTC' }, at('2026-06-10T02:00:00Z'))).toBe(30_000);
  });

  it('is half the interval up to a next slot a minute later, the longest grace beyond', () => {
    const slot = at('2026-06-10T00:00:00Z');
    expect(lateGraceMs({ cron: '0,58 * * * * *', timezone: 'UTC' }, slot)).toBe(29_000);
    expect(lateGraceMs({ cron: '0 * * * * *', timezone: 'UTC' }, slot)).toBe(30_000);
    expect(lateGraceMs({ cron: '0 0 0 10 6 *', timezone: 'UTC' }, slot)).toBe(30_000);
  });
});

describe('catchUpSlot', () => {
  it('runs the most recent missed slot once after downtime', () => {
    expect(catchUpSlot(daily(), SLOT + 20 * 60_000, SLOT - 24 * HOUR)).toEqual({
      type: 'fire',
      slotMs: SLOT,
      late: true,
    });
  });

  it('does nothing when that slot was already decided', () => {
    expect(catchUpSlot(daily(), SLOT + 20 * 60_000, SLOT)).toBeUndefined();
  });

  it('does nothing for catch_up: none', () => {
    expect(catchUpSlot(daily({ catch_up: 'none' }), SLOT + 20 * 60_000, null)).toBeUndefined();
  });

  it('reports a missed slot outside the window instead of running it', () => {
    expect(catchUpSlot(daily(), SLOT + 3 * HOUR, null)).toMatchObject({
      type: 'drop',
      reason: 'outside_window',
    });
  });

  it('catches up the shifted spring-forward fire of a daily 02:00 (Berlin)', () => {
    const shifted = at('2026-03-29T01:00:00Z'); // 03:00 CEST
    expect(catchUpSlot(daily(), shifted + 15 * 60_000, null)).toMatchObject({
      type: 'fire',
      slotMs: shifted,
    });
  });

  it('catches up the first pass of fall-back night, never the repeated time (New York)', () => {
    const timing = daily({ cron: '30 1 * * *', timezone: 'America/New_York', catchUpWindowMs: 2 * HOUR });
    const firstPass = at('2026-11-01T05:30:00Z'); // 01:30 EDT
    // 06:45Z is 01:45 EST, after the repeated 01:30 EST (06:30Z), which must not count.
    expect(catchUpSlot(timing, at('2026-11-01T06:45:00Z'), null)).toMatchObject({
      type: 'fire',
      slotMs: firstPass,
    });
    expect(catchUpSlot(timing, at('2026-11-01T06:45:00Z'), firstPass)).toBeUndefined();
  });
});

describe('slotSinceRegistration', () => {
  it('is false for a trigger registered after its latest slot: catchUpSlot has nothing to run', () => {
    const timing = daily({ registeredAt: SLOT + 60_000 });
    expect(slotSinceRegistration(timing, SLOT + 20 * 60_000)).toBe(false);
    expect(catchUpSlot(timing, SLOT + 20 * 60_000, null)).toMatchObject({ reason: 'before_registration' });
  });

  it('is true once a slot after the registration has passed: the catch-up runs it', () => {
    const timing = daily({ registeredAt: SLOT - 60_000 });
    expect(slotSinceRegistration(timing, SLOT + 20 * 60_000)).toBe(true);
    expect(catchUpSlot(timing, SLOT + 20 * 60_000, null)).toMatchObject({ type: 'fire', slotMs: SLOT });
  });

  it('counts the shifted spring-forward fire as a slot (Berlin 02:00 runs at 03:00 CEST)', () => {
    const shifted = at('2026-03-29T01:00:00Z');
    expect(slotSinceRegistration(daily({ registeredAt: shifted - 60_000 }), shifted)).toBe(true);
    expect(slotSinceRegistration(daily({ registeredAt: shifted - 60_000 }), shifted - 1)).toBe(false);
  });

  it('is false for a yearly cron registered today, true from its next New Year', () => {
    const timing = daily({ cron: '0 0 1 1 *', timezone: 'UTC', registeredAt: at('2026-11-29T21:00:00Z') });
    expect(slotSinceRegistration(timing, at('2026-11-29T21:05:00Z'))).toBe(false);
    expect(slotSinceRegistration(timing, at('2027-01-01T00:00:00Z'))).toBe(true);
  });
});

describe('decideOverlap', () => {
  const running: GroupRun = { id: 'w-1', status: 'running', holder: true };
  const waiting: GroupRun = { id: 'w-2', status: 'queued', holder: false };

  it('starts when nothing of the group is active, whatever the policy', () => {
    for (const policy of ['skip', 'queue', 'cancel_running', 'allow'] as const)
      expect(decideOverlap(policy, [])).toEqual({ action: 'start', cancel: [] });
  });

  it('skip: does not start while a run is active', () => {
    expect(decideOverlap('skip', [running])).toMatchObject({ action: 'skip', active: ['w-1'] });
  });

  it('allow: starts alongside', () => {
    expect(decideOverlap('allow', [running, waiting])).toEqual({ action: 'start', cancel: [] });
  });

  it('cancel_running: cancels every active run and starts', () => {
    expect(decideOverlap('cancel_running', [running, waiting])).toEqual({
      action: 'start',
      cancel: ['w-1', 'w-2'],
    });
  });

  it('queue: one run may wait behind the running one, a second is skipped', () => {
    expect(decideOverlap('queue', [running])).toEqual({ action: 'start', cancel: [] });
    expect(decideOverlap('queue', [running, waiting])).toMatchObject({ action: 'skip' });
  });

  it('queue: a run not yet admitted counts as the running one when none holds the slot', () => {
    expect(decideOverlap('queue', [waiting])).toEqual({ action: 'start', cancel: [] });
    expect(decideOverlap('queue', [waiting, { ...waiting, id: 'w-3' }])).toMatchObject({ action: 'skip' });
  });

  it('queue with limit 2: starts while a slot is free, then lets one wait behind the two running', () => {
    const second: GroupRun = { ...running, id: 'w-3' };
    expect(decideOverlap('queue', [running], 2)).toEqual({ action: 'start', cancel: [] });
    expect(decideOverlap('queue', [running, waiting], 2)).toEqual({ action: 'start', cancel: [] });
    expect(decideOverlap('queue', [running, second], 2)).toEqual({ action: 'start', cancel: [] });
    expect(decideOverlap('queue', [running, second, waiting], 2)).toMatchObject({
      action: 'skip',
      code: 'overlap_queue_full',
      reason: 'overlap queue: 2 runs of the group run and one already waits behind them',
    });
    // Not yet admitted, none holding: two take the slots, a third may wait.
    const queued = (id: string): GroupRun => ({ ...waiting, id });
    expect(decideOverlap('queue', [queued('a'), queued('b')], 2)).toEqual({ action: 'start', cancel: [] });
    expect(decideOverlap('queue', [queued('a'), queued('b'), queued('c')], 2)).toMatchObject({
      action: 'skip',
    });
  });
});
