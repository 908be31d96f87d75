// The lease holder's timer for no silent fire loss: every few seconds, one look at a
// time, it re-arms triggers BullMQ holds no pending fire for, then runs the missed-slot
// check (missed.ts) over every registration. (Fires taken by a replica that died are
// taken over sooner, by every replica: take-over.ts.) Must not import bullmq.
import type { Redis } from 'ioredis';
import { type TriggerQueue, triggerJobData } from '../queue/triggers.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { lateGraceMs, MIN_GRACE_MS } from './decisions.js';
import type { FireHandler } from './fire.js';
import { checkMissedSlots, MISSED_MARGIN_MS, type MissedReport } from './missed.js';
import type { Registration } from './reconcile.js';
import type { SchedulerRecords } from './records.js';
import { periodic } from './periodic.js';

export interface MissedLoopDeps {
  redis: Redis;
  records: SchedulerRecords;
  triggers: TriggerQueue;
  fires: FireHandler;
  /** Whether the workflow is still loaded (a removed one is left to the reconcile). */
  isLive(workflow: string): boolean;
  /** True while this replica holds the lease and is not closing. */
  isLeader(): boolean;
  /**
   * The lease's term (Lease.term): a look after the lease was lost and taken again reads
   * every registration (another replica may have changed them meanwhile); otherwise
   * only when their change count moved (SchedulerRecords.currentRegistrations).
   * Without it every look reads them all.
   */
  term?(): number;
  clock: Clock;
  logger: Logger;
  /** This replica, as the marker of a slot it takes over names it. */
  replica: string;
  intervalMs: number;
  onMissed(workflow: string, count: number): void;
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
      await triggers.upsert(r.id, r, triggerJobData(r));
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

  let lastTerm: number | undefined;
  const look = async (): Promise<void> => {
    const term = deps.term?.();
    const registered = await records.currentRegistrations(term === undefined || term !== lastTerm);
    lastTerm = term;
    await rearm(registered);
    const reports = await checkMissedSlots(
      {
        redis: deps.redis,
        records,
        fires: deps.fires,
        clock,
        logger,
        taken: { replica: deps.replica, unfinished: (id, slots) => triggers.takenUnfinished(id, slots) },
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
  return periodic(
    { when: deps.isLeader, redis: deps.redis, logger },
    deps.intervalMs,
    look,
    'could not look for missed schedule slots',
    'missed-slot check',
  );
}
