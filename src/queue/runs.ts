// The run queue: one BullMQ job per run (job id = run id, data = { runId } only, so
// no input or secret ever sits in job data). A waiting run parks its job with
// moveToDelayed + DelayedError and holds no worker slot. The only module family
// that imports bullmq; the rest of gcflow sees RunProcessor and plain results.
import { DelayedError, type Job, type JobsOptions, Queue, UnrecoverableError, Worker } from 'bullmq';
import { watchErrors } from './connection.js';
import type { Redis } from 'ioredis';
import { UsageError } from '../shared/errors.js';
import { execChecked } from '../shared/exec.js';
import type { Logger } from '../shared/logger.js';

export const RUNS_QUEUE = 'runs';

/** Proof that the caller holds the queue's lock on a run's job: checkpoints are fenced by it. */
export interface Fence {
  lockKey: string;
  token: string;
}

/** How a run ended. */
export type RunOutcome = 'succeeded' | 'failed' | 'cancelled';

/**
 * What one processing turn of a run ended with. `done` carries how the run ended
 * (absent when its record is gone: the job simply completes) and, for a failed run,
 * its error (shown as the failed job's reason).
 */
export type RunTurn =
  | { type: 'park'; until: number }
  | { type: 'done'; outcome?: RunOutcome; error?: string | null };

/**
 * Thrown by the processor when the run it carried out failed, so its job ends in
 * BullMQ's `failed` state (Bull Board and the queue metrics show a failed run as
 * failed, not as a green completed job). Unrecoverable: never retried, and the
 * `failed` listener does not take it for a turn that kept throwing (no give-up).
 */
export class RunFailedError extends UnrecoverableError {
  constructor(
    readonly runId: string,
    error: string | null | undefined,
  ) {
    super(error ? `run failed: ${error}` : `run ${runId} failed (gcflow status ${runId} shows why)`);
    this.name = 'RunFailedError';
    // The engine's error is the whole story; a stack of the worker loop would only mislead.
    this.stack = `${this.name}: ${this.message}`;
  }
}

export type RunProcessor = (runId: string, fence: Fence) => Promise<RunTurn>;

interface RunJobData {
  runId: string;
}

/**
 * Every run job's options. A turn that throws (Redis failing mid-step, a bug) is
 * retried, and the run resumes from its checkpoint; the delays follow the workers'
 * `run-turn` strategy (TURN_RETRY: 1 s doubling to 1 min, ~20 min over 25
 * attempts), not BullMQ's exponential, which would still be retrying a year later
 * while a box burns. The benchmark's raw BullMQ baseline uses these options too,
 * so it compares like with like.
 */
export const RUN_JOB_OPTIONS = {
  attempts: 25,
  backoff: { type: 'run-turn' },
  removeOnComplete: { age: 86_400, count: 1_000 },
  removeOnFail: { age: 7 * 86_400 },
} as const satisfies JobsOptions;

export class RunQueue {
  private readonly queue: Queue<RunJobData>;

  constructor(
    private readonly connection: Redis,
    prefix: string,
  ) {
    this.queue = new Queue<RunJobData>(RUNS_QUEUE, { connection, prefix });
    watchErrors(this.queue, connection, 'run queue');
  }

  /** Queues a run; a second add with the same id is a no-op (BullMQ keeps job ids unique). */
  async add(runId: string, delayMs = 0): Promise<void> {
    await this.queue.add(
      'run',
      { runId },
      {
        ...RUN_JOB_OPTIONS,
        jobId: runId,
        delay: delayMs > 0 ? delayMs : undefined,
      },
    );
  }

  /** Wakes a parked run now (cancel, or a concurrency slot freed). False when it is not parked. */
  async wake(runId: string): Promise<boolean> {
    const job = await this.queue.getJob(runId);
    if (!job || !(await job.isDelayed())) return false;
    try {
      await job.promote();
      return true;
    } catch {
      return false; // it left the delayed set meanwhile: it is running or done
    }
  }

  async exists(runId: string): Promise<boolean> {
    return (await this.queue.getJob(runId)) !== undefined;
  }

  /** Those of `runIds` that have no job (any state) in the queue; EXISTS in pipelined chunks. */
  async withoutJobs(runIds: string[]): Promise<string[]> {
    const out: string[] = [];
    for (let at = 0; at < runIds.length; at += 1_000) {
      const chunk = runIds.slice(at, at + 1_000);
      const pipeline = this.connection.pipeline();
      for (const id of chunk) pipeline.exists(this.queue.toKey(id));
      const found = await execChecked(pipeline);
      found.forEach((exists, i) => {
        if (exists === 0) out.push(chunk[i]!);
      });
    }
    return out;
  }

  /** The state of a run's job (`delayed` while it is parked), or undefined when there is none. */
  async jobState(runId: string): Promise<string | undefined> {
    const job = await this.queue.getJob(runId);
    return job ? await job.getState() : undefined;
  }

  async isPaused(): Promise<boolean> {
    return this.queue.isPaused();
  }

  /** Workers connected to this queue (any replica); 0 means runs wait until one starts. */
  async workerCount(): Promise<number> {
    return this.queue.getWorkersCount();
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/** Delay before retrying a failed turn: doubling from `baseMs`, at most `maxMs`. */
export interface TurnRetry {
  baseMs: number;
  maxMs: number;
}

export const TURN_RETRY: TurnRetry = { baseMs: 1_000, maxMs: 60_000 };

export interface RunWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  processor: RunProcessor;
  /** Default TURN_RETRY. */
  turnRetry?: TurnRetry;
  /**
   * Called when a run's job failed for good (the engine could not go on); `retry`
   * queues the job once more with its attempts reset.
   */
  onGaveUp: (runId: string, error: Error, retry: () => Promise<void>) => Promise<void>;
  logger: Logger;
}

/** A running run worker; BullMQ's Worker stays inside this module. */
export interface RunWorker {
  /** Stops taking runs; waits for in-flight turns unless `force`. */
  close(force?: boolean): Promise<void>;
}

export function startRunWorker(options: RunWorkerOptions): RunWorker {
  const { processor, logger } = options;
  const turnRetry = options.turnRetry ?? TURN_RETRY;
  // Checked here: BullMQ's constructor throws on it only after opening a connection of its own.
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
    throw new UsageError(
      `run worker concurrency must be a whole number of at least 1, got ${options.concurrency}`,
      'set worker.concurrency in the config file (or --concurrency) to 1 or more',
    );
  const worker = new Worker<RunJobData>(
    RUNS_QUEUE,
    async (job: Job<RunJobData>, token?: string) => {
      const fence: Fence = { lockKey: `${job.queueQualifiedName}:${job.id}:lock`, token: token ?? '' };
      const turn = await processor(job.data.runId, fence);
      if (turn.type === 'park') {
        await job.moveToDelayed(turn.until, token);
        throw new DelayedError();
      }
      if (turn.outcome === 'failed') throw new RunFailedError(job.data.runId, turn.error);
      // The return value Bull Board shows for a completed run job.
      return { outcome: turn.outcome ?? null };
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.stalledIntervalMs,
      // A worker killed mid-run leaves its job stalled; another worker resumes it.
      // Allow many such recoveries: the run's own checkpoints make resuming safe.
      maxStalledCount: 100,
      autorun: true,
      settings: {
        backoffStrategy: (attemptsMade: number) =>
          Math.min(turnRetry.baseMs * 2 ** Math.max(0, attemptsMade - 1), turnRetry.maxMs),
      },
    },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    if (err instanceof RunFailedError) {
      logger.debug({ runId: job.data.runId }, 'run job ended failed: the run failed');
      return;
    }
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === 'UnrecoverableError';
    logger.error({ runId: job.data.runId, err, attempt: job.attemptsMade, final }, 'run job failed');
    if (final)
      void options
        .onGaveUp(job.data.runId, err, () => job.retry('failed', { resetAttemptsMade: true }))
        .catch((e) => logger.error({ err: e }, 'could not record run failure'));
  });
  watchErrors(worker, options.connection, 'run worker');
  return worker;
}
