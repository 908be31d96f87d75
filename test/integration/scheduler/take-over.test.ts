// A replica killed between taking a schedule's fire and arming the next (BullMQ 6.7
// arms the next fire right after moveToActive, in a second step) leaves the fire
// active under its lock and no fire pending. Before, nothing happened until the lock
// expired and the stalled fire came back (10-15 s with the daemon's settings): a
// schedule shorter than that lost the slot (reported missed) and the ones after it.
// Now every replica looks: within a second or two, one sees a fire taken but not
// followed by a next one, arms the next and fires the slot itself, within the slot's
// grace. Every replica, not only the lease holder: a lease holder killed while taking
// a fire would otherwise leave it until its lease expires (15 s).
// A replica killed a moment later (next fire armed, slot not decided) left the fire
// held under its lock (10 s): now its slot is fired by another replica too, once.
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { parseWorkflow } from '../../../src/dsl/index.js';
import { TRIGGERS_QUEUE, TriggerQueue } from '../../../src/queue/triggers.js';
import type { RunService } from '../../../src/runs/service.js';
import { RunStore } from '../../../src/runs/store.js';
import { createFireHandler } from '../../../src/scheduler/fire.js';
import { GroupView } from '../../../src/scheduler/gate.js';
import { desiredTriggers } from '../../../src/scheduler/reconcile.js';
import { SchedulerRecords } from '../../../src/scheduler/records.js';
import { systemClock } from '../../../src/shared/clock.js';
import { scheduledRunId } from '../../../src/shared/ids.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { testPrefix } from '../../helpers/prefix.js';
import {
  type HeldFire,
  holdNextFire,
  takeNextFireAndDie,
  TICK_PERIOD_MS,
  TICK_WORKFLOW,
} from './dying-replica.js';
import { type Harness, startHarness, until } from './harness.js';

const PERIOD = TICK_PERIOD_MS;

/**
 * With the lease held by the replica that died (it lasts past the test, so the
 * replica left runs no missed-slot check) and the held fire unable to come back as
 * stalled before the test ends, starts the replica left and waits for the slot's
 * decision, which can only come from its take-over: `start`, and the slot's one run.
 */
async function firedBySurvivor(h: Harness, redis: Redis, slotMs: number) {
  const records = new SchedulerRecords(redis, h.prefix);
  await redis.set(records.keys.leader, 'the-replica-that-died', 'PX', 120_000);
  const holder = await h.replica({ tuning: { missedCheckMs: 300, takeOverMs: 200 } });
  const decision = await until(() => records.decision('tick:0', slotMs), 20_000, 'a decision for the slot');
  expect(decision).toEqual({ action: 'start', cancel: [] });
  const runId = scheduledRunId('tick', 0, slotMs);
  // From this slot on: the replica that registered the trigger may have fired an earlier
  // slot while it started and closed (its life crossed a 10-s boundary once in CI).
  const runs = (await h.runs('tick')).filter(
    (r) => r.scheduled_at !== null && Date.parse(r.scheduled_at) >= slotMs,
  );
  expect(runs.map((r) => r.id)).toEqual([runId]);
  expect(holder.outcomes).toContainEqual({ type: 'started', runId, slotMs, created: true });
  const lines = h.logs.filter((l) => l.includes('"schedule.taken_over"'));
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0]!)).toMatchObject({ workflow: 'tick', trigger: 0, outcome: 'started' });
  return { records, holder, runs, line: lines[0]! };
}

describe('a fire taken by a replica that died', () => {
  it('is fired by another replica within its grace, and the next fire is armed', async () => {
    const h = await startHarness({ 'tick.yaml': TICK_WORKFLOW });
    const redis = new Redis(inject('redisUrl'));
    try {
      // Registered (one fire pending), then no replica is left to take it.
      const first = await h.replica();
      await first.close();
      const { slotMs } = await takeNextFireAndDie(h.prefix, 3 * PERIOD);
      const triggers = new TriggerQueue(redis, h.prefix);
      expect(await triggers.dueBefore()).toEqual([{ id: 'tick:0', next: slotMs }]);

      const { records, holder } = await firedBySurvivor(h, redis, slotMs);

      // The next fire is armed, once: a taker alive after all arms nothing more.
      expect(await triggers.dueBefore()).toEqual([{ id: 'tick:0', next: slotMs + PERIOD }]);
      const data = { workflow: 'tick', trigger: 0, key: (await records.registration('tick:0'))!.key };
      const cron = { cron: '*/10 * * * * *', timezone: 'UTC' };
      expect(await triggers.armNext('tick:0', slotMs, cron, data)).toBe(false);
      const delayed = await redis.zrange(`${h.prefix}:${TRIGGERS_QUEUE}:delayed`, '0', '-1');
      expect(delayed).toEqual([`repeat:tick:0:${slotMs + PERIOD}`]);

      // And that next slot fires on time, from the fire BullMQ now holds.
      const next = await until(
        () => holder.outcomes.find((o) => o.type === 'started' && o.slotMs === slotMs + PERIOD),
        3 * PERIOD,
        'the next slot to fire',
      );
      expect(next).toMatchObject({ created: true });
      expect(holder.metrics.skips.filter((s) => s.reason === 'missed')).toEqual([]);
      expect(holder.scheduler.isLeader()).toBe(false);
    } finally {
      redis.disconnect();
      await h.close();
    }
  }, 90_000);

  it('is fired by another replica within its grace when the dead taker armed the next fire but never decided the slot', async () => {
    const h = await startHarness({ 'tick.yaml': TICK_WORKFLOW });
    const redis = new Redis(inject('redisUrl'));
    let stuck: HeldFire | undefined;
    try {
      const first = await h.replica();
      await first.close();
      // A replica that takes a fire, arms the next (BullMQ's own worker does) and never
      // decides the slot: killed between the two, or stalled. Its lock outlasts the test.
      stuck = await holdNextFire(h.prefix, 3 * PERIOD);
      const { slotMs } = stuck;
      const triggers = new TriggerQueue(redis, h.prefix);
      // The next fire is armed: nothing for the unarmed take-over to find.
      expect(await triggers.dueBefore()).toEqual([{ id: 'tick:0', next: slotMs + PERIOD }]);
      expect(await triggers.takenBefore(slotMs + 1, 10)).toEqual([{ id: 'tick:0', slotMs }]);

      const { records, holder, runs, line } = await firedBySurvivor(h, redis, slotMs);
      // Fired within the grace (5 s for a 10 s schedule), not caught up late.
      expect(Date.parse(runs[0]!.created_at) - slotMs).toBeLessThan(5_000);
      expect(line).toContain('did not decide the slot');
      // Only once, however many looks (and replicas) see the fire still held.
      expect(await records.takeOver('tick:0', slotMs, 'another-replica', 60_000)).toBe(false);

      // The taker was only stalled and now goes on with the fire: it starts nothing more.
      const resumed = createFireHandler({
        records,
        store: holder.services.store,
        runs: holder.services.runs,
        groups: new GroupView(redis, h.prefix, holder.services.store),
        groupMembers: () => ['tick'],
        metrics: { onScheduleFire: () => {} },
        clock: systemClock,
        logger: silentLogger(),
      });
      const runId = scheduledRunId('tick', 0, slotMs);
      expect(await resumed.onFire('tick:0', slotMs)).toEqual({
        type: 'started',
        runId,
        slotMs,
        created: false,
      });
      expect((await h.runs('tick')).filter((r) => r.scheduled_at === runs[0]!.scheduled_at)).toHaveLength(1);

      // The next slot is fired by the replica left, on time, from the armed fire.
      const next = await until(
        () => holder.outcomes.find((o) => o.type === 'started' && o.slotMs === slotMs + PERIOD),
        3 * PERIOD,
        'the next slot to fire',
      );
      expect(next).toMatchObject({ created: true });
      expect(h.logs.filter((l) => l.includes('"schedule.taken_over"'))).toHaveLength(1);
      expect(holder.metrics.skips.filter((s) => s.reason === 'missed')).toEqual([]);
    } finally {
      await stuck?.close();
      redis.disconnect();
      await h.close();
    }
  }, 90_000);

  it("when its stalled fire comes back late, repeats the slot's decision and reports no skip", async () => {
    const redis = new Redis(inject('redisUrl'));
    try {
      const prefix = testPrefix('takeover');
      const def = parseWorkflow(
        'name: w\ntriggers:\n  - cron: "* * * * *"\n    catch_up: none\nsteps:\n  - id: nap\n    uses: sleep\n    with: { duration: 1s }\n',
        'w.yaml',
      ).definition!;
      const store = new RunStore(redis, prefix);
      const records = new SchedulerRecords(redis, prefix);
      const slotMs = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
      const [desired] = desiredTriggers([def], new Map([['w', await store.saveDefinition(def)]]));
      await records.save([{ ...desired!, registeredAt: slotMs - 600_000 }]);
      const started: string[] = [];
      const skips: string[] = [];
      const fires = createFireHandler({
        records,
        store,
        runs: {
          start: async (req: { id?: string }) => {
            started.push(req.id!);
            return { runId: req.id!, created: started.length === 1 };
          },
        } as unknown as RunService,
        groups: new GroupView(redis, prefix, store),
        groupMembers: () => ['w'],
        metrics: { onScheduleFire: () => {}, onScheduleSkip: (_w, reason) => skips.push(reason) },
        clock: systemClock,
        logger: silentLogger(),
      });
      // The slot was decided and its run started (by the take-over), a minute ago.
      await records.claim('w:0', slotMs, { action: 'start', cancel: [] }, 3_600_000);
      // Its stalled fire comes back now, past the grace: with catch_up none it was
      // dropped as late (a skip reported for a slot that ran).
      const runId = scheduledRunId('w', 0, slotMs);
      expect(await fires.onFire('w:0', slotMs)).toEqual({ type: 'started', runId, slotMs, created: true });
      expect(started).toEqual([runId]);
      expect(skips).toEqual([]);
      // A slot never decided, delivered as late: still dropped and reported.
      expect(await fires.onFire('w:0', slotMs - 60_000)).toMatchObject({ type: 'dropped', reason: 'late' });
      expect(skips).toEqual(['late']);
    } finally {
      redis.disconnect();
    }
  });
});
