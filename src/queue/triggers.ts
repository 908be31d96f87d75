// The `triggers` queue: one BullMQ Job Scheduler per workflow trigger (id
// `${workflow}:${index}`, cron pattern + IANA tz); the worker every replica runs to
// take the fires is trigger-worker.ts. A fire carries its slot: BullMQ stores the
// scheduled time as `opts.prevMillis` (also the tail of the job id `repeat:<scheduler>:<ms>`).
// One of the src/queue modules allowed to import bullmq.
import { defaultRepeatStrategy, Queue, type RepeatStrategy } from 'bullmq';
import { watchErrors } from './connection.js';
import type { Redis } from 'ioredis';
import { execChecked } from '../shared/exec.js';
import { type LuaScript, luaCommand } from '../shared/lua.js';

/** The scheduler's queue of trigger fires (one BullMQ Job Scheduler per workflow trigger). */
export const TRIGGERS_QUEUE = 'triggers';

/** What a trigger job carries (no inputs, no secrets). */
export interface TriggerJobData {
  workflow: string;
  trigger: number;
  /** Hash of cron, timezone and inputs at registration. */
  key: string;
}

/** What a trigger job carries, picked from a registration (never its inputs). */
export const triggerJobData = ({ workflow, trigger, key }: TriggerJobData): TriggerJobData => ({
  workflow,
  trigger,
  key,
});

/** One fire as the scheduler sees it. */
export interface TriggerFire extends TriggerJobData {
  schedulerId: string;
  /** The slot: when BullMQ meant to fire (ms). */
  slotMs: number;
  /** When a worker took it from the queue (BullMQ's processedOn): its delivery. */
  takenAt: number;
  /** 1 on the first delivery; more when a failed fire is retried. */
  attempt: number;
}

export interface RegisteredScheduler {
  id: string;
  /** When its pending fire is due (ms); undefined when BullMQ holds none. */
  next: number | undefined;
  pattern: string | undefined;
  tz: string | undefined;
}

/** How long after the time it was computed from a remembered next cron time is used. */
const NEXT_MEMO_SPAN_MS = 60_000;

/**
 * BullMQ's own repeat strategy (defaultRepeatStrategy: cron-parser's first time after
 * `millis`), remembered per cron and timezone. Each fire taken makes BullMQ compute its
 * scheduler's next time, one after the other before the next fire is fetched: 1,000
 * schedules of one cron due in the same second computed the same time 1,000 times
 * (a yearly cron steps day by day through cron-parser, ~1 ms each), and the fires
 * waited. A remembered `next`, computed from `from`, is the answer for any `millis` in
 * [from, next): no cron time lies between. Used within a minute of `from` only, and
 * never for options other than a pattern and a timezone.
 */
export function rememberingRepeatStrategy(): RepeatStrategy {
  const memo = new Map<string, { from: number; next: number }>();
  return (millis, opts) => {
    const { pattern } = opts;
    if (
      pattern === undefined ||
      pattern.includes('H') ||
      opts.every !== undefined ||
      opts.immediately ||
      opts.startDate !== undefined ||
      opts.endDate !== undefined
    )
      return defaultRepeatStrategy(millis, opts);
    const key = `${pattern}\u0000${opts.tz ?? ''}`;
    const hit = memo.get(key);
    if (hit && hit.from <= millis && millis < hit.next && millis < hit.from + NEXT_MEMO_SPAN_MS)
      return hit.next;
    const next = defaultRepeatStrategy(millis, opts);
    if (next === undefined) memo.delete(key);
    else memo.set(key, { from: millis, next });
    return next;
  };
}

/** The name and options of every fire job. */
const FIRE_JOB = 'fire';
export const FIRE_JOB_OPTS = {
  // A fire that failed (Redis gone mid-fire) is retried; the slot's stored decision makes that safe.
  attempts: 5,
  backoff: { type: 'fixed', delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 86_400, count: 1_000 },
} as const;

const ARMED: LuaScript = {
  name: 'gcflowArmedSchedulers',
  numberOfKeys: 1,
  file: new URL('./lua/armed-schedulers.lua', import.meta.url),
};

/** `[id, next, id, next, ...]` (the scheduler index read WITHSCORES) as pairs. */
function withNext(flat: string[]): Array<{ id: string; next: number }> {
  const out: Array<{ id: string; next: number }> = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ id: flat[i]!, next: Number(flat[i + 1]) });
  return out;
}

/** BullMQ's id of a scheduler's fire for one slot. */
export const fireJobId = (schedulerId: string, slotMs: number): string => `repeat:${schedulerId}:${slotMs}`;

/** The scheduler and slot of a fire's job id; undefined for any other id. */
export function fireOfJobId(jobId: string): { id: string; slotMs: number } | undefined {
  const last = jobId.lastIndexOf(':');
  if (!jobId.startsWith('repeat:') || last <= 'repeat:'.length) return undefined;
  const slotMs = Number(jobId.slice(last + 1));
  if (!Number.isSafeInteger(slotMs) || slotMs <= 0) return undefined;
  return { id: jobId.slice('repeat:'.length, last), slotMs };
}

export class TriggerQueue {
  private readonly queue: Queue<TriggerJobData>;

  constructor(
    private readonly connection: Redis,
    prefix: string,
  ) {
    this.queue = new Queue<TriggerJobData>(TRIGGERS_QUEUE, {
      connection,
      prefix,
      settings: { repeatStrategy: rememberingRepeatStrategy() },
    });
    watchErrors(this.queue, connection, 'trigger queue');
  }

  /**
   * Creates or replaces the scheduler. BullMQ removes its pending fire and adds one
   * at the cron's next time after now: an overdue fire is dropped, so callers upsert
   * only what changed and catch up before.
   */
  async upsert(
    id: string,
    schedule: { cron: string; timezone: string },
    data: TriggerJobData,
  ): Promise<void> {
    await this.queue.upsertJobScheduler(
      id,
      { pattern: schedule.cron, tz: schedule.timezone },
      { name: FIRE_JOB, data, opts: FIRE_JOB_OPTS },
    );
  }

  /**
   * Of the schedulers whose pending fire was due before `beforeMs` (oldest first, at
   * most `max`), those whose fire was taken (moveToActive set its processedOn) or is
   * gone while no next fire was armed: what a worker leaves when it dies between
   * taking a fire and arming the next (BullMQ 6.7 does the two one after the other).
   * A fire still waiting for a worker is not among them. `takenAt`: when it was taken
   * (undefined when the fire is gone).
   */
  async takenUnarmed(
    beforeMs: number,
    max: number,
  ): Promise<Array<{ id: string; next: number; takenAt: number | undefined }>> {
    const due = await this.dueBefore(beforeMs, max);
    if (due.length === 0) return [];
    const pipeline = this.connection.pipeline();
    for (const d of due)
      pipeline.hmget(this.queue.toKey(fireJobId(d.id, d.next)), 'processedOn', 'timestamp');
    const answers = (await execChecked(pipeline)) as Array<Array<string | null>>;
    return due.flatMap((d, i) => {
      const [processedOn, timestamp] = answers[i]!;
      if (processedOn === null && timestamp !== null) return [];
      return [{ ...d, takenAt: processedOn === null ? undefined : Number(processedOn) }];
    });
  }

  /**
   * When a worker took each slot's fire of scheduler `id` (BullMQ's processedOn), for
   * a fire taken and never finished: held by a worker alive or dead, or waiting for a
   * retry. Undefined for a fire not taken, finished (completed, failed for good) or gone.
   */
  async takenUnfinished(id: string, slots: number[]): Promise<Array<number | undefined>> {
    if (slots.length === 0) return [];
    const pipeline = this.connection.pipeline();
    for (const slot of slots)
      pipeline.hmget(this.queue.toKey(fireJobId(id, slot)), 'processedOn', 'finishedOn');
    const answers = (await execChecked(pipeline)) as Array<Array<string | null>>;
    return answers.map(([processedOn, finishedOn]) =>
      processedOn === null || finishedOn !== null ? undefined : Number(processedOn),
    );
  }

  /**
   * The fires a worker holds (BullMQ's active list) for a slot before `beforeMs`, at
   * most `max`: taken, and not finished yet. Only fires (ids `repeat:<scheduler>:<ms>`).
   */
  async takenBefore(beforeMs: number, max: number): Promise<Array<{ id: string; slotMs: number }>> {
    const ids = await this.connection.lrange(this.queue.toKey('active'), 0, -1);
    const out: Array<{ id: string; slotMs: number }> = [];
    for (const jobId of ids) {
      const fire = fireOfJobId(jobId);
      if (fire && fire.slotMs < beforeMs) out.push(fire);
    }
    return out.sort((a, b) => a.slotMs - b.slotMs).slice(0, max);
  }

  /**
   * Arms the fire after `slotMs` of scheduler `id`, as the worker that took the fire of
   * `slotMs` does right after taking it: the cron's next time after now. BullMQ's own
   * producer check makes it happen once: only while `slotMs` is still the scheduler's
   * current fire, and not when that next fire exists (a live worker arming it at the
   * same moment). False when there was nothing to do.
   */
  async armNext(
    id: string,
    slotMs: number,
    schedule: { cron: string; timezone: string },
    data: TriggerJobData,
  ): Promise<boolean> {
    const scheduler = await this.queue.jobScheduler;
    const next = await scheduler.upsertJobScheduler(
      id,
      { pattern: schedule.cron, tz: schedule.timezone },
      FIRE_JOB,
      data,
      { ...FIRE_JOB_OPTS, prevMillis: slotMs },
      { override: false, producerId: fireJobId(id, slotMs) },
    );
    return next !== undefined;
  }

  /** Removes the scheduler and its pending fire; false when there was none. */
  async remove(id: string): Promise<boolean> {
    return this.queue.removeJobScheduler(id);
  }

  /**
   * Every scheduler with its record as BullMQ stores it (pattern, zone): one HGETALL
   * each, 10,000 with 10,000 schedules. For inspection; the daemon's looks use armed().
   */
  async list(): Promise<RegisteredScheduler[]> {
    const all = await this.queue.getJobSchedulers(0, -1, true);
    return all.map((s) => ({
      id: s.key,
      next: typeof s.next === 'number' && Number.isFinite(s.next) ? s.next : undefined,
      pattern: s.pattern ?? undefined,
      tz: s.tz ?? undefined,
    }));
  }

  /**
   * The schedulers BullMQ holds (in its index, with their record), with their next fire:
   * one script, where list() reads every record (10,000 HGETALLs, ~1 s of this process's
   * CPU with 10,000 schedules). A scheduler whose record was lost is not among them.
   */
  async armed(): Promise<Array<{ id: string; next: number }>> {
    return withNext((await luaCommand(this.connection, ARMED)(this.queue.toKey('repeat'))) as string[]);
  }

  /**
   * The schedulers whose pending fire was due at or before `beforeMs`, with that time:
   * one ZRANGEBYSCORE on BullMQ's scheduler index (scored by next fire), where list()
   * reads every scheduler's record (10,000 HGETALLs on the shared connection). Oldest
   * first; at most `max` when given.
   */
  async dueBefore(
    beforeMs: number = Number.POSITIVE_INFINITY,
    max?: number,
  ): Promise<Array<{ id: string; next: number }>> {
    const key = this.queue.toKey('repeat');
    const upTo = Number.isFinite(beforeMs) ? beforeMs : '+inf';
    const flat =
      max === undefined
        ? await this.connection.zrangebyscore(key, '-inf', upTo, 'WITHSCORES')
        : await this.connection.zrangebyscore(key, '-inf', upTo, 'WITHSCORES', 'LIMIT', 0, max);
    return withNext(flat);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
