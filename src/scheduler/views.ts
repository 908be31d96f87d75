// What `gcflow schedules`, GET /api/schedules and the watchdog show of each
// registered trigger: its next fire in its own zone and in UTC, the last slot
// decided, and how overdue BullMQ's pending fire is. Pure.
import type { CatchUp } from '../dsl/types.js';
import type { Registration } from './reconcile.js';
import { nextSlot, zonedIso } from './slots.js';

export interface ScheduleView {
  workflow: string;
  trigger: number;
  cron: string;
  timezone: string;
  catch_up: CatchUp;
  /** ISO-8601 with the zone's offset. */
  next: string;
  next_utc: string;
  last_slot: string | null;
  overdue_ms: number;
}

/**
 * `bullmqNext` is when BullMQ's pending fire is due (undefined: it holds none, so
 * the first slot after the last decided one, or after registration, is expected).
 */
export function scheduleView(
  r: Registration,
  lastSlot: number | null,
  bullmqNext: number | undefined,
  nowMs: number,
): ScheduleView {
  const next = nextSlot(r, nowMs);
  return {
    workflow: r.workflow,
    trigger: r.trigger,
    cron: r.cron,
    timezone: r.timezone,
    catch_up: r.catch_up,
    next: next === undefined ? '' : zonedIso(next, r.timezone),
    next_utc: next === undefined ? '' : new Date(next).toISOString(),
    last_slot: lastSlot === null ? null : new Date(lastSlot).toISOString(),
    overdue_ms: overdueMs(r, lastSlot, bullmqNext, nowMs),
  };
}

/** How long the expected fire is overdue at `nowMs` (0 when not yet due). */
function overdueMs(
  r: Registration,
  lastSlot: number | null,
  bullmqNext: number | undefined,
  nowMs: number,
): number {
  // Only a slot before now can be overdue: cron-parser looks no further (a yearly cron
  // would otherwise be stepped day by day to its next match, for every trigger).
  const expected = bullmqNext ?? nextSlot(r, Math.max(lastSlot ?? r.registeredAt, r.registeredAt), nowMs);
  return expected !== undefined && expected < nowMs ? nowMs - expected : 0;
}

/** What the watchdog reads of a schedule: no next fire to show, so none is computed. */
export type OverdueView = Pick<ScheduleView, 'workflow' | 'trigger' | 'cron' | 'timezone' | 'overdue_ms'>;

export function overdueViews(
  registrations: Iterable<Registration>,
  lastSlots: Map<string, number>,
  bullmqNext: Map<string, number | undefined>,
  nowMs: number,
): OverdueView[] {
  return [...registrations].map((r) => ({
    workflow: r.workflow,
    trigger: r.trigger,
    cron: r.cron,
    timezone: r.timezone,
    overdue_ms: overdueMs(r, lastSlots.get(r.id) ?? null, bullmqNext.get(r.id), nowMs),
  }));
}

export function scheduleViews(
  registrations: Iterable<Registration>,
  lastSlots: Map<string, number>,
  bullmqNext: Map<string, number | undefined>,
  nowMs: number,
): ScheduleView[] {
  return [...registrations]
    .map((r) => scheduleView(r, lastSlots.get(r.id) ?? null, bullmqNext.get(r.id), nowMs))
    .sort((a, b) => a.workflow.localeCompare(b.workflow) || a.trigger - b.trigger);
}
