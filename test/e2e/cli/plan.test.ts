// `gcflow plan` as users run it: the built CLI (built by the e2e global setup) against the
// simulator over HTTP, with no Redis reachable; exit codes 0 / 1 / 2 / 3.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/index.js';
import { activeBoxes } from '../../helpers/boxes.js';
import { eventually, runCli, workspace } from '../../helpers/processes.js';

const WEBHOOK = 'https://hooks.example.com/services/T0001/B0001/cliSeCrEt77';
let sim: RunningSimulator;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, settings: { transition_ms: 50 } });
  env = {
    GENESISCLOUD_API_URL: sim.apiUrl,
    GENESISCLOUD_TOKEN: 'plan-cli-token',
    // Nothing listens here: a plan needs no Redis.
    REDIS_URL: 'redis://127.0.0.1:1',
    GCFLOW_WORKFLOWS: 'workflows',
    GCFLOW_CONFIG: 'config/default.yaml',
    GCFLOW_SECRET_SLACK_WEBHOOK: WEBHOOK,
  };
});
afterAll(async () => sim?.close());

describe('gcflow plan', () => {
  it('prints the calls gpu-batch would make, exits 0, and the API sees only GETs', async () => {
    sim.simulator.clearCalls();
    const { code, stdout, stderr } = await runCli(
      ['plan', 'workflows/gpu-batch.yaml', '-i', 'script=python train.py'],
      env,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^plan of workflow gpu-batch {2}inputs \{"script":"python train.py",/);
    expect(lines).toContain('box  instance.create');
    expect(lines.find((l) => l.startsWith('  POST /instances {'))).toMatch(/"name":"batch-plan"/);
    expect(lines).toContain('  POST /instances/planned-1/snapshots {"name":"result-plan"}');
    expect(lines).toContain('  DELETE /instances/planned-1');
    expect(lines).toContain(
      '  waits for the job on the box to report its result (POST to run.report_url) (up to 6h)',
    );
    const gets = sim.simulator.calls().calls;
    expect(gets.filter((c) => c.method !== 'GET')).toEqual([]);
    expect(lines.at(-1)).toBe(`3 calls would change state; ${gets.length} reads made; nothing was changed`);
    expect(stdout).not.toContain('cliSeCrEt77');
    expect(sim.simulator.state().instances).toEqual([]);
  });

  it('exits 1 with the failing step in --json when a step would fail on the real state', async () => {
    const ws = workspace({});
    const file = join(ws.dir, 'missing.yaml');
    writeFileSync(
      file,
      `name: missing
steps:
  - id: find
    uses: instance.get
    with: { instance: nowhere }
on_failure:
  - id: alert
    uses: notify.webhook
    with: { url: "\${{ secrets.slack_webhook }}", text: "failed" }
finally:
  - id: bye
    uses: notify.webhook
    with: { url: "\${{ secrets.slack_webhook }}", text: "bye \${{ secrets.slack_webhook }}" }
`,
    );
    const { code, stdout } = await runCli(['plan', file, '--json'], env);
    expect(code).toBe(1);
    const plan = JSON.parse(stdout);
    expect(plan.steps.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([
      ['find', 'failed'],
      ['alert', 'skipped'],
      ['bye', 'planned'],
    ]);
    expect(plan.steps[2].calls).toEqual([
      { step: 'bye', method: 'POST', path: 'https://hooks.example.com/…', body: { text: 'bye [REDACTED]' } },
    ]);
    expect(plan.error).toBe('step find failed: no instance nowhere');
    expect(stdout).not.toContain('cliSeCrEt77');
  });

  it('exits 2 without GENESISCLOUD_TOKEN, saying why', async () => {
    const { code, stderr } = await runCli(['plan', 'gpu-batch', '-i', 'script=x'], {
      ...env,
      GENESISCLOUD_TOKEN: '',
      GENESIS_CLOUD_TOKEN: '',
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/E_NO_API_TOKEN: GENESISCLOUD_TOKEN is not set/);
  });

  it('exits 3 when the API cannot be reached', async () => {
    const closed = await startSimulator({ port: 0 });
    await closed.close();
    const ws = workspace({}, 'genesis:\n  max_attempts: 1\n');
    const { code, stderr } = await runCli(['plan', 'gpu-batch', '-i', 'script=x', '--config', ws.config], {
      ...env,
      GENESISCLOUD_API_URL: closed.apiUrl,
    });
    expect(stderr).toMatch(/E_API_UNREACHABLE: cannot reach the Genesis Cloud API/);
    expect(code).toBe(3);
  });

  it('nightly-snapshots: lists exactly the DELETEs of the snapshots retention would remove', async () => {
    sim.simulator.reset();
    const [box] = await activeBoxes(sim, ['prod-db']);
    const admin = async (path: string, body: unknown) => {
      const reply = await fetch(`${sim.url}/__sim${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(reply.status, await reply.text()).toBe(200);
    };
    const api = async (path: string, body: unknown) => {
      const reply = await fetch(`${sim.apiUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${env['GENESISCLOUD_TOKEN']}` },
        body: JSON.stringify(body),
      });
      expect(reply.status).toBe(201);
    };
    // Ten nights (1..10 days old), night 5 replicated to another region, and one stuck `creating`.
    for (let age = 1; age <= 10; age += 1)
      await api(`/instances/${box!.id}/snapshots`, {
        name: `nightly-prod-db-night-${age}`,
        ...(age === 5 ? { replicated_region: 'ARC-IS-HAF-1' } : {}),
      });
    await api(`/instances/${box!.id}/snapshots`, { name: 'nightly-prod-db-stuck' });
    const all = await eventually(
      async () => {
        const snapshots = sim.simulator.state().snapshots;
        return snapshots.every((s) => s.status === 'created') ? snapshots : undefined;
      },
      20_000,
      'snapshots to be created',
    );
    const DAY = 86_400_000;
    for (const s of all) {
      const age = s.name === 'nightly-prod-db-stuck' ? 20 : Number(s.name.split('-').at(-1));
      await admin(`/snapshots/${s.id}`, {
        created_at: new Date(Date.now() - age * DAY).toISOString(),
        ...(age === 20 ? { status: 'creating' } : {}),
      });
    }
    sim.simulator.clearCalls();
    const { code, stdout, stderr } = await runCli(
      [
        'plan',
        'nightly-snapshots',
        '-i',
        'name_glob=prod-*',
        '-i',
        'keep_daily=3',
        '-i',
        'keep_weekly=1',
        '-i',
        'keep_monthly=1',
      ],
      env,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // Tonight's snapshot plus the two newest nights are kept (one a day for three days);
    // nights 3-10 go, night 5 with its replica; the stuck one is left alone.
    const doomed = all
      .filter((s) => s.name !== 'nightly-prod-db-stuck' && Number(s.name.split('-').at(-1)) >= 3)
      .map((s) => `  [0] DELETE /snapshots/${s.id}`)
      .sort();
    expect(doomed).toHaveLength(9);
    const deletes = stdout.split('\n').filter((l) => l.startsWith('  [0] DELETE /snapshots/'));
    expect(deletes.sort()).toEqual(doomed);
    expect(stdout).toContain(`  [0] POST /instances/${box!.id}/snapshots {"name":"nightly-prod-db-plan"}`);
    expect(stdout).toContain('10 calls would change state');
    expect(sim.simulator.calls().calls.filter((c) => c.method !== 'GET')).toEqual([]);
    expect(sim.simulator.state().snapshots).toHaveLength(12);
  });
});
