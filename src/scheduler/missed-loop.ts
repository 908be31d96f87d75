// The lease holder's timers for no silent fire loss. Every second: a fire taken by a
// replica that died before arming the next (BullMQ 6.7 arms it right after taking the
// fire) is taken over: the next fire is armed and the slot fired here, within its grace,
// instead of when the stalled fire comes back (10-15 s later, past a short schedule's
// grace). Every few seconds, one look at a time: it re-arms triggers BullMQ holds no
// pending fire for, then runs the missed-slot check (missed.ts) over every
// registration. Must not import bullmq.
import type { Redis } from 'ioredis';
import { logTaskError } from '../queue/connection.js';
import type { TriggerQueue } from '../queue/triggers.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { lateGraceMs, MIN_GRACE_MS } from './decisions.js';
import type { FireHandler, FireOutcome } from './fire.js';
import { checkMissedSlots, MISSED_MARGIN_MS, type MissedReport } from './missed.js';
import type { Registration } from './reconcile.js';
import type { SchedulerRecords } from './records.js';
import { zonedIso } from './slots.js';

/**
 * How long after its time a scheduler's fire may stay taken with no next fire armed
 * before the lease holder takes it over: the worker that took it arms the next within
 * milliseconds, unless it died (or its process stalls that long).
 */
export const TAKE_OVER_AFTER_MS = 1_000;
/** Schedulers looked at per take-over look (fires waiting for a worker are among the due). */
const TAKE_OVER_PER_LOOK = 100;

export interface MissedLoopDeps {
  redis: Redis;
  records: SchedulerRecords;
  triggers: TriggerQueue;
  fires: FireHandler;
  /** Whether the workflow is still loaded (a removed one is left to the reconcile). */
  isLive(workflow: string): boolean;
  /** True while this replica holds the lease and is not closing. */
  isLeader(): boolean;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  /** Period of the take-over look (default 1 s). */
  takeOverMs?: number;
  onMissed(workflow: string, count: number): void;
  /** A slot fired by the take-over. */
  onFired(outcome: FireOutcome): void;
  onReports(reports: MissedReport[]): void;
}

export function startMissedLoop(deps: MissedLoopDeps): { close(): Promise<void> } {
  const { records, triggers, clock, logger } = deps;
  // This process's memory across looks (see MissedDeps).
  const clear = new Map<string, number>();
  const quiet = new Map<string, number>();

  /**
   * A trigger whose BullMQ fire is overdue past its grace has none pending (BullMQ 6.7
   * adds the next one after moveToActive: the replica that took the last one died in
   * between). Upserting it again arms the next slot now, instead of when the stalled
   * fire comes back; a late copy of a slot finds its decision.
   */
  const rearm = async (registered: Map<string, Registration>) => {
    const now = clock.now();
    // Only those due before the shortest grace: not every scheduler's record, every look.
    for (const b of await triggers.dueBefore(now - MIN_GRACE_MS - MISSED_MARGIN_MS - 1)) {
      const r = registered.get(b.id);
      if (!r || !deps.isLive(r.workflow)) continue;
      // Not yet past the shortest grace: no need to work out its own (a cron parse each).
      if (b.next + MIN_GRACE_MS + MISSED_MARGIN_MS >= now) continue;
      if (b.next + lateGraceMs(r, b.next) + MISSED_MARGIN_MS >= now) continue;
      await triggers.upsert(r.id, r, { workflow: r.workflow, trigger: r.trigger, key: r.key });
      logger.warn(
        {
          event: 'schedule.rearmed',
          workflow: r.workflow,
          trigger: r.trigger,
          dueAt: new Date(b.next).toISOString(),
        },
        `schedule ${r.id} had no pending fire (its last one was taken by a replica that died): armed again`,
      );
    }
  };

  /**
   * Fires taken but whose next fire was never armed (the replica that took them died in
   * between): arms the next one and fires the slot here. Both are safe against the taker
   * being alive after all: BullMQ arms the next once, and the slot's decision and the
   * run's id make a second fire of it start nothing.
   */
  const takeOver = async () => {
    const now = clock.now();
    for (const b of await triggers.takenUnarmed(now - TAKE_OVER_AFTER_MS, TAKE_OVER_PER_LOOK)) {
      const r = await records.registration(b.id);
      if (!r || !deps.isLive(r.workflow)) continue;
      const data = { workflow: r.workflow, trigger: r.trigger, key: r.key };
      if (!(await triggers.armNext(r.id, b.next, r, data))) continue;
      const outcome = await deps.fires.onFire(r.id, b.next);
      deps.onFired(outcome);
      logger.warn(
        {
          event: 'schedule.taken_over',
          workflow: r.workflow,
          trigger: r.trigger,
          slot: zonedIso(b.next, r.timezone),
          outcome: outcome.type,
        },
        `the fire of schedule ${r.id} for ${zonedIso(b.next, r.timezone)} was taken by a replica that did not arm the next one within ${TAKE_OVER_AFTER_MS} ms (it died, or its process stalled): fired the slot here and armed the next`,
      );
    }
  };

  const look = async (): Promise<void> => {
    const registered = await records.registrations();
    await rearm(registered);
    const reports = await checkMissedSlots(
      {
        redis: deps.redis,
        records,
        fires: deps.fires,
        clock,
        logger,
        clear,
        quiet,
        onMissed: deps.onMissed,
      },
      registered.values(),
    );
    if (reports.length > 0) deps.onReports(reports);
  };

  // One look at a time: with 10,000 schedules a look can outlast the period, and
  // looks piling up on the shared connection held back the fires themselves.
  const looks = [
    leaderTimer(deps, deps.intervalMs, look, 'could not look for missed schedule slots', 'missed-slot check'),
    leaderTimer(
      deps,
      deps.takeOverMs ?? 1_000,
      takeOver,
      'could not look for schedule fires taken by a replica that died',
      'fire take-over',
    ),
  ];
  return {
    close: async () => {
      await Promise.all(looks.map((l) => l.close()));
    },
  };
}

/**
 * Runs `task` every `intervalMs` while this replica holds the lease, one run at a time
 * (a run that outlasts the period skips the ticks meanwhile). A failure is logged
 * through the outage tracker (one line per outage, not per tick) and retried next tick.
 */
function leaderTimer(
  deps: Pick<MissedLoopDeps, 'isLeader' | 'redis' | 'logger'>,
  intervalMs: number,
  task: () => Promise<void>,
  failure: string,
  name: string,
): { close(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (!deps.isLeader() || busy) return;
    busy = true;
    running = task()
      .catch((err) => logTaskError(deps.redis, deps.logger, err, `${failure}; trying again`, name))
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
