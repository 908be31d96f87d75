// A queued run says what it waits for: `gcflow status` and `gcflow run --wait` (real
// CLI processes) name the concurrency group's holder and the place in line while the
// group is full, the reason goes away once the run starts, and with no daemon on the
// Redis they say so instead of leaving the run silently queued.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testPrefix } from '../../helpers/prefix.js';
import { eventually, runCli, workspace } from '../../helpers/processes.js';
import { type Stack, startStack } from '../../helpers/stack.js';

const GATED = `name: gated
concurrency: { group: gpus, overlap: queue }
steps:
  - { id: rest, uses: sleep, with: { duration: 10m } }
`;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ concurrency: 4, gate: { pollMs: 200 } });
});
afterAll(async () => stack?.close());

function gatedFile(): string {
  const file = join(workspace({}).dir, 'gated.yaml');
  writeFileSync(file, GATED);
  return file;
}

describe('a queued run says what it waits for', () => {
  it('names the group holder and the place in line, and drops the reason once it runs', async () => {
    const env = {
      REDIS_URL: inject('redisUrl'),
      GCFLOW_REDIS_PREFIX: stack.config.redis.prefix,
      GCFLOW_CONFIG: '/dev/null',
    };
    const def = stack.workflow(GATED);
    const holder = await stack.start(def);
    await stack.waitFor(holder, (r) => r.status === 'waiting');
    const second = await stack.start(def);
    const third = await stack.start(def);
    // Both have knocked at the gate (workers take them at once): the third is behind the second.
    await eventually(
      async () => (await stack.services.runs.get(third)).waiting_for?.includes('1 run ahead'),
      30_000,
      'the third run to wait behind the second',
    );

    // `run --wait` of a fourth, through a pipe: its plain status line says it is queued and why.
    const waiter = spawn(process.execPath, [resolve('dist/main.js'), 'run', gatedFile(), '--wait'], {
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let waited = '';
    waiter.stdout.on('data', (d) => (waited += d));
    const line = await eventually(
      async () => waited.split('\n').find((l) => l.startsWith('… queued: waiting for')),
      30_000,
      `a queued status line from run --wait:\n${waited}`,
    );
    expect(line).toMatch(
      new RegExp(
        `^… queued: waiting for its turn in concurrency group gpus \\(1 of 1 slot held by ${holder}; 2 runs ahead of it\\) · \\d+s so far$`,
      ),
    );

    const status = await runCli(['status', third], env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(
      `  waiting   for its turn in concurrency group gpus (1 of 1 slot held by ${holder}; 1 run ahead of it)`,
    );
    const json = JSON.parse((await runCli(['status', second, '--json'], env)).stdout) as {
      waiting_for: string;
    };
    expect(json.waiting_for).toBe(
      `its turn in concurrency group gpus (1 of 1 slot held by ${holder}; next in line)`,
    );

    // The holder goes: the second run takes the slot, and its view has no reason any more.
    expect((await runCli(['cancel', holder], env)).code).toBe(0);
    const running = await stack.waitFor(second, (r) => r.status === 'waiting');
    expect(running.waiting_for).toBeUndefined();
    expect((await runCli(['status', third, '--json'], env)).stdout).toContain(
      `"waiting_for": "its turn in concurrency group gpus (1 of 1 slot held by ${second}; next in line)"`,
    );

    const fourth = /run (\S+) queued/.exec(waited)![1]!;
    waiter.kill('SIGINT');
    await new Promise((done) => waiter.once('exit', done));
    for (const id of [second, third, fourth]) await runCli(['cancel', id], env);
  }, 120_000);

  it('says that no daemon takes runs when none is connected to the Redis', async () => {
    const env = {
      REDIS_URL: inject('redisUrl'),
      GCFLOW_REDIS_PREFIX: testPrefix('no-daemon'),
      GCFLOW_CONFIG: '/dev/null',
    };
    const queued = await runCli(['run', gatedFile()], env);
    expect(queued.code, queued.stderr).toBe(0);
    const runId = /queued run (\S+)/.exec(queued.stdout)![1]!;
    const status = await runCli(['status', runId], env);
    expect(status.stdout).toMatch(/QUEUED/);
    expect(status.stdout).toContain(
      '  waiting   for a worker: no gcflow daemon takes runs from this Redis; start one with `gcflow daemon`',
    );
  }, 60_000);
});
