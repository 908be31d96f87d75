// Office hours that enforce themselves, through real processes: a `gcflow daemon`
// child fires the shipped office-hours workflow (its steps, concurrency and inputs as
// shipped; only its off-period triggers sped up to every 2 seconds so the test need
// not wait a quarter hour), on Redis, against the simulator; holds placed with the
// `gcflow hold` CLI and read back with `gcflow holds`.
//  1. After the evening stop, a box started by hand is stopped again by the next run,
//     and the runs in between send no second stop (no duplicated work).
//  2. A held box is left running across enforcement runs; `gcflow holds` shows it.
//  3. Once its hold has run out (nobody lifts it), the next run stops it.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createGenesisClient, createRateLimiter, type Instance } from '../../../src/genesis/index.js';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/index.js';
import { activeBoxes } from '../../helpers/boxes.js';
import { testPrefix } from '../../helpers/prefix.js';
import { eventually, type GcflowProcess, runCli, spawnGcflow, workspace } from '../../helpers/processes.js';

const TOKEN = 'e2e-token-office-7a1f';

/** The shipped workflow with its triggers replaced by one stop every 2 s, and its glob by oh-*. */
function fastOfficeHours(): string {
  const shipped = readFileSync('workflows/office-hours.yaml', 'utf8');
  const start = shipped.indexOf('\ntriggers:\n');
  const end = shipped.indexOf('\nconcurrency:\n');
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  const triggers = `
triggers:
  - cron: "*/2 * * * * *"
    inputs: { action: stop }
    catch_up: none
`;
  const text = shipped.slice(0, start) + triggers + shipped.slice(end);
  expect(text).toContain('default: "dev-*"');
  return text.replace('default: "dev-*"', 'default: "oh-*"');
}

interface RunJson {
  id: string;
  status: string;
  trigger: string;
  started_at: string | null;
  finished_at: string | null;
}

describe('office hours enforce themselves (daemon + CLI processes)', () => {
  let sim: RunningSimulator;
  let daemon: GcflowProcess | undefined;

  beforeAll(async () => {
    sim = await startSimulator({ settings: { transition_ms: 300 } });
  });
  afterAll(async () => {
    await daemon?.kill('SIGKILL');
    await sim?.close();
  });

  it('stops a box started by hand, leaves a held one running until its hold runs out', async () => {
    const ws = workspace({ 'office-hours.yaml': fastOfficeHours() });
    const env = {
      REDIS_URL: inject('redisUrl'),
      GCFLOW_REDIS_PREFIX: testPrefix('e2e-office'),
      GCFLOW_WORKFLOWS: ws.workflows,
      GCFLOW_CONFIG: ws.config,
      GCFLOW_HTTP: '127.0.0.1:0',
      GCFLOW_ENGINE_POLL_INTERVAL: '200ms',
      GENESISCLOUD_API_URL: sim.apiUrl,
      GENESISCLOUD_TOKEN: TOKEN,
    };
    const api = createGenesisClient({
      baseUrl: sim.apiUrl,
      token: 'by-hand',
      rateLimiter: createRateLimiter({ ratePerSecond: 1000, burst: 1000 }),
    });
    const statusOf = (box: Instance) => sim.simulator.state().instances.find((i) => i.id === box.id)!.status;
    const becomes = (box: Instance, status: string, what: string, ms = 60_000) =>
      eventually(async () => (statusOf(box) === status ? true : undefined), ms, what);
    const actionPosts = (box: Instance) =>
      sim.simulator
        .calls()
        .calls.filter((c) => c.method === 'POST' && c.path === `/compute/v1/instances/${box.id}/actions`)
        .length;
    const scheduledRuns = async (): Promise<RunJson[]> => {
      const r = await runCli(['runs', '--workflow', 'office-hours', '--json', '--limit', '1000'], env);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as RunJson[]).filter((x) => x.trigger === 'schedule');
    };
    /** Waits until `n` scheduled runs that started after `since` have ended. */
    const runsEndedSince = (since: number, n: number) =>
      eventually(
        async () => {
          const ended = (await scheduledRuns()).filter(
            (r) => r.finished_at !== null && r.started_at !== null && Date.parse(r.started_at) > since,
          );
          return ended.length >= n ? ended : undefined;
        },
        90_000,
        `${n} enforcement runs after ${new Date(since).toISOString()}`,
      );

    const [alpha, beta] = await activeBoxes(sim, ['oh-alpha', 'oh-beta']);
    daemon = spawnGcflow(['daemon'], env);

    // The evening stop.
    await becomes(alpha!, 'stopped', 'the first run to stop oh-alpha');
    await becomes(beta!, 'stopped', 'the first run to stop oh-beta');
    // ... has ended. Starting a box while the run that stopped it still polls for
    // `stopped` (one poll apart, longer under load) would be a start during that run,
    // not after it: its wait, which assumes nobody else acts meanwhile, would go on to
    // its 15m timeout and `overlap: skip` would skip every fire until then.
    const evening = await eventually(
      async () => {
        const runs = await scheduledRuns();
        return runs.length > 0 && runs.every((r) => r.finished_at !== null) ? runs : undefined;
      },
      90_000,
      'the evening stop run to end',
    );
    expect(evening.every((r) => r.status === 'succeeded')).toBe(true);

    // 1. Started by hand at 22:00: the next enforcement run stops it again.
    await api.instances.performAction(alpha!.id, 'start');
    await becomes(alpha!, 'active', 'oh-alpha to start by hand');
    await becomes(alpha!, 'stopped', 'an enforcement run to stop oh-alpha again');
    const settled = Date.now();
    await runsEndedSince(settled, 3);
    // Its stop, the start by hand, its second stop: the runs in between sent nothing.
    expect(actionPosts(alpha!)).toBe(3);
    expect(statusOf(alpha!)).toBe('stopped');

    // 2. Held: left running by every enforcement run, and shown by `gcflow holds`.
    const held = await runCli(['hold', 'oh-beta', '--for', '1h', '--reason', 'training run tonight'], env);
    expect(held.code, held.stderr).toBe(0);
    expect(held.stdout).toContain(`held oh-beta (${beta!.id}) until `);
    await api.instances.performAction(beta!.id, 'start');
    await becomes(beta!, 'active', 'oh-beta to start by hand');
    const heldSince = Date.now();
    const during = await runsEndedSince(heldSince, 3);
    expect(during.every((r) => r.status === 'succeeded')).toBe(true);
    expect(statusOf(beta!)).toBe('active');
    const listed = await runCli(['holds', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        instance_id: beta!.id,
        instance_name: 'oh-beta',
        reason: 'training run tonight',
        until: expect.any(String),
      }),
    ]);
    const table = await runCli(['holds'], env);
    expect(table.stdout).toMatch(/oh-beta .* training run tonight/);
    // The run says why it left the box alone.
    const shown = await runCli(['status', during[0]!.id, '--json'], env);
    const boxes = (
      JSON.parse(shown.stdout) as { steps: Array<{ id: string; outputs: Record<string, unknown> }> }
    ).steps.find((s) => s.id === 'boxes')!;
    expect(boxes.outputs['held']).toEqual([
      expect.objectContaining({ id: beta!.id, name: 'oh-beta', reason: 'training run tonight' }),
    ]);

    // 3. The hold is shortened to end in a moment; nobody lifts it. Once it has ended,
    //    the next enforcement run stops the box. A duration, not a time computed here:
    //    a CLI that takes seconds to start on a loaded machine must not find the end
    //    already past. The end is read from what the command printed.
    const shortened = await runCli(['hold', 'oh-beta', '--for', '8s'], env);
    expect(shortened.code, shortened.stderr).toBe(0);
    const until = /until (\S+)/.exec(shortened.stdout)?.[1];
    expect(Date.parse(until!), shortened.stdout).toBeGreaterThan(0);
    await becomes(beta!, 'stopped', 'an enforcement run to stop oh-beta once its hold ended');
    // The stop was sent only once the hold had ended, and only once.
    const stops = sim.simulator
      .calls()
      .calls.filter((c) => c.method === 'POST' && c.path === `/compute/v1/instances/${beta!.id}/actions`);
    expect(stops).toHaveLength(3); // the evening stop, the start by hand, the stop after the hold
    expect(stops[2]!.at).toBeGreaterThanOrEqual(Date.parse(until!));
    const after = await runCli(['holds', '--json'], env);
    expect(JSON.parse(after.stdout)).toEqual([]);
    expect(daemon.output()).not.toMatch(/"level":(50|60)/);
  }, 240_000);
});
