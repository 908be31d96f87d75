// Exactly once: three scheduler replicas in one process, each with its own trigger
// worker, compete for the fires of an every-second schedule; each slot starts one run.
// A suite: exactly-once.test.ts runs it on the suite's Redis, test/integration/redis/
// on a Redis Cluster and a Sentinel group.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSchedules } from '../../../src/scheduler/index.js';
import { missingAcrossJumps } from '../../helpers/clock-watch.js';
import { type Harness, type HarnessOptions, type Replica, startHarness, until } from './harness.js';

const TICKER = `
name: ticker
triggers:
  - cron: "* * * * * *"
concurrency: { group: ticker, overlap: allow }
steps:
  - id: nap
    uses: sleep
    with: { duration: 1s }
`;

/**
 * Registers the exactly-once tests; `options()` is read when the harness starts (after
 * the caller's beforeAll). `midway`, when given, runs once 4 runs exist (e.g. a Redis
 * failover); 8 more slots must then run, exactly once each, with none missing.
 */
export function exactlyOnceSuite(
  title: string,
  options: () => HarnessOptions = () => ({}),
  midway?: () => Promise<unknown>,
): void {
  describe(title, () => {
    let h: Harness;
    let replicas: Replica[];
    /** Seen while all three ran, before they were closed. */
    let leadersWhileRunning: number;
    let leaseTakenWhileRunning: number;
    let started: number;

    beforeAll(async () => {
      started = Date.now();
      h = await startHarness({ 'ticker.yaml': TICKER }, options());
      replicas = [await h.replica(), await h.replica(), await h.replica()];
    });
    afterAll(() => h?.close());

    it(`starts exactly one run per slot while three trigger workers compete for the fires${midway ? ' (with a failover midway)' : ''}`, async () => {
      const wanted = midway ? 12 : 8;
      let window: { from: number; to?: number } | undefined;
      if (midway) {
        await until(
          async () => ((await h.runs('ticker')).length >= 4 ? true : undefined),
          60_000,
          '4 scheduled runs',
        );
        window = { from: Date.now() };
        await midway();
        window.to = Date.now();
      }
      const runs = await until(
        async () => {
          const list = await h.runs('ticker');
          return list.length >= wanted ? list : undefined;
        },
        90_000,
        `${wanted} scheduled runs`,
      );
      if (midway) {
        // No silent loss across a failover: every slot between the first run and the
        // last that has no run is reported missed by the lease holder's check (its
        // decision says so), or is started late by it.
        const redis = replicas[0]!.services.redis;
        await until(
          async () => {
            const gaps = gapsIn(await h.runs('ticker'));
            if (gaps.length === 0) return true;
            const decisions = await redis.mget(gaps.map((t) => `${h.prefix}:sched:slot:ticker:0:${t}`));
            return decisions.every(
              (d) => d !== null && (JSON.parse(d) as { code?: string }).code === 'missed',
            )
              ? true
              : undefined;
          },
          60_000,
          'each slot the failover lost to be reported missed',
        );
      }
      leadersWhileRunning = replicas.filter((r) => r.scheduler.isLeader()).length;
      leaseTakenWhileRunning = h.logs.filter((l) =>
        l.includes('this replica now reconciles the schedules'),
      ).length;
      // Closed together: each hands the lease over as it closes, and one closing
      // later than the leader may take it for a moment (that is a hand-over, not two leaders).
      await Promise.all(replicas.map((r) => r.scheduler.close()));
      const all = await h.runs('ticker');
      const slots = all.map((r) => r.scheduled_at!);
      expect(new Set(slots).size).toBe(all.length);
      expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
      // Consecutive seconds: no slot missing between the first and the last. Across a
      // Sentinel failover, Redis drops what the old master accepted after the replica
      // was promoted (asynchronous replication; README, "what each setup keeps"): a
      // slot's run may be lost then, but only during the failover, and never run twice.
      const ms = slots.map((s) => Date.parse(s)).sort((a, b) => a - b);
      const missing = gapsIn(all);
      if (window) {
        console.log(
          `slots missing across the failover (${window.from}..${window.to}): ${missing.length} of ${ms.length + missing.length}`,
        );
        for (const t of missing) expect(t).toBeGreaterThanOrEqual(window.from - 2_000);
        for (const t of missing) expect(t).toBeLessThanOrEqual(window.to! + 2_000);
      } else {
        // A jump of the wall clock (clock-watch.ts) makes the slots in it late for all
        // three replicas at once, like downtime: only those may be missing.
        expect(missingAcrossJumps(missing, 2_000, started).unexplained).toEqual([]);
      }
      expect(all.every((r) => r.trigger === 'schedule' && r.id.startsWith('ticker-t0-'))).toBe(true);
      // Each run was created by exactly one fire or catch-up (a replica starting
      // mid-second may catch up the slot that just passed); every other one repeated it.
      const created = replicas.flatMap((r) => r.metrics.fires).filter((f) => f.workflow === 'ticker');
      // A missing slot across a failover is a fire whose run the failover dropped (the
      // write reached the old master after the replica was promoted), or a fire the
      // failover lost before any replica took it (reported missed, asserted above):
      // never a second run.
      expect(created.length).toBeGreaterThanOrEqual(all.length);
      expect(created.length).toBeLessThanOrEqual(all.length + missing.length);
      if (!window) expect(created).toHaveLength(all.length);
      expect(runs.length).toBeGreaterThanOrEqual(wanted);
    });

    it('has one replica reconciling (the lease holder) while they run, and none once closed', () => {
      expect(leadersWhileRunning).toBe(1);
      // A failover may cost the leader its lease renewal once: it (or another) takes it again.
      if (midway) expect(leaseTakenWhileRunning).toBeGreaterThanOrEqual(1);
      else expect(leaseTakenWhileRunning).toBe(1);
      expect(replicas.filter((r) => r.scheduler.isLeader())).toHaveLength(0);
    });

    it('registered the trigger once, visible to listSchedules', async () => {
      const views = await listSchedules(replicas[0]!.services);
      expect(views).toHaveLength(1);
      expect(views[0]).toMatchObject({
        workflow: 'ticker',
        trigger: 0,
        cron: '* * * * * *',
        timezone: 'UTC',
        catch_up: 'last',
      });
      expect(views[0]!.last_slot).not.toBeNull();
    });
  });
}

/** Slots (ms) between the first run's and the last run's that have no run. */
function gapsIn(runs: Array<{ scheduled_at: string | null }>): number[] {
  const ms = runs.map((r) => Date.parse(r.scheduled_at!)).sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let t = ms[0]!; t <= ms[ms.length - 1]!; t += 1000) if (!ms.includes(t)) gaps.push(t);
  return gaps;
}
