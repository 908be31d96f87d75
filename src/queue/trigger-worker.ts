// The worker every replica runs to take the trigger queue's fires (triggers.ts): a
// few small BullMQ Workers side by side, each fire handed over with its slot and the
// moment it was taken. One of the src/queue modules allowed to import bullmq.
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.js';
import { watchErrors } from './connection.js';
import {
  fireJobId,
  rememberingRepeatStrategy,
  TRIGGERS_QUEUE,
  type TriggerFire,
  type TriggerJobData,
} from './triggers.js';

export interface TriggerWorkerOptions {
  /** A blocking connection (maxRetriesPerRequest: null). */
  connection: Redis;
  prefix: string;
  concurrency: number;
  handler: (fire: TriggerFire) => Promise<void>;
  logger: Logger;
}

export interface TriggerWorker {
  /** Whether this worker is handling the fire of `schedulerId` for `slotMs` now. */
  handles(schedulerId: string, slotMs: number): boolean;
  close(): Promise<void>;
}

/** The slot of a trigger job: `opts.prevMillis`, else the job id's tail. */
export function slotOfJob(job: Pick<Job, 'id' | 'opts' | 'timestamp'>): number {
  const prev = job.opts.prevMillis;
  if (typeof prev === 'number' && prev > 0) return prev;
  const tail = Number(job.id?.split(':').pop());
  return Number.isFinite(tail) && tail > 0 ? tail : job.timestamp;
}

/**
 * Fires one BullMQ Worker takes at once, at most. A Worker fetches fires one after the
 * other (moveToActive, then the scheduler's next fire) until it holds its concurrency,
 * and only then starts the first handler: with 50, the first of 1,000 fires due in one
 * second started ~150 ms after its moveToActive. Several small Workers ramp up side by side.
 */
export const FIRES_PER_WORKER = 10;

/** `concurrency` fires at once, over ceil(concurrency / FIRES_PER_WORKER) BullMQ Workers. */
export function startTriggerWorker(options: TriggerWorkerOptions): TriggerWorker {
  // The fires being handled, by job id: a replica that holds one is alive.
  const handling = new Set<string>();
  const tracked: TriggerWorkerOptions = {
    ...options,
    handler: async (fire) => {
      const id = fireJobId(fire.schedulerId, fire.slotMs);
      handling.add(id);
      try {
        await options.handler(fire);
      } finally {
        handling.delete(id);
      }
    },
  };
  const count = Math.max(1, Math.ceil(options.concurrency / FIRES_PER_WORKER));
  const workers = Array.from({ length: count }, (_, i) =>
    oneWorker(
      tracked,
      Math.max(1, Math.floor(options.concurrency / count) + (i < options.concurrency % count ? 1 : 0)),
    ),
  );
  return {
    handles: (schedulerId, slotMs) => handling.has(fireJobId(schedulerId, slotMs)),
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

function oneWorker(options: TriggerWorkerOptions, concurrency: number): Pick<TriggerWorker, 'close'> {
  const { logger } = options;
  const worker = new Worker<TriggerJobData>(
    TRIGGERS_QUEUE,
    async (job: Job<TriggerJobData>) => {
      await options.handler({
        ...job.data,
        schedulerId: job.repeatJobKey ?? `${job.data.workflow}:${job.data.trigger}`,
        slotMs: slotOfJob(job),
        takenAt: job.processedOn ?? Date.now(),
        attempt: job.attemptsMade + 1,
      });
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency,
      settings: { repeatStrategy: rememberingRepeatStrategy() },
      // Fires take milliseconds: a fire held by a replica that died comes back quickly.
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 3,
      autorun: true,
    },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    logger.error(
      { workflow: job.data.workflow, trigger: job.data.trigger, slot: slotOfJob(job), err, final },
      final
        ? 'schedule fire failed for good: no run was started for this slot; once the cause is fixed, start it by hand (gcflow run WORKFLOW, or Run on /ui/workflows) if the slot still matters'
        : 'schedule fire failed; BullMQ retries it',
    );
  });
  watchErrors(worker, options.connection, 'trigger worker');
  return {
    close: async () => {
      await worker.close();
    },
  };
}
