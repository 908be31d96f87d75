// A fire is delivered when a worker takes it from BullMQ. One taken within its grace
// by a replica that then died is owed its run, however late the replicas left get to
// it: on a busy machine their one-second looks run late, and a 2-s schedule's grace
// is 2 s. Before, such a slot was fired only when a look came within the grace; a
// later one left it (the late fire dropped, or the slot reported missed): one way the
// three-daemon kill test could lose a slot on a loaded CI machine. Each test here lets
// the grace pass before a survivor starts. A fire taken after its grace is still not
// owed a run.
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import type { SchedulerTuning } from '../../../src/scheduler/index.js';
import { MISSED_MARGIN_MS } from '../../../src/scheduler/missed.js';
import { SchedulerRecords } from '../../../src/scheduler/records.js';
import { TriggerQueue } from '../../../src/queue/triggers.js';
import { zonedIso } from '../../../src/scheduler/slots.js';
import { scheduledRunId } from '../../../src/shared/ids.js';
import {
  type HeldFire,
  holdNextFire,
  takeNextFireAndDie,
  TICK_PERIOD_MS,
  TICK_WORKFLOW,
} from './dying-replica.js';
import { at, type Harness, startHarness, until } from './harness.js';

const PERIOD = TICK_PERIOD_MS;
/** Half the schedule's period. */
const GRACE = TICK_PERIOD_MS / 2;

interface Scenario {
  h: Harness;
  redis: Redis;
  records: SchedulerRecords;
  /** A replica takes the next due fire, arms the next one and never decides the slot. */
  holdFire(): Promise<HeldFire>;
}

/**
 * Plays `body` on a harness whose trigger is registered, with no replica left running;
 * closes what it opened, held fires included.
 */
async function scenario(body: (s: Scenario) => Promise<void>): Promise<void> {
  const h = await startHarness({ 'tick.yaml': TICK_WORKFLOW });
  const first = await h.replica();
  await first.close();
  const redis = new Redis(inject('redisUrl'));
  const held: HeldFire[] = [];
  try {
    await body({
      h,
      redis,
      records: new SchedulerRecords(redis, h.prefix),
      holdFire: async () => {
        const fire = await holdNextFire(h.prefix, 3 * PERIOD);
        held.push(fire);
        return fire;
      },
    });
  } finally {
    for (const fire of held) await fire.close();
    redis.disconnect();
    await h.close();
  }
}

/**
 * Starts a survivor and waits for the slot's decision. `leaseHeld`: the lease stays
 * with the replica that died (the survivor runs no missed-slot check, only take-over).
 */
async function survivor(
  h: Harness,
  redis: Redis,
  slotMs: number,
  options: { leaseHeld: boolean; tuning: SchedulerTuning },
) {
  const records = new SchedulerRecords(redis, h.prefix);
  if (options.leaseHeld) await redis.set(records.keys.leader, 'the-replica-that-died', 'PX', 120_000);
  const replica = await h.replica({ tuning: options.tuning });
  const decision = await until(() => records.decision('tick:0', slotMs), 20_000, 'a decision for the slot');
  const runs = (await h.runs('tick')).filter((r) => r.scheduled_at === new Date(slotMs).toISOString());
  const logged = (event: string) => h.logs.filter((l) => l.includes(`"${event}"`)).map((l) => JSON.parse(l));
  return { replica, decision, runs, logged };
}

/**
 * The slot ran once, started after its grace by a survivor, and no skip of it was
 * reported (a skip of a later slot is the survivor's start being slow, not this).
 */
async function firedLate(h: Harness, slotMs: number, seen: Awaited<ReturnType<typeof survivor>>) {
  expect(seen.decision).toEqual({ action: 'start', cancel: [] });
  expect(seen.runs.map((r) => r.id)).toEqual([scheduledRunId('tick', 0, slotMs)]);
  expect(Date.parse(seen.runs[0]!.created_at) - slotMs).toBeGreaterThan(GRACE);
  const named = [zonedIso(slotMs, 'UTC'), new Date(slotMs).toISOString()];
  const skips = h.logs.filter(
    (l) => l.includes('skipped a schedule slot') || l.includes('"schedule.missed"'),
  );
  expect(skips.filter((l) => named.some((n) => l.includes(n)))).toEqual([]);
}

describe('a fire taken in time by a replica that died, noticed only after its grace', () => {
  it(
    'with no next fire armed: the take-over still fires the slot',
    () =>
      scenario(async ({ h, redis }) => {
        const { slotMs } = await takeNextFireAndDie(h.prefix, 3 * PERIOD);
        await at(slotMs + GRACE + 1_500);
        const seen = await survivor(h, redis, slotMs, { leaseHeld: true, tuning: { takeOverMs: 200 } });
        await firedLate(h, slotMs, seen);
        const [line, ...more] = seen.logged('schedule.taken_over');
        expect(more).toEqual([]);
        expect(line).toMatchObject({
          outcome: 'started',
          msg: expect.stringContaining('did not arm the next one'),
        });
        // And the next fire was armed: a later slot fires (the lease, with the replica
        // that died, lets no missed-slot check arm it again).
        const next = await until(
          () => seen.replica.outcomes.find((o) => o.type === 'started' && o.slotMs > slotMs),
          3 * PERIOD,
          'a later slot to fire',
        );
        expect(next).toMatchObject({ created: true });
      }),
    90_000,
  );

  it(
    'with the next fire armed and the slot undecided: the take-over still fires it',
    () =>
      scenario(async ({ h, redis, holdFire }) => {
        const held = await holdFire();
        await at(held.slotMs + GRACE + 1_500);
        const seen = await survivor(h, redis, held.slotMs, { leaseHeld: true, tuning: { takeOverMs: 200 } });
        await firedLate(h, held.slotMs, seen);
        expect(seen.logged('schedule.taken_over')).toMatchObject([
          { outcome: 'started', msg: expect.stringContaining('did not decide the slot') },
        ]);
      }),
    90_000,
  );

  it(
    'past its grace and the margin, the lease holder fires it instead of reporting it missed',
    () =>
      scenario(async ({ h, redis, holdFire }) => {
        const held = await holdFire();
        await at(held.slotMs + GRACE + MISSED_MARGIN_MS + 500);
        // The take-over does not look within the test: only the missed-slot check can act.
        const seen = await survivor(h, redis, held.slotMs, {
          leaseHeld: false,
          tuning: { takeOverMs: 600_000, missedCheckMs: 200 },
        });
        await firedLate(h, held.slotMs, seen);
        expect(seen.logged('schedule.missed')).toEqual([]);
        expect(seen.logged('schedule.taken_over')).toMatchObject([
          {
            outcome: 'started',
            msg: expect.stringContaining('the missed-slot check fired the slot here'),
          },
        ]);
      }),
    90_000,
  );

  it(
    'decided `start` by its taker, who died before creating the run: the take-over creates it',
    () =>
      scenario(async ({ h, redis, records, holdFire }) => {
        const held = await holdFire();
        // What the taker did before it died: the slot's claim.
        await records.claim('tick:0', held.slotMs, { action: 'start', cancel: [] }, 3_600_000);
        const seen = await survivor(h, redis, held.slotMs, { leaseHeld: true, tuning: { takeOverMs: 200 } });
        const runId = scheduledRunId('tick', 0, held.slotMs);
        const run = await until(
          async () => (await h.runs('tick')).find((r) => r.id === runId),
          20_000,
          'the run of the decided slot',
        );
        // Long before the held fire could come back as stalled (its lock lasts 120 s).
        expect(Date.parse(run.created_at) - held.slotMs).toBeLessThan(30_000);
        expect(seen.logged('schedule.completed')).toMatchObject([{ runId, outcome: 'started' }]);
      }),
    90_000,
  );

  it(
    'taken only after its grace (no replica ran at its time), then its taker died: reported missed, not run',
    () =>
      scenario(async ({ h, redis, holdFire }) => {
        const pending = await new TriggerQueue(redis, h.prefix).dueBefore();
        expect(pending).toHaveLength(1);
        const slotMs = pending[0]!.next;
        await at(slotMs + GRACE + 1_000);
        const held = await holdFire();
        expect(held.slotMs).toBe(slotMs);
        const seen = await survivor(h, redis, slotMs, {
          leaseHeld: false,
          tuning: { takeOverMs: 200, missedCheckMs: 200 },
        });
        expect(seen.decision).toMatchObject({ action: 'skip', code: 'missed' });
        expect(seen.runs).toEqual([]);
        expect(seen.replica.metrics.skips).toContainEqual({ workflow: 'tick', reason: 'missed' });
        expect(seen.logged('schedule.taken_over')).toEqual([]);
      }),
    90_000,
  );
});
