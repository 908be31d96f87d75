// The three jobs gcflow is for, through a real `gcflow daemon` process, the
// simulator and Redis; observed only through the daemon's HTTP API, the CLI and
// the simulator's state. The example workflows are used as shipped, except that
// nightly-snapshots fires every 3 s instead of nightly and keeps 3.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunView } from '../../../src/runs/service.js';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/index.js';
import { activeBoxes } from '../../helpers/boxes.js';
import { jobBox, report } from '../../helpers/job-box.js';
import { testPrefix } from '../../helpers/prefix.js';
import { eventually, type GcflowProcess, runCli, spawnGcflow, workspace } from '../../helpers/processes.js';

const example = (name: string) => readFileSync(`workflows/${name}.yaml`, 'utf8');
const withoutTriggers = (text: string) => {
  const out = text.replace(/\ntriggers:\n(?:[ #].*\n|\n)*/, '\n');
  expect(out).not.toContain('cron:');
  return out;
};
const TOKEN = 'scenario-token-81ab';
const API_TOKEN = 'scenario-http-token-4f2e';

let sim: RunningSimulator;
let daemon: GcflowProcess;
let url: string;
let env: Record<string, string>;
let workflows: string;

beforeAll(async () => {
  sim = await startSimulator({ settings: { transition_ms: 100, script_runtime_ms: 500 } });
  await activeBoxes(sim, ['prod-a', 'prod-b', 'dev-x', 'dev-y', 'other-z']);
  const nightly = example('nightly-snapshots')
    .replace('cron: "30 2 * * *"', 'cron: "*/3 * * * * *"')
    // Every fire lands on the same day: keep the newest three instead of one a day.
    .replace(
      /keep_daily: \$\{\{ inputs.keep_daily \}\}\n\s+keep_weekly: .*\n\s+keep_monthly: .*\n/,
      'keep_last: 3\n',
    );
  expect(nightly).toContain('*/3 * * * * *');
  expect(nightly).toContain('      keep_last: 3\n      timezone: Europe/Berlin');
  const ws = workspace(
    {
      'nightly-snapshots.yaml': nightly,
      // Without their triggers: office-hours' assert a stop every 15 minutes off hours,
      // and one landing between the manual start and the check below would stop dev-x;
      // gpu-batch's 02:00 fire would take the gpu group, and its box (which nobody
      // reports for) would hold it for the 5 minutes of its heartbeat timeout.
      'office-hours.yaml': withoutTriggers(example('office-hours')),
      'gpu-batch.yaml': withoutTriggers(example('gpu-batch')),
    },
    'engine: { poll_interval: 200ms }\nworker: { lock_duration: 5s, stalled_interval: 2s }\n',
  );
  workflows = ws.workflows;
  env = {
    REDIS_URL: inject('redisUrl'),
    GCFLOW_REDIS_PREFIX: testPrefix('scenario'),
    GCFLOW_WORKFLOWS: ws.workflows,
    GCFLOW_CONFIG: ws.config,
    GCFLOW_HTTP: '127.0.0.1:0',
    GCFLOW_API_TOKEN: API_TOKEN,
    GENESISCLOUD_API_URL: sim.apiUrl,
    GENESISCLOUD_TOKEN: TOKEN,
  };
  daemon = spawnGcflow(['daemon'], env);
  url = await eventually(
    async () => /listening on (http:\/\/[^\s"]+)/.exec(daemon.output())?.[1],
    60_000,
    'the daemon to listen',
  );
}, 120_000);

afterAll(async () => {
  await daemon?.kill('SIGTERM');
  await sim?.close();
});

const api = async (path: string, init: RequestInit = {}) =>
  fetch(`${url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json', ...init.headers },
  });

async function startRun(workflow: string, inputs: Record<string, unknown>): Promise<string> {
  const started = await api(`/api/workflows/${workflow}/runs`, {
    method: 'POST',
    body: JSON.stringify(inputs),
  });
  expect(started.status).toBe(202);
  return ((await started.json()) as { run_id: string }).run_id;
}

const getRun = async (id: string) => (await (await api(`/api/runs/${id}`)).json()) as RunView;

function runEnded(id: string): Promise<RunView> {
  return eventually(
    async () => {
      const run = await getRun(id);
      return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : undefined;
    },
    90_000,
    `run ${id} to end`,
  );
}

async function runToEnd(workflow: string, inputs: Record<string, unknown>): Promise<RunView> {
  return runEnded(await startRun(workflow, inputs));
}

const boxes = () => sim.simulator.state().instances;

describe('the three jobs through the daemon', () => {
  it('office-hours stops exactly the matching boxes, then starts them, leaving the others alone', async () => {
    const stop = await runToEnd('office-hours', { action: 'stop' });
    expect(stop.status, stop.error ?? '').toBe('succeeded');
    const status = (name: string) => boxes().find((b) => b.name === name)!.status;
    expect([status('dev-x'), status('dev-y'), status('prod-a'), status('other-z')]).toEqual([
      'stopped',
      'stopped',
      'active',
      'active',
    ]);
    const start = await runToEnd('office-hours', { action: 'start' });
    expect(start.status, start.error ?? '').toBe('succeeded');
    expect([status('dev-x'), status('dev-y'), status('prod-a'), status('other-z')]).toEqual([
      'active',
      'active',
      'active',
      'active',
    ]);
    // A run started through the API is in the CLI's history.
    const listed = await runCli(['runs', '--workflow', 'office-hours', '--json'], env);
    expect((JSON.parse(listed.stdout) as RunView[]).map((r) => r.id)).toEqual(
      expect.arrayContaining([stop.id, start.id]),
    );
  }, 180_000);

  it('gpu-batch ends with one snapshot and no instance once its box reports success', async () => {
    const id = await startRun('gpu-batch', { script: 'python train.py' });
    const box = await jobBox(sim, `batch-${id}`);
    expect((await report(box.url, { status: 'succeeded', exit_code: 0 })).status).toBe(200);
    const run = await runEnded(id);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const state = sim.simulator.state();
    expect(state.instances.filter((i) => i.name === `batch-${run.id}`)).toHaveLength(0);
    expect(state.snapshots.filter((s) => s.name === `result-${run.id}`)).toHaveLength(1);
  }, 180_000);

  it('nightly-snapshots with keep_last 3 over 5 fires leaves exactly 3 snapshots per instance', async () => {
    const scheduled = async () => {
      const r = await runCli(['runs', '--workflow', 'nightly-snapshots', '--json', '--limit', '100'], env);
      return (JSON.parse(r.stdout) as RunView[]).filter((run) => run.trigger === 'schedule');
    };
    await eventually(
      async () =>
        (await scheduled()).filter((r) => r.status === 'succeeded').length >= 5 ? true : undefined,
      60_000,
      '5 scheduled nightly runs',
    );
    // Stop the schedule (hot reload), then let what is in flight finish.
    writeFileSync(
      join(workflows, 'nightly-snapshots.yaml'),
      readFileSync(join(workflows, 'nightly-snapshots.yaml'), 'utf8').replace(
        /triggers:[\s\S]*?\nconcurrency:/,
        'concurrency:',
      ),
    );
    await eventually(
      async () =>
        (await runCli(['schedules', '--json'], env)).stdout.includes('nightly-snapshots') ? undefined : true,
      60_000,
      'the schedule to be removed',
    );
    const runs = await eventually(
      async () => {
        const all = await scheduled();
        return all.every((r) => ['succeeded', 'failed', 'cancelled'].includes(r.status)) ? all : undefined;
      },
      60_000,
      'in-flight nightly runs to end',
    );
    expect(runs.length).toBeGreaterThanOrEqual(5);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    expect(new Set(runs.map((r) => r.scheduled_at)).size).toBe(runs.length);
    const settled = await eventually(
      async () => {
        const snapshots = sim.simulator.state().snapshots;
        return snapshots.some((s) => s.status !== 'created') ? undefined : snapshots;
      },
      60_000,
      'snapshot deletions to settle',
    );
    for (const box of ['prod-a', 'prod-b']) {
      const id = boxes().find((b) => b.name === box)!.id;
      expect(
        settled.filter((s) => s.resource_id === id && s.name.startsWith(`nightly-${box}-`)),
        box,
      ).toHaveLength(3);
    }
  }, 180_000);
});
