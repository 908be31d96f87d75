// Crash safety: the worker is a real `gcflow daemon` child process, killed with
// SIGKILL at the worst instants. A new daemon resumes each run to success and
// the simulator holds exactly one instance / one snapshot from it.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunView } from '../../../src/runs/service.js';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/index.js';
import { testPrefix } from '../../helpers/prefix.js';
import { eventually, type GcflowProcess, runCli, spawnGcflow, workspace } from '../../helpers/processes.js';
import { createBoxStep } from '../../helpers/boxes.js';

const WORKFLOW = `
name: crashy
auto_cleanup: false
steps:
${createBoxStep('crashy', 'ubuntu-22.04')}
  - id: keep
    uses: instance.snapshot
    with: { instance: "\${{ steps.box.outputs.instance.id }}", name: "crashy-\${{ run.id }}" }
`;

// Short locks so a killed worker's run is picked up again within seconds.
const CONFIG = `
worker: { lock_duration: 2s, stalled_interval: 1s, shutdown_grace: 2s }
engine: { poll_interval: 200ms }
log: { level: warn }
`;

let sim: RunningSimulator;
let env: Record<string, string>;
const daemons: GcflowProcess[] = [];

beforeAll(async () => {
  sim = await startSimulator({ settings: { transition_ms: 1_500 } });
  const ws = workspace({ 'crashy.yaml': WORKFLOW }, CONFIG);
  env = {
    REDIS_URL: inject('redisUrl'),
    GCFLOW_REDIS_PREFIX: testPrefix('crash'),
    GENESISCLOUD_API_URL: sim.apiUrl,
    GENESISCLOUD_TOKEN: 'crash-test-token',
    GCFLOW_WORKFLOWS: ws.workflows,
    GCFLOW_CONFIG: ws.config,
  };
});
// Every daemon a test started dies with the test, passed or failed: a daemon left
// running would take the next test's runs.
afterEach(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.kill('SIGKILL')));
});
afterAll(async () => {
  await sim?.close();
});

function daemon(extra: Record<string, string> = {}): GcflowProcess {
  const d = spawnGcflow(['daemon', '--no-http', '--no-scheduler'], { ...env, ...extra });
  daemons.push(d);
  return d;
}

async function status(runId: string): Promise<RunView> {
  const r = await runCli(['status', runId, '--json'], env);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as RunView;
}

async function startRun(): Promise<string> {
  const r = await runCli(['run', 'crashy', '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { run_id: string }).run_id;
}

async function finished(runId: string): Promise<RunView> {
  return eventually(
    async () => {
      const run = await status(runId);
      return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : undefined;
    },
    90_000,
    `run ${runId} to finish`,
  );
}

function fromRun(runId: string) {
  const state = sim.simulator.state();
  const name = `crashy-${runId}`;
  const posts = sim.simulator
    .calls()
    .calls.filter((c) => c.method === 'POST' && c.path === '/compute/v1/instances' && c.status === 201);
  return {
    instances: state.instances.filter((i) => i.name === name),
    snapshots: state.snapshots.filter((s) => s.name === name),
    posts: posts.length,
  };
}

describe('a worker killed with SIGKILL', () => {
  it('right after POST /instances returned 201, before the checkpoint: the run adopts the box', async () => {
    sim.simulator.clearCalls();
    const dying = daemon({ GCFLOW_FAULTPOINT: 'instance.create:after-post' });
    const runId = await startRun();
    expect(await dying.exited).toBe('SIGKILL');
    daemon();
    const run = await finished(runId);
    expect(run.status).toBe('succeeded');
    expect(run.steps[0]!.outputs['adopted']).toBe(true);
    const seen = fromRun(runId);
    expect(seen.instances).toHaveLength(1);
    expect(seen.snapshots).toHaveLength(1);
    expect(seen.posts).toBe(1);
  }, 180_000);

  it('during the wait for active: the new worker goes on waiting for the same box', async () => {
    sim.simulator.clearCalls();
    // The box stays `creating` until the test lets it go: the wait lasts as long as the
    // test needs to see it, however slowly the status polls run on a loaded machine.
    sim.simulator.configure({ transition_ms: 3_600_000 });
    const first = daemon();
    const runId = await startRun();
    await eventually(
      async () => ((await status(runId)).steps[0]!.status === 'waiting' ? true : undefined),
      60_000,
      'the create step to wait',
    );
    await first.kill('SIGKILL');
    daemon();
    sim.simulator.configure({ transition_ms: 1_500 });
    const [box] = fromRun(runId).instances;
    expect(box?.status).toBe('creating');
    sim.simulator.forceStatus(box!.id, 'active');
    const run = await finished(runId);
    expect(run.status).toBe('succeeded');
    const seen = fromRun(runId);
    expect(seen.instances).toHaveLength(1);
    expect(seen.snapshots).toHaveLength(1);
    expect(seen.posts).toBe(1);
  }, 180_000);

  it('right after POST snapshot returned: the run finds the snapshot by name instead of taking another', async () => {
    sim.simulator.clearCalls();
    const dying = daemon({ GCFLOW_FAULTPOINT: 'instance.snapshot:after-post' });
    const runId = await startRun();
    expect(await dying.exited).toBe('SIGKILL');
    daemon();
    const run = await finished(runId);
    expect(run.status).toBe('succeeded');
    const seen = fromRun(runId);
    expect(seen.instances).toHaveLength(1);
    expect(seen.snapshots).toHaveLength(1);
    const snapshotPosts = sim.simulator
      .calls()
      .calls.filter((c) => c.method === 'POST' && c.path.endsWith('/snapshots') && c.status === 201);
    expect(snapshotPosts).toHaveLength(1);
  }, 180_000);
});
