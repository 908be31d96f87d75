// `gcflow plan` as users run it: the built CLI (built by the e2e global setup) against the
// simulator over HTTP, with no Redis reachable; exit codes 0 / 1 / 2 / 3.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/index.js';
import { runCli, workspace } from '../../helpers/processes.js';

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
});
