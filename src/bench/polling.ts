// Benchmark (5): API calls per poll interval with 1,000 runs each waiting on its
// own instance. Waiters share a Redis cache of statuses refreshed by list sweeps
// (100 instances per call), so calls grow with instances watched, not with runs.
import { startWorkers } from '../daemon/services.js';
import { parseWorkflow } from '../dsl/index.js';
import { createGenesisClient, createRateLimiter } from '../genesis/index.js';
import type { BenchEnv } from './env.js';
import { type BenchRow, fmt } from './table.js';

const WORKFLOW = `
name: bench-poll
inputs:
  box: { type: string, required: true }
steps:
  - id: watch
    uses: instance.wait
    with: { instance: "\${{ inputs.box }}", status: stopped, timeout: 1h, poll: 2s }
`;

const POLL_MS = 2_000;

export async function pollingBench(env: BenchEnv, count: number, intervals: number): Promise<BenchRow[]> {
  const { definition } = parseWorkflow(WORKFLOW, 'bench.yaml');
  if (!definition) throw new Error('bench workflow is invalid');
  // The boxes below and the seed's only: a sweep's pages count what this table watches.
  env.sim.simulator.reset();
  const client = createGenesisClient({
    baseUrl: env.sim.apiUrl,
    token: 'bench-token',
    rateLimiter: createRateLimiter({ ratePerSecond: 1_000_000, burst: 1_000_000 }),
  });
  const keys = await client.sshKeys.list();
  const boxes: string[] = [];
  for (let i = 0; i < count; i++) {
    const box = await client.instances.create({
      name: `poll-${i}`,
      hostname: `poll-${i}`,
      type: 'vcpu-2_memory-4g',
      region: 'NORD-NO-KRS-1',
      image: 'ubuntu-22.04',
      ssh_keys: [keys[0]!.id],
    });
    boxes.push(box.id);
  }
  const services = await env.open(`bench-poll-${Date.now()}`);
  const workers = await startWorkers(services, { concurrency: 50 });
  try {
    for (const box of boxes) await services.runs.start({ def: definition, inputs: { box }, trigger: 'api' });
    // Let every run make its first look and settle into its poll rhythm.
    await new Promise((r) => setTimeout(r, 3 * POLL_MS));
    env.sim.simulator.clearCalls();
    await new Promise((r) => setTimeout(r, intervals * POLL_MS));
    const calls = env.sim.simulator.calls().calls.filter((c) => c.path.startsWith('/compute/v1/')).length;
    const perInterval = calls / intervals;
    return [
      {
        metric: `API calls per ${POLL_MS / 1000} s poll interval, ${count} runs on ${count} instances`,
        value: fmt(perInterval, 1),
        target: '<= 12',
        pass: perInterval <= 12,
      },
    ];
  } finally {
    await workers.close(5_000);
    await services.close();
  }
}
