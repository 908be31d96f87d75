// Benchmark (issue 13): one run with a 10,000-item for_each of instant steps (`sleep`
// for 0s: no API) against 10,000 one-step runs of the same step, carried out by one
// real `gcflow daemon` child process on the same Redis, one after the other. Rates come
// from the records' own timestamps (first start to last end), so enqueueing and the
// daemon's start-up are not counted. And the run record, rewritten at every checkpoint,
// must not grow with the items: its largest size seen while items run, at 100, 1,000
// and `items` items (it holds the <= max_parallel live item indices, so it grows by
// their digits, a few bytes per 10x, not with the count).
import type { Services } from '../daemon/services.js';
import { parseWorkflow } from '../dsl/index.js';
import type { RunState } from '../engine/state.js';
import { startDaemonProcess } from './daemon-process.js';
import type { BenchEnv } from './env.js';
import { type BenchRow, fmt } from './table.js';

const CONCURRENCY = 50;
const SMALL = 100;

const step = `    uses: sleep\n    with: { duration: 0s }\n`;
const oneStep = `name: bench-one\nsteps:\n  - id: nap\n${step}`;
// A literal list: it is stored with the definition, not in the run record (inputs are).
const wide = (items: number) =>
  `name: bench-wide-${items}\nsteps:\n  - id: each\n    for_each: [${Array.from({ length: items }, (_, i) => i).join(',')}]\n    max_parallel: ${CONCURRENCY}\n${step}`;

export async function forEachBench(env: BenchEnv, items: number): Promise<BenchRow[]> {
  const prefix = `bench-each-${Date.now()}`;
  const services = await env.open(prefix);
  const daemon = startDaemonProcess(env.childEnv(prefix), [
    '--no-http',
    '--no-scheduler',
    '--concurrency',
    String(CONCURRENCY),
  ]);
  try {
    // Warm-up (JIT, pools), then the runs, enqueued while the daemon takes them: the
    // enqueueing time is printed to show it kept ahead of the workers.
    await untilNoneActive(services, await startRuns(services, oneStep, 1_000));
    const small = await wideRun(services, SMALL);
    const middle = await wideRun(services, SMALL * 10);
    const enqueueStart = performance.now();
    const ids = await startRuns(services, oneStep, items);
    const enqueueS = (performance.now() - enqueueStart) / 1000;
    await untilNoneActive(services, ids);
    const runs = await loadAll(services, ids);
    const runsPerS = items / spanS(runs);
    const large = await wideRun(services, items);
    const ratio = large.itemsPerS / runsPerS;
    const growth = large.recordBytes / small.recordBytes;
    return [
      {
        metric: `${items} one-step runs (sleep 0s), steps/s (enqueued in ${fmt(enqueueS, 1)} s)`,
        value: fmt(runsPerS, 0),
      },
      {
        metric: `one run, for_each of ${items} such items (max_parallel ${CONCURRENCY}), items/s`,
        value: fmt(large.itemsPerS, 0),
      },
      {
        metric: 'for_each items/s : one-step runs steps/s',
        value: fmt(ratio),
        target: '>= 0.5',
        pass: ratio >= 0.5,
      },
      {
        metric: `run record, largest while items run (bytes, STRLEN), ${SMALL} : ${SMALL * 10} : ${items} items`,
        value: `${small.recordBytes} : ${middle.recordBytes} : ${large.recordBytes}`,
      },
      {
        // Not O(items): the record holds the indices of the <= max_parallel live items, a digit longer per 10x.
        metric: `run record at ${items} items : at ${SMALL} (${items / SMALL}x the items)`,
        value: fmt(growth),
        target: '<= 1.25',
        pass: growth <= 1.25,
      },
      {
        metric: `run record in Redis at the end (MEMORY USAGE), ${SMALL} : ${items} items`,
        value: `${small.recordMemory} : ${large.recordMemory}`,
      },
    ];
  } finally {
    await daemon.stop();
    await services.close();
  }
}

async function startRuns(services: Services, yaml: string, count: number): Promise<string[]> {
  const { definition } = parseWorkflow(yaml, 'bench.yaml');
  if (!definition) throw new Error('bench workflow is invalid');
  const ids: string[] = [];
  let next = 0;
  const starter = async () => {
    while (next++ < count)
      ids.push((await services.runs.start({ def: definition, inputs: {}, trigger: 'api' })).runId);
  };
  await Promise.all(Array.from({ length: Math.min(count, 50) }, starter));
  return ids;
}

/** One for_each run: its items/s (from its own timestamps) and its record's largest size while it ran. */
async function wideRun(services: Services, items: number) {
  const [id] = await startRuns(services, wide(items), 1);
  const key = services.store.keys.run(id!);
  let recordBytes = 0;
  // Sampled every millisecond: 100 instant items take ~10 ms, less than the 20-ms tick
  // this used, which then saw only the record as it was before any item started.
  for (; ; await new Promise((r) => setTimeout(r, 1))) {
    const [[, active], [, bytes]] = (await services.redis
      .multi()
      .sismember(services.store.keys.activeRuns, id!)
      .strlen(key)
      .exec()) as [[null, number], [null, number]];
    recordBytes = Math.max(recordBytes, bytes);
    if (active !== 1) break;
  }
  const [run] = await loadAll(services, [id!]);
  if (run!.steps['each']?.status !== 'succeeded') throw new Error(`bench for_each run ${id} did not succeed`);
  return {
    itemsPerS: items / spanS([run!]),
    recordBytes,
    recordMemory: Number(await services.redis.memory('USAGE', key)),
  };
}

async function untilNoneActive(services: Services, ids: string[]): Promise<void> {
  const deadline = Date.now() + 600_000;
  while ((await services.redis.scard(services.store.keys.activeRuns)) > 0) {
    if (Date.now() > deadline) throw new Error('bench: runs still active after 10 minutes');
    await new Promise((r) => setTimeout(r, 100));
  }
  await loadAll(services, ids);
}

async function loadAll(services: Services, ids: string[]): Promise<RunState[]> {
  const runs = await Promise.all(ids.map((id) => services.store.mustLoad(id)));
  const failed = runs.find((r) => r.status !== 'succeeded');
  if (failed) throw new Error(`bench run ${failed.id} ended ${failed.status}: ${failed.error ?? ''}`);
  return runs;
}

/** Seconds from the first run's start to the last run's end, by the records' timestamps. */
function spanS(runs: RunState[]): number {
  const first = Math.min(...runs.map((r) => Date.parse(r.started_at!)));
  const last = Math.max(...runs.map((r) => Date.parse(r.finished_at!)));
  return (last - first) / 1000;
}
