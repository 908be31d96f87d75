// Benchmarks (1)-(3): raw BullMQ no-op jobs/s at a worker concurrency, then the
// engine's step throughput on the same Redis (runs x 5 read-only steps against the
// in-process simulator with zero latency: reads in a row share one checkpoint, so a
// run writes its state once; steps that act, each written before the next, are timed
// with instant successes beside them), and the engine's own overhead per step:
// the time between one action's end and the next one's start, measured one run at
// a time (what the engine adds) and under the full load (where it also includes
// waiting for the CPU behind the other runs).
//
// "In-process" means the client calls the simulator's fetch handler: no sockets, so
// the figure is the engine's (Redis checkpoints, BullMQ, the client's retry/rate-limit
// path, the simulator's handler), not the kernel's loopback TCP. The same engine over
// real HTTP is printed beside it, against the simulator in a child process (a real API
// is another machine: it must not share the engine's event loop), with a target; and,
// for where the HTTP path loses time, once against the in-process simulator's port. All sides
// (instant successes too: actions replaced, what the engine, store and queue cost alone) get
// the same warm-up (JIT, pools, Redis' tables: throughput still climbs ~30 % over the first
// few thousand runs), then take turns for five rounds, and the medians are compared, so a
// noisy moment on the machine does not decide the ratio. Each side's process CPU per step
// (per job for raw BullMQ) is printed too: it bounds the ratios and is steadier than steps/s.
// Over HTTP, the simulator child's and Redis' CPU per step are printed beside the engine's
// and the wall time per step: which process holds a step up, and what the cores carry.
// The raw baseline uses the run jobs' own options (src/queue/runs.ts).
import { createExecutor, StatusReader } from '../actions/index.js';
import { openApiClient, type Services } from '../daemon/services.js';
import { parseWorkflow } from '../dsl/index.js';
import { rawBullmqNoop } from '../queue/bench.js';
import { createRedis } from '../queue/connection.js';
import { startRunWorker } from '../queue/runs.js';
import { createRunner } from '../runs/runner.js';
import { systemClock } from '../shared/clock.js';
import { createLogger, silentLogger } from '../shared/logger.js';
import { Redactor } from '../shared/redact.js';
import { withWatchdog } from '../shared/watchdog.js';
import { processCpuUs, redisCpuUs } from './cpu.js';
import type { BenchEnv } from './env.js';
import { startSimulatorProcess } from './simulator-process.js';
import { type BenchRow, fmt, percentile } from './table.js';

const STEPS = 5;
const WARMUP_ROUNDS = 3;
const ROUNDS = 5;

const workflowOf = (uses: string, params: string) => `
name: bench-steps
steps:
${Array.from({ length: STEPS }, (_, i) => `  - id: s${i}\n    uses: ${uses}\n    with: ${params}`).join('\n')}
`;
/** Reads: their outcomes in a row share a write (engine/driver.ts, mustWrite). */
const READS = workflowOf('instances.list', '{ region: NORD-NO-KRS-1 }');
/** Steps that act: each outcome is written before the next step starts (only run with instant successes). */
const ACTS = workflowOf('notify.webhook', '{ url: "http://127.0.0.1:9/" }');

/**
 * How the engine reaches the API: the simulator in-process, over HTTP, or not at all
 * (instant successes: of reads, or of steps that act, each written before the next).
 */
export type ApiPath = 'in-process' | 'http' | 'none' | 'none-acts';

interface EngineResult {
  stepsPerSecond: number;
  /** CPU of this whole process (all threads: GC included) while the worker ran, per step. */
  cpuPerStepUs: number;
  /** Redis' CPU per step meanwhile (µs). */
  redisCpuPerStepUs: number;
  /** The simulator child's CPU per step meanwhile (µs); NaN when the simulator is not a child. */
  simulatorCpuPerStepUs: number;
  overheadP50: number;
  overheadP99: number;
}

const median = (values: number[]): number => percentile(values, 50);

const workerLogger = createLogger({ level: 'warn', pretty: false });

export async function throughputBench(env: BenchEnv, runs: number, concurrency: number): Promise<BenchRow[]> {
  const services = await env.open(`bench-eng-${Date.now()}`);
  const simulator = await startSimulatorProcess(['--transition-ms', '50', '--latency-ms', '0']);
  const remote = await env.open(
    `bench-eng-http-${Date.now()}`,
    (c) => (c.genesis.api_url = simulator.apiUrl),
  );
  try {
    const raw = (jobs: number, options?: 'run-jobs' | 'lightest') =>
      rawBullmqNoop(env.redisUrl, `bench-raw-${Date.now()}`, jobs, concurrency, options);
    const engine = (path: ApiPath, n = runs, c = concurrency) =>
      path === 'http'
        ? engineSteps(remote, env, path, n, c, simulator.pid)
        : engineSteps(services, env, path, n, c);
    for (let round = 0; round < WARMUP_ROUNDS; round++) {
      await raw(runs * STEPS);
      await engine('in-process');
      await engine('http');
      await engine('none');
      await engine('none-acts');
    }
    const rawRounds: Array<{ jobsPerSecond: number; cpuPerJobUs: number }> = [];
    const lightestRounds: number[] = [];
    const inProcess: EngineResult[] = [];
    const http: EngineResult[] = [];
    const instant: EngineResult[] = [];
    const instantActs: EngineResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      rawRounds.push(await raw(runs * STEPS));
      lightestRounds.push((await raw(runs * STEPS, 'lightest')).jobsPerSecond);
      inProcess.push(await engine('in-process'));
      http.push(await engine('http'));
      instant.push(await engine('none'));
      instantActs.push(await engine('none-acts'));
    }
    // The simulator in this process, over its port: it shares the engine's event loop.
    const sharedLoop = await engineSteps(services, env, 'http', runs, concurrency);
    // The engine's own latency per step, without other runs competing for the CPU.
    const alone = await engine('in-process', Math.min(runs, 200), 1);

    const rawJobs = median(rawRounds.map((r) => r.jobsPerSecond));
    const steps = median(inProcess.map((r) => r.stepsPerSecond));
    const httpSteps = median(http.map((r) => r.stepsPerSecond));
    const instantSteps = median(instant.map((r) => r.stepsPerSecond));
    const instantActSteps = median(instantActs.map((r) => r.stepsPerSecond));
    const cpu = (results: EngineResult[], of: keyof EngineResult = 'cpuPerStepUs') =>
      median(results.map((r) => r[of]));
    const rawCpu = median(rawRounds.map((r) => r.cpuPerJobUs));
    const ratio = steps / rawJobs;
    const loaded = inProcess[inProcess.length - 1]!;
    return [
      {
        metric: `raw BullMQ no-op jobs/s (run job options, concurrency ${concurrency}, ${runs * STEPS} jobs, median of ${ROUNDS})`,
        value: fmt(rawJobs, 0),
      },
      {
        metric: `engine steps/s (${runs} runs x ${STEPS} read-only steps, simulator in-process, median of ${ROUNDS})`,
        value: fmt(steps, 0),
      },
      { metric: 'engine steps/s : raw jobs/s', value: fmt(ratio), target: '>= 0.5', pass: ratio >= 0.5 },
      {
        metric: 'raw BullMQ at its lightest (removeOnComplete: true), jobs/s',
        value: fmt(median(lightestRounds), 0),
      },
      { metric: 'engine steps/s : that', value: fmt(steps / median(lightestRounds)) },
      {
        metric: `engine steps/s, simulator in a child process over loopback HTTP, median of ${ROUNDS}`,
        value: fmt(httpSteps, 0),
      },
      {
        metric: 'same : raw jobs/s',
        value: fmt(httpSteps / rawJobs),
        target: '>= 0.5',
        pass: httpSteps / rawJobs >= 0.5,
      },
      {
        metric: 'engine steps/s, simulator in this process over loopback HTTP (one round) : raw jobs/s',
        value: fmt(sharedLoop.stepsPerSecond / rawJobs),
      },
      {
        metric: `engine steps/s with actions replaced by instant successes : raw jobs/s, median of ${ROUNDS}`,
        value: fmt(instantSteps / rawJobs),
      },
      {
        // Reads in a row share a write; steps that act are written one by one.
        metric: `same, steps that act (notify.webhook), each written before the next : raw jobs/s, median of ${ROUNDS}`,
        value: fmt(instantActSteps / rawJobs),
      },
      // Where the ratios come from: the engine's process is CPU-bound (one event loop),
      // so its CPU per step against raw BullMQ's per job bounds each ratio above, and
      // moves less than steps/s from one run to the next on a shared machine.
      { metric: 'CPU per job, raw BullMQ process (µs, all threads)', value: fmt(rawCpu, 0) },
      { metric: 'CPU per step, engine process, simulator in-process (µs)', value: fmt(cpu(inProcess), 0) },
      { metric: 'CPU per step, engine process, simulator over HTTP (µs)', value: fmt(cpu(http), 0) },
      { metric: 'CPU per step, engine process, instant successes (µs)', value: fmt(cpu(instant), 0) },
      {
        metric: 'CPU per step, engine process, instant successes of steps that act (µs)',
        value: fmt(cpu(instantActs), 0),
      },
      // Over HTTP, the other two processes on the machine's cores: the engine's event loop
      // is the bottleneck when its CPU per step is close to the wall time per step.
      {
        metric: 'over HTTP, CPU per step: simulator child (µs)',
        value: fmt(cpu(http, 'simulatorCpuPerStepUs'), 0),
      },
      { metric: 'over HTTP, CPU per step: Redis (µs)', value: fmt(cpu(http, 'redisCpuPerStepUs'), 0) },
      { metric: 'over HTTP, wall time per step (µs, 1e6 / steps/s)', value: fmt(1e6 / httpSteps, 0) },
      {
        metric: 'engine overhead per step, median (ms), one run at a time',
        value: fmt(alone.overheadP50),
        target: '<= 2',
        pass: alone.overheadP50 <= 2,
      },
      { metric: 'engine overhead per step, p99 (ms), one run at a time', value: fmt(alone.overheadP99) },
      {
        metric: `engine overhead per step, median (ms), ${concurrency} runs at once`,
        value: fmt(loaded.overheadP50),
      },
      {
        metric: `engine overhead per step, p99 (ms), ${concurrency} runs at once`,
        value: fmt(loaded.overheadP99),
      },
    ];
  } finally {
    await remote.close();
    await services.close();
    await simulator.stop();
  }
}

/**
 * Enqueues `runs` runs of the bench workflow, then times one worker at `concurrency`
 * carrying them all out. Throws unless every run succeeded: a benchmark of failures
 * measures nothing.
 */
export async function engineSteps(
  services: Services,
  env: Pick<BenchEnv, 'sim'>,
  path: ApiPath,
  runs: number,
  concurrency: number,
  /** The simulator's process when it is a child: its CPU is read too. */
  simulatorPid?: number,
): Promise<EngineResult> {
  const { definition } = parseWorkflow(path === 'none-acts' ? ACTS : READS, 'bench.yaml');
  if (!definition) throw new Error('bench workflow is invalid');
  const client = openApiClient(services, path === 'in-process' ? { fetch: env.sim.fetch } : {});
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
    holds: services.holds,
    clock: systemClock,
    fetch,
    reports: services.reports,
  });
  const execute: typeof realExecute =
    path === 'none' || path === 'none-acts'
      ? async () => ({ type: 'done', outputs: { instances: [], count: 0 } })
      : realExecute;
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
  const ids: string[] = [];
  for (let i = 0; i < runs; i++)
    ids.push((await services.runs.start({ def: definition, inputs: {}, trigger: 'api' })).runId);
  let finished = 0;
  let allDone: () => void = () => {};
  const done = new Promise<void>((resolve) => (allDone = resolve));
  let gaveUp: (err: Error) => void = () => {};
  const gaveUpPromise = new Promise<never>((_, reject) => (gaveUp = reject));
  const connection = createRedis(services.config.redis, { blocking: true });
  const redisBefore = await redisCpuUs(services.redis);
  const simulatorBefore = simulatorPid === undefined ? Number.NaN : processCpuUs(simulatorPid);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
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
    onGaveUp: async (runId, error) => gaveUp(new Error(`run ${runId} gave up: ${error.message}`)),
    // A failed turn is abnormal here: show it (stderr) rather than measure around it.
    logger: workerLogger,
  });
  await withWatchdog(
    Promise.race([done, gaveUpPromise]),
    () => finished,
    async () =>
      `engine (${path}): ${finished} of ${runs} runs done; ${JSON.stringify(await services.queue.counts())}`,
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const simulatorCpu = simulatorPid === undefined ? Number.NaN : processCpuUs(simulatorPid) - simulatorBefore;
  const redisCpu = (await redisCpuUs(services.redis)) - redisBefore;
  await worker.close();
  connection.disconnect();
  await expectAllSucceeded(services, ids, path);
  const overheads: number[] = [];
  for (const list of marks.values())
    for (let i = 1; i < list.length; i++) overheads.push(list[i]![0] - list[i - 1]![1]);
  return {
    stepsPerSecond: (runs * STEPS) / seconds,
    cpuPerStepUs: (cpu.user + cpu.system) / (runs * STEPS),
    redisCpuPerStepUs: redisCpu / (runs * STEPS),
    simulatorCpuPerStepUs: simulatorCpu / (runs * STEPS),
    overheadP50: percentile(overheads, 50),
    overheadP99: percentile(overheads, 99),
  };
}

async function expectAllSucceeded(services: Services, ids: string[], path: ApiPath): Promise<void> {
  let failed = 0;
  let example = '';
  for (const id of ids) {
    const state = await services.store.mustLoad(id);
    if (state.status === 'succeeded') continue;
    failed++;
    example ||= `${id}: ${state.status}${state.error ? ` (${state.error})` : ''}`;
  }
  if (failed > 0)
    throw new Error(`bench (${path}): ${failed} of ${ids.length} runs did not succeed, e.g. ${example}`);
}
