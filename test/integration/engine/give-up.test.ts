// When gcflow gives up on a run (a step's turn throws through every attempt: a bug,
// a dependency failing there), the run still fails the engine's way: its main steps
// end, on_failure and finally run, and the box it created is deleted. When the
// cleanup cannot run either, the run ends failed and its error names the janitor.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { findLeaks } from '../../../src/runs/janitor.js';
import { type Stack, startStack } from '../../helpers/stack.js';
import { createBoxStep } from '../../helpers/boxes.js';

let stack: Stack;
beforeAll(async () => {
  // 25 attempts at 5 ms doubling to 20 ms: about half a second before giving up.
  stack = await startStack({ turnRetry: { baseMs: 5, maxMs: 20 } });
});
afterAll(async () => stack?.close());
afterEach(() => {
  delete process.env['GCFLOW_FAULT_THROW'];
});

const DOOMED = `
name: doomed
steps:
${createBoxStep('doomed')}
  - id: hold
    uses: instance.get
    with: { instance: "\${{ steps.box.outputs.instance.id }}" }
on_failure:
  - id: note
    uses: sleep
    with: { duration: 1ms }
finally:
  - id: teardown
    uses: instance.delete
    with: { instance: "\${{ steps.box.outputs.instance.id }}" }
`;

const boxesNamed = (prefix: string) =>
  stack.sim.simulator.state().instances.filter((i) => i.name.startsWith(prefix));

it('gives up on a step that keeps throwing, then runs on_failure and finally: the box is deleted', async () => {
  process.env['GCFLOW_FAULT_THROW'] = 'run.execute:hold';
  const runId = await stack.start(stack.workflow(DOOMED));
  const run = await stack.waitFor(runId, undefined, 30_000);
  expect(run.status).toBe('failed');
  expect(run.error).toContain('gcflow gave up on this run');
  expect(run.error).toContain('injected fault at run.execute:hold');
  expect(run.steps.map((s) => [s.id, s.status])).toEqual([
    ['box', 'succeeded'],
    ['hold', 'cancelled'],
    ['note', 'succeeded'],
    ['teardown', 'succeeded'],
  ]);
  const events = (await stack.services.store.events(runId)).map((e) => e.event.type);
  expect(events).toContain('run.gave_up');
  expect(boxesNamed(`doomed-${runId}`)).toEqual([]);
});

it('ends the run failed, naming the janitor, when its finally steps keep throwing too', async () => {
  process.env['GCFLOW_FAULT_THROW'] = 'run.execute:teardown';
  const def = stack.workflow(
    DOOMED.replace('uses: instance.get', 'uses: sleep').replace(
      'with: { instance: "${{ steps.box.outputs.instance.id }}" }\non_failure',
      'with: { duration: 1ms }\non_failure',
    ),
  );
  const runId = await stack.start(def);
  const run = await stack.waitFor(runId, undefined, 30_000);
  expect(run.status).toBe('failed');
  expect(run.error).toContain('gcflow janitor');
  // The box is left for the janitor, which finds it because the run is over.
  const [box] = boxesNamed(`doomed-${runId}`);
  expect(box).toBeDefined();
  const leaks = await findLeaks({
    client: stack.workers.client,
    ownership: stack.services.ownership,
    store: stack.services.store,
  });
  expect(leaks.filter((l) => l.run === runId).map((l) => l.instance_id)).toEqual([box!.id]);
});
