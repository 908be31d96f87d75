// A run holding a slot of its concurrency group (`limit: 1`) whose daemon is killed
// with SIGKILL does not block the group: killed mid-run, it keeps the slot while a new
// daemon resumes it (its box is alive: the next run must not start beside it); killed
// after it ended but before it gave the slot back, the next run is admitted anyway.
// The simulator's state is sampled all along: never two boxes of the group at once.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunView } from '../../../src/runs/service.js';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/index.js';
import { createBoxStep } from '../../helpers/boxes.js';
import { testPrefix } from '../../helpers/prefix.js';
import { eventually, type GcflowProcess, runCli, spawnGcflow, workspace } from '../../helpers/processes.js';

const WORKFLOW = `
name: gpuq
concurrency: { group: gpu, limit: 1 }
steps:
${createBoxStep('gpuq', 'ubuntu-22.04')}
  - id: work
    uses: sleep
    with: { duration: 1s }
finally:
  - id: drop
    uses: instance.delete
    with: { instance: "\${{ steps.box.outputs.instance.id }}" }
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
  sim = await startSimulator({ settings: { transition_ms: 300 } });
  const ws = workspace({ 'gpuq.yaml': WORKFLOW }, CONFIG);
  env = {
    REDIS_URL: inject('redisUrl'),
    GCFLOW_REDIS_PREFIX: testPrefix('gatecrash'),
    GENESISCLOUD_API_URL: sim.apiUrl,
    GENESISCLOUD_TOKEN: 'gate-crash-token',
    GCFLOW_WORKFLOWS: ws.workflows,
    GCFLOW_CONFIG: ws.config,
  };
});
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

async function startRun(): Promise<string> {
  const r = await runCli(['run', 'gpuq', '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { run_id: string }).run_id;
}

async function finished(runId: string): Promise<RunView> {
  return eventually(
    async () => {
      const r = await runCli(['status', runId, '--json'], env);
      if (r.code !== 0) throw new Error(r.stderr);
      const run = JSON.parse(r.stdout) as RunView;
      return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : undefined;
    },
    180_000,
    `run ${runId} to finish`,
  );
}

/** Counts the group's boxes in the simulator every 20 ms until stopped; returns the largest count. */
function sampleBoxes(): { stop(): Promise<number> } {
  let sampling = true;
  let max = 0;
  const loop = (async () => {
    while (sampling) {
      const alive = sim.simulator.state().instances.filter((i) => i.name.startsWith('gpuq-')).length;
      max = Math.max(max, alive);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      sampling = false;
      await loop;
      return max;
    },
  };
}

describe('a concurrency slot whose holder is killed with SIGKILL', () => {
  it('mid-run: the holder keeps it while a new daemon resumes it; the next runs follow, one at a time', async () => {
    const boxes = sampleBoxes();
    const dying = daemon({ GCFLOW_FAULTPOINT: 'instance.create:after-post' });
    const holder = await startRun();
    expect(await dying.exited).toBe('SIGKILL');
    const next = [await startRun(), await startRun()];
    daemon();
    const runs = [await finished(holder), ...(await Promise.all(next.map(finished)))];
    const max = await boxes.stop();
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(runs[0]!.steps[0]!.outputs['adopted']).toBe(true);
    expect(max).toBe(1);
    // Each waiting run started only after the one before it had ended.
    const sorted = [...runs].sort((a, b) => Date.parse(a.started_at!) - Date.parse(b.started_at!));
    expect(sorted[0]!.id).toBe(holder);
    for (let i = 1; i < sorted.length; i++)
      expect(Date.parse(sorted[i]!.steps[0]!.started_at!)).toBeGreaterThanOrEqual(
        Date.parse(sorted[i - 1]!.finished_at!),
      );
  }, 420_000);

  it('after its run ended, before it gave the slot back: the next run is admitted', async () => {
    const dying = daemon({ GCFLOW_FAULTPOINT: 'run.end:before-gate-leave' });
    const holder = await startRun();
    expect(await dying.exited).toBe('SIGKILL');
    expect((await finished(holder)).status).toBe('succeeded');
    const next = await startRun();
    daemon();
    const run = await finished(next);
    expect(run.status).toBe('succeeded');
  }, 420_000);
});
