// for_each at full width against the simulator: every item runs, and the run's
// shared cancel signal carries one listener per in-flight call without Node
// warning of a leak (it warns from 11 listeners on an EventTarget).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Stack, startStack } from '../../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.close());

const ITEMS = 30;

it(`runs ${ITEMS} for_each items at once, each with its API call in flight, without a listener-leak warning`, async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  try {
    const def = stack.workflow(`
name: wide
steps:
  - id: each
    uses: instances.list
    for_each: \${{ fromJSON('[${Array.from({ length: ITEMS }, (_, i) => i).join(',')}]') }}
    max_parallel: ${ITEMS}
    with: { region: NORD-NO-KRS-1 }
`);
    const run = await stack.waitFor(await stack.start(def));
    expect(run.status, run.error ?? '').toBe('succeeded');
    const calls = stack.sim.simulator.calls().calls.filter((c) => c.path.startsWith('/compute/v1/instances'));
    expect(calls.length).toBeGreaterThanOrEqual(ITEMS);
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([]);
  } finally {
    process.off('warning', onWarning);
  }
});
