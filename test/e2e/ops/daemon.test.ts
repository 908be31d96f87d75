// What an operator sees of a real `gcflow daemon` process: every stderr line is JSON
// (not a TTY) with pid, hostname and an event, and /metrics carries the operator's
// metrics: runs in flight, run durations, retries, webhook failures, invalid
// workflow files, leaked instances and the build info.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parsePrometheusText, sampleValue } from '../../unit/daemon/prometheus-text.js';
import { testPrefix } from '../../helpers/prefix.js';
import { eventually, type GcflowProcess, spawnGcflow, workspace } from '../../helpers/processes.js';
import { freePort } from '../../helpers/redis-server.js';

let daemon: GcflowProcess;
let url: string;
let stderr = '';

const jsonLines = () =>
  stderr
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`a stderr line is not JSON: ${l}`);
      }
    });

beforeAll(async () => {
  const deadPort = await freePort();
  const ws = workspace({
    'hook.yaml': `name: hook
steps:
  - id: alert
    uses: notify.webhook
    with: { url: "http://127.0.0.1:${deadPort}/hook", text: hello }
    retry: { attempts: 2, delay: 1s }
`,
    'nap.yaml': `name: nap
steps:
  - id: rest
    uses: sleep
    with: { duration: 10m }
`,
    'broken.yaml': 'name: broken\nsteps:\n  - id: x\n    uses: instance.teleport\n',
  });
  daemon = spawnGcflow(['daemon'], {
    REDIS_URL: inject('redisUrl'),
    GCFLOW_REDIS_PREFIX: testPrefix('ops'),
    GCFLOW_WORKFLOWS: ws.workflows,
    GCFLOW_CONFIG: ws.config,
    GCFLOW_HTTP: '127.0.0.1:0',
    GENESISCLOUD_API_URL: `http://127.0.0.1:${deadPort}/compute/v1`,
    GENESISCLOUD_TOKEN: 'ops-token-3c1d',
  });
  daemon.child.stderr!.on('data', (d) => (stderr += d));
  url = await eventually(
    async () => jsonLines().find((l) => l['event'] === 'daemon.listening')?.['url'] as string | undefined,
    30_000,
    'the daemon to log that it listens',
  );
}, 60_000);

afterAll(async () => {
  await daemon?.kill('SIGKILL');
});

const start = async (workflow: string): Promise<string> => {
  const reply = await fetch(`${url}/api/workflows/${workflow}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(reply.status).toBe(202);
  return ((await reply.json()) as { run_id: string }).run_id;
};

const scrape = async () => parsePrometheusText(await (await fetch(`${url}/metrics`)).text());

describe('gcflow daemon, seen by an operator', () => {
  it('exports runs in flight, run durations, retries, webhook failures, invalid files and build info', async () => {
    const napping = await start('nap');
    await start('hook');
    const f = await eventually(
      async () => {
        const families = await scrape();
        const waiting = sampleValue(families, 'gcflow_runs_in_flight', {
          workflow: 'nap',
          status: 'waiting',
        });
        const failed = sampleValue(families, 'gcflow_run_duration_seconds_count', {
          workflow: 'hook',
          status: 'failed',
        });
        return waiting === 1 && failed === 1 ? families : undefined;
      },
      30_000,
      'the nap run waiting and the hook run failed, in /metrics',
    );
    expect(napping).toMatch(/^nap-/);
    expect(sampleValue(f, 'gcflow_step_retries_total', { workflow: 'hook', step: 'alert' })).toBe(1);
    expect(sampleValue(f, 'gcflow_webhook_failures_total', { workflow: 'hook', step: 'alert' })).toBe(2);
    expect(sampleValue(f, 'gcflow_workflow_files_invalid')).toBe(1);
    expect(sampleValue(f, 'gcflow_workflow_reload_failures_total')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(f, 'gcflow_leaked_instances')).toBe(0);
    const info = f.get('gcflow_build_info')!.samples[0]!;
    expect(info.labels).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), node: process.version });
    expect(info.value).toBe(1);
  }, 60_000);

  it('writes only JSON lines to stderr when it is not a terminal, each with pid, hostname and level', async () => {
    expect(await daemon.kill('SIGTERM')).toBe(0);
    const lines = jsonLines();
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(line).toMatchObject({
        pid: daemon.child.pid,
        hostname: expect.any(String),
        level: expect.any(Number),
      });
    }
    const events = lines.map((l) => l['event']).filter(Boolean);
    expect(events).toEqual(
      expect.arrayContaining(['daemon.started', 'daemon.listening', 'workflows.invalid']),
    );
    expect(events).toContain('daemon.stopping');
  });
});
