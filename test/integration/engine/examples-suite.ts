// The three example workflows, unmodified, run to success against the simulator;
// checked through the simulator's state and the run's public JSON (`gcflow status --json`).
// A suite: examples.test.ts runs it on the suite's Redis, test/integration/redis/ on a
// Redis Cluster and a Sentinel group.
import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../../src/dsl/types.js';
import type { Instance } from '../../../src/genesis/index.js';
import { loadWorkflowFile } from '../../../src/workflows/index.js';
import { activeBoxes } from '../../helpers/boxes.js';
import { jobBox, report } from '../../helpers/job-box.js';
import type { Stack } from '../../helpers/stack.js';

export const loadExample = async (name: string): Promise<WorkflowDefinition> => {
  const { definition, diagnostics } = await loadWorkflowFile(`workflows/${name}.yaml`);
  if (!definition) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return definition;
};

/** Registers the examples' tests; `current()` is the stack they run on (set up by the caller). */
export function exampleSuite(current: () => Stack): void {
  const load = loadExample;
  const boxes = (names: string[]): Promise<Instance[]> => activeBoxes(current().sim, names);
  const instancesNamed = (prefix: string) =>
    current()
      .sim.simulator.state()
      .instances.filter((i) => i.name.startsWith(prefix));

  describe('example workflows against the simulator', () => {
    it('gpu-batch: one box created, its script reports success and powers it off, one snapshot kept, no box left', async () => {
      const def = await load('gpu-batch');
      const runId = await current().start(def, { script: 'python train.py' });
      // The box's script would report its result: the test plays it (the simulator runs no scripts).
      const box = await jobBox(current().sim, `batch-${runId}`);
      expect((await report(box.url, { status: 'succeeded', exit_code: 0, output: 'done\n' })).status).toBe(
        200,
      );
      const run = await current().waitFor(runId, undefined, 60_000);
      expect(run.status, run.error ?? '').toBe('succeeded');
      expect(run.steps.map((s) => [s.id, s.status])).toEqual([
        ['box', 'succeeded'],
        ['job', 'succeeded'],
        ['snapshot', 'succeeded'],
        ['alert', 'skipped'],
        ['teardown', 'succeeded'],
      ]);
      const state = current().sim.simulator.state();
      expect(state.instances.filter((i) => i.name === `batch-${runId}`)).toHaveLength(0);
      expect(state.snapshots.filter((s) => s.name === `result-${runId}`)).toHaveLength(1);
      const posts = current()
        .sim.simulator.calls()
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
      const stop = await current().waitFor(
        await current().start(def, { action: 'stop', name_glob: 'dev-*' }),
      );
      expect(stop.status, stop.error ?? '').toBe('succeeded');
      expect(instancesNamed('dev-').map((i) => i.status)).toEqual(['stopped', 'stopped']);
      expect(instancesNamed('prod-cat')[0]!.status).toBe('active');
      expect(stop.steps.find((s) => s.id === 'stop')!.items).toHaveLength(2);

      const start = await current().waitFor(
        await current().start(def, { action: 'start', name_glob: 'dev-*' }),
      );
      expect(start.status, start.error ?? '').toBe('succeeded');
      expect(instancesNamed('dev-').map((i) => i.status)).toEqual(['active', 'active']);
      expect(instancesNamed('prod-cat')[0]!.status).toBe('active');
    });

    it('office-hours: an enforcement run with nothing out of line makes one list call and sends nothing; a held box is left running', async () => {
      const [, b] = await boxes(['quiet-a', 'quiet-b']);
      const def = await load('office-hours');
      const inputs = { action: 'stop', name_glob: 'quiet-*' };
      await current().services.holds.put({
        instance_id: b!.id,
        instance_name: b!.name,
        until: new Date(Date.now() + 3_600_000).toISOString(),
        created_at: new Date().toISOString(),
        reason: 'training run',
      });
      const first = await current().waitFor(await current().start(def, inputs));
      expect(first.status, first.error ?? '').toBe('succeeded');
      expect(instancesNamed('quiet-').map((i) => [i.name, i.status])).toEqual([
        ['quiet-a', 'stopped'],
        ['quiet-b', 'active'],
      ]);
      expect(first.steps.find((s) => s.id === 'boxes')!.outputs).toMatchObject({
        count: 1,
        held: [{ id: b!.id, name: 'quiet-b', reason: 'training run' }],
      });
      const before = current().sim.simulator.calls().calls.length;
      const again = await current().waitFor(await current().start(def, inputs));
      expect(again.status, again.error ?? '').toBe('succeeded');
      const calls = current().sim.simulator.calls().calls.slice(before);
      expect(calls.map((c) => c.route)).toEqual(['GET /instances']);
    });

    it('nightly-snapshots: snapshots every matching box each night and keeps keep_daily per box', async () => {
      const made = await boxes(['prod-db', 'prod-web']);
      const def = await load('nightly-snapshots');
      const inputs = { name_glob: 'prod-[dw]*', keep_daily: 3, keep_weekly: 1, keep_monthly: 1 };
      for (let night = 0; night < 5; night++) {
        const run = await current().waitFor(await current().start(def, inputs));
        expect(run.status, run.error ?? '').toBe('succeeded');
        // A day passes: every snapshot so far becomes a day older (simulator admin route).
        // (Pruned ones, `deleting`, may vanish meanwhile: they are left out.)
        for (const s of current()
          .sim.simulator.state()
          .snapshots.filter((x) => x.status === 'created')) {
          const reply = await fetch(`${current().sim.url}/__sim/snapshots/${s.id}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              created_at: new Date(Date.parse(s.created_at) - 86_400_000).toISOString(),
            }),
          });
          expect(reply.status).toBe(200);
        }
      }
      // Pruned snapshots go `deleting` and then away; wait for that to settle.
      let snapshots = current().sim.simulator.state().snapshots;
      while (snapshots.some((s) => s.status === 'deleting')) {
        await new Promise((r) => setTimeout(r, 20));
        snapshots = current().sim.simulator.state().snapshots;
      }
      for (const box of made) {
        const own = snapshots.filter(
          (s) => s.resource_id === box.id && s.name.startsWith(`nightly-${box.name}-`),
        );
        // The newest of each of the last three days (one a night).
        expect(own, box.name).toHaveLength(3);
        const ages = own.map((s) => Math.round((Date.now() - Date.parse(s.created_at)) / 86_400_000)).sort();
        expect(ages, box.name).toEqual([1, 2, 3]);
      }
    });
  });
}
