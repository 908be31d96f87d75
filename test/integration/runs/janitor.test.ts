// The janitor finds boxes that runs created and left behind (not kept on
// purpose), and destroys them; boxes of runs still going, kept boxes and boxes
// deleted by their run are left alone.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { destroyLeaks, findLeaks } from '../../../src/runs/janitor.js';
import { type Stack, startStack } from '../../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.close());

// Without the engine's own cleanup (auto_cleanup: false), the janitor is the safety net.
const create = (name: string, keep: boolean, cleanup: boolean) => `
name: ${name}
auto_cleanup: false
inputs:
  hold: { type: duration, default: 1s }
steps:
  - id: box
    uses: instance.create
    keep: ${keep}
    with: { name: "${name}-\${{ run.id }}", type: vcpu-2_memory-4g, region: NORD-NO-KRS-1, image: ubuntu-22.04, ssh_keys: [ops-laptop] }
  - id: nap
    uses: sleep
    with: { duration: "\${{ inputs.hold }}" }
${cleanup ? `finally:\n  - id: teardown\n    uses: instance.delete\n    with: { instance: "\${{ steps.box.outputs.instance.id }}" }\n` : ''}`;

it('lists and destroys only the boxes of ended runs that nobody deleted or kept', async () => {
  const leaky = await stack.start(stack.workflow(create('leaky', false, false)));
  const kept = await stack.start(stack.workflow(create('kept', true, false)));
  const tidy = await stack.start(stack.workflow(create('tidy', false, true)));
  const running = await stack.start(stack.workflow(create('busy', false, false)), { hold: '1h' });
  for (const id of [leaky, kept, tidy]) expect((await stack.waitFor(id)).status).toBe('succeeded');
  await stack.waitFor(running, (r) => r.steps[1]!.status === 'waiting');

  const deps = {
    client: stack.workers.client,
    ownership: stack.services.ownership,
    store: stack.services.store,
  };
  const leaks = await findLeaks(deps);
  expect(leaks.map((l) => l.name)).toEqual([`leaky-${leaky}`]);
  expect(leaks[0]).toMatchObject({ run: leaky, workflow: 'leaky', step: 'box', run_status: 'succeeded' });

  const results = await destroyLeaks(leaks, deps, Date.now());
  expect(results).toEqual([{ instance_id: leaks[0]!.instance_id, destroyed: true }]);
  const names = () =>
    stack.sim.simulator
      .state()
      .instances.filter((i) => i.status !== 'deleting')
      .map((i) => i.name);
  expect(names()).not.toContain(`leaky-${leaky}`);
  expect(names()).toEqual(expect.arrayContaining([`kept-${kept}`, `busy-${running}`]));
  expect(await findLeaks(deps)).toEqual([]);
});
