// for_each at scale through real workers and Redis: the run record stays small
// whatever the item count (lists and items are stored apart, only started items),
// list views carry no item arrays, a large for_each is cancelled without touching
// every item, the item limit fails the step clearly, and a record written by the
// previous release (items inline) is continued and stored the new way.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newItemState, newRunState } from '../../../src/engine/state.js';
import { type Stack, startStack } from '../../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ concurrency: 4, tune: (config) => (config.engine.for_each_max_items = 5_000) });
});
afterAll(async () => stack?.close());

const WIDE = `
name: wide
inputs:
  items: { type: list, required: true }
  duration: { type: duration, default: 1ms }
  parallel: { type: integer, default: 100 }
steps:
  - id: each
    uses: sleep
    for_each: \${{ inputs.items }}
    max_parallel: 100
    with: { duration: "\${{ inputs.duration }}" }
`;
const numbers = (n: number) => Array.from({ length: n }, (_, i) => i);
const start = (n: number, duration = '1ms') =>
  stack.start(stack.workflow(WIDE), { items: numbers(n), duration });

const redis = () => stack.services.redis;
const keys = () => stack.services.store.keys;

it('runs 3,000 items with a run record that does not grow with them', async () => {
  const runId = await start(3_000);
  const run = await stack.waitFor(runId, undefined, 120_000);
  expect(run.status, run.error ?? '').toBe('succeeded');
  const step = run.steps[0]!;
  expect(step.outputs['count']).toBe(3_000);
  expect(step.items).toHaveLength(3_000);
  expect((step.outputs['items'] as unknown[]).length).toBe(3_000);
  // The inputs hold the list the user gave; the steps hold nothing of it.
  const record = JSON.parse((await redis().get(keys().run(runId)))!);
  expect(JSON.stringify(record.steps).length).toBeLessThan(1_000);
  expect(await redis().hlen(keys().items(runId, 'each'))).toBe(3_000);
  // The run list never carries item arrays.
  const [listed] = await stack.services.runs.list({ workflow: 'wide', limit: 1 });
  expect(listed!.steps[0]!.items).toBeUndefined();
  expect(listed!.steps[0]!.outputs['items']).toBeUndefined();
}, 150_000);

it('cancels a 5,000-item for_each: the items in flight are cancelled, the rest never stored', async () => {
  const runId = await start(5_000, '1h');
  await stack.waitFor(runId, (r) => r.status === 'waiting');
  await stack.services.runs.cancel(runId);
  const run = await stack.waitFor(runId, undefined, 30_000);
  expect(run.status).toBe('cancelled');
  const statuses = run.steps[0]!.items!.map((i) => i.status);
  expect(statuses.filter((s) => s === 'cancelled')).toHaveLength(100);
  expect(statuses.filter((s) => s === 'skipped')).toHaveLength(4_900);
  expect(await redis().hlen(keys().items(runId, 'each'))).toBe(100);
});

it('fails a step whose list is longer than engine.for_each_max_items, saying so', async () => {
  const runId = await start(5_001);
  const run = await stack.waitFor(runId);
  expect(run.status).toBe('failed');
  expect(run.steps[0]!.error).toMatch(/for_each gave 5001 items; at most 5000 .*engine\.for_each_max_items/);
});

it('continues a run whose record the previous release wrote, with its items inline', async () => {
  const def = stack.workflow(WIDE);
  const hash = await stack.services.store.saveDefinition(def);
  const state = newRunState({
    id: 'wide-v1record1',
    workflow: 'wide',
    definitionHash: hash,
    trigger: 'manual',
    scheduledAt: null,
    inputs: { items: [0, 1, 2, 3], duration: '1ms', parallel: 2 },
    now: Date.now(),
    stepIds: ['each'],
  });
  const v1 = state;
  const step = v1.steps['each']!;
  Object.assign(step, { status: 'running', attempts: 0, started_at: new Date().toISOString() });
  step.for_each = [0, 1, 2, 3];
  step.items = step.for_each.map((_, i) => newItemState(i));
  Object.assign(step.items[0]!, { status: 'succeeded', attempts: 1, outputs: { early: true } });
  Object.assign(v1, { status: 'waiting', attempt: 1, started_at: new Date().toISOString() });
  await redis().set(keys().run(state.id), JSON.stringify({ v: 1, ...v1 }));
  await redis().sadd(keys().activeRuns, state.id);
  await stack.services.queue.add(state.id);

  const run = await stack.waitFor(state.id);
  expect(run.status, run.error ?? '').toBe('succeeded');
  expect((run.steps[0]!.outputs['items'] as unknown[])[0]).toEqual({ early: true });
  const record = JSON.parse((await redis().get(keys().run(state.id)))!);
  expect(record.v).toBe(2);
  expect(record.steps.each.items).toBeUndefined();
  expect(await redis().hlen(keys().items(state.id, 'each'))).toBe(4);
});
