// The CLI as people pipe and script it: real child processes and real pipes.
// No arguments is a usage error; a reader that goes away ends a command quietly;
// --json means JSON on stdout and JSON errors on stderr; logs and cancel speak JSON.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { openServices, type Services } from '../../../src/daemon/services.js';
import { parseWorkflow } from '../../../src/dsl/index.js';
import { event } from '../../../src/engine/events.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { testPrefix } from '../../helpers/prefix.js';
import { runCli } from '../../helpers/processes.js';

const MAIN = resolve('dist/main.js');
const prefix = testPrefix('cli');
const ENV = { REDIS_URL: inject('redisUrl'), GCFLOW_REDIS_PREFIX: prefix, GCFLOW_CONFIG: '/dev/null' };
let services: Services;
let chatty: string;
let quiet: string;

const nap = parseWorkflow(
  'name: nap\nsteps:\n  - { id: rest, uses: sleep, with: { duration: 1h } }\n',
  'nap.yaml',
).definition!;

beforeAll(async () => {
  const { config, secrets } = loadConfig({ env: ENV });
  services = await openServices({ config, secrets, logger: silentLogger() });
  // Enough output to overflow a pipe (64 KiB): 300 runs, and a run with 3000 events.
  for (let i = 0; i < 300; i++) await services.runs.start({ def: nap, inputs: {}, trigger: 'manual' });
  chatty = (await services.runs.start({ def: nap, inputs: {}, trigger: 'manual' })).runId;
  const now = Date.now();
  await services.store.appendEvents(
    chatty,
    Array.from({ length: 3000 }, (_, i) => event('step.log', now, { step: 'rest', message: `line ${i}` })),
  );
  quiet = (await services.runs.start({ def: nap, inputs: {}, trigger: 'manual' })).runId;
}, 120_000);

afterAll(async () => {
  await services?.close();
});

/** Runs gcflow with stdout a pipe whose reader has gone away before gcflow writes. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { ...process.env, ...ENV, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => done({ code, stderr }));
  });
}

/** A shell pipeline, as typed. */
function pipeline(command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('sh', ['-c', command], { env: { ...process.env, ...ENV, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => done({ code, stdout, stderr }));
  });
}

describe('gcflow on the command line', () => {
  it('exits quietly when its reader has gone away (runs --json, logs)', async () => {
    for (const args of [
      ['runs', '--json', '--limit', '500'],
      ['logs', chatty],
    ]) {
      const { code, stderr } = await withClosedStdout(args);
      expect(stderr, args.join(' ')).toBe('');
      expect(code, args.join(' ')).toBe(0);
    }
  }, 60_000);

  it('works at the head of a pipeline: gcflow logs ID | head -1, gcflow runs --json | head -1', async () => {
    const logs = await pipeline(`"${process.execPath}" "${MAIN}" logs ${chatty} | head -1`);
    expect(logs.stderr).toBe('');
    expect(logs.stdout).toMatch(/^\S+ {2}run\.queued/);
    expect(logs.stdout.split('\n')).toHaveLength(2);
    const runs = await pipeline(`"${process.execPath}" "${MAIN}" runs --json --limit 500 | head -1`);
    expect(runs.stderr).toBe('');
    expect(runs.stdout).toBe('[\n');
  }, 60_000);

  it('reports errors as JSON on stderr under --json, usage errors included', async () => {
    const missing = await runCli(['status', 'no-such-run', '--json'], ENV);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(JSON.parse(missing.stderr)).toEqual({
      error: {
        code: 'E_RUN_NOT_FOUND',
        message: expect.stringContaining('no-such-run'),
        hint: expect.any(String),
      },
    });
    const usage = await runCli(['runs', '--bogus', '--json'], ENV);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stderr)).toEqual({
      error: { code: 'E_USAGE', message: expect.stringContaining('--bogus'), hint: expect.any(String) },
    });
    const text = await runCli(['status', 'no-such-run'], ENV);
    expect(text.stderr).toMatch(/^gcflow: error E_RUN_NOT_FOUND: /);
  });

  it('prints logs as JSON lines and cancel as JSON', async () => {
    const logs = await runCli(['logs', quiet, '--json'], ENV);
    expect(logs.code).toBe(0);
    const events = logs.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; at: string });
    expect(events[0]).toMatchObject({ type: 'run.queued', at: expect.any(String) });
    const cancel = await runCli(['cancel', quiet, '--json'], ENV);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(JSON.parse(cancel.stdout)).toEqual({ run_id: quiet, cancel_requested: true, status: 'queued' });
  });
});
