// GPU batch jobs that report how they ended, through a real `gcflow daemon`, the CLI
// and the simulator, with gpu-batch.yaml as shipped. The simulator cannot run the
// startup script, so each test plays the box: it reads the report URL out of the
// script the box was created with (the simulator's admin state) and POSTs what the
// script would. The boxes stay active until a test powers them off (forceStatus).
import { copyFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunView } from '../../../src/runs/service.js';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/index.js';
import { jobBox, report } from '../../helpers/job-box.js';
import { testPrefix } from '../../helpers/prefix.js';
import { eventually, type GcflowProcess, runCli, spawnGcflow, workspace } from '../../helpers/processes.js';

let sim: RunningSimulator;
let daemon: GcflowProcess;
let env: Record<string, string>;
let hook: { server: Server; bodies: Array<{ text?: string }> };

beforeAll(async () => {
  // The box's script would power it off; here the test does (forceStatus), so a long script runtime.
  sim = await startSimulator({ settings: { transition_ms: 200, script_runtime_ms: 600_000 } });
  hook = { server: createServer(), bodies: [] };
  hook.server.on('request', (req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      hook.bodies.push(JSON.parse(text));
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hook.server.listen(0, '127.0.0.1', r));
  const { port } = hook.server.address() as { port: number };
  const ws = workspace({}, 'engine: { poll_interval: 500ms }\nlog: { level: info }\n');
  copyFileSync(join('workflows', 'gpu-batch.yaml'), join(ws.workflows, 'gpu-batch.yaml'));
  env = {
    REDIS_URL: inject('redisUrl'),
    GCFLOW_REDIS_PREFIX: testPrefix('batch'),
    GENESISCLOUD_API_URL: sim.apiUrl,
    GENESISCLOUD_TOKEN: 'batch-test-token',
    GCFLOW_WORKFLOWS: ws.workflows,
    GCFLOW_CONFIG: ws.config,
    GCFLOW_HTTP: '127.0.0.1:0',
    GCFLOW_SECRET_SLACK_WEBHOOK: `http://127.0.0.1:${port}/hook`,
  };
  daemon = spawnGcflow(['daemon'], env);
  await eventually(
    async () => (daemon.output().includes('gcflow daemon started') ? true : undefined),
    60_000,
    'the daemon to start',
  );
}, 90_000);

afterAll(async () => {
  await daemon?.kill('SIGKILL');
  await sim?.close();
  hook?.server.close();
});

async function status(runId: string): Promise<{ view: RunView; text: string }> {
  const r = await runCli(['status', runId, '--json'], env);
  return { view: JSON.parse(r.stdout) as RunView, text: r.stdout + r.stderr };
}

/** Boxes earlier tests of this file played. */
const played = new Set<string>();

/**
 * Starts `gcflow run gpu-batch --wait`; returns it with its box once the box exists
 * (and, unless `untilWaiting` is false, once the job step waits for the report).
 */
async function startBatch(inputs: string[] = [], untilWaiting = true) {
  const run = spawnGcflow(['run', 'gpu-batch', '-i', 'script=python train.py', ...inputs, '--wait'], env);
  const box = await jobBox(sim, 'batch-gpu-batch-', 60_000, played).catch(async (err) => {
    await run.kill('SIGKILL');
    throw err;
  });
  played.add(box.id);
  const runId = box.name.replace(/^batch-/, '');
  if (untilWaiting)
    await eventually(
      async () =>
        (await status(runId)).view.steps.find((s) => s.id === 'job')?.status === 'waiting' ? true : undefined,
      60_000,
      'the job step to wait for the report',
    );
  return { run, box, runId, token: box.url.split('/').pop()! };
}

const alive = (name: string) =>
  sim.simulator.state().instances.filter((i) => i.name === name && i.status !== 'deleting');
const snapshots = (runId: string) =>
  sim.simulator.state().snapshots.filter((s) => s.name === `result-${runId}`);

describe('gpu-batch with job reports', () => {
  it('a failed report (exit code 3): run --wait exits 1, status shows the exit code and output tail, no snapshot, box deleted, on_failure once', async () => {
    const before = hook.bodies.length;
    const { run, box, runId, token } = await startBatch();
    try {
      expect((await report(box.url, { status: 'running' })).status).toBe(200);
      const output =
        'epoch 1/3\nTraceback (most recent call last):\n  File "train.py", line 9\nValueError: boom\n';
      expect((await report(box.url, { status: 'failed', exit_code: 3, output })).status).toBe(200);
      // The script powers the box off right after its report: the report wins.
      sim.simulator.forceStatus(box.id, 'stopped');
      expect(await run.exited).toBe(1);
    } finally {
      await run.kill('SIGKILL');
    }
    const { view, text } = await status(runId);
    expect(view.status).toBe('failed');
    const job = view.steps.find((s) => s.id === 'job')!;
    expect(job.outputs).toMatchObject({ status: 'failed', exit_code: 3 });
    expect(job.outputs['output']).toContain('ValueError: boom');
    expect(job.error).toContain('exit code 3');
    expect(job.error).toContain('ValueError: boom');
    expect(view.steps.find((s) => s.id === 'snapshot')!.status).toBe('skipped');
    expect(snapshots(runId)).toEqual([]);
    expect(alive(box.name)).toEqual([]);
    expect(hook.bodies.length - before).toBe(1);
    expect(hook.bodies.at(-1)!.text).toContain('exit code 3');
    // The run has ended: the URL is dead. The token never shows, in status or the daemon's log.
    expect((await report(box.url, { status: 'succeeded', exit_code: 0 })).status).toBe(404);
    expect(text).not.toContain(token);
    const logs = await runCli(['logs', runId], env);
    expect(logs.stdout).toContain('exit code 3');
    expect(logs.stdout + logs.stderr).not.toContain(token);
    expect(daemon.output()).not.toContain(token);
    // The failure stands out in the daemon's log: a line at error (50) naming the run, the step and the error.
    const failures = daemon
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{') && l.endsWith('}'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => (l['level'] as number) >= 50 && l['runId'] === runId);
    expect(failures).toContainEqual(
      expect.objectContaining({
        event: 'step.failed',
        step: 'job',
        error: expect.stringContaining('exit code 3'),
      }),
    );
  }, 180_000);

  it('a succeeded report: exit 0, the snapshot kept, the box deleted; a wrong token before it changed nothing', async () => {
    const { run, box, runId, token } = await startBatch();
    try {
      const wrong = box.url.replace(token, `${token.slice(0, -2)}xx`);
      expect((await report(wrong, { status: 'failed', exit_code: 9 })).status).toBe(404);
      expect((await status(runId)).view.steps.find((s) => s.id === 'job')!.status).toBe('waiting');
      expect(
        (await report(box.url, { status: 'succeeded', exit_code: 0, output: 'epoch 3/3 done\n' })).status,
      ).toBe(200);
      sim.simulator.forceStatus(box.id, 'stopped');
      expect(await run.exited).toBe(0);
    } finally {
      await run.kill('SIGKILL');
    }
    const { view, text } = await status(runId);
    expect(view.steps.find((s) => s.id === 'job')!.outputs).toEqual({
      status: 'succeeded',
      exit_code: 0,
      output: 'epoch 3/3 done\n',
    });
    expect(snapshots(runId)).toHaveLength(1);
    expect(alive(box.name)).toEqual([]);
    expect(text).not.toContain(token);
  }, 180_000);

  it('a box that stops without a report: the run fails with a clear error and the box is deleted', async () => {
    const { run, box, runId } = await startBatch();
    try {
      sim.simulator.forceStatus(box.id, 'stopped');
      expect(await run.exited).toBe(1);
    } finally {
      await run.kill('SIGKILL');
    }
    const { view } = await status(runId);
    expect(view.error).toContain("the job's box stopped without reporting a result");
    expect(snapshots(runId)).toEqual([]);
    expect(alive(box.name)).toEqual([]);
  }, 180_000);

  it('heartbeats that stop for longer than heartbeat_timeout: the run fails and the box is deleted', async () => {
    const { run, box, runId } = await startBatch(['-i', 'heartbeat_timeout=5s'], false);
    try {
      expect((await report(box.url, { status: 'running' })).status).toBe(200);
      // ...and then nothing: the job hung (the box stays active).
      expect(await run.exited).toBe(1);
    } finally {
      await run.kill('SIGKILL');
    }
    const { view } = await status(runId);
    expect(view.error).toContain('went silent');
    expect(alive(box.name)).toEqual([]);
  }, 180_000);
});
