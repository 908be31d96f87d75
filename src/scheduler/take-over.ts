// Fires taken by a replica that died before arming the next one. BullMQ 6.7 arms a
// schedule's next fire right after handing a worker the current one, in a second step:
// a replica killed in between leaves the fire active under its lock and no fire
// pending, until the lock expires and the stalled fire comes back (10-15 s), past a
// short schedule's grace (that slot and the ones after it were reported missed). Every
// replica looks every second for a fire still taken and unarmed 1 s after its time,
// arms the next fire and fires the slot itself. Every replica, not only the lease
// holder: a lease holder killed while taking a fire would otherwise leave it to the
// next holder, once its lease expires (15 s). Replicas racing on one fire are safe:
// BullMQ arms the next once (only the current fire's producer may, and not when it
// exists), only the replica that armed it fires the slot, and the slot's decision and
// run id make any other fire of it start nothing.
// A replica can also die after arming the next fire and before deciding the slot: the
// fire stays active under its lock (10 s), and came back past a short schedule's grace
// (reported missed). So each look also fires the slots whose fire a worker holds, half
// their grace after their time (1 s for the shortest), still undecided; never one this
// replica is handling. Safe while the taker is alive (it stalled): the slot is claimed
// once, and only one replica takes it over (a marker, SET NX), so one reports it. A
// held slot decided `start` whose run does not exist (the taker died in between) gets
// its run created.
// A fire is delivered when a worker takes it (BullMQ's processedOn): one taken within
// its grace is on time, however late a look gets to it (a busy machine's timers run
// late; a 2-s schedule's grace is 2 s). Must not import bullmq.
import type { Redis } from 'ioredis';
import { type TriggerQueue, triggerJobData } from '../queue/triggers.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { isOnTime, lateGraceMs } from './decisions.js';
import { decisionTtl, type FireHandler, type FireOutcome, timingOf } from './fire.js';
import { periodic } from './periodic.js';
import type { SchedulerRecords } from './records.js';
import type { Registration } from './reconcile.js';
import { type Schedule, zonedIso } from './slots.js';

/**
 * How long after its time a fire may stay taken with no next fire armed before a
 * replica takes it over: the worker that took it arms the next within milliseconds,
 * unless it died (or its process stalls that long).
 */
export const TAKE_OVER_AFTER_MS = 1_000;
/**
 * How long a fire may stay held and undecided before another replica fires its slot:
 * half the slot's grace, at least TAKE_OVER_AFTER_MS. A short schedule (2 s grace) is
 * taken over after 1 s, still on time; a minute's or a day's (30 s) after 15 s. Its
 * stalled fire comes back within 10-15 s anyway, within that grace: a burst of
 * long schedules slowed by a busy machine is not fired a second time.
 */
export const undecidedAfterMs = (s: Schedule, slotMs: number): number =>
  Math.max(TAKE_OVER_AFTER_MS, lateGraceMs(s, slotMs) / 2);
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
  /** This replica, as the marker of a slot it took over names it. */
  replica: string;
  /** Whether this replica's trigger worker is handling that fire now (so its taker is alive). */
  handles(id: string, slotMs: number): boolean;
  /** Period of the look (default 1 s). */
  intervalMs?: number;
  /** A slot this replica fired. */
  onFired(outcome: FireOutcome): void;
}

/**
 * The warn line of a slot fired by a replica other than the one that took its fire
 * (`schedule.taken_over`), `afterMs` after its time: the taker `what`, this one `done`.
 */
export function logTakenOver(
  logger: Logger,
  r: Registration,
  slotMs: number,
  outcome: FireOutcome,
  how: { what: string; done: string; afterMs: number },
): void {
  const slot = zonedIso(slotMs, r.timezone);
  logger.warn(
    { event: 'schedule.taken_over', workflow: r.workflow, trigger: r.trigger, slot, outcome: outcome.type },
    `the fire of schedule ${r.id} for ${slot} was taken by a replica that ${how.what} within ${Math.round(how.afterMs)} ms (it died, or its process stalled): ${how.done}`,
  );
}

export function startTakeOver(deps: TakeOverDeps): { close(): Promise<void> } {
  const { records, triggers, logger } = deps;
  const report = (r: Registration, slotMs: number, outcome: FireOutcome, what: string, done: string) => {
    deps.onFired(outcome);
    logTakenOver(logger, r, slotMs, outcome, { what, done, afterMs: deps.clock.now() - slotMs });
  };
  // Taken, and no next fire armed: arm it (once, whoever races) and fire the slot.
  const unarmed = async (before: number) => {
    for (const b of await triggers.takenUnarmed(before, PER_LOOK)) {
      const r = await records.registration(b.id);
      if (!r || !deps.isLive(r.workflow)) continue;
      // Another replica (or the taker, alive after all) armed it first: theirs to fire.
      if (!(await triggers.armNext(r.id, b.next, r, triggerJobData(r)))) continue;
      report(
        r,
        b.next,
        await deps.fires.onFire(r.id, b.next, b.takenAt),
        'did not arm the next one',
        'fired the slot here and armed the next',
      );
    }
  };
  // Taken and armed, but the slot never decided: fire it, when it was taken within its
  // grace (a fire taken late is the missed-slot check's to report or catch up). Decided
  // `start` and its run never created: create it.
  const undecided = async (before: number) => {
    const byScheduler = new Map<string, number[]>();
    for (const t of await triggers.takenBefore(before, PER_LOOK))
      byScheduler.set(t.id, [...(byScheduler.get(t.id) ?? []), t.slotMs]);
    for (const [id, held] of byScheduler) {
      // This replica's own fires: no registration read for them.
      const slots = held.filter((slot) => !deps.handles(id, slot));
      if (slots.length === 0) continue;
      const r = await records.registration(id);
      if (!r || !deps.isLive(r.workflow)) continue;
      const timing = timingOf(r);
      const now = deps.clock.now();
      const overdue = slots.filter((slot) => now - slot >= undecidedAfterMs(r, slot));
      const takenAt = await triggers.takenUnfinished(id, overdue);
      const onTime = overdue.flatMap((slot, i) => {
        const at = takenAt[i];
        return isOnTime(timing, slot, now, at) ? [{ slot, at }] : [];
      });
      const decided = await records.decisions(
        id,
        onTime.map((t) => t.slot),
      );
      for (const [i, { slot, at }] of onTime.entries()) {
        const decision = decided[i];
        if (decision) {
          // Its taker died between the claim and the run's creation.
          const outcome = await deps.fires.complete(r, slot, decision);
          if (outcome) deps.onFired(outcome);
          continue;
        }
        if (!(await records.takeOver(id, slot, deps.replica, decisionTtl(timing)))) continue;
        report(
          r,
          slot,
          await deps.fires.onFire(id, slot, at),
          'did not decide the slot',
          'fired the slot here',
        );
      }
    }
  };
  return periodic(
    { when: deps.isOpen, redis: deps.redis, logger },
    deps.intervalMs ?? 1_000,
    async () => {
      const before = deps.clock.now() - TAKE_OVER_AFTER_MS;
      await unarmed(before);
      await undecided(before);
    },
    'could not look for schedule fires taken by a replica that died',
    'fire take-over',
  );
}
