// Quiet, clear outages: a daemon child process on its own redis-server (AOF, fsync
// always); Redis is SIGKILLed for ~10 s while a run waits for its box, then started
// again. The daemon says so in ONE warn line naming the address and ONE info line with
// the outage's length when it is back; no stack dumps or `[ioredis] Unhandled error
// event` on stderr; /healthz answers 503 during the outage and 200 after; the run
// queued before the outage completes, with one box.
import { afterAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../../src/runs/service.js';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/index.js';
import { createBoxStep } from '../../helpers/boxes.js';
import { testPrefix } from '../../helpers/prefix.js';
import { eventually, runCli, spawnGcflow, workspace } from '../../helpers/processes.js';
import { removeDir, type SpawnedRedis, spawnRedis } from '../../helpers/redis-server.js';

const WAITER = `
name: waiter
steps:
${createBoxStep('outage')}
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

let redis: SpawnedRedis | undefined;
let sim: RunningSimulator | undefined;
afterAll(async () => {
  await sim?.close();
  if (redis) {
    await redis.stop('SIGKILL');
    removeDir(redis.dir);
  }
});

async function healthz(url: string): Promise<number> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
    return res.status;
  } catch {
    return 0;
  }
}

describe('a 10-second Redis outage under a running daemon', () => {
  it('logs one line when Redis goes and one when it is back, /healthz 503 then 200, and the run completes', async ({
    onTestFinished,
  }) => {
    redis = await spawnRedis({ appendonly: true, args: ['--appendfsync', 'always'] });
    // Boxes boot for 12 s: the run waits for its box across the outage.
    sim = await startSimulator({ settings: { transition_ms: 12_000 } });
    const ws = workspace(
      { 'waiter.yaml': WAITER },
      'log: { level: info }\nengine: { poll_interval: 500ms }\n',
    );
    onTestFinished(() => removeDir(ws.dir));
    const env = {
      REDIS_URL: redis.url,
      GCFLOW_REDIS_PREFIX: testPrefix('outage'),
      GENESISCLOUD_API_URL: sim.apiUrl,
      GENESISCLOUD_TOKEN: 'outage-test-token',
      GCFLOW_WORKFLOWS: ws.workflows,
      GCFLOW_CONFIG: ws.config,
      GCFLOW_HTTP: '127.0.0.1:0',
    };
    const daemon = spawnGcflow(['daemon'], env);
    onTestFinished(async () => {
      await daemon.kill('SIGKILL');
    });
    const url = await eventually(
      async () => /gcflow daemon listening on (http:\/\/[\d.:]+)/.exec(daemon.output())?.[1],
      60_000,
      'the daemon to listen',
    );
    expect(await healthz(url)).toBe(200);

    const queued = await runCli(['run', 'waiter'], env);
    expect(queued.code, queued.stderr).toBe(0);
    const runId = /queued run (\S+)/.exec(queued.stdout)?.[1] ?? '';
    expect(runId).not.toBe('');
    await eventually(
      async () =>
        sim!.simulator.state().instances.some((i) => i.name === `outage-${runId}`) ? true : undefined,
      60_000,
      'the run to create its box',
    );

    const before = daemon.output().length;
    await redis.stop('SIGKILL');
    const killedAt = Date.now();
    await eventually(async () => ((await healthz(url)) === 503 ? true : undefined), 30_000, '/healthz 503');
    const outageLine = await eventually(
      async () => (daemon.output().slice(before).includes('Redis unreachable') ? true : undefined),
      30_000,
      'the unreachable line',
    );
    expect(outageLine).toBe(true);
    // ~10 s without Redis, /healthz answering 503 all along.
    while (Date.now() - killedAt < 10_000) {
      expect(await healthz(url)).toBe(503);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    await redis.restart();
    await eventually(
      async () => ((await healthz(url)) === 200 ? true : undefined),
      60_000,
      '/healthz 200 again',
    );
    await eventually(
      async () => (daemon.output().slice(before).includes('Redis reachable again') ? true : undefined),
      60_000,
      'the reconnected line',
    );

    const run = await eventually(
      async () => {
        const res = await runCli(['status', runId, '--json'], env);
        const view = JSON.parse(res.stdout) as RunView;
        return view.status === 'succeeded' || view.status === 'failed' ? view : undefined;
      },
      90_000,
      `run ${runId} to end`,
    );
    expect(run.status, run.error ?? '').toBe('succeeded');
    const posts = sim.simulator
      .calls()
      .calls.filter((c) => c.method === 'POST' && c.path === '/compute/v1/instances');
    expect(posts).toHaveLength(1);

    const during = daemon
      .output()
      .slice(before)
      .split('\n')
      .filter((l) => l.trim() !== '');
    // Every line is one JSON log line: no multi-line dumps, no ioredis/BullMQ console output.
    const raw = during.filter((l) => !l.startsWith('{'));
    expect(raw, raw.slice(0, 10).join('\n')).toEqual([]);
    expect(during.filter((l) => l.includes('Unhandled error event'))).toEqual([]);
    const unreachable = during.filter((l) => l.includes('Redis unreachable'));
    expect(unreachable).toHaveLength(1);
    expect(unreachable[0]).toContain(redis.url);
    const back = during.filter((l) => l.includes('Redis reachable again'));
    expect(back).toHaveLength(1);
    expect(JSON.parse(back[0]!).outage_ms).toBeGreaterThanOrEqual(9_000);
    // A handful of lines for the whole outage (the run's own lines aside), not hundreds.
    const other = during.filter((l) => !(JSON.parse(l) as { runId?: string }).runId);
    console.log(
      `daemon log lines from the kill to the run's end: ${during.length} (${other.length} not about the run)`,
    );
    expect(other.length, other.join('\n')).toBeLessThanOrEqual(12);
    // The daemon's periodic tasks (scheduler lease, missed-slot check, janitor, queue
    // metrics) leave the outage to its one line: none warns that Redis did not answer,
    // so the count does not grow with the outage's length (13 lines once, at 12.8 s).
    const periodic = other.filter((l) =>
      /did not answer|could not look for missed|cannot sample queue depths|runs again at its next interval/.test(
        l,
      ),
    );
    expect(periodic, periodic.join('\n')).toEqual([]);
  }, 240_000);
});
