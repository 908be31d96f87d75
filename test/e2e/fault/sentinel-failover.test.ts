// `gcflow run --wait` (a CLI child process) and a daemon child process on a Sentinel
// group (1 master with AOF, 1 replica, 3 sentinels); the master is SIGKILLed while the
// run waits for its box. The daemon finishes the run with one box; `run --wait` says
// Redis went and came back (no stack trace) and exits 0 with the run's outcome.
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/index.js';
import { createBoxStep } from '../../helpers/boxes.js';
import { testPrefix } from '../../helpers/prefix.js';
import { eventually, spawnGcflow, workspace } from '../../helpers/processes.js';
import { removeDir } from '../../helpers/redis-server.js';
import { type SentinelGroup, startSentinelGroup } from '../../helpers/redis-sentinel.js';

const WAITER = `
name: waiter
steps:
${createBoxStep('sentinel')}
    wait: { status: active, timeout: 10m }
  - id: nap
    uses: sleep
    with: { duration: 1s }
finally:
  - id: teardown
    uses: instance.delete
    if: \${{ steps.box.outputs.instance.id != '' }}
    with: { instance: "\${{ steps.box.outputs.instance.id }}" }
`;

let group: SentinelGroup | undefined;
let sim: RunningSimulator | undefined;
afterAll(async () => {
  await sim?.close();
  await group?.stop();
});

describe('run --wait through a Sentinel failover', () => {
  it('the master SIGKILLed while the run waits for its box: run --wait exits 0, clear lines, no stack, one box', async ({
    onTestFinished,
  }) => {
    group = await startSentinelGroup();
    // Boxes boot for 15 s: the failover lands while the run waits for its box.
    sim = await startSimulator({ settings: { transition_ms: 15_000 } });
    const sentinels = group.sentinels.map((s) => `{ host: "${s.host}", port: ${s.port} }`).join(', ');
    const ws = workspace(
      { 'waiter.yaml': WAITER },
      [
        'log: { level: info }',
        'engine: { poll_interval: 500ms }',
        `redis: { sentinel: { name: ${group.name}, sentinels: [${sentinels}] } }`,
        '',
      ].join('\n'),
    );
    onTestFinished(() => removeDir(ws.dir));
    const env = {
      GCFLOW_REDIS_PREFIX: testPrefix('sentinel'),
      GENESISCLOUD_API_URL: sim.apiUrl,
      GENESISCLOUD_TOKEN: 'sentinel-test-token',
      GCFLOW_WORKFLOWS: ws.workflows,
      GCFLOW_CONFIG: ws.config,
      GCFLOW_HTTP: '127.0.0.1:0',
    };
    const daemon = spawnGcflow(['daemon'], env);
    onTestFinished(async () => {
      await daemon.kill('SIGKILL');
    });
    await eventually(
      async () => (daemon.output().includes('gcflow daemon started') ? true : undefined),
      60_000,
      'the daemon to start',
    );
    const wait = spawnGcflow(['run', 'waiter', '--wait'], env);
    onTestFinished(async () => {
      await wait.kill('SIGKILL');
    });
    await eventually(
      async () =>
        sim!.simulator.state().instances.some((i) => i.name.startsWith('sentinel-')) ? true : undefined,
      60_000,
      'the run to create its box',
    );
    const newMaster = await group.killMaster();
    expect(newMaster).toBeGreaterThan(0);

    const code = await Promise.race([
      wait.exited,
      new Promise<string>((r) => setTimeout(() => r('still running after 150 s'), 150_000)),
    ]);
    const out = wait.output();
    expect(code, out).toBe(0);
    expect(out).toContain('succeeded');
    // No stack trace, no raw ioredis output.
    expect(out).not.toMatch(/^\s+at /m);
    expect(out).not.toContain('Unhandled error event');
    // When the CLI's polls met the outage, it said so in one line each way.
    const lost = out.split('\n').filter((l) => l.includes('Redis unreachable'));
    const back = out.split('\n').filter((l) => l.includes('Redis reachable again'));
    expect(lost.length).toBeLessThanOrEqual(1);
    expect(back).toHaveLength(lost.length);
    console.log(`run --wait through the failover:\n${out}`);

    const posts = sim.simulator
      .calls()
      .calls.filter((c) => c.method === 'POST' && c.path === '/compute/v1/instances');
    expect(posts).toHaveLength(1);
    const daemonOut = daemon.output();
    expect(daemonOut).not.toMatch(/^\s+at /m);
    expect(daemonOut).not.toContain('Unhandled error event');
  }, 300_000);
});
