// gcflow's first promise under the failures a user fears, through a real daemon
// process, the CLI and the simulator: a box that errors while booting, a job shorter
// than the poll interval, a create or snapshot call whose answer comes after the
// client gave up, and a Redis that forgets everything. After each, no box is left
// that a run made and did not keep; the file ends by saying how many were (0).
import { copyFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it, type OnTestFinishedHandler } from 'vitest';
import type { RunView } from '../../../src/runs/service.js';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/index.js';
import { jobBox, report } from '../../helpers/job-box.js';
import { testPrefix } from '../../helpers/prefix.js';
import { eventually, type GcflowProcess, runCli, spawnGcflow, workspace } from '../../helpers/processes.js';
import { type SpawnedRedis, spawnRedis } from '../../helpers/redis-server.js';

const sims: RunningSimulator[] = [];
/** Every scenario's run, with the name prefix of the boxes it made and whether it keeps one. */
const scenarios: Array<{ sim: RunningSimulator; prefix: string; kept: number }> = [];

/** The test's own onTestFinished (concurrent tests must not use the global one). */
type Finally = (fn: OnTestFinishedHandler) => void;

/** A child process killed when the test ends, however it ends. */
function owned(p: GcflowProcess, onFinished: Finally): GcflowProcess {
  onFinished(async () => {
    await p.kill('SIGKILL');
  });
  return p;
}

afterAll(async () => {
  // The fault suite's figure: boxes runs made and did not keep, still alive at the end.
  let leaked = 0;
  for (const s of scenarios) {
    const alive = s.sim.simulator
      .state()
      .instances.filter((i) => i.name.startsWith(s.prefix) && i.status !== 'deleting');
    leaked += Math.max(0, alive.length - s.kept);
  }
  console.log(`leaked boxes under the fault suite: ${leaked} (${scenarios.length} scenarios)`);
  await Promise.all(sims.map((s) => s.close()));
  expect(leaked).toBe(0);
});

interface Setup {
  sim: RunningSimulator;
  env: Record<string, string>;
  daemon: GcflowProcess;
  dir: string;
}

async function setup(
  onFinished: Finally,
  options: {
    workflows: Record<string, string>;
    config?: string;
    sim?: Parameters<typeof startSimulator>[0];
    env?: Record<string, string>;
    redisUrl?: string;
    shipped?: string[];
  },
): Promise<Setup> {
  const sim = await startSimulator(options.sim ?? {});
  sims.push(sim);
  const ws = workspace(options.workflows, `log: { level: info }\n${options.config ?? ''}`);
  for (const name of options.shipped ?? []) copyFileSync(join('workflows', name), join(ws.workflows, name));
  const env = {
    REDIS_URL: options.redisUrl ?? inject('redisUrl'),
    GCFLOW_REDIS_PREFIX: testPrefix('leak'),
    GENESISCLOUD_API_URL: sim.apiUrl,
    GENESISCLOUD_TOKEN: 'leak-test-token',
    GCFLOW_WORKFLOWS: ws.workflows,
    GCFLOW_CONFIG: ws.config,
    GCFLOW_HTTP: '127.0.0.1:0',
    ...options.env,
  };
  const daemon = owned(spawnGcflow(['daemon'], env), onFinished);
  await eventually(
    async () => (daemon.output().includes('gcflow daemon started') ? true : undefined),
    60_000,
    'the daemon to start',
  );
  return { sim, env, daemon, dir: ws.dir };
}

async function runView(env: Record<string, string>, runId: string): Promise<RunView> {
  const result = await runCli(['status', runId, '--json'], env);
  return JSON.parse(result.stdout) as RunView;
}

const runIdOf = (text: string): string => {
  const id = /\b([a-z][a-z0-9-]*-[0-9a-z]{6,12}[0-9a-f]{8})\b/.exec(text)?.[1];
  if (!id) throw new Error(`no run id in: ${text}`);
  return id;
};

/** A local webhook receiver: counts what the on_failure step posts. */
async function webhook(): Promise<{ url: string; bodies: unknown[]; server: Server }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      bodies.push(JSON.parse(text));
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hook`, bodies, server };
}

describe('gpu-batch as shipped', () => {
  it('a box that goes to error while booting: run fails, box deleted before run --wait returns, on_failure once', async ({
    onTestFinished,
  }) => {
    const hook = await webhook();
    const s = await setup(onTestFinished, {
      shipped: ['gpu-batch.yaml'],
      workflows: {},
      config: 'engine: { poll_interval: 500ms }',
      sim: { settings: { transition_ms: 3_000 } },
      env: { GCFLOW_SECRET_SLACK_WEBHOOK: hook.url },
    });
    const waiting = owned(
      spawnGcflow(['run', 'gpu-batch', '-i', 'script=python train.py', '--wait'], s.env),
      onTestFinished,
    );
    const box = await eventually(
      async () => s.sim.simulator.state().instances.find((i) => i.name.startsWith('batch-gpu-batch-')),
      60_000,
      'the GPU box to be created',
    );
    expect(box.status).toBe('creating');
    s.sim.simulator.forceStatus(box.id, 'error');
    expect(await waiting.exited).toBe(1);
    const after = s.sim.simulator.state().instances.find((i) => i.id === box.id);
    expect(after === undefined || after.status === 'deleting').toBe(true);
    expect(hook.bodies).toHaveLength(1);
    expect(JSON.stringify(hook.bodies[0])).toContain('went to status error');
    scenarios.push({ sim: s.sim, prefix: 'batch-gpu-batch-', kept: 0 });
    hook.server.close();
  }, 90_000);

  it('a job shorter than the poll interval (default 10 s): its success report ends the run with its snapshot, no box left', async ({
    onTestFinished,
  }) => {
    const s = await setup(onTestFinished, {
      shipped: ['gpu-batch.yaml'],
      workflows: {},
      sim: { settings: { transition_ms: 500, script_runtime_ms: 1_500 } },
    });
    const waiting = owned(
      spawnGcflow(['run', 'gpu-batch', '-i', 'script=python train.py', '--wait'], s.env),
      onTestFinished,
    );
    // The box's script reports success and powers off (the simulator stops it 1.5 s
    // after boot): the report is sent as soon as the box exists, as a fast job would.
    const box = await jobBox(s.sim, 'batch-gpu-batch-');
    expect(
      (await report(box.url, { status: 'succeeded', exit_code: 0, output: 'epoch 1/1 done\n' })).status,
    ).toBe(200);
    expect(await waiting.exited).toBe(0);
    const runId = runIdOf(waiting.output());
    const state = s.sim.simulator.state();
    expect(state.snapshots.filter((x) => x.name === `result-${runId}`)).toHaveLength(1);
    expect(state.instances.filter((i) => i.name === `batch-${runId}` && i.status !== 'deleting')).toEqual([]);
    scenarios.push({ sim: s.sim, prefix: `batch-${runId}`, kept: 0 });
  }, 120_000);
});

const KEEPER = `
name: keeper
steps:
  - id: box
    uses: instance.create
    keep: true
    with: { name: "keeper-\${{ run.id }}", type: vcpu-2_memory-4g, region: NORD-NO-KRS-1, image: ubuntu-22.04, ssh_keys: [ops-laptop] }
`;

const SNAPPER = `
name: snapper
steps:
  - id: box
    uses: instance.create
    with: { name: "snapper-\${{ run.id }}", type: vcpu-2_memory-4g, region: NORD-NO-KRS-1, image: ubuntu-22.04, ssh_keys: [ops-laptop] }
  - id: pause
    uses: sleep
    with: { duration: 2s }
  - id: snap
    uses: instance.snapshot
    with: { instance: "\${{ steps.box.outputs.instance.id }}", name: "snap-\${{ run.id }}" }
finally:
  - id: teardown
    uses: instance.delete
    with: { instance: "\${{ steps.box.outputs.instance.id }}" }
`;

// The two run side by side: each waits out its late answer.
describe.concurrent('an answer that arrives after the client gave up (30 s request timeout)', () => {
  const config = (window: string) => `engine: { poll_interval: 500ms, late_answer_window: ${window} }`;

  it('create POST answered after 50 s: exactly one box of the name is left, none leaked', async ({
    onTestFinished,
  }) => {
    const s = await setup(onTestFinished, {
      workflows: { 'keeper.yaml': KEEPER },
      config: config('55s'),
      sim: { settings: { transition_ms: 300 } },
    });
    s.sim.simulator.addFault({
      match: { method: 'POST', path: '/compute/v1/instances' },
      latency_ms: 50_000,
      count: 1,
    });
    const result = await runCli(['run', 'keeper', '--wait'], s.env, 150_000);
    expect(result.code).toBe(0);
    const runId = runIdOf(result.stdout + result.stderr);
    const named = () => s.sim.simulator.state().instances.filter((i) => i.name === `keeper-${runId}`);
    expect(
      s.sim.simulator.calls().calls.filter((c) => c.method === 'POST' && c.path === '/compute/v1/instances'),
    ).toHaveLength(2);
    expect(named().filter((i) => i.status !== 'deleting')).toHaveLength(1);
    const janitor = await runCli(['janitor'], s.env);
    expect(janitor.stdout).toContain('no leaked instances');
    expect(janitor.code).toBe(0);
    scenarios.push({ sim: s.sim, prefix: `keeper-${runId}`, kept: 1 });
  }, 180_000);

  it('snapshot POST answered after 35 s: exactly one snapshot of the name', async ({ onTestFinished }) => {
    const s = await setup(onTestFinished, {
      workflows: { 'snapper.yaml': SNAPPER },
      config: config('40s'),
      sim: { settings: { transition_ms: 300 } },
    });
    const run = owned(spawnGcflow(['run', 'snapper', '--wait'], s.env), onTestFinished);
    const box = await eventually(
      async () =>
        s.sim.simulator.state().instances.find((i) => i.name.startsWith('snapper-') && i.status === 'active'),
      60_000,
      'the box to be active',
    );
    s.sim.simulator.addFault({
      match: { method: 'POST', path: `/compute/v1/instances/${box.id}/snapshots` },
      latency_ms: 35_000,
    });
    expect(await run.exited).toBe(0);
    const runId = runIdOf(run.output());
    const snaps = s.sim.simulator
      .state()
      .snapshots.filter((x) => x.name === `snap-${runId}` && x.status !== 'deleting');
    expect(snaps).toHaveLength(1);
    scenarios.push({ sim: s.sim, prefix: `snapper-${runId}`, kept: 0 });
  }, 180_000);
});

const HOLDER = `
name: holder
steps:
  - id: box
    uses: instance.create
    with: { name: "holder-\${{ run.id }}", type: vcpu-2_memory-4g, region: NORD-NO-KRS-1, image: ubuntu-22.04, ssh_keys: [ops-laptop] }
  - id: work
    uses: sleep
    with: { duration: 1h }
`;

describe('a Redis that forgets everything', () => {
  let redis: SpawnedRedis | undefined;
  afterAll(async () => redis?.stop('SIGKILL'));

  it('after FLUSHALL, gcflow janitor still names the box (exit 1) and the daemon reports the loss once', async ({
    onTestFinished,
  }) => {
    redis = await spawnRedis();
    const s = await setup(onTestFinished, {
      workflows: { 'holder.yaml': HOLDER },
      config: 'engine: { poll_interval: 300ms }\njanitor: { data_loss_check: 300ms, interval: 1h }',
      sim: { settings: { transition_ms: 300 } },
      redisUrl: redis.url,
    });
    const started = await runCli(['run', 'holder'], s.env);
    const runId = runIdOf(started.stdout);
    await eventually(
      async () => ((await runView(s.env, runId)).steps[1]?.status === 'waiting' ? true : undefined),
      60_000,
      'the run to hold its box',
    );
    const client = new Redis(redis.url);
    await client.flushall();
    await client.quit();

    const janitor = await runCli(['janitor'], s.env);
    expect(janitor.code).toBe(1);
    expect(janitor.stdout).toContain(`holder-${runId}`);
    expect(janitor.stdout).toContain('no record ties it to a run');
    // Several checks have passed since the loss: it is reported once.
    await eventually(
      async () => (s.daemon.output().includes("Redis lost gcflow's data") ? true : undefined),
      30_000,
      'the data-loss report',
    );
    await new Promise((r) => setTimeout(r, 1_500));
    expect(s.daemon.output().split("Redis lost gcflow's data").length - 1).toBe(1);

    // Found by name only: --apply alone leaves it, --include-unrecorded destroys it.
    expect((await runCli(['janitor', '--apply'], s.env)).code).toBe(1);
    expect((await runCli(['janitor', '--apply', '--include-unrecorded'], s.env)).code).toBe(0);
    scenarios.push({ sim: s.sim, prefix: `holder-${runId}`, kept: 0 });
  }, 120_000);
});
