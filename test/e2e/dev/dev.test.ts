// The README's main command, `gcflow dev`, as a real process: with a Redis at
// REDIS_URL it uses it; with none it spawns redis-server with its data under
// .gcflow/ and stops it again on Ctrl-C. Either way the example workflows run
// against the embedded simulator.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { portFree } from '../../../src/shared/net.js';
import { testPrefix } from '../../helpers/prefix.js';
import { eventually, type GcflowProcess, runCli, spawnGcflow } from '../../helpers/processes.js';
import { freePort } from '../../helpers/redis-server.js';

const running: GcflowProcess[] = [];
afterAll(async () => {
  for (const p of running) await p.kill('SIGKILL');
});

async function startDev(
  env: Record<string, string>,
  cwd?: string,
): Promise<{ dev: GcflowProcess; url: string }> {
  const dev = spawnGcflow(
    ['dev', '--http', '127.0.0.1:0'],
    { GCFLOW_WORKFLOWS: resolve('workflows'), ...env },
    cwd,
  );
  running.push(dev);
  const url = await eventually(
    async () => /dashboard\s+(http:\/\/\S+)\/ui/.exec(dev.output())?.[1],
    30_000,
    `the dev banner:\n${dev.output()}`,
  );
  return { dev, url };
}

describe('gcflow dev', () => {
  it('runs the example workflows on the Redis at REDIS_URL and stops cleanly on SIGINT', async () => {
    const env = { REDIS_URL: inject('redisUrl'), GCFLOW_REDIS_PREFIX: testPrefix('dev') };
    const { dev, url } = await startDev(env);
    expect(dev.output()).toContain('gcflow run gpu-batch');
    const health = (await (await fetch(`${url}/healthz`)).json()) as { status: string; mode: string };
    expect(health).toMatchObject({ status: 'ok', mode: 'dev' });
    const run = await runCli(['run', 'office-hours', '-i', 'action=stop', '--wait', '--json'], {
      ...env,
      GCFLOW_WORKFLOWS: resolve('workflows'),
    });
    expect(run.code, run.stderr).toBe(0);
    const view = JSON.parse(run.stdout) as {
      status: string;
      steps: Array<{ id: string; items?: unknown[] }>;
    };
    expect(view.status).toBe('succeeded');
    expect(view.steps.find((s) => s.id === 'stop')!.items).toHaveLength(2); // dev-alice, dev-bob
    expect(await dev.kill('SIGINT')).toBe(0);
  }, 90_000);

  it('spawns redis-server with its data under .gcflow/ when none answers, and stops it on exit', async () => {
    const port = await freePort();
    const cwd = mkdtempSync(join(tmpdir(), 'gcflow-dev-'));
    const { dev } = await startDev(
      { REDIS_URL: `redis://127.0.0.1:${port}`, GCFLOW_REDIS_PREFIX: testPrefix('dev') },
      cwd,
    );
    expect(dev.output()).toContain(`redis://127.0.0.1:${port} (spawned; data in .gcflow/redis)`);
    expect(await portFree(port)).toBe(false);
    expect(existsSync(join(cwd, '.gcflow', 'redis'))).toBe(true);
    expect(await dev.kill('SIGINT')).toBe(0);
    expect(await portFree(port)).toBe(true);
  }, 90_000);
});
