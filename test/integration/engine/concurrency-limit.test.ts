// concurrency.limit end to end: real workers (one slot, so a waiting run that held a
// worker would stall everything), real Redis, the simulator over HTTP. Five runs of a
// `limit: 2` group: the simulator never holds more than two of their boxes, all five
// succeed, they are admitted in arrival order, and runs waiting for a slot are woken
// when a run of the group ends (their own poll is set to ten minutes, longer than the test may take).
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../../helpers/stack.js';

const LIMITED = `
name: gpu-limited
concurrency: { group: gpu, limit: 2 }
steps:
  - id: box
    uses: instance.create
    with:
      name: "lim-\${{ run.id }}"
      type: vcpu-4_memory-12g_nvidia-rtx-3080-1
      region: NORD-NO-KRS-1
      image: ubuntu-22.04
      ssh_keys: [ops-laptop]
  - id: work
    uses: sleep
    with: { duration: 1s }
finally:
  - id: drop
    uses: instance.delete
    with: { instance: "\${{ steps.box.outputs.instance.id }}" }
`;

interface SimState {
  instances: Array<{ name: string; status: string }>;
}

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ concurrency: 1, gate: { pollMs: 600_000 } });
});
afterAll(() => stack?.close());

describe('concurrency.limit: 2 with five runs queued', () => {
  it('never has more than two boxes of the group alive; all succeed, admitted in arrival order', async () => {
    const def = stack.workflow(LIMITED);
    // Sample the simulator's state over HTTP for the whole test.
    let sampling = true;
    const counts: number[] = [];
    const sampler = (async () => {
      while (sampling) {
        const state = (await (await fetch(`${stack.sim.url}/__sim/state`)).json()) as SimState;
        counts.push(state.instances.filter((i) => i.name.startsWith('lim-')).length);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const ids: string[] = [];
    const began = Date.now();
    try {
      for (let i = 0; i < 5; i++) {
        // Distinct creation times: arrival order is creation order, to the millisecond.
        const before = Date.now();
        while (Date.now() === before) await new Promise((r) => setTimeout(r, 1));
        ids.push(await stack.start(def));
      }
      const runs = [];
      for (const id of ids) runs.push(await stack.waitFor(id, undefined, 300_000));
      expect(runs.map((r) => r.status)).toEqual(Array(5).fill('succeeded'));
      // Waiting runs look again only every ten minutes: ending sooner means each end woke the next.
      expect(Date.now() - began).toBeLessThan(300_000);

      // Admitted in arrival order: each run's first step started no earlier than the previous run's.
      const admitted = runs.map((r) => Date.parse(r.steps.find((s) => s.id === 'box')!.started_at!));
      for (let i = 1; i < admitted.length; i++) expect(admitted[i]).toBeGreaterThanOrEqual(admitted[i - 1]!);
      // The third run started only after one of the first two had ended.
      const firstEnd = Math.min(...runs.slice(0, 2).map((r) => Date.parse(r.finished_at!)));
      expect(admitted[2]).toBeGreaterThanOrEqual(firstEnd);
    } finally {
      sampling = false;
      await sampler;
    }
    expect(counts.length).toBeGreaterThan(10);
    expect(Math.max(...counts)).toBe(2);
    expect(counts.at(-1)).toBe(0);
  }, 600_000);
});
