// Benchmarks (1)-(3): raw BullMQ no-op jobs/s at a worker concurrency, then the
// engine's step throughput on the same Redis (1,000 runs x 5 read-only steps
// against the in-process simulator with zero latency), and the engine's own
// overhead per step: the time between one action's end and the next one's start,
// measured one run at a time (what the engine adds) and under the full load
// (where it also includes waiting for the CPU behind the other runs).
import { createExecutor, StatusReader } from '../actions/index.js';
import { openApiClient, type Services } from '../daemon/services.js';
import { parseWorkflow } from '../dsl/index.js';
import { startRunWorker } from '../queue/runs.js';
import { rawBullmqNoop } from '../queue/bench.js';
import { createRunner } from '../runs/runner.js';
import { systemClock } from '../shared/clock.js';
import { silentLogger } from '../shared/logger.js';
import { Redactor } from '../shared/redact.js';
import { createRedis } from '../queue/connection.js';
import type { BenchEnv } from './env.js';
import { type BenchRow, fmt, percentile } from './table.js';

const STEPS = 5;

const WORKFLOW = `
name: bench-steps
steps:
${Array.from({ length: STEPS }, (_, i) => `  - id: s${i}\n    uses: instances.list\n    with: { region: NORD-NO-KRS-1 }`).join('\n')}
`;

export async function throughputBench(env: BenchEnv, runs: number, concurrency: number): Promise<BenchRow[]> {
  const raw = await rawBullmqNoop(env.redisUrl, `bench-raw-${Date.now()}`, runs * STEPS, concurrency);
  const services = await env.open(`bench-eng-${Date.now()}`);
  try {
    const engine = await engineSteps(services, runs, concurrency);
    // The engine's own latency per step, without other runs competing for the CPU.
    const alone = await engineSteps(services, Math.min(runs, 200), 1);
    const noApi = await engineSteps(services, runs, concurrency, false);
    const ratio = engine.stepsPerSecond / raw.jobsPerSecond;
    return [
      {
        metric: `raw BullMQ no-op jobs/s (concurrency ${concurrency}, ${runs * STEPS} jobs)`,
        value: fmt(raw.jobsPerSecond, 0),
      },
      {
        metric: `engine steps/s (${runs} runs x ${STEPS} read-only steps)`,
        value: fmt(engine.stepsPerSecond, 0),
      },
      { metric: 'engine steps/s : raw jobs/s', value: fmt(ratio), target: '>= 0.5', pass: ratio >= 0.5 },
      {
        metric: 'same, actions replaced by instant successes (engine + Redis only) : raw jobs/s',
        value: fmt(noApi.stepsPerSecond / raw.jobsPerSecond),
      },
      {
        metric: 'engine overhead per step, median (ms), one run at a time',
        value: fmt(alone.overheadP50),
        target: '<= 2',
        pass: alone.overheadP50 <= 2,
      },
      { metric: 'engine overhead per step, p99 (ms), one run at a time', value: fmt(alone.overheadP99) },
      {
        metric: `engine overhead per step, median (ms), ${concurrency} runs at once`,
        value: fmt(engine.overheadP50),
      },
      {
        metric: `engine overhead per step, p99 (ms), ${concurrency} runs at once`,
        value: fmt(engine.overheadP99),
      },
    ];
  } finally {
    await services.close();
  }
}

/** `api: false` replaces every action by an instant success: what the engine costs without the API call. */
export async function engineSteps(services: Services, runs: number, concurrency: number, api = true) {
  const { definition } = parseWorkflow(WORKFLOW, 'bench.yaml');
  if (!definition) throw new Error('bench workflow is invalid');
  const client = openApiClient(services);
  const statuses = new StatusReader({
    client,
    redis: services.redis,
    prefix: services.config.redis.prefix,
    clock: systemClock,
    logger: silentLogger(),
    listThreshold: 5,
  });
  const realExecute = createExecutor({
    client,
    statuses,
    ownership: services.ownership,
    clock: systemClock,
    fetch,
  });
  const execute: typeof realExecute = api
    ? realExecute
    : async () => ({ type: 'done', outputs: { instances: [], count: 0 } });
  // Per run: when each action started and ended, to measure what the engine adds in between.
  const marks = new Map<string, Array<[number, number]>>();
  const timed: typeof execute = async (task, io) => {
    const t0 = performance.now();
    const outcome = await execute(task, io);
    const t1 = performance.now();
    const list = marks.get(io.run.id) ?? [];
    list.push([t0, t1]);
    marks.set(io.run.id, list);
    return outcome;
  };
  const runner = createRunner({
    store: services.store,
    execute: timed,
    clock: systemClock,
    secrets: () => ({}),
    redactor: new Redactor(),
    waitDefaults: { pollMs: 1000, timeoutMs: 60_000 },
    logger: silentLogger(),
  });
  let finished = 0;
  let allDone: () => void = () => {};
  const done = new Promise<void>((resolve) => (allDone = resolve));
  for (let i = 0; i < runs; i++) await services.runs.start({ def: definition, inputs: {}, trigger: 'api' });
  const connection = createRedis(services.config.redis, { blocking: true });
  const started = performance.now();
  const worker = startRunWorker({
    connection,
    prefix: services.config.redis.prefix,
    concurrency,
    lockDurationMs: 30_000,
    stalledIntervalMs: 30_000,
    processor: async (runId, fence) => {
      const turn = await runner(runId, fence);
      if (turn.type === 'done' && ++finished === runs) allDone();
      return turn;
    },
    onGaveUp: async () => {},
    logger: silentLogger(),
  });
  await done;
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  connection.disconnect();
  const overheads: number[] = [];
  for (const list of marks.values())
    for (let i = 1; i < list.length; i++) overheads.push(list[i]![0] - list[i - 1]![1]);
  return {
    stepsPerSecond: (runs * STEPS) / seconds,
    overheadP50: percentile(overheads, 50),
    overheadP99: percentile(overheads, 99),
  };
}
