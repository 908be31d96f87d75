// Benchmark (4): 100,000 runs parked on a wait. Redis bytes per parked run
// (INFO used_memory before and after, on a private Redis) and the RSS of a real
// `gcflow daemon` child process (workers only) once it has parked them all.
import type { Services } from '../daemon/services.js';
import { parseWorkflow } from '../dsl/index.js';
import { startDaemonProcess } from './daemon-process.js';
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
  const prefix = `bench-park-${Date.now()}`;
  const services: Services = await env.open(prefix);
  const daemon = startDaemonProcess(env.childEnv(prefix), [
    '--no-http',
    '--no-scheduler',
    '--concurrency',
    '50',
  ]);
  try {
    const before = await env.usedMemory();
    // 50 starts in flight at a time: one at a time, creating 100,000 runs took most of the table's minutes.
    let next = 0;
    const starter = async () => {
      while (next++ < runs) await services.runs.start({ def: definition, inputs: {}, trigger: 'api' });
    };
    await Promise.all(Array.from({ length: 50 }, starter));
    // Parked = every run's job sits delayed and its state says waiting.
    for (;;) {
      const counts = await services.queue.counts();
      if ((counts['delayed'] ?? 0) >= runs) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const after = await env.usedMemory();
    const rssMb = await daemon.rssMb();
    const perRun = (after - before) / runs;
    return [
      {
        metric: `Redis bytes per parked run (${runs} runs)`,
        value: fmt(perRun, 0),
        target: '<= 3000',
        pass: perRun <= 3000,
      },
      {
        metric: `gcflow daemon RSS with ${runs} parked runs (MB)`,
        value: fmt(rssMb, 0),
        target: '<= 300',
        pass: rssMb <= 300,
      },
    ];
  } finally {
    await daemon.stop();
    await services.close();
  }
}
