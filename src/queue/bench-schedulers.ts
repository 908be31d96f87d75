// Raw BullMQ baseline for the scheduler benchmark: the same burst of job schedulers
// (`total` registered, `burst` due in one second) taken by Workers laid out as
// gcflow's trigger worker (FIRES_PER_WORKER per Worker, the fire jobs' options, the
// remembered repeat strategy), with a no-op processor. Its fire lag is what BullMQ
// alone needs on this machine and Redis, so the benchmark can show what gcflow's
// decision, run record and run job add on top.
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { FIRES_PER_WORKER } from './trigger-worker.js';
import { FIRE_JOB_OPTS, rememberingRepeatStrategy } from './triggers.js';

/** A cron (UTC) that fires at `date`'s second and then not for a year: a burst's slot. */
export function cronAtSecond(date: Date): string {
  return `${date.getUTCSeconds()} ${date.getUTCMinutes()} ${date.getUTCHours()} ${date.getUTCDate()} ${date.getUTCMonth() + 1} *`;
}

export interface RawBurst {
  /** Processor start minus the slot, per fire of the burst (ms). */
  lags: number[];
  /** This process's CPU per fire over the burst (ms). */
  cpuPerFireMs: number;
  /** False when registering took so long that the burst's second had begun. */
  registeredInTime: boolean;
}

/** Registers `total` job schedulers, `burst` of them due at `dueMs`, and waits for the burst. */
export async function rawJobSchedulerBurst(
  redisUrl: string,
  prefix: string,
  options: { total: number; burst: number; dueMs: number; concurrency: number; timeoutMs: number },
): Promise<RawBurst> {
  const { total, burst, dueMs } = options;
  const burstCron = cronAtSecond(new Date(dueMs));
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('triggers', { connection, prefix });
  const workerConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const lags: number[] = [];
  const workers: Worker[] = [];
  try {
    for (let i = 0; i < total; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, total - i) }, (_, j) =>
          queue.upsertJobScheduler(
            `s${i + j}:0`,
            { pattern: i + j < burst ? burstCron : '0 0 1 1 *', tz: 'UTC' },
            { name: 'fire', data: { workflow: `s${i + j}`, trigger: 0 }, opts: FIRE_JOB_OPTS },
          ),
        ),
      );
    }
    const registeredInTime = Date.now() < dueMs - 1_000;
    let allFired: () => void = () => {};
    const fired = new Promise<void>((resolve) => (allFired = resolve));
    const count = Math.max(1, Math.ceil(options.concurrency / FIRES_PER_WORKER));
    for (let i = 0; i < count; i++)
      workers.push(
        new Worker(
          'triggers',
          async (job) => {
            if (job.opts.prevMillis !== dueMs) return;
            lags.push(Date.now() - dueMs);
            if (lags.length >= burst) allFired();
          },
          {
            connection: workerConnection,
            prefix,
            concurrency: Math.ceil(options.concurrency / count),
            settings: { repeatStrategy: rememberingRepeatStrategy() },
            lockDuration: 10_000,
            stalledInterval: 5_000,
          },
        ),
      );
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueMs - Date.now() - 300)));
    const before = process.cpuUsage();
    await Promise.race([fired, new Promise((resolve) => setTimeout(resolve, options.timeoutMs))]);
    const cpu = process.cpuUsage(before);
    return { lags, cpuPerFireMs: (cpu.user + cpu.system) / 1000 / burst, registeredInTime };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    workerConnection.disconnect();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    connection.disconnect();
  }
}
