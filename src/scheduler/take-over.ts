// Fires taken by a replica that died before arming the next one. BullMQ 6.7 arms a
// schedule's next fire right after handing a worker the current one, in a second step:
// a replica killed in between leaves the fire active under its lock and no fire
// pending, until the lock expires and the stalled fire comes back (10-15 s), past a
// short schedule's grace (that slot and the ones after it were reported missed). Every
// replica looks every second for a fire still taken and unarmed 1 s after its time,
// arms the next fire and fires the slot itself, within its grace. Every replica, not
// only the lease holder: a lease holder killed while taking a fire would otherwise
// leave it to the next holder, once its lease expires (15 s). Replicas racing on one
// fire are safe: BullMQ arms the next once (only the current fire's producer may, and
// not when it exists), only the replica that armed it fires the slot, and the slot's
// decision and run id make any other fire of it start nothing. Must not import bullmq.
import type { Redis } from 'ioredis';
import { type TriggerQueue, triggerJobData } from '../queue/triggers.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { FireHandler, FireOutcome } from './fire.js';
import { periodic } from './periodic.js';
import type { SchedulerRecords } from './records.js';
import { zonedIso } from './slots.js';

/**
 * How long after its time a fire may stay taken with no next fire armed before a
 * replica takes it over: the worker that took it arms the next within milliseconds,
 * unless it died (or its process stalls that long).
 */
export const TAKE_OVER_AFTER_MS = 1_000;
/** Schedulers looked at per look (fires waiting for a worker are among the due). */
const PER_LOOK = 100;

export interface TakeOverDeps {
  redis: Redis;
  records: SchedulerRecords;
  triggers: TriggerQueue;
  fires: FireHandler;
  /** Whether the workflow is still loaded (a removed one is left to the reconcile). */
  isLive(workflow: string): boolean;
  /** False once the scheduler closes. */
  isOpen(): boolean;
  clock: Clock;
  logger: Logger;
  /** Period of the look (default 1 s). */
  intervalMs?: number;
  /** A slot this replica fired. */
  onFired(outcome: FireOutcome): void;
}

export function startTakeOver(deps: TakeOverDeps): { close(): Promise<void> } {
  const { records, triggers, logger } = deps;
  const look = async () => {
    const due = await triggers.takenUnarmed(deps.clock.now() - TAKE_OVER_AFTER_MS, PER_LOOK);
    for (const b of due) {
      const r = await records.registration(b.id);
      if (!r || !deps.isLive(r.workflow)) continue;
      // Another replica (or the taker, alive after all) armed it first: theirs to fire.
      if (!(await triggers.armNext(r.id, b.next, r, triggerJobData(r)))) continue;
      const outcome = await deps.fires.onFire(r.id, b.next);
      deps.onFired(outcome);
      const slot = zonedIso(b.next, r.timezone);
      logger.warn(
        {
          event: 'schedule.taken_over',
          workflow: r.workflow,
          trigger: r.trigger,
          slot,
          outcome: outcome.type,
        },
        `the fire of schedule ${r.id} for ${slot} was taken by a replica that did not arm the next one within ${TAKE_OVER_AFTER_MS} ms (it died, or its process stalled): fired the slot here and armed the next`,
      );
    }
  };
  return periodic(
    { when: deps.isOpen, redis: deps.redis, logger },
    deps.intervalMs ?? 1_000,
    look,
    'could not look for schedule fires taken by a replica that died',
    'fire take-over',
  );
}
