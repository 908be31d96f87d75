// What the scheduler does with a fire, decided from plain data: which slot a
// (possibly late) fire stands for, which missed slot to catch up after downtime,
// and what the overlap policy says when the group is busy. Pure; no I/O.
import type { CatchUp, Overlap } from '../dsl/types.js';
import { type Schedule, isRepeatedWallClock, latestSlot, memo, nextSlot } from './slots.js';

/** What the scheduler knows of one registered trigger when a fire arrives. */
export interface TriggerTiming extends Schedule {
  catch_up: CatchUp;
  catchUpWindowMs: number;
  /** When this cron/timezone was registered: no slot before it is ever caught up. */
  registeredAt: number;
}

export type DropReason = 'dst_repeat' | 'late' | 'outside_window' | 'before_registration' | 'no_slot';

export type SlotResolution =
  | { type: 'fire'; slotMs: number; late: boolean }
  | { type: 'drop'; reason: DropReason; slotMs: number };

export const MIN_GRACE_MS = 2_000;
export const MAX_GRACE_MS = 30_000;

/** Every fire of a slot asks its grace (a cron parse): 1,000 schedules of one cron, 1,000 parses. */
const graces = memo<number>();

/**
 * How late a fire may arrive and still count as on time: half the schedule's
 * interval at that slot, at least 2 s (ordinary delivery lag) and at most 30 s
 * (a trigger job taken over from a crashed replica comes back within that).
 */
export function lateGraceMs(s: Schedule, slotMs: number): number {
  return graces(`${s.cron}\u0000${s.timezone}\u0000${slotMs}`, () => computeGraceMs(s, slotMs));
}

function computeGraceMs(s: Schedule, slotMs: number): number {
  // A next slot later than twice the longest grace gives the longest grace: look no further.
  const next = nextSlot(s, slotMs, slotMs + 2 * MAX_GRACE_MS);
  const half = next === undefined ? MAX_GRACE_MS : (next - slotMs) / 2;
  return Math.min(MAX_GRACE_MS, Math.max(MIN_GRACE_MS, half));
}

/**
 * Whether a fire of `slotMs` runs its own slot at `nowMs` (on time, not a DST repeat),
 * delivered at `deliveredMs` when known (see resolveFire).
 */
export function isOnTime(t: TriggerTiming, slotMs: number, nowMs: number, deliveredMs?: number): boolean {
  const resolution = resolveFire(t, slotMs, nowMs, deliveredMs);
  return resolution.type === 'fire' && resolution.slotMs === slotMs;
}

/**
 * The slot a fire of `slotMs` runs, or why it is dropped, at `nowMs`. A fire is
 * delivered when a worker takes it from BullMQ (`deliveredMs`, `nowMs` when not
 * known): one taken within its grace runs its own slot, however long its taker then
 * took (a process stalled, or died and another replica fires the slot for it).
 * Late (downtime, or a job redelivered after a crash): `catch_up: none` drops it;
 * `catch_up: last` runs the most recent slot at `nowMs` instead, when that lies
 * within the catch-up window and after the registration.
 */
export function resolveFire(
  t: TriggerTiming,
  slotMs: number,
  nowMs: number,
  deliveredMs: number = nowMs,
): SlotResolution {
  if (isRepeatedWallClock(t, slotMs)) return { type: 'drop', reason: 'dst_repeat', slotMs };
  if (Math.min(deliveredMs, nowMs) - slotMs <= lateGraceMs(t, slotMs))
    return { type: 'fire', slotMs, late: false };
  if (t.catch_up === 'none') return { type: 'drop', reason: 'late', slotMs };
  return catchUpResolution(t, nowMs) ?? { type: 'drop', reason: 'no_slot', slotMs };
}

/**
 * The catch-up of one trigger at start (or after its re-registration): the most
 * recent slot before now, unless nothing was missed (`lastSlot` at or after it),
 * the trigger does not catch up, or the slot is outside the window.
 */
export function catchUpSlot(
  t: TriggerTiming,
  nowMs: number,
  lastSlot: number | null,
): SlotResolution | undefined {
  if (t.catch_up === 'none') return undefined;
  const resolution = catchUpResolution(t, nowMs);
  if (!resolution || (lastSlot !== null && resolution.slotMs <= lastSlot)) return undefined;
  return resolution;
}

/**
 * Whether a slot of `t` lies after its registration, at or before `nowMs`: when not
 * (a trigger just registered), catchUpSlot has nothing to catch up, and this costs one
 * step forward where catchUpSlot walks back (cron-parser's prev() goes day by day, ~10 ms
 * for a yearly cron: re-registering 10,000 schedules took minutes).
 */
export function slotSinceRegistration(t: TriggerTiming, nowMs: number): boolean {
  const first = nextSlot(t, t.registeredAt, nowMs);
  return first !== undefined && first <= nowMs;
}

function catchUpResolution(t: TriggerTiming, nowMs: number): SlotResolution | undefined {
  const latest = latestSlot(t, nowMs);
  if (latest === undefined) return undefined;
  if (latest <= t.registeredAt) return { type: 'drop', reason: 'before_registration', slotMs: latest };
  if (nowMs - latest > t.catchUpWindowMs) return { type: 'drop', reason: 'outside_window', slotMs: latest };
  return { type: 'fire', slotMs: latest, late: nowMs - latest > lateGraceMs(t, latest) };
}

/** A run of the concurrency group that has not finished. */
export interface GroupRun {
  id: string;
  status: 'queued' | 'running' | 'waiting';
  /** Holds the group's slot of `overlap: queue` (it runs; the others wait). */
  holder: boolean;
}

/** What a fire does; stored with the slot so a redelivered fire repeats it exactly. */
export type FireDecision =
  | { action: 'start'; cancel: string[] }
  | {
      action: 'skip';
      /** missed: not delivered within its grace (src/scheduler/missed.ts). */
      code: 'overlap_skip' | 'overlap_queue_full' | 'missed';
      reason: string;
      active: string[];
    };

/**
 * The overlap policy of the firing workflow applied to the runs of its group
 * still active. `queue` starts a run while one of the group's `limit` slots is free,
 * and lets at most one run wait behind them when they are all taken.
 */
export function decideOverlap(overlap: Overlap, active: GroupRun[], limit = 1): FireDecision {
  const ids = active.map((r) => r.id);
  if (active.length === 0 || overlap === 'allow') return { action: 'start', cancel: [] };
  switch (overlap) {
    case 'cancel_running':
      return { action: 'start', cancel: ids };
    case 'queue': {
      const running = active.filter((r) => r.holder || r.status !== 'queued').length;
      const pending = active.length - running;
      if (pending < Math.max(0, limit - running) + 1) return { action: 'start', cancel: [] };
      return {
        action: 'skip',
        code: 'overlap_queue_full',
        reason:
          limit === 1
            ? 'overlap queue: one run already waits behind the running one'
            : `overlap queue: ${limit} runs of the group run and one already waits behind them`,
        active: ids,
      };
    }
    default:
      return {
        action: 'skip',
        code: 'overlap_skip',
        reason: 'overlap skip: a run of the group is still active',
        active: ids,
      };
  }
}
