// Replicas that take a schedule's fire from the triggers queue and then die, at the two
// instants BullMQ 6.7 leaves open: right after moveToActive (no next fire armed), or
// after arming the next fire and before the slot is decided. Their locks outlast the
// tests, so a held fire never comes back as stalled meanwhile.
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { TRIGGERS_QUEUE } from '../../../src/queue/triggers.js';
import { until } from './harness.js';

/** The schedule the take-over tests use: `tick`, every 10 s, catch_up none. */
export const TICK_PERIOD_MS = 10_000;
// catch_up: none: a slot judged late is dropped, not run.
export const TICK_WORKFLOW = `
name: tick
triggers:
  - cron: "*/10 * * * * *"
    catch_up: none
concurrency: { group: tick, overlap: allow }
steps:
  - id: nap
    uses: sleep
    with: { duration: 10ms }
`;

export interface TakenFire {
  jobId: string;
  slotMs: number;
}

const slotOf = (jobId: string): number => Number(jobId.split(':').pop());

/**
 * Takes the next due fire of the triggers queue the way a trigger worker does
 * (BullMQ's moveToActive: the job is active, under a lock) and then does nothing more,
 * like a replica SIGKILLed at that moment: no next fire armed, the fire never run.
 */
export async function takeNextFireAndDie(prefix: string, waitMs: number): Promise<TakenFire> {
  const connection = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  const dying = new Worker(TRIGGERS_QUEUE, null, {
    connection,
    prefix,
    autorun: false,
    lockDuration: 120_000,
  });
  let taken: string | undefined;
  // BullMQ's step after moveToActive, where the next fire is armed: the replica died before it.
  Object.assign(dying, {
    nextJobFromJobData: async (jobData: unknown, jobId: string) => {
      if (jobData) taken = jobId;
      return undefined;
    },
  });
  try {
    await until(
      async () => {
        await dying.getNextJob('dying-replica', { block: false });
        return taken;
      },
      waitMs,
      'a fire to take',
    );
  } finally {
    connection.disconnect();
  }
  return { jobId: taken!, slotMs: slotOf(taken!) };
}

export interface HeldFire extends TakenFire {
  close(): Promise<void>;
}

/**
 * A replica that takes the next due fire, arms the next one (BullMQ's own worker does)
 * and never decides the slot: killed between the two, or stalled. `close` lets go of
 * its connection (the fire stays held under its lock).
 */
export async function holdNextFire(prefix: string, waitMs: number): Promise<HeldFire> {
  const connection = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  let taken: string | undefined;
  const stuck = new Worker(
    TRIGGERS_QUEUE,
    async (job) => {
      taken = job.id;
      await new Promise<never>(() => {});
    },
    { connection, prefix, concurrency: 1, lockDuration: 120_000 },
  );
  const close = async () => {
    await stuck.close(true);
    connection.disconnect();
  };
  try {
    await until(async () => taken, waitMs, 'a fire to take');
  } catch (err) {
    await close();
    throw err;
  }
  return { jobId: taken!, slotMs: slotOf(taken!), close };
}
