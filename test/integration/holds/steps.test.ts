// Held instances through real runs (Redis, workers, the simulator over HTTP): power
// steps leave a held box alone and say why; instances.list leaves it out unless
// include_held; once the hold ends, the same steps act again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instance } from '../../../src/genesis/index.js';
import { activeBoxes } from '../../helpers/boxes.js';
import { type Stack, startStack } from '../../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.close());

const statusOf = (id: string) => stack.sim.simulator.state().instances.find((i) => i.id === id)?.status;
const actionPosts = (id: string) =>
  stack.sim.simulator
    .calls()
    .calls.filter((c) => c.method === 'POST' && c.path === `/compute/v1/instances/${id}/actions`).length;

const hold = (box: Instance, untilMs: number, reason?: string) =>
  stack.services.holds.put({
    instance_id: box.id,
    instance_name: box.name,
    until: new Date(untilMs).toISOString(),
    created_at: new Date().toISOString(),
    ...(reason ? { reason } : {}),
  });

const power = (kind: string) =>
  stack.workflow(`
name: power
inputs: { box: { type: string, required: true } }
steps:
  - id: act
    uses: ${kind}
    with: { instance: "\${{ inputs.box }}" }
`);

async function runStep(kind: string, box: string) {
  const run = await stack.waitFor(await stack.start(power(kind), { box }));
  expect(run.status, run.error ?? '').toBe('succeeded');
  return run.steps.find((s) => s.id === 'act')!.outputs as Record<string, unknown>;
}

describe('power steps on a held instance', () => {
  it('instance.stop, instance.reset and instance.start skip a held box and say so; no action is sent', async () => {
    const [box] = await activeBoxes(stack.sim, ['held-power']);
    const until = Date.now() + 3_600_000;
    await hold(box!, until, 'demo tonight');
    const before = actionPosts(box!.id);
    for (const kind of ['instance.stop', 'instance.reset']) {
      const out = await runStep(kind, box!.name);
      expect(out, kind).toMatchObject({
        changed: false,
        skipped: 'held',
        reason: 'demo tonight',
        until: new Date(until).toISOString(),
      });
    }
    expect(statusOf(box!.id)).toBe('active');
    expect(actionPosts(box!.id)).toBe(before);

    // Held while stopped: a start is skipped too.
    await stack.services.holds.remove(box!.id);
    expect((await runStep('instance.stop', box!.id))['changed']).toBe(true);
    expect(statusOf(box!.id)).toBe('stopped');
    await hold(box!, until);
    const out = await runStep('instance.start', box!.id);
    expect(out).toMatchObject({ skipped: 'held', reason: null });
    expect(statusOf(box!.id)).toBe('stopped');
  });

  it('acts again once the hold has run out, without anyone lifting it', async () => {
    const [box] = await activeBoxes(stack.sim, ['held-briefly']);
    await hold(box!, Date.now() + 3_600_000);
    expect((await runStep('instance.stop', box!.id))['skipped']).toBe('held');
    // Replaced by a hold that ends in a moment; nobody lifts it.
    const until = Date.now() + 500;
    await hold(box!, until);
    while (Date.now() <= until) await new Promise((r) => setTimeout(r, 50));
    const out = await runStep('instance.stop', box!.id);
    expect(out['skipped']).toBeUndefined();
    expect(out['changed']).toBe(true);
    expect(statusOf(box!.id)).toBe('stopped');
  });
});

describe('instances.list and holds', () => {
  it('leaves held instances out unless include_held, and lists them under held', async () => {
    const [free, held] = await activeBoxes(stack.sim, ['sel-free', 'sel-held']);
    await hold(held!, Date.now() + 3_600_000, 'keep for the demo');
    const def = stack.workflow(`
name: select
steps:
  - id: plain
    uses: instances.list
    with: { name: "sel-*" }
  - id: all
    uses: instances.list
    with: { name: "sel-*", include_held: true }
`);
    const run = await stack.waitFor(await stack.start(def));
    expect(run.status, run.error ?? '').toBe('succeeded');
    const [plain, all] = run.steps.map(
      (s) => s.outputs as { instances: Instance[]; count: number; held: unknown[] },
    );
    expect(plain!.instances.map((i) => i.id)).toEqual([free!.id]);
    expect(plain!.count).toBe(1);
    expect(plain!.held).toEqual([
      { id: held!.id, name: 'sel-held', reason: 'keep for the demo', until: expect.any(String) },
    ]);
    expect(all!.instances.map((i) => i.id).sort()).toEqual([free!.id, held!.id].sort());
    expect(all!.count).toBe(2);
  });
});
