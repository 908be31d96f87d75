// Raw BullMQ baseline for the benchmark: no-op jobs through a queue and a worker
// at a given concurrency, on the same Redis the engine benchmark uses, with the
// options of gcflow's run jobs (retention, attempts), so the comparison isolates
// what the engine adds on top of BullMQ.
import { type JobsOptions, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { withWatchdog } from '../shared/watchdog.js';
import { RUN_JOB_OPTIONS } from './runs.js';

export async function rawBullmqNoop(
  redisUrl: string,
  prefix: string,
  jobs: number,
  concurrency: number,
  /** `run-jobs`: the run jobs' options; `lightest`: BullMQ at its lightest (removeOnComplete: true). */
  options: 'run-jobs' | 'lightest' = 'run-jobs',
): Promise<{ jobsPerSecond: number; cpuPerJobUs: number }> {
  const opts: JobsOptions = options === 'run-jobs' ? RUN_JOB_OPTIONS : { removeOnComplete: true };
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('noop', { connection, prefix });
  const batch = Array.from({ length: jobs }, (_, i) => ({
    name: 'noop',
    data: { i },
    opts,
  }));
  for (let i = 0; i < batch.length; i += 1000) await queue.addBulk(batch.slice(i, i + 1000));
  let finished = 0;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const workerConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker('noop', async () => null, {
    connection: workerConnection,
    prefix,
    concurrency,
  });
  worker.on('completed', () => {
    if (++finished === jobs) resolveDone();
  });
  // A no-op job that fails means the measurement is void: say so instead of waiting forever.
  const failed = new Promise<never>((_, reject) =>
    worker.on('failed', (job, err) => reject(new Error(`raw BullMQ job ${job?.id} failed: ${err.message}`))),
  );
  await withWatchdog(
    Promise.race([done, failed]),
    () => finished,
    async () =>
      `raw BullMQ: ${finished} of ${jobs} jobs completed; ${JSON.stringify(await queue.getJobCounts())}`,
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  workerConnection.disconnect();
  return { jobsPerSecond: jobs / seconds, cpuPerJobUs: (cpu.user + cpu.system) / jobs };
}
