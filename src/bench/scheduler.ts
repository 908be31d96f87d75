// Benchmark (issues 5, 13): 10,000 schedules registered through the real scheduler,
// then fire lag (fire time minus slot time) for a burst of 1,000 of them due in
// the same second. The other 9,000 are due next New Year.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowRegistry } from '../daemon/registry.js';
import { FIRE_CONCURRENCY, startScheduler } from '../scheduler/index.js';
import { createLogger, silentLogger } from '../shared/logger.js';
import { redisCpuUs } from './cpu.js';
import { cronAtSecond, rawJobSchedulerBurst } from '../queue/bench-schedulers.js';
import type { BenchEnv } from './env.js';
import { type BenchRow, fmt, percentile } from './table.js';

export async function schedulerBench(env: BenchEnv, total: number, burst: number): Promise<BenchRow[]> {
  const { rows, p99 } = await gcflowBurst(env, total, burst);
  // The same burst through BullMQ alone, after gcflow's, on the same Redis: what this
  // machine gives BullMQ's job schedulers (the target is absolute; this is its context).
  const raw = await rawJobSchedulerBurst(env.redisUrl, `bench-sched-raw-${Date.now()}`, {
    total,
    burst,
    dueMs: Math.ceil((Date.now() + 10_000 + total) / 1000) * 1000,
    concurrency: FIRE_CONCURRENCY,
    timeoutMs: 30_000,
  });
  const rawP99 = raw.lags.length >= burst ? percentile(raw.lags, 99) : undefined;
  return [
    ...rows,
    {
      metric: 'raw BullMQ job schedulers, same burst: fire lag p99 (ms)',
      value: rawP99 === undefined || !raw.registeredInTime ? '-' : fmt(rawP99, 0),
    },
    { metric: 'raw BullMQ: CPU per fire (ms)', value: fmt(raw.cpuPerFireMs, 2) },
    {
      metric: 'fire lag p99 : raw BullMQ p99',
      value: rawP99 === undefined || !raw.registeredInTime ? '-' : fmt(p99 / rawP99, 2),
    },
  ];
}

async function gcflowBurst(
  env: BenchEnv,
  total: number,
  burst: number,
): Promise<{ rows: BenchRow[]; p99: number }> {
  const dir = join(mkdtempSync(join(tmpdir(), 'gcflow-bench-sched-')), 'workflows');
  mkdirSync(dir);
  // The burst's second: far enough ahead for loading and registration to finish first.
  const due = new Date(Math.ceil((Date.now() + 30_000 + 6 * total) / 1000) * 1000);
  const burstCron = cronAtSecond(due);
  for (let i = 0; i < total; i++) {
    const cron = i < burst ? burstCron : '0 0 1 1 *';
    writeFileSync(
      join(dir, `s${i}.yaml`),
      `name: sched-${i}\ntriggers:\n  - cron: "${cron}"\nsteps:\n  - id: nap\n    uses: sleep\n    with: { duration: 1s }\n`,
    );
  }
  const services = await env.open(`bench-sched-${Date.now()}`);
  const registry = await WorkflowRegistry.open({ dir, logger: silentLogger(), watch: false });
  const lags: number[] = [];
  let allFired: () => void = () => {};
  const fired = new Promise<void>((resolve) => (allFired = resolve));
  const started = performance.now();
  // The one replica is alive throughout: none of its fires may be taken over, however late.
  let takenOver = 0;
  const logger = createLogger({
    level: 'warn',
    pretty: false,
    destination: { write: (line: string) => void (line.includes('"schedule.taken_over"') && takenOver++) },
  });
  const scheduler = await startScheduler({
    services,
    registry,
    logger,
    metrics: {
      onScheduleFire: (_workflow, lagMs) => {
        lags.push(lagMs);
        if (lags.length >= burst) allFired();
      },
      setScheduleOverdue: () => {},
    },
  });
  // startScheduler returns once the lease is taken and its reconcile done: every schedule is registered.
  const registerS = (performance.now() - started) / 1000;
  // CPU spent by the burst (this process: scheduler and trigger worker; Redis), from just
  // before the slot to the last fire: wall-clock lag is noisy on a shared machine.
  const redisCpu = () => redisCpuUs(services.redis);
  // What 10,000 schedules cost while nothing fires (missed-slot check, watchdog, take-over
  // look, lease): this process's CPU over 10 s ending 2 s before the burst.
  const idle = (async () => {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due.getTime() - Date.now() - 12_000)));
    const from = process.cpuUsage();
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const used = process.cpuUsage(from);
    return (used.user + used.system) / 1000 / (performance.now() - started);
  })();
  let cpuBefore: { node: NodeJS.CpuUsage; redis: number } | undefined;
  const beforeTimer = setTimeout(
    () => void redisCpu().then((redis) => (cpuBefore = { node: process.cpuUsage(), redis })),
    Math.max(0, due.getTime() - Date.now() - 300),
  );
  const cpuAfter = fired
    .then(async () => {
      const node = process.cpuUsage();
      return { node, redis: await redisCpu() };
    })
    .catch(() => undefined);
  try {
    await Promise.race([fired, new Promise((r) => setTimeout(r, due.getTime() - Date.now() + 30_000))]);
    clearTimeout(beforeTimer);
    // Per fire, over the burst only: undefined when the burst did not complete.
    const before = cpuBefore;
    const after = before && lags.length >= burst ? await cpuAfter : undefined;
    const perFire =
      before && after
        ? {
            node:
              (after.node.user - before.node.user + after.node.system - before.node.system) / 1000 / burst,
            redis: (after.redis - before.redis) / 1000 / burst,
          }
        : undefined;
    // Counted afterwards: listing 10,000 schedules computes each one's next slot.
    const registered = (await scheduler.schedules()).length;
    const p50 = percentile(lags, 50);
    const p99 = percentile(lags, 99);
    const rows: BenchRow[] = [
      {
        metric: `schedules registered (of ${total})`,
        value: String(registered),
        target: String(total),
        pass: registered === total,
      },
      { metric: `time to register ${total} schedules (s)`, value: fmt(registerS, 1) },
      {
        metric: `fires of the ${burst} due in one second`,
        value: String(lags.length),
        target: String(burst),
        pass: lags.length === burst,
      },
      { metric: 'fire lag min (ms)', value: fmt(Math.min(...lags), 0) },
      { metric: 'fire lag p50 (ms)', value: fmt(p50, 0) },
      { metric: 'fire lag p99 (ms)', value: fmt(p99, 0), target: '<= 1000', pass: p99 <= 1000 },
      { metric: 'fire lag max (ms)', value: fmt(Math.max(...lags), 0) },
      // The rate of the burst: fires between the first and the last run created.
      {
        metric: 'fires per second (first to last)',
        value: fmt((lags.length - 1) / ((Math.max(...lags) - Math.min(...lags)) / 1000), 0),
      },
      {
        metric: 'fires taken over (one replica, alive: none)',
        value: String(takenOver),
        target: '0',
        pass: takenOver === 0,
      },
      {
        metric: `idle CPU with ${total} schedules, gcflow process (% of a core)`,
        value: fmt(100 * (await idle), 1),
      },
      { metric: 'CPU per fire, gcflow process (ms)', value: perFire ? fmt(perFire.node, 2) : '-' },
      { metric: 'CPU per fire, Redis (ms)', value: perFire ? fmt(perFire.redis, 2) : '-' },
    ];
    return { rows, p99 };
  } finally {
    await scheduler.close();
    await registry.close();
    await services.close();
  }
}
