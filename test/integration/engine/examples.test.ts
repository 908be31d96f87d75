// The three example workflows, unmodified, run to success against the simulator;
// checked through the simulator's state and the run's public JSON (`gcflow status --json`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instance } from '../../../src/genesis/index.js';
import { loadWorkflowFile } from '../../../src/workflows/index.js';
import type { WorkflowDefinition } from '../../../src/dsl/types.js';
import { activeBoxes } from '../../helpers/boxes.js';
import { jobBox, report } from '../../helpers/job-box.js';
import { type Stack, startStack } from '../../helpers/stack.js';

let stack: Stack;
const load = async (name: string): Promise<WorkflowDefinition> => {
  const { definition, diagnostics } = await loadWorkflowFile(`workflows/${name}.yaml`);
  if (!definition) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return definition;
};

const boxes = (names: string[]): Promise<Instance[]> => activeBoxes(stack.sim, names);

const instancesNamed = (prefix: string) =>
  stack.sim.simulator.state().instances.filter((i) => i.name.startsWith(prefix));

beforeAll(async () => {
  stack = await startStack({ concurrency: 20 });
});
afterAll(async () => stack?.close());

describe('example workflows against the simulator', () => {
  it('gpu-batch: one box created, its script reports success and powers it off, one snapshot kept, no box left', async () => {
    const def = await load('gpu-batch');
    const runId = await stack.start(def, { script: 'python train.py' });
    const box = await jobBox(stack.sim, `batch-${runId}`);
    expect((await report(box.url, { status: 'succeeded', exit_code: 0, output: 'done\n' })).status).toBe(200);
    const run = await stack.waitFor(runId, undefined, 60_000);
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(run.steps.map((s) => [s.id, s.status])).toEqual([
      ['box', 'succeeded'],
      ['job', 'succeeded'],
      ['snapshot', 'succeeded'],
      ['alert', 'skipped'],
      ['teardown', 'succeeded'],
    ]);
    const state = stack.sim.simulator.state();
    expect(state.instances.filter((i) => i.name === `batch-${runId}`)).toHaveLength(0);
    expect(state.snapshots.filter((s) => s.name === `result-${runId}`)).toHaveLength(1);
    const posts = stack.sim.simulator
      .calls()
      .calls.filter((c) => c.method === 'POST' && c.path === '/compute/v1/instances');
    expect(posts).toHaveLength(1);
    expect(run.steps.find((s) => s.id === 'job')!.outputs).toEqual({
      status: 'succeeded',
      exit_code: 0,
      output: 'done\n',
    });
  });

  it('office-hours: stops exactly the matching running boxes, then starts them, leaving the others alone', async () => {
    await boxes(['dev-ann', 'dev-ben', 'prod-cat']);
    const def = await load('office-hours');
    const stop = await stack.waitFor(await stack.start(def, { action: 'stop', name_glob: 'dev-*' }));
    expect(stop.status, stop.error ?? '').toBe('succeeded');
    expect(instancesNamed('dev-').map((i) => i.status)).toEqual(['stopped', 'stopped']);
    expect(instancesNamed('prod-cat')[0]!.status).toBe('active');
    expect(stop.steps.find((s) => s.id === 'stop')!.items).toHaveLength(2);

    const start = await stack.waitFor(await stack.start(def, { action: 'start', name_glob: 'dev-*' }));
    expect(start.status, start.error ?? '').toBe('succeeded');
    expect(instancesNamed('dev-').map((i) => i.status)).toEqual(['active', 'active']);
    expect(instancesNamed('prod-cat')[0]!.status).toBe('active');
  });

  it('nightly-snapshots: snapshots every matching box each run and keeps keep_last per box', async () => {
    const made = await boxes(['prod-db', 'prod-web']);
    const def = await load('nightly-snapshots');
    for (let night = 0; night < 5; night++) {
      const run = await stack.waitFor(await stack.start(def, { name_glob: 'prod-[dw]*', keep_last: 3 }));
      expect(run.status, run.error ?? '').toBe('succeeded');
    }
    // Pruned snapshots go `deleting` and then away; wait for that to settle.
    let snapshots = stack.sim.simulator.state().snapshots;
    while (snapshots.some((s) => s.status === 'deleting')) {
      await new Promise((r) => setTimeout(r, 20));
      snapshots = stack.sim.simulator.state().snapshots;
    }
    for (const box of made) {
      const own = snapshots.filter(
        (s) => s.resource_id === box.id && s.name.startsWith(`nightly-${box.name}-`),
      );
      expect(own, box.name).toHaveLength(3);
    }
  });
});
