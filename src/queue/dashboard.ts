// Views of gcflow's two queues (`runs`, `triggers`) for the dashboard and the metrics:
// job counts per state, and bull-board adapters, both queues read-only. Never adds,
// retries or removes a job itself. One of the src/queue modules allowed to import bullmq.
import type { BaseAdapter } from '@bull-board/api/baseAdapter';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { Queue } from 'bullmq';
import { watchErrors } from './connection.js';
import type { Redis } from 'ioredis';
import { RUNS_QUEUE } from './runs.js';
import { TRIGGERS_QUEUE } from './triggers.js';

/** Job states reported by `counts()`, in this order. */
export const JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'failed',
  'completed',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface QueueCounts {
  queue: string;
  counts: Record<JobState, number>;
}

export interface QueueViews {
  /** Job counts per state of each queue. */
  counts(): Promise<QueueCounts[]>;
  /**
   * bull-board adapters, both in bull-board's readOnlyMode (no retry, remove, promote,
   * clean, pause or add): a run is driven by its stored state and a job moved by hand
   * would fight the engine; a trigger's Job Scheduler is owned by the scheduler's
   * reconcile (edit the workflow file instead), and firing one by hand would bypass
   * its once-per-slot decision. The HTTP layer also refuses every non-GET request.
   */
  boardAdapters(): BaseAdapter[];
  close(): Promise<void>;
}

/** Opens views on a shared connection; `close()` leaves the connection open. */
export function openQueueViews(connection: Redis, prefix: string): QueueViews {
  const queues = [RUNS_QUEUE, TRIGGERS_QUEUE].map((name) => {
    const queue = new Queue(name, { connection, prefix });
    watchErrors(queue, connection, `${name} queue view`);
    return queue;
  });
  return {
    counts: () =>
      Promise.all(
        queues.map(async (queue) => {
          const raw = await queue.getJobCounts(...JOB_STATES);
          const counts = Object.fromEntries(JOB_STATES.map((s) => [s, raw[s] ?? 0])) as Record<
            JobState,
            number
          >;
          return { queue: queue.name, counts };
        }),
      ),
    boardAdapters: () =>
      queues.map(
        (queue) =>
          new BullMQAdapter(queue, {
            readOnlyMode: true,
            description:
              queue.name === RUNS_QUEUE
                ? 'one job per run (data: the run id only; a failed run fails its job); read-only: the gcflow dashboard at /ui starts and cancels runs'
                : 'schedule fires: one BullMQ Job Scheduler per workflow trigger; read-only: edit the workflow file to change a trigger',
          }),
      ),
    close: async () => {
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}
