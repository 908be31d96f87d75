// Leak-proof by construction: whatever path a run that created a box takes (success,
// a later step failing, the create's own wait failing, a cancel while the box boots,
// the run timeout, gcflow giving up), it ends with no live box, with or without a
// teardown step in `finally`. Real workers, Redis and the simulator over HTTP.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../../src/runs/service.js';
import { pollUntil } from '../../helpers/poll.js';
import { type Stack, startStack } from '../../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  // Boxes take 800 ms to boot, so a test can act while one is creating; a failing turn
  // is retried 25 times within about half a second before gcflow gives up.
  stack = await startStack({ sim: { transition_ms: 800 }, turnRetry: { baseMs: 5, maxMs: 20 } });
});
afterAll(async () => stack?.close());
afterEach(() => {
  delete process.env['GCFLOW_FAULT_THROW'];
});

interface Path {
  name: string;
  work: string;
  timeout?: string;
  /** Acts on the run once its box exists (still creating). */
  whileCreating?: (runId: string, boxId: string) => Promise<void>;
  faultAt?: string;
  status: RunView['status'];
}

const PATHS: Path[] = [
  { name: 'success', work: 'uses: sleep\n    with: { duration: 1ms }', status: 'succeeded' },
  {
    name: 'a later step fails',
    work: 'uses: instance.get\n    with: { instance: no-such-box }',
    status: 'failed',
  },
  {
    name: "the create's wait fails (the box goes to error)",
    work: 'uses: sleep\n    with: { duration: 1ms }',
    whileCreating: async (_run, box) => {
      stack.sim.simulator.forceStatus(box, 'error');
    },
    status: 'failed',
  },
  {
    name: 'cancel while the box boots',
    work: 'uses: sleep\n    with: { duration: 1h }',
    whileCreating: async (run) => {
      await stack.services.runs.cancel(run);
    },
    status: 'cancelled',
  },
  {
    name: 'the run timeout',
    work: 'uses: sleep\n    with: { duration: 1h }',
    timeout: '2s',
    status: 'failed',
  },
  {
    name: 'gcflow gives up on the run',
    work: 'uses: sleep\n    with: { duration: 1ms }',
    faultAt: 'run.execute:work',
    status: 'failed',
  },
];

const TEARDOWN = `finally:
  - id: teardown
    uses: instance.delete
    if: \${{ steps.box.outputs.instance.id != '' }}
    with: { instance: "\${{ steps.box.outputs.instance.id }}" }
`;

function workflow(path: Path, teardown: boolean): string {
  return `
name: paths
${path.timeout ? `timeout: ${path.timeout}` : ''}
steps:
  - id: box
    uses: instance.create
    with: { name: "paths-\${{ run.id }}", type: vcpu-2_memory-4g, region: NORD-NO-KRS-1, image: ubuntu-22.04, ssh_keys: [ops-laptop] }
  - id: work
    ${path.work}
${teardown ? TEARDOWN : ''}`;
}

const boxesOf = (runId: string) =>
  stack.sim.simulator.state().instances.filter((i) => i.name === `paths-${runId}`);
const live = (runId: string) => boxesOf(runId).filter((i) => i.status !== 'deleting');

describe.each([
  ['with a teardown step in finally', true],
  ['without any teardown step', false],
])('every path of a run that created a box ends with no live box (%s)', (_, teardown) => {
  it.each(PATHS)('$name', async (path) => {
    if (path.faultAt) process.env['GCFLOW_FAULT_THROW'] = path.faultAt;
    const runId = await stack.start(stack.workflow(workflow(path, teardown)));
    if (path.whileCreating) {
      const [box] = await pollUntil(
        async () => boxesOf(runId),
        (boxes) => boxes.length > 0,
        { timeoutMs: 10_000 },
      );
      expect(box!.status).toBe('creating');
      await path.whileCreating(runId, box!.id);
    }
    const run = await stack.waitFor(runId, undefined, 30_000);
    expect(run.status).toBe(path.status);
    // The run knows the box it made, whatever happened to its create step,
    const made = run.steps.find((s) => s.id === 'box')!.outputs['instance'] as { id: string; name: string };
    expect(made).toMatchObject({ id: expect.any(String), name: `paths-${runId}` });
    // and no box is left by the time the run has ended.
    expect(live(runId)).toEqual([]);
  });
});
