// Waiting holds no worker: with one worker slot, 50 runs that each wait 5 s for
// an instance transition all finish in far less than 50 × 5 s.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Stack, startStack } from '../../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    sim: { transition_ms: 5_000 },
    concurrency: 1,
    tune: (c) => (c.engine.poll_interval_ms = 1_000),
  });
});
afterAll(async () => stack?.close());

it('50 runs each waiting 5 s on one worker slot finish in well under 50 × 5 s', async () => {
  const def = stack.workflow(`
name: parked
steps:
  - id: box
    uses: instance.create
    with: { name: "parked-\${{ run.id }}", type: vcpu-2_memory-4g, region: NORD-NO-KRS-1, image: ubuntu-22.04, ssh_keys: [ops-laptop] }
`);
  const started = performance.now();
  const ids = await Promise.all(Array.from({ length: 50 }, () => stack.start(def)));
  const runs = await Promise.all(ids.map((id) => stack.waitFor(id, undefined, 120_000)));
  const elapsedS = (performance.now() - started) / 1000;
  expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
  expect(runs.every((r) => (r.steps[0]!.outputs['instance'] as { status: string }).status === 'active')).toBe(
    true,
  );
  // Serially that would be 250 s; parked waits overlap, so the whole batch takes
  // about one transition plus the API calls at the client's 10 req/s.
  expect(elapsedS).toBeLessThan(60);
}, 150_000);
