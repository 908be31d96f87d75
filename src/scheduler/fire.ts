// One schedule fire, from a trigger job or a catch-up: resolve the slot it stands
// for (late fires, DST), take the overlap decision once per slot, and start the run
// with the slot's deterministic id. Every step can be repeated: a redelivered fire
// finds the stored decision and repeats it, and RunService.start is idempotent by id.
// Must not import bullmq.
import type { WorkflowDefinition } from '../dsl/types.js';
import type { RunService } from '../runs/service.js';
import { InputError, type StartRun } from '../runs/service.js';
import { RunNotFoundError, type RunStore } from '../runs/store.js';
import type { Clock } from '../shared/clock.js';
import { describeError } from '../shared/errors.js';
import { scheduledRunId } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import {
  decideOverlap,
  type DropReason,
  type FireDecision,
  isOnTime,
  MAX_GRACE_MS,
  resolveFire,
  type SlotResolution,
  type TriggerTiming,
} from './decisions.js';
import type { GroupView } from './gate.js';
import type { SchedulerRecords } from './records.js';
import type { Registration } from './reconcile.js';
import { zonedIso } from './slots.js';

/** The metrics a fire reports (a subset of the daemon's Metrics). */
export interface FireMetrics {
  onScheduleFire(workflow: string, lagMs: number): void;
  /**
   * A slot that started no run; `reason` is a fixed code (overlap_skip,
   * overlap_queue_full, late, outside_window, dst_repeat, no_slot, missed).
   * Optional until the daemon's Metrics has it.
   */
  onScheduleSkip?(workflow: string, reason: string): void;
}

export interface FireDeps {
  records: SchedulerRecords;
  store: RunStore;
  runs: RunService;
  groups: GroupView;
  /** Names of the workflows of a concurrency group (from the loaded workflows). */
  groupMembers(group: string): string[];
  metrics: FireMetrics;
  clock: Clock;
  logger: Logger;
}

export type FireOutcome =
  | { type: 'started'; runId: string; slotMs: number; created: boolean }
  | { type: 'skipped'; runId: string; slotMs: number; reason: string }
  | { type: 'dropped'; slotMs: number; reason: DropReason | 'unregistered' | 'invalid_inputs' };

/** How long a slot's decision is kept: as long as a late fire may still pick that slot. */
export const decisionTtl = (t: TriggerTiming): number => t.catchUpWindowMs + MAX_GRACE_MS + 10 * 60_000;

const DROP_WHY: Record<DropReason, string> = {
  dst_repeat: 'the wall-clock time repeats as clocks fall back, and a fixed-hour schedule fires once',
  late: 'it was delivered late (daemons down or overloaded) and the trigger has catch_up: none',
  outside_window: 'the most recent slot lies outside the trigger’s catch_up_window',
  before_registration: 'the slot lies before the schedule was registered',
  no_slot: 'the cron has no slot before now',
};

export function timingOf(r: Registration): TriggerTiming {
  return {
    cron: r.cron,
    timezone: r.timezone,
    catch_up: r.catch_up,
    catchUpWindowMs: r.catchUpWindowMs,
    registeredAt: r.registeredAt,
  };
}

export function createFireHandler(deps: FireDeps) {
  const definition = (hash: string): Promise<WorkflowDefinition> => deps.store.loadDefinition(hash);

  const skipped = (
    r: Registration,
    code: string,
    message: string,
    detail: Record<string, unknown>,
    level: 'info' | 'warn',
  ) => {
    deps.metrics.onScheduleSkip?.(r.workflow, code);
    deps.logger[level](
      { workflow: r.workflow, trigger: r.trigger, reason: code, ...detail },
      `skipped a schedule slot: ${message}`,
    );
  };

  const startRequest = (
    r: Registration,
    def: WorkflowDefinition,
    runId: string,
    slotMs: number,
  ): StartRun => ({
    def,
    inputs: r.inputs,
    trigger: 'schedule',
    id: runId,
    scheduledAt: new Date(slotMs).toISOString(),
  });

  /** A run this fire created: counted and logged once. */
  const reportStarted = (r: Registration, slotMs: number, runId: string, cancelled: string[]) => {
    const lagMs = deps.clock.now() - slotMs;
    deps.metrics.onScheduleFire(r.workflow, lagMs);
    deps.logger.info(
      {
        workflow: r.workflow,
        trigger: r.trigger,
        slot: zonedIso(slotMs, r.timezone),
        runId,
        lagMs,
        cancelled,
      },
      'schedule fired',
    );
  };

  /** Runs the stored decision of a slot; safe to repeat. */
  async function execute(
    r: Registration,
    slotMs: number,
    decision: FireDecision,
    mine: boolean,
  ): Promise<FireOutcome> {
    const runId = scheduledRunId(r.workflow, r.trigger, slotMs);
    const slot = zonedIso(slotMs, r.timezone);
    if (decision.action === 'skip') {
      if (mine) skipped(r, decision.code, decision.reason, { slot, runId, active: decision.active }, 'info');
      return { type: 'skipped', runId, slotMs, reason: decision.reason };
    }
    for (const id of decision.cancel) {
      await deps.runs
        .cancel(id, `cancelled by the schedule fire of ${slot} (concurrency.overlap: cancel_running)`)
        .catch((err) => {
          if (!(err instanceof RunNotFoundError)) throw err;
        });
    }
    const def = await definition(r.definitionHash);
    try {
      const started = await deps.runs.start(startRequest(r, def, runId, slotMs));
      if (started.created) reportStarted(r, slotMs, runId, decision.cancel);
      return { type: 'started', runId, slotMs, created: started.created };
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      deps.logger.error(
        { workflow: r.workflow, trigger: r.trigger, slot, err },
        `schedule fire started no run: ${describeError(err)}; fix the trigger's inputs in the workflow file`,
      );
      return { type: 'dropped', slotMs, reason: 'invalid_inputs' };
    }
  }

  /**
   * Fires `slotMs` (already resolved) of registration `r`: repeats the slot's stored
   * decision, or takes one. A group with no active run (the usual case) is decided
   * with the read, and the slot's run created, in one round trip (`claimIfIdle`);
   * otherwise its runs are read and the overlap policy decides. Either way the decision
   * is claimed once (SET NX). With `checked` (r's JSON), the script first checks r is
   * still the registration stored, and does nothing when it is not (then: 'changed',
   * with the stored one).
   */
  async function fireSlot(r: Registration, slotMs: number, checked?: string) {
    const def = await definition(r.definitionHash);
    const { group, overlap, limit } = def.concurrency;
    const members = [...new Set([def.name, ...deps.groupMembers(group)])];
    const runId = scheduledRunId(r.workflow, r.trigger, slotMs);
    const ttl = decisionTtl(timingOf(r));
    const run = prepared(r, def, runId, slotMs);
    const quick = await deps.records.claimIfIdle(r.id, slotMs, ttl, {
      activeKey: deps.store.keys.activeRuns,
      runId,
      // overlap allow starts whatever runs: the group need not be looked at.
      prefixes: overlap === 'allow' ? [] : members.map((w) => `${w}-`),
      registration: checked,
      create: run && deps.store.creation(run.state, run.events, def),
    });
    if (quick.type === 'changed') return quick;
    if (quick.type === 'decided') {
      // Created with the claim: only its job is still to add.
      if (quick.created) return startedWithClaim(r, slotMs, runId);
      return execute(r, slotMs, quick.claim.decision, quick.claim.mine);
    }
    const active = await deps.groups.active(group, members, runId);
    const claim = await deps.records.claim(r.id, slotMs, decideOverlap(overlap, active, limit), ttl);
    return execute(r, slotMs, claim.decision, claim.mine);
  }

  /**
   * The slot's run, ready to be created with the claim; undefined when the trigger's
   * inputs are invalid (the claim is then taken alone, and execute reports why no run
   * started, as for any fire).
   */
  function prepared(r: Registration, def: WorkflowDefinition, runId: string, slotMs: number) {
    try {
      return deps.runs.prepare(startRequest(r, def, runId, slotMs));
    } catch (err) {
      if (err instanceof InputError) return undefined;
      throw err;
    }
  }

  /** A run the claim's script created: its job is added, as RunService.start adds one. */
  async function startedWithClaim(r: Registration, slotMs: number, runId: string): Promise<FireOutcome> {
    await deps.runs.enqueue(runId);
    reportStarted(r, slotMs, runId, []);
    return { type: 'started', runId, slotMs, created: true };
  }

  /** A fire of scheduler `id` whose registration `r` was just read. */
  async function fireRegistered(
    id: string,
    slotMs: number,
    r: Registration | undefined,
    takenAt: number | undefined,
  ): Promise<FireOutcome> {
    if (!r) {
      deps.logger.info(
        { scheduler: id, slot: new Date(slotMs).toISOString() },
        'fire of a schedule no longer registered: ignored',
      );
      return { type: 'dropped', slotMs, reason: 'unregistered' };
    }
    const resolution = resolveFire(timingOf(r), slotMs, deps.clock.now(), takenAt);
    if (resolution.type === 'drop' || resolution.slotMs !== slotMs) {
      // A late copy of a slot already decided (its fire came back stalled after another
      // replica took it over or completed it): the slot was dealt with; repeating
      // its decision reports no skip and catches nothing up.
      const decided = await deps.records.decision(r.id, slotMs);
      if (decided) return (await complete(r, slotMs, decided)) ?? execute(r, slotMs, decided, false);
    }
    return act(r, resolution, slotMs);
  }

  /** Acts on a resolution: logs a drop, fires a slot. */
  async function act(
    r: Registration,
    resolution: SlotResolution,
    deliveredSlot: number,
  ): Promise<FireOutcome> {
    if (resolution.type === 'drop') {
      const level =
        resolution.reason === 'dst_repeat' || resolution.reason === 'before_registration' ? 'info' : 'warn';
      skipped(
        r,
        resolution.reason,
        `missed fire of ${zonedIso(deliveredSlot, r.timezone)}: ${DROP_WHY[resolution.reason]}`,
        {
          slot: zonedIso(resolution.slotMs, r.timezone),
          lateMs: deps.clock.now() - deliveredSlot,
          hint:
            resolution.reason === 'late'
              ? 'keep at least one daemon running; use catch_up: last to run the most recent missed slot after downtime'
              : undefined,
        },
        level,
      );
      return { type: 'dropped', slotMs: resolution.slotMs, reason: resolution.reason };
    }
    if (resolution.slotMs !== deliveredSlot)
      deps.logger.info(
        {
          workflow: r.workflow,
          trigger: r.trigger,
          delivered: zonedIso(deliveredSlot, r.timezone),
          slot: zonedIso(resolution.slotMs, r.timezone),
        },
        'late fire: catching up the most recent slot instead (catch_up: last)',
      );
    // Unchecked: never 'changed'.
    return fireSlot(r, resolution.slotMs) as Promise<FireOutcome>;
  }

  /**
   * Finishes a slot decided `start` whose run was never created: the replica that
   * claimed it died between the claim and the run's creation (or stalled there past the
   * take-over delay), and its fire, when it comes back, is past its grace. Starts the
   * run with the slot's id (idempotent, so a replica still about to create it makes no
   * second one). `decision` is the slot's
   * stored one (decisions never change once claimed). Undefined when nothing was to do
   * (a skip, or the run exists). Used by the missed-slot check and by that late fire.
   */
  async function complete(
    r: Registration,
    slotMs: number,
    decision: FireDecision,
  ): Promise<FireOutcome | undefined> {
    if (decision.action !== 'start') return undefined;
    const runId = scheduledRunId(r.workflow, r.trigger, slotMs);
    if (await deps.store.load(runId)) return undefined;
    const outcome = await execute(r, slotMs, decision, false);
    // Another fire of the slot (its late copy, the missed-slot check) created it meanwhile.
    if (outcome.type === 'started' && !outcome.created) return outcome;
    deps.logger.warn(
      {
        event: 'schedule.completed',
        workflow: r.workflow,
        trigger: r.trigger,
        slot: zonedIso(slotMs, r.timezone),
        runId,
        outcome: outcome.type,
      },
      `schedule slot ${zonedIso(slotMs, r.timezone)} was decided but its run was not created (the replica that decided it died, or stalled, in between): started it here, late`,
    );
    return outcome;
  }

  return {
    /**
     * A fire delivered by BullMQ for scheduler `id` and slot `slotMs`, taken from the
     * queue at `takenAt` (BullMQ's processedOn) by this replica or by one that died.
     * Judged on time by that moment when known, not by when it is handled.
     */
    async onFire(id: string, slotMs: number, takenAt?: number): Promise<FireOutcome> {
      // The usual fire (on time, a registration read before): the registration as last
      // read is checked by the decision's script, not read first (one round trip, not two).
      const cached = deps.records.cachedRegistration(id);
      if (cached) {
        if (isOnTime(timingOf(cached.record), slotMs, deps.clock.now(), takenAt)) {
          const done = await fireSlot(cached.record, slotMs, cached.json);
          if (done.type !== 'changed') return done;
          return fireRegistered(id, slotMs, done.registration, takenAt);
        }
      }
      return fireRegistered(id, slotMs, await deps.records.registration(id), takenAt);
    },
    complete,
    /** A catch-up the scheduler computed for `r` (see catchUpSlot). */
    catchUp(r: Registration, resolution: SlotResolution): Promise<FireOutcome> {
      return act(r, resolution, resolution.slotMs);
    },
  };
}

export type FireHandler = ReturnType<typeof createFireHandler>;
