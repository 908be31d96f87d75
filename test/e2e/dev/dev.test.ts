// The README's main command, `gcflow dev`, as a real process in a directory of its
// own: it serves where GCFLOW_HTTP says, keeps its keys under its own prefix, and
// writes .gcflow/dev.env so that the README tour run from a second shell in that
// directory (no REDIS_URL, no token) works step by step, plan and janitor included.
// With no Redis answering it spawns redis-server under .gcflow/ and stops it again.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { portFree } from '../../../src/shared/net.js';
import { testPrefix } from '../../helpers/prefix.js';
import { eventually, type GcflowProcess, spawnGcflow } from '../../helpers/processes.js';
import { freePort } from '../../helpers/redis-server.js';

const MAIN = resolve('dist/main.js');
const running: GcflowProcess[] = [];
afterAll(async () => {
  for (const p of running) await p.kill('SIGKILL');
});

async function startDev(env: Record<string, string>, args: string[] = []) {
  const cwd = mkdtempSync(join(tmpdir(), 'gcflow-dev-'));
  const dev = spawnGcflow(['dev', ...args], { GCFLOW_WORKFLOWS: resolve('workflows'), ...env }, cwd);
  running.push(dev);
  const url = await eventually(
    async () => /dashboard\s+(http:\/\/\S+)\/ui/.exec(dev.output())?.[1],
    60_000,
    `the dev banner:\n${dev.output()}`,
  );
  return { dev, url, cwd };
}

/** The variables dev.env provides, removed: a second shell that has none of them set. */
const DEV_VARS = [
  'REDIS_URL',
  'GCFLOW_REDIS_URL',
  'GCFLOW_REDIS_PREFIX',
  'GENESISCLOUD_API_URL',
  'GCFLOW_GENESIS_API_URL',
  'GENESISCLOUD_TOKEN',
  'GENESIS_CLOUD_TOKEN',
  'GCFLOW_WORKFLOWS',
  'GCFLOW_CONFIG',
];

/** `gcflow ARGS` from a second shell in `cwd`. */
function second(
  cwd: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
  for (const name of DEV_VARS) delete env[name];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`gcflow ${args.join(' ')} did not finish in 120 s\n${stdout}\n${stderr}`));
    }, 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

interface RunView {
  id: string;
  status: string;
  steps: Array<{ id: string; status: string; outputs: { instances?: Array<{ name: string }> } }>;
}

/** The boxes office-hours runs stopped, once every one of them has finished. */
async function stoppedByOfficeHours(url: string): Promise<string[]> {
  const get = async <T>(path: string) => (await (await fetch(`${url}/api${path}`)).json()) as T;
  const runs = await eventually(
    async () => {
      const listed = await get<RunView[]>('/runs?workflow=office-hours');
      return listed.every((r) => ['succeeded', 'failed', 'cancelled'].includes(r.status))
        ? listed
        : undefined;
    },
    120_000,
    'every office-hours run to finish',
  );
  const names = new Set<string>();
  for (const { id } of runs) {
    const run = await get<RunView>(`/runs/${id}`);
    expect(run.status, `office-hours run ${id}`).toBe('succeeded');
    const stopped = run.steps.find((s) => s.id === 'stop')?.status === 'succeeded';
    const listed = run.steps.find((s) => s.id === 'boxes')?.outputs.instances ?? [];
    if (stopped) for (const box of listed) names.add(box.name);
  }
  return [...names].sort();
}

describe('gcflow dev', () => {
  it('serves on GCFLOW_HTTP, keeps its keys under its own prefix, and the README tour works from a second shell', async () => {
    const port = await freePort();
    const prefix = testPrefix('dev');
    const { dev, url, cwd } = await startDev({
      REDIS_URL: inject('redisUrl'),
      GCFLOW_REDIS_PREFIX: prefix,
      GCFLOW_HTTP: `127.0.0.1:${port}`,
    });
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const health = (await (await fetch(`${url}/healthz`)).json()) as { status: string; mode: string };
    expect(health).toMatchObject({ status: 'ok', mode: 'dev' });
    expect(dev.output()).toContain(`keys        under ${prefix}-dev:`);
    const envFile = readFileSync(join(cwd, '.gcflow', 'dev.env'), 'utf8');
    expect(envFile).toContain(`GCFLOW_REDIS_PREFIX=${prefix}-dev\n`);
    expect(envFile).toContain(`GCFLOW_DEV_PID=${dev.child.pid}\n`);

    const step = async (args: string[]) => {
      const result = await second(cwd, args);
      expect(result.code, `gcflow ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
      return result;
    };
    await step(['validate']);
    const batch = await step(['run', 'gpu-batch', '-i', 'script=python train.py', '--wait']);
    expect(batch.stdout).toMatch(/SUCCEEDED/);
    const queued = await step(['run', 'office-hours', '-i', 'action=stop']);
    const runId = /queued run (\S+)/.exec(queued.stdout)![1]!;
    await step(['runs', '--workflow', 'office-hours']);
    await step(['status', runId, '--json']);
    await step(['logs', runId, '--follow']);
    const view = JSON.parse((await step(['status', runId, '--json'])).stdout) as { status: string };
    expect(view.status).toBe('succeeded');
    // dev-alice and dev-bob end stopped, by this run or, on weekday nights and
    // weekends (Berlin), by office-hours' own quarter-hour fire that came first.
    expect(await stoppedByOfficeHours(url)).toEqual(['dev-alice', 'dev-bob']);
    await step(['cancel', runId]);
    const plan = await step(['plan', 'nightly-snapshots']);
    expect(plan.stdout).toMatch(/prod-db/);
    await step(['schedules']);
    const janitor = await step(['janitor']);
    expect(janitor.stdout).toMatch(/no leaked instances/);

    // dev's runs are under its prefix, none under the production-style one.
    const redis = new Redis(inject('redisUrl'));
    try {
      expect((await redis.keys(`${prefix}-dev:run:*`)).length).toBeGreaterThan(0);
      expect(await redis.keys(`${prefix}:*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }

    // Killed without a chance to clean up: its dev.env stays, and is ignored.
    await dev.kill('SIGKILL');
    expect(existsSync(join(cwd, '.gcflow', 'dev.env'))).toBe(true);
    const orphan = await second(cwd, ['plan', resolve('workflows/nightly-snapshots.yaml')]);
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toMatch(/E_NO_API_TOKEN/);
  }, 300_000);

  it('spawns redis-server with its data under .gcflow/ when none answers, and removes dev.env and stops Redis on exit', async () => {
    const port = await freePort();
    const { dev, cwd } = await startDev(
      { REDIS_URL: `redis://127.0.0.1:${port}`, GCFLOW_REDIS_PREFIX: testPrefix('dev') },
      ['--http', '127.0.0.1:0'],
    );
    expect(dev.output()).toContain(`redis://127.0.0.1:${port} (spawned; data in .gcflow/redis)`);
    expect(await portFree(port)).toBe(false);
    expect(existsSync(join(cwd, '.gcflow', 'redis'))).toBe(true);
    expect(existsSync(join(cwd, '.gcflow', 'dev.env'))).toBe(true);
    const again = await second(cwd, ['dev', '--http', '127.0.0.1:0']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/E_DEV_RUNNING/);
    expect(await dev.kill('SIGINT')).toBe(0);
    expect(await portFree(port)).toBe(true);
    expect(existsSync(join(cwd, '.gcflow', 'dev.env'))).toBe(false);
  }, 120_000);
});
