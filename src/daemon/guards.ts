// Three background checks of every daemon replica. The janitor sweep (every
// `janitor.interval`, one replica per interval by a claim in Redis) finds boxes that
// runs left behind, deletes those gcflow has records of (`janitor.apply`), and exports
// how many leaked boxes it saw. The data-loss watch notices that Redis forgot gcflow's
// data (a marker key it wrote is gone: restarted without persistence, flushed, keys
// evicted), says so once in an error line and a counter, and sweeps at once: after such
// a loss only the name templates still tie boxes to gcflow. The requeue check (every
// `janitor.requeue_check`, one replica per check) queues again every run that is
// alive but has no job: a starter killed between writing the run and queueing it
// (`RunService.start` makes two writes), or a job Redis lost, would leave that run
// queued for ever.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { WorkflowDefinition } from '../dsl/types.js';
import { isTerminalRun } from '../engine/state.js';
import type { GenesisClient } from '../genesis/index.js';
import { destroyLeaks, findLeaks } from '../runs/janitor.js';
import { logTaskError } from '../queue/connection.js';
import type { RunQueue } from '../queue/runs.js';
import type { Ownership } from '../runs/ownership.js';
import type { RunStore } from '../runs/store.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

export interface GuardDeps {
  redis: Redis;
  prefix: string;
  client: GenesisClient;
  store: RunStore;
  ownership: Ownership;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  workflows: () => Iterable<WorkflowDefinition>;
  janitor: { enabled: boolean; intervalMs: number; apply: boolean };
  /** How often the data-loss marker is looked at; default 10 s. */
  markerCheckMs?: number;
  queue: Pick<RunQueue, 'add' | 'withoutJobs'>;
  /** How often live runs without a job are looked for; default 60 s. */
  requeueCheckMs?: number;
}

/** A run this young may be between its two writes (record, then job): not jobless yet. */
const JOBLESS_AFTER_MS = 10_000;

export interface Guards {
  /** Runs one janitor sweep now (if this replica can claim it); resolves when done. */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

export async function startGuards(deps: GuardDeps): Promise<Guards> {
  const { redis, logger } = deps;
  const replica = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const leaked = new Gauge({
    name: 'gcflow_leaked_instances',
    help: 'Instances runs left behind that are still there after the last janitor sweep (found by the replica that ran it)',
    registers: [deps.registry],
  });
  const dataLoss = new Counter({
    name: 'gcflow_redis_data_loss_total',
    help: "Times this replica found that Redis had lost gcflow's data (its marker key was gone)",
    registers: [deps.registry],
  });
  const requeued = new Counter({
    name: 'gcflow_runs_requeued_total',
    help: 'Live runs found without a job in the queue and queued again',
    registers: [deps.registry],
  });
  const markerKey = `${deps.prefix}:marker`;
  const claimKey = `${deps.prefix}:janitor:sweep`;
  const marker = JSON.stringify({ v: 1, created_at: new Date(deps.clock.now()).toISOString() });
  await redis.set(markerKey, marker, 'NX');

  let sweeping: Promise<void> | undefined;
  const sweep = (): Promise<void> => {
    sweeping ??= runSweep().finally(() => {
      sweeping = undefined;
    });
    return sweeping;
  };
  const runSweep = async (): Promise<void> => {
    const claimed = await redis.set(
      claimKey,
      replica,
      'PX',
      Math.max(1_000, deps.janitor.intervalMs * 0.8),
      'NX',
    );
    if (claimed !== 'OK') return;
    const leaks = await findLeaks({ ...deps, workflows: deps.workflows() });
    const destroy = deps.janitor.apply ? leaks.filter((l) => l.recorded) : [];
    const results = await destroyLeaks(destroy, deps, deps.clock.now());
    let left = 0;
    for (const leak of leaks) {
      const result = results.find((r) => r.instance_id === leak.instance_id);
      if (result?.destroyed) {
        logger.warn(
          {
            runId: leak.run,
            workflow: leak.workflow,
            step: leak.step,
            instanceId: leak.instance_id,
            name: leak.name,
          },
          `janitor deleted instance ${leak.instance_id} (${leak.name}): ${leak.reason}`,
        );
        continue;
      }
      left += 1;
      logger.error(
        {
          runId: leak.run,
          workflow: leak.workflow,
          instanceId: leak.instance_id,
          name: leak.name,
          err: result?.error,
        },
        `leaked instance ${leak.instance_id} (${leak.name}) is still running: ${leak.reason}; see \`gcflow janitor\``,
      );
    }
    leaked.set(left);
  };
  const safely = (what: string, task: () => Promise<void>) => () => {
    task().catch((err) =>
      logTaskError(redis, logger, err, `${what} failed; it runs again at its next interval`, what),
    );
  };

  const checkMarker = async (): Promise<void> => {
    if ((await redis.exists(markerKey)) === 1) return;
    dataLoss.inc();
    logger.error(
      { key: markerKey },
      "Redis lost gcflow's data: its marker key is gone (Redis restarted without persistence, was flushed, or evicted keys). " +
        'Runs in flight and the records of the boxes they created are lost; those boxes keep running. ' +
        'gcflow janitor finds them by name; give Redis persistence (appendonly yes) and maxmemory-policy noeviction',
    );
    await redis.set(markerKey, marker, 'NX');
    if (deps.janitor.enabled) await sweep();
  };

  const requeueEvery = deps.requeueCheckMs ?? 60_000;
  const requeue = async (): Promise<void> => {
    const claimed = await redis.set(
      `${deps.prefix}:janitor:requeue`,
      replica,
      'PX',
      requeueEvery * 0.8,
      'NX',
    );
    if (claimed !== 'OK') return;
    const jobless = await deps.queue.withoutJobs(await deps.store.activeIds());
    for (const id of jobless) {
      const state = await deps.store.load(id);
      if (!state || isTerminalRun(state)) continue;
      if (deps.clock.now() - Date.parse(state.created_at) < JOBLESS_AFTER_MS) continue;
      await deps.queue.add(id);
      requeued.inc();
      logger.warn(
        { event: 'run.requeued', runId: id, workflow: state.workflow, status: state.status },
        `run ${id} (${state.workflow}, ${state.status}) had no job in the queue; queued it again ` +
          '(its starter stopped between writing the run and queueing it, or Redis lost the job)',
      );
    }
  };

  const timers = [
    setInterval(safely('checking the data-loss marker', checkMarker), deps.markerCheckMs ?? 10_000),
    setInterval(safely('the requeue check', requeue), requeueEvery),
  ];
  if (deps.janitor.enabled)
    timers.push(setInterval(safely('the janitor sweep', sweep), deps.janitor.intervalMs));
  for (const t of timers) t.unref();
  return {
    sweep,
    close: async () => {
      for (const t of timers) clearInterval(t);
      await sweeping?.catch(() => undefined);
    },
  };
}
