// What is registered, read from Redis as views (the pure views.ts does the rest):
// for `gcflow schedules` without a daemon, the running scheduler and its watchdog.
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema.js';
import { TriggerQueue } from '../queue/triggers.js';
import type { Clock } from '../shared/clock.js';
import { SchedulerRecords } from './records.js';
import { type OverdueView, overdueViews, type ScheduleView, scheduleViews } from './views.js';

/** What is registered in Redis, as views; the CLI uses it without a daemon. */
export async function listSchedules(services: {
  config: Pick<Config, 'redis'>;
  redis: Redis;
  clock: Clock;
}): Promise<ScheduleView[]> {
  const prefix = services.config.redis.prefix;
  const records = new SchedulerRecords(services.redis, prefix);
  const triggers = new TriggerQueue(services.redis, prefix);
  try {
    return (await readSchedules(records, triggers, services.clock.now())).views;
  } finally {
    await triggers.close();
  }
}

/** The views, and the registered triggers BullMQ holds no scheduler for. */
export async function readSchedules(
  records: SchedulerRecords,
  triggers: TriggerQueue,
  nowMs: number,
): Promise<{ views: ScheduleView[]; missing: string[] }>;
/** The watchdog's: overdue times only (no next fire computed per schedule). */
export async function readSchedules(
  records: SchedulerRecords,
  triggers: TriggerQueue,
  nowMs: number,
  overdueOnly: true,
  indexOnly: boolean,
): Promise<{ views: OverdueView[]; missing: string[] }>;
export async function readSchedules(
  records: SchedulerRecords,
  triggers: TriggerQueue,
  nowMs: number,
  overdueOnly = false,
  /**
   * Next times from BullMQ's scheduler index alone (one command), not checked against
   * the schedulers' records (TriggerQueue.armed: a scheduler whose record was lost counts
   * as missing); the registrations as last read unless they changed (currentRegistrations).
   */
  indexOnly = false,
): Promise<{ views: ScheduleView[] | OverdueView[]; missing: string[] }> {
  const [registered, lastSlots, bull] = await Promise.all([
    indexOnly ? records.currentRegistrations() : records.registrations(),
    records.lastSlots(),
    indexOnly ? triggers.dueBefore() : triggers.armed(),
  ]);
  const next = new Map(bull.map((b) => [b.id, b.next]));
  const view = overdueOnly ? overdueViews : scheduleViews;
  return {
    views: view(registered.values(), lastSlots, next, nowMs),
    missing: [...registered.keys()].filter((id) => !next.has(id)),
  };
}
