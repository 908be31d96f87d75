// `planRun` against the simulator over real HTTP: the plan reflects the real state,
// lists exactly the writes a run would make, and the simulator only ever sees GETs.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseWorkflow } from '../../../src/dsl/index.js';
import type { WorkflowDefinition } from '../../../src/dsl/types.js';
import {
  createGenesisClient,
  createRateLimiter,
  type GenesisClient,
  type Instance,
  type Snapshot,
} from '../../../src/genesis/index.js';
import { formatPlan, type Plan, planRun } from '../../../src/plan/index.js';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/index.js';
import { loadWorkflowFile } from '../../../src/workflows/index.js';
import { waitFor } from '../../helpers/poll.js';

let sim: RunningSimulator;
let api: GenesisClient;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, settings: { transition_ms: 50 } });
  api = createGenesisClient({
    baseUrl: sim.apiUrl,
    token: 'plan-test',
    rateLimiter: createRateLimiter({ ratePerSecond: 1000, burst: 1000 }),
  });
});
afterAll(async () => sim?.close());
beforeEach(() => sim.simulator.reset());

function workflow(yaml: string): WorkflowDefinition {
  const { definition, diagnostics } = parseWorkflow(yaml, 'plan-test.yaml');
  if (!definition) throw new Error(diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'));
  return definition;
}

const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> =>
  waitFor(probe, { timeoutMs, what });

async function box(name: string, status: 'active' | 'stopped' = 'active'): Promise<Instance> {
  const [key] = await api.sshKeys.list();
  const made = await api.instances.create({
    name,
    hostname: name,
    type: 'vcpu-2_memory-4g',
    region: 'NORD-NO-KRS-1',
    image: 'ubuntu-22.04',
    ssh_keys: [key!.id],
  });
  const settled = async (wanted: string) => {
    const i = await api.instances.get(made.id);
    return i.status === wanted ? i : undefined;
  };
  await until(`${name} active`, () => settled('active'));
  if (status === 'active') return api.instances.get(made.id);
  await api.instances.performAction(made.id, 'stop');
  return until(`${name} stopped`, () => settled('stopped'));
}

async function snapshot(instance: Instance, name: string): Promise<Snapshot> {
  const made = await api.instances.createSnapshot(instance.id, { name });
  return until(`snapshot ${name}`, async () => {
    const s = await api.snapshots.get(made.id);
    return s.status === 'created' ? s : undefined;
  });
}

/** Plans with the simulator's call log cleared first; returns what it saw. */
async function plan(def: WorkflowDefinition, inputs: Record<string, unknown> = {}, secrets = {}) {
  sim.simulator.clearCalls();
  const before = sim.simulator.state();
  const result = await planRun({
    def,
    inputs,
    client: api,
    secrets,
    waitDefaults: { pollMs: 10_000, timeoutMs: 1_200_000 },
  });
  const calls = sim.simulator.calls().calls;
  const after = sim.simulator.state();
  return { plan: result, calls, before, after };
}

const writes = (p: Plan) => p.steps.flatMap((s) => s.calls.map((c) => `${c.method} ${c.path}`));

describe('planRun against the simulator', () => {
  it('plans gpu-batch: the create, the snapshot of the planned box and its teardown, sending only GETs', async () => {
    const { definition } = await loadWorkflowFile('workflows/gpu-batch.yaml');
    const {
      plan: p,
      calls,
      before,
      after,
    } = await plan(definition!, {
      script: 'python train.py',
      type: 'vcpu-8_memory-48g_nvidia-rtx-3090-2',
      region: 'NORD-NO-KRS-1',
      image: 'ubuntu-ml-nvidia-pytorch',
      ssh_keys: ['ops-laptop'],
      max_runtime: '6h',
      heartbeat_timeout: '5m',
    });
    expect(writes(p)).toEqual([
      'POST /instances',
      'POST /instances/planned-1/snapshots',
      'DELETE /instances/planned-1',
    ]);
    const [create] = p.steps[0]!.calls;
    const key = (await api.sshKeys.list()).find((k) => k.name === 'ops-laptop');
    expect(create!.body).toMatchObject({
      name: 'batch-plan',
      hostname: 'batch-plan',
      type: 'vcpu-8_memory-48g_nvidia-rtx-3090-2',
      region: 'NORD-NO-KRS-1',
      image: 'ubuntu-ml-nvidia-pytorch',
      ssh_keys: [key!.id],
    });
    expect(p.steps.map((s) => [s.id, s.phase, s.status])).toEqual([
      ['box', 'main', 'planned'],
      ['job', 'main', 'planned'],
      ['snapshot', 'main', 'planned'],
      ['alert', 'on_failure', 'skipped'],
      ['teardown', 'finally', 'planned'],
    ]);
    expect(p.steps.find((s) => s.id === 'job')!.waits).toEqual([
      'waits for the job on the box to report its result (POST to run.report_url) (up to 6h)',
    ]);
    expect(p.steps.find((s) => s.id === 'box')!.waits).toEqual(['waits for status active (up to 20m)']);
    expect(p.error).toBeNull();

    const text = formatPlan(p);
    expect(text).toContain('\n  POST /instances {"name":"batch-plan"');
    expect(text).toContain('\n  POST /instances/planned-1/snapshots {"name":"result-plan"}');
    expect(text).toContain('\n  DELETE /instances/planned-1\n');
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      `3 calls would change state; ${p.reads} reads made; nothing was changed`,
    );

    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.method !== 'GET')).toEqual([]);
    expect(p.reads).toBe(calls.length);
    expect(after.instances).toEqual(before.instances);
    expect(after.snapshots).toEqual(before.snapshots);
  });

  it('plans a stop over dev-* as exactly one stop when one box is already stopped', async () => {
    const running = await box('dev-ann');
    await box('dev-ben', 'stopped');
    await box('prod-cat');
    const def = workflow(`
name: stop-dev
steps:
  - id: boxes
    uses: instances.list
    with: { name: "dev-*" }
  - id: stop
    uses: instance.stop
    for_each: \${{ steps.boxes.outputs.instances }}
    with: { instance: "\${{ item.id }}" }
`);
    const { plan: p, calls, before, after } = await plan(def);
    const stop = p.steps.find((s) => s.id === 'stop')!;
    expect(stop.calls).toEqual([
      {
        step: 'stop',
        index: 0,
        method: 'POST',
        path: `/instances/${running.id}/actions`,
        body: { action: 'stop' },
      },
    ]);
    expect(stop.waits).toEqual(['[0] waits for status stopped (up to 20m)']);
    expect(p.steps.find((s) => s.id === 'boxes')!.calls).toEqual([]);
    expect(calls.filter((c) => c.method !== 'GET')).toEqual([]);
    expect(p.reads).toBe(calls.length);
    expect(after.instances).toEqual(before.instances);
  });

  it('plans snapshots.prune with keep_last as exactly the DELETEs of the older snapshots', async () => {
    const keeper = await box('keeper');
    const made: Snapshot[] = [];
    for (const n of [1, 2, 3, 4]) made.push(await snapshot(keeper, `nightly-${n}`));
    const def = workflow(`
name: prune
steps:
  - id: prune
    uses: snapshots.prune
    with: { instance: keeper, match: "nightly-*", keep_last: 2 }
`);
    const { plan: p, calls, before, after } = await plan(def);
    expect(writes(p).sort()).toEqual(
      [`DELETE /snapshots/${made[0]!.id}`, `DELETE /snapshots/${made[1]!.id}`].sort(),
    );
    expect(calls.filter((c) => c.method !== 'GET')).toEqual([]);
    expect(p.reads).toBe(calls.length);
    expect(after.snapshots).toEqual(before.snapshots);
    expect(after.snapshots).toHaveLength(4);
  });

  it('shows a step that would fail on real state as failed, lists on_failure and still plans finally', async () => {
    const def = workflow(`
name: failing
steps:
  - id: find
    uses: instance.get
    with: { instance: no-such-box }
  - id: after
    uses: instance.stop
    with: { instance: "\${{ steps.find.outputs.instance.id }}" }
on_failure:
  - id: alert
    uses: notify.webhook
    with: { url: "https://hooks.example.com/x", text: "failed" }
finally:
  - id: cleanup
    uses: notify.webhook
    with: { url: "https://hooks.example.com/y", text: "done" }
`);
    const { plan: p } = await plan(def);
    expect(p.steps.map((s) => [s.id, s.status])).toEqual([
      ['find', 'failed'],
      ['after', 'skipped'],
      ['alert', 'skipped'],
      ['cleanup', 'planned'],
    ]);
    expect(p.steps[0]!.note).toBe('no instance no-such-box');
    expect(p.steps[2]!.note).toMatch(/would run because the run fails/);
    expect(p.steps[3]!.calls).toEqual([
      { step: 'cleanup', method: 'POST', path: 'https://hooks.example.com/…', body: { text: 'done' } },
    ]);
    expect(p.error).toBe('step find failed: no instance no-such-box');
    expect(formatPlan(p)).toContain('the run would fail: step find failed: no instance no-such-box');
  });

  it('never shows a secret, in the text or the JSON', async () => {
    const hook = 'https://hooks.example.com/services/T0001/B0001/sEcReTpAtH42';
    const password = 'correct-horse-battery-staple-42';
    const def = workflow(`
name: secretive
steps:
  - id: box
    uses: instance.create
    with:
      name: sec-box
      type: vcpu-2_memory-4g
      region: NORD-NO-KRS-1
      image: ubuntu-22.04
      password: \${{ secrets.root_pw }}
      startup_script: "echo \${{ secrets.root_pw }} | chpasswd"
  - id: tell
    uses: notify.webhook
    with: { url: "\${{ secrets.hook }}", text: "box up, hook \${{ secrets.hook }}" }
`);
    const { plan: p } = await plan(def, {}, { hook, root_pw: password });
    const outputs = [formatPlan(p), JSON.stringify(p)];
    for (const out of outputs) {
      expect(out).not.toContain(password);
      expect(out).not.toContain('sEcReTpAtH42');
      expect(out).toContain('[REDACTED]');
    }
    expect(p.steps[1]!.calls[0]).toMatchObject({ method: 'POST', path: 'https://hooks.example.com/…' });
    expect(p.steps[0]!.calls[0]!.body).toMatchObject({ password: '[REDACTED]' });
  });
});
