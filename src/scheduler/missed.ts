// No silent fire loss: the replica holding the lease looks, every few seconds, at each
// trigger's slots whose grace (lateGraceMs) has passed since it last looked. A slot with
// no decision was never delivered (BullMQ 6.7 adds a scheduler's next fire after
// moveToActive: a replica killed in between leaves none pending until its stalled job
// returns; or no daemon ran). Such a slot is claimed as `missed` (so a fire delivered
// later for it starts nothing) and reported: one warn line per trigger and look, and
// gcflow_schedule_skipped_total{reason="missed"} per slot. The watermark moves past a
// slot only once its line is written, so a lease holder killed between the claim and
// the line leaves the report to the next look (at least once, never silent). When the
// missed slot is the trigger's latest one and it has catch_up: last, it is fired late
// instead (catch-up).
// A slot decided `start` whose run was never created (the replica died between the claim
// and the run's creation) gets its run started late, with the slot's id. A slot whose
// fire was taken within its grace by a replica that died holding it was delivered: it
// is fired here (the take-over, take-over.ts, usually did it sooner).
// Must not import bullmq.
import type { Redis } from 'ioredis';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import {
  type FireDecision,
  isOnTime,
  lateGraceMs,
  MAX_GRACE_MS,
  type SlotResolution,
  type TriggerTiming,
} from './decisions.js';
import type { FireHandler } from './fire.js';
import { decisionTtl, timingOf } from './fire.js';
import type { SchedulerRecords } from './records.js';
import type { Registration } from './reconcile.js';
import { latestSlot, nextSlot, zonedIso } from './slots.js';
import { logTakenOver } from './take-over.js';

/** Beyond a slot's grace, how long a fire delivered in time gets to claim its slot. */
export const MISSED_MARGIN_MS = 2_000;
/** Slots looked at per trigger and look; the rest wait for the next look. */
const MAX_SLOTS_PER_LOOK = 1_000;
/**
 * How far ahead a look finds a trigger's next slot when it has none to look at now:
 * until then (or until that slot's grace is over) later looks skip the trigger
 * without parsing its cron.
 */
export const QUIET_HORIZON_MS = 3_600_000;
/** Triggers whose cron a look walks between two yields to the event loop (fires wait meanwhile). */
const WALKS_PER_YIELD = 100;

export const MISSED_DECISION: FireDecision = {
  action: 'skip',
  code: 'missed',
  reason: 'the fire was not delivered within its grace (a replica died while taking it, or no daemon ran)',
  active: [],
};

/**
 * The slots of `t` after `afterMs` whose grace (plus the margin) is over at `nowMs`,
 * oldest first, at most `max`.
 */
export function slotsPastGrace(t: TriggerTiming, afterMs: number, nowMs: number, max: number): number[] {
  const out: number[] = [];
  // Slots after now cannot be past their grace: cron-parser looks no further (for a
  // yearly cron it would step day by day to next year, for every trigger at every look).
  let slot = nextSlot(t, afterMs, nowMs);
  while (slot !== undefined && out.length < max && slot + lateGraceMs(t, slot) + MISSED_MARGIN_MS < nowMs) {
    out.push(slot);
    slot = nextSlot(t, slot, nowMs);
  }
  return out;
}

export interface MissedDeps {
  redis: Redis;
  records: SchedulerRecords;
  fires: FireHandler;
  /**
   * Fires taken and never finished. Without it every undecided slot counts as never
   * delivered.
   */
  taken?: {
    /**
     * When a worker took each slot's fire, for fires taken and never finished
     * (TriggerQueue.takenUnfinished): such a slot was delivered, and its taker died.
     */
    unfinished(id: string, slots: number[]): Promise<Array<number | undefined>>;
    /** This replica, as the marker of a slot it takes over names it (records.takeOver). */
    replica: string;
  };
  clock: Clock;
  logger: Logger;
  onMissed(workflow: string, count: number): void;
  /**
   * This process's memory, kept across looks: per registration, a time up to which it
   * is known to have no slot past its grace that was not looked at. A look then walks
   * the cron only from there (a few seconds) instead of from the watermark, which stays
   * put while no slot passes: 1,000 second-granular crons due in a minute were walked
   * second by second from their registration at every look, and the fires waited.
   */
  clear?: Map<string, number>;
  /**
   * Same keys as `clear`: a time up to which the trigger certainly has no slot past
   * its grace (its next slot's grace ends then, or no slot comes before then). A look
   * before then skips it: 10,000 cron parses blocked the event loop for a second or
   * more every look, and the fires of a burst waited behind them.
   */
  quiet?: Map<string, number>;
}

export interface MissedReport {
  id: string;
  missed: number[];
  caughtUp?: number;
  /** Slots decided `start` whose run was missing and was started late. */
  completed?: number[];
  /** Slots whose fire was taken within its grace by a replica that died: fired here. */
  takenOver?: number[];
}

/** One look over every registration; returns what it found (for tests and events). */
export async function checkMissedSlots(
  deps: MissedDeps,
  registrations: Iterable<Registration>,
): Promise<MissedReport[]> {
  const { records, redis, clock } = deps;
  const reports: MissedReport[] = [];
  const seen = new Set<string>();
  // Most of 10,000 triggers, most looks, are quiet: nothing more is built or read for them.
  const due: Array<{ r: Registration; clearKey: string }> = [];
  const lookedAt = clock.now();
  for (const r of registrations) {
    const clearKey = `${r.id}:${r.key}:${r.registeredAt}`;
    seen.add(clearKey);
    const quietUntil = deps.quiet?.get(clearKey);
    if (quietUntil === undefined || lookedAt > quietUntil) due.push({ r, clearKey });
  }
  // The watermarks of those only (HMGET): all 10,000 at every look cost more than the look.
  const marks = due.length === 0 ? [] : await redis.hmget(records.keys.swept, ...due.map((d) => d.r.id));
  let walks = 0;
  for (const [i, { r, clearKey }] of due.entries()) {
    const now = clock.now();
    const timing = timingOf(r);
    const stored = marks[i];
    const mark = stored === null || stored === undefined ? r.registeredAt : Number(stored);
    if (++walks % WALKS_PER_YIELD === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    // Never before the registration, nor further back than a fire could still be run,
    // nor before what an earlier look of this process found clear.
    const after = Math.max(
      mark,
      r.registeredAt,
      now - timing.catchUpWindowMs,
      deps.clear?.get(clearKey) ?? Number.NEGATIVE_INFINITY,
    );
    const slots = slotsPastGrace(timing, after, now, MAX_SLOTS_PER_LOOK);
    if (slots.length === 0) {
      // Any slot up to here would be past even the longest grace, so it would have
      // been found: none is, and no later look needs to walk this stretch again.
      deps.clear?.set(clearKey, Math.max(after, now - MAX_GRACE_MS - MISSED_MARGIN_MS - 1));
      if (deps.quiet) {
        // The first slot after `after`, looked for up to the horizon: none before it is
        // past its grace until that one's grace is over; with none, none until the horizon.
        const horizon = now + QUIET_HORIZON_MS;
        const first = nextSlot(timing, after, horizon);
        deps.quiet.set(
          clearKey,
          first === undefined ? horizon : first + lateGraceMs(timing, first) + MISSED_MARGIN_MS,
        );
      }
      continue;
    }
    const decided = await records.decisions(r.id, slots);
    const undecided = slots.filter((_, i) => !decided[i]);
    const takenAt = (await deps.taken?.unfinished(r.id, undecided)) ?? [];
    const taken = new Map(undecided.map((slot, i) => [slot, takenAt[i]]));
    const report: MissedReport = { id: r.id, missed: [] };
    const latest = latestSlot(timing, now);
    for (const [i, slot] of slots.entries()) {
      const decision = decided[i];
      if (decision?.action === 'skip' && decision.code === 'missed') {
        // Claimed missed by a look whose process died before it reported the slot (the
        // watermark moves past a slot only once its line is written): reported now.
        report.missed.push(slot);
        continue;
      }
      if (decision) {
        // A slot decided `start` whose run does not exist: its replica died between the
        // claim and the run's creation. Its run is started now (idempotent by the slot's id).
        const outcome = await deps.fires.complete(r, slot, decision);
        if (outcome?.type === 'started') report.completed = [...(report.completed ?? []), slot];
        continue;
      }
      const at = taken.get(slot);
      if (
        at !== undefined &&
        isOnTime(timing, slot, now, at) &&
        (await records.takeOver(r.id, slot, deps.taken!.replica, decisionTtl(timing)))
      ) {
        // Delivered in time to a replica that died holding it, and no take-over came.
        const outcome = await deps.fires.onFire(r.id, slot, at);
        report.takenOver = [...(report.takenOver ?? []), slot];
        logTakenOver(deps.logger, r, slot, outcome, {
          what: 'never decided it',
          done: 'the missed-slot check fired the slot here',
          afterMs: now - slot,
        });
        continue;
      }
      if (r.catch_up === 'last' && slot === latest) {
        const resolution: SlotResolution = { type: 'fire', slotMs: slot, late: true };
        const outcome = await deps.fires.catchUp(r, resolution);
        if (outcome.type !== 'dropped') {
          report.caughtUp = slot;
          deps.logger.warn(
            {
              workflow: r.workflow,
              trigger: r.trigger,
              slot: zonedIso(slot, r.timezone),
              outcome: outcome.type,
            },
            'schedule slot not delivered within its grace: caught up late (catch_up: last)',
          );
          continue;
        }
      }
      const claim = await records.claim(r.id, slot, MISSED_DECISION, decisionTtl(timing));
      if (claim.mine) report.missed.push(slot);
    }
    if (report.missed.length > 0) {
      deps.onMissed(r.workflow, report.missed.length);
      const first = report.missed[0]!;
      const last = report.missed[report.missed.length - 1]!;
      deps.logger.warn(
        {
          event: 'schedule.missed',
          workflow: r.workflow,
          trigger: r.trigger,
          count: report.missed.length,
          first: zonedIso(first, r.timezone),
          last: zonedIso(last, r.timezone),
          slots: report.missed.slice(0, 50).map((s) => new Date(s).toISOString()),
          hint: 'a replica died while taking the fire, or no daemon ran; see gcflow_schedule_skipped_total{reason="missed"}',
        },
        `missed ${report.missed.length} slot(s) of schedule ${r.id}: not delivered within the grace; no run was started for them`,
      );
    }
    // Only after the line: a process killed before it leaves the slots to the next look.
    await redis.hset(records.keys.swept, r.id, String(slots[slots.length - 1]));
    if (report.missed.length > 0 || report.caughtUp !== undefined || report.completed || report.takenOver)
      reports.push(report);
  }
  for (const key of deps.clear?.keys() ?? []) if (!seen.has(key)) deps.clear!.delete(key);
  for (const key of deps.quiet?.keys() ?? []) if (!seen.has(key)) deps.quiet!.delete(key);
  return reports;
}
