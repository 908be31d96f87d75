// The scheduler: reconciles one BullMQ Job Scheduler per workflow trigger (from the
// replica holding the lease), takes fires on every replica, catches up after
// downtime, and watches for overdue schedules. BullMQ stays behind src/queue/triggers.
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema.js';
import type { WorkflowDefinition } from '../dsl/types.js';
import type { RunQueue } from '../queue/runs.js';
import type { RunService } from '../runs/service.js';
import type { RunStore } from '../runs/store.js';
import type { Clock } from '../shared/clock.js';
import { createRedis, trackerOf } from '../queue/connection.js';
import { startTriggerWorker } from '../queue/trigger-worker.js';
import { TriggerQueue, triggerJobData } from '../queue/triggers.js';
import type { Logger } from '../shared/logger.js';
import { eachLimit } from '../shared/each-limit.js';
import { Releasers } from '../shared/releasers.js';
import { catchUpSlot, slotSinceRegistration } from './decisions.js';
import { createFireHandler, type FireMetrics, type FireOutcome, timingOf } from './fire.js';
import { GroupView } from './gate.js';
import { startLease } from './lease.js';
import { SchedulerRecords } from './records.js';
import { desiredTriggers, planReconcile, type Registration } from './reconcile.js';
import { listSchedules, readSchedules } from './listing.js';
import type { ScheduleView } from './views.js';
import { startWatchdog } from './watchdog.js';
import { startMissedLoop } from './missed-loop.js';
import { startTakeOver } from './take-over.js';

export { createConcurrencyGate } from './gate.js';
export type { FireOutcome } from './fire.js';
export type { MissedReport } from './missed.js';
export type { ScheduleView } from './views.js';
export { listSchedules };

/** Redis calls a reconcile keeps in flight (one connection: ioredis pipelines them). */
const IN_FLIGHT = 50;
/** Every how many watchdog looks every scheduler's record is read (with a 15 s period: a minute). */
const WATCHDOG_FULL_EVERY = 4;

/** The metrics the scheduler feeds (the daemon's Metrics has these). */
export interface SchedulerMetrics extends FireMetrics {
  setScheduleOverdue(workflow: string, trigger: number, overdueMs: number): void;
}

/** Fires a replica takes at once unless tuned (SchedulerTuning.concurrency). */
export const FIRE_CONCURRENCY = 50;

export interface SchedulerTuning {
  /** Lease lifetime without renewal (default 15 s) and renewal period (default 5 s). */
  leaseTtlMs?: number;
  leaseIntervalMs?: number;
  /** Watchdog period (default 15 s). */
  watchdogMs?: number;
  /** How often the lease holder looks for slots not delivered within their grace (default 5 s). */
  missedCheckMs?: number;
  /** How often each replica looks for fires taken by a replica that died (default 1 s). */
  takeOverMs?: number;
  /** Fires taken at once by this replica (default FIRE_CONCURRENCY). */
  concurrency?: number;
}

/** What the scheduler uses of the daemon's services (the composition root hands them in). */
export interface SchedulerServices {
  config: Pick<Config, 'redis' | 'scheduler'>;
  redis: Redis;
  store: RunStore;
  queue: RunQueue;
  runs: RunService;
  clock: Clock;
}

/** The loaded workflows, and their edits as they happen (the daemon's WorkflowRegistry). */
export interface WorkflowSource {
  get(name: string): WorkflowDefinition | undefined;
  all(): WorkflowDefinition[];
  on(event: 'change', listener: () => void): unknown;
  off(event: 'change', listener: () => void): unknown;
}

export interface SchedulerDeps {
  services: SchedulerServices;
  registry: WorkflowSource;
  metrics: SchedulerMetrics;
  logger: Logger;
  tuning?: SchedulerTuning;
}

export interface Scheduler {
  schedules(): Promise<ScheduleView[]>;
  close(): Promise<void>;
}

/** What startScheduler returns: the Scheduler, plus hooks tests await instead of sleeping. */
export interface RunningScheduler extends Scheduler {
  /**
   * 'fire' (FireOutcome) after each fire or catch-up; 'reconciled' (ReconcileSummary) after
   * each reconcile; 'missed' (MissedReport[]) after a missed-slot check that found some.
   */
  events: EventEmitter;
  /** True while this replica holds the lease and reconciles. */
  isLeader(): boolean;
}

export interface ReconcileSummary {
  upserted: string[];
  updated: string[];
  removed: string[];
}

function groupIndex(defs: WorkflowDefinition[]): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const d of defs) {
    const names = index.get(d.concurrency.group) ?? [];
    names.push(d.name);
    index.set(d.concurrency.group, names);
  }
  return index;
}

export async function startScheduler(deps: SchedulerDeps): Promise<RunningScheduler> {
  const { services, registry, logger } = deps;
  const { config, redis, store, clock } = services;
  const tuning = deps.tuning ?? {};
  const prefix = config.redis.prefix;
  const events = new EventEmitter();
  const records = new SchedulerRecords(redis, prefix);
  // Whatever is opened below is released, newest first, on close or when a later step throws.
  const releasers = new Releasers();
  const triggers = new TriggerQueue(redis, prefix);
  releasers.add('trigger queue', () => triggers.close());
  // Concurrency group -> its workflows, built at start and at each workflow change: a
  // fire used to filter (and sort) every workflow, ~9 ms a fire with 10,000 of them;
  // built lazily, the first fire of a burst paid for it.
  let members = groupIndex(registry.all());
  const rebuildMembers = (): void => {
    members = groupIndex(registry.all());
  };
  registry.on('change', rebuildMembers);
  releasers.add('group index', () => void registry.off('change', rebuildMembers));
  const fires = createFireHandler({
    records,
    store,
    runs: services.runs,
    groups: new GroupView(redis, prefix, store),
    groupMembers: (group) => members.get(group) ?? [],
    metrics: deps.metrics,
    clock,
    logger,
  });
  const report = (outcome: FireOutcome) => {
    events.emit('fire', outcome);
    return outcome;
  };
  let closed = false;

  /** Runs the most recent missed slot of each trigger (catch_up: last) once. */
  const catchUp = async (regs: Iterable<Registration>): Promise<void> => {
    const lastSlots = await records.lastSlots();
    for (const r of regs) {
      if (!registry.get(r.workflow)) continue; // removed here: reconcile drops it
      const timing = timingOf(r);
      const now = clock.now();
      // Nothing after the registration (every trigger a reconcile just registered): nothing to catch up.
      if (!slotSinceRegistration(timing, now)) continue;
      const resolution = catchUpSlot(timing, now, lastSlots.get(r.id) ?? null);
      if (!resolution || (resolution.type === 'drop' && resolution.reason === 'before_registration'))
        continue;
      try {
        report(await fires.catchUp(r, resolution));
      } catch (err) {
        logger.error({ err, workflow: r.workflow, trigger: r.trigger }, 'catch-up of a missed slot failed');
      }
    }
  };

  const reconcileOnce = async (): Promise<void> => {
    const defs = registry.all();
    const hashes = new Map<string, string>();
    // Redis calls IN_FLIGHT at a time, not one by one: 10,000 schedules one round trip
    // after another took ~20 s on a loaded machine (npm run bench, schedule fire lag).
    await eachLimit(defs, IN_FLIGHT, async (def) => {
      const hash = await store.saveDefinition(def);
      hashes.set(def.name, hash);
    });
    const [registered, bull] = await Promise.all([records.registrations(), triggers.armed()]);
    const plan = planReconcile(
      desiredTriggers(defs, hashes),
      registered,
      new Set(bull.map((b) => b.id)),
      clock.now(),
    );
    await eachLimit(plan.remove, IN_FLIGHT, (id) => triggers.remove(id));
    await records.forget(plan.remove);
    // Records first: a fire of the new scheduler must find its registration.
    await records.save([...plan.upsert, ...plan.update]);
    await eachLimit(plan.upsert, IN_FLIGHT, (r) => triggers.upsert(r.id, r, triggerJobData(r)));
    const summary: ReconcileSummary = {
      upserted: plan.upsert.map((r) => r.id),
      updated: plan.update.map((r) => r.id),
      removed: plan.remove,
    };
    if (summary.upserted.length + summary.updated.length + summary.removed.length > 0)
      logger.info(summary, 'schedules reconciled');
    events.emit('reconciled', summary);
    // An upsert re-timed BullMQ's pending fire: catch up what it may have dropped.
    await catchUp(plan.upsert);
  };

  let reconciling: Promise<void> | undefined;
  let again = false;
  const requestReconcile = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (reconciling) {
      again = true;
      return reconciling;
    }
    reconciling = (async () => {
      do {
        again = false;
        await reconcileOnce().catch((err) =>
          logger.error(
            { err },
            'could not reconcile the schedules; retrying at the next workflow change or lease renewal',
          ),
        );
      } while (again && !closed);
    })().finally(() => {
      reconciling = undefined;
    });
    return reconciling;
  };

  try {
    // What the previous daemons registered may have missed a fire while all were down.
    await catchUp((await records.registrations()).values());

    const lease = startLease({
      redis,
      key: records.keys.leader,
      ttlMs: tuning.leaseTtlMs ?? 15_000,
      intervalMs: tuning.leaseIntervalMs ?? 5_000,
      onLead: requestReconcile,
      logger,
    });
    // Released after the trigger worker and any reconcile in flight: another replica
    // takes over only once this one has stopped acting as the leader.
    releasers.add('scheduler lease', () => lease.close());
    releasers.add('reconcile in flight', async () => {
      closed = true;
      await reconciling;
    });
    await lease.firstAttempt;

    const workerConnection = createRedis(config.redis, {
      blocking: true,
      name: 'gcflow-triggers',
      outage: trackerOf(redis),
    });
    releasers.add('trigger worker connection', () => workerConnection.disconnect());
    const worker = startTriggerWorker({
      connection: workerConnection,
      prefix,
      concurrency: tuning.concurrency ?? FIRE_CONCURRENCY,
      handler: async (fire) => {
        report(await fires.onFire(fire.schedulerId, fire.slotMs, fire.takenAt));
      },
      logger,
    });
    releasers.add('trigger worker', () => worker.close());

    const onChange = (): void => {
      if (lease.isLeader()) void requestReconcile();
    };
    registry.on('change', onChange);
    releasers.add('workflow changes', () => void registry.off('change', onChange));

    const views = async (): Promise<ScheduleView[]> =>
      (await readSchedules(records, triggers, clock.now())).views;
    // The watchdog reads BullMQ's scheduler index (one command) at every look; every
    // WATCHDOG_FULL_EVERY-th look it also checks that each scheduler's record is there
    // (TriggerQueue.armed, one script: reading the records took 10,000 HGETALLs, ~1 s
    // of CPU, and a burst of fires due then waited behind them) and reads every
    // registration again, to find records lost.
    let looks = 0;
    const watchdog = startWatchdog({
      views: async () => {
        const indexOnly = looks++ % WATCHDOG_FULL_EVERY !== 0;
        const { views, missing } = await readSchedules(records, triggers, clock.now(), true, indexOnly);
        // A registered trigger without its BullMQ scheduler (keys lost): register it again.
        if (lease.isLeader() && missing.length > 0) void requestReconcile();
        return views;
      },
      setOverdue: (w, t, ms) => deps.metrics.setScheduleOverdue(w, t, ms),
      graceMs: config.scheduler.watchdog_grace_ms,
      intervalMs: tuning.watchdogMs ?? 15_000,
      logger,
    });
    releasers.add('watchdog', () => watchdog.close());

    // What the two looks for lost fires below both use.
    const fireLooks = {
      redis,
      records,
      triggers,
      fires,
      isLive: (workflow: string) => registry.get(workflow) !== undefined,
      clock,
      logger,
      replica: lease.holderId,
    };
    // No silent fire loss: the lease holder claims slots never delivered within their
    // grace as missed (or catches up the latest one), on its own timer.
    const missedLoop = startMissedLoop({
      ...fireLooks,
      isLeader: () => lease.isLeader() && !closed,
      term: () => lease.term(),
      intervalMs: tuning.missedCheckMs ?? 5_000,
      onMissed: (workflow, count) => {
        for (let i = 0; i < count; i++) deps.metrics.onScheduleSkip?.(workflow, 'missed');
      },
      onReports: (reports) => events.emit('missed', reports),
    });
    releasers.add('missed-slot check', () => missedLoop.close());
    // Every replica: fires taken by a replica that died before arming the next one or
    // before deciding the slot.
    const takeOver = startTakeOver({
      ...fireLooks,
      // This replica is alive: the fires it handles are left to it.
      handles: (id, slotMs) => worker.handles(id, slotMs),
      isOpen: () => !closed,
      intervalMs: tuning.takeOverMs,
      onFired: report,
    });
    releasers.add('fire take-over', () => takeOver.close());

    return {
      events,
      isLeader: () => lease.isLeader(),
      schedules: views,
      close: async () => {
        closed = true;
        await releaseAll(releasers, logger);
      },
    };
  } catch (err) {
    closed = true;
    await releaseAll(releasers, logger);
    throw err;
  }
}

async function releaseAll(releasers: Releasers, logger: Logger): Promise<void> {
  for (const { name, error } of await releasers.releaseAll())
    logger.error({ err: error, resource: name }, 'scheduler: error while releasing');
}
