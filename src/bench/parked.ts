// Benchmark (4): 10,000 runs parked on a wait. Redis bytes per parked run
// (INFO used_memory before and after, on a private Redis) and the RSS of the
// process running the workers once they are all parked.
import { type Services, startWorkers } from '../daemon/services.js';
import { parseWorkflow } from '../dsl/index.js';
import type { BenchEnv } from './env.js';
import { type BenchRow, fmt } from './table.js';

const WORKFLOW = `
name: bench-parked
steps:
  - id: nap
    uses: sleep
    with: { duration: 6h }
`;

export async function parkedBench(env: BenchEnv, runs: number): Promise<BenchRow[]> {
  const { definition } = parseWorkflow(WORKFLOW, 'bench.yaml');
  if (!definition) throw new Error('bench workflow is invalid');
  const services: Services = await env.open(`bench-park-${Date.now()}`);
  const workers = await startWorkers(services, { concurrency: 50 });
  try {
    global.gc?.();
    const before = await env.usedMemory();
    const ids: string[] = [];
    for (let i = 0; i < runs; i++)
      ids.push((await services.runs.start({ def: definition, inputs: {}, trigger: 'api' })).runId);
    // Parked = every run's job sits delayed and its state says waiting.
    for (;;) {
      const counts = await services.queue.counts();
      if ((counts['delayed'] ?? 0) >= runs) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const after = await env.usedMemory();
    global.gc?.();
    const rssMb = process.memoryUsage().rss / 1_048_576;
    const perRun = (after - before) / runs;
    return [
      {
        metric: `Redis bytes per parked run (${runs} runs)`,
        value: fmt(perRun, 0),
        target: '<= 4096',
        pass: perRun <= 4096,
      },
      {
        metric: `worker process RSS with ${runs} parked runs (MB)`,
        value: fmt(rssMb, 0),
        target: '<= 300',
        pass: rssMb <= 300,
      },
    ];
  } finally {
    await workers.close(5_000);
    await services.close();
  }
}
