// .gcflow/dev.env: taken by commands next to a live `gcflow dev`, group by group, only
// for variables that are unset; ignored once the dev that wrote it is gone.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDevEnv, removeDevEnv, withDevEnv, writeDevEnv } from '../../../src/dev/env-file.js';

const VARS = {
  REDIS_URL: 'redis://127.0.0.1:7001',
  GCFLOW_REDIS_PREFIX: 'gcflow-dev',
  GENESISCLOUD_API_URL: 'http://127.0.0.1:7002/compute/v1',
  GENESISCLOUD_TOKEN: 'gcflow-dev-token',
  GCFLOW_WORKFLOWS: '/srv/workflows',
};

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'gcflow-devenv-'));
}

describe('dev.env', () => {
  it("fills unset variables from a live dev's file, readable by its owner only", () => {
    const d = dir();
    const file = writeDevEnv(d, {
      pid: process.pid,
      host: hostname(),
      url: 'http://127.0.0.1:8080',
      vars: VARS,
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { env, applied } = withDevEnv({ PATH: '/bin' }, d);
    expect(env).toEqual({ PATH: '/bin', ...VARS });
    expect(applied.sort()).toEqual(Object.keys(VARS).sort());
  });

  it('applies a group only when none of it is set: a real token never meets the simulator', () => {
    const d = dir();
    writeDevEnv(d, { pid: process.pid, host: hostname(), url: undefined, vars: VARS });
    const { env } = withDevEnv({ GENESISCLOUD_TOKEN: 'real-token', GCFLOW_REDIS_PREFIX: '' }, d);
    expect(env['GENESISCLOUD_TOKEN']).toBe('real-token');
    expect(env['GENESISCLOUD_API_URL']).toBeUndefined();
    // An explicitly empty variable counts as set: the Redis group is left alone too.
    expect(env['REDIS_URL']).toBeUndefined();
    expect(env['GCFLOW_WORKFLOWS']).toBe('/srv/workflows');
  });

  it('ignores the file of a dev that is gone, or of another host', async () => {
    const d = dir();
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.once('exit', r));
    writeDevEnv(d, { pid, host: hostname(), url: undefined, vars: VARS });
    expect(withDevEnv({}, d).applied).toEqual([]);
    writeDevEnv(d, { pid: process.pid, host: `${hostname()}-elsewhere`, url: undefined, vars: VARS });
    expect(withDevEnv({}, d).applied).toEqual([]);
  });

  it("is removed only by the dev that wrote it, and a malformed file is no dev's", () => {
    const d = dir();
    writeDevEnv(d, { pid: process.pid, host: hostname(), url: undefined, vars: VARS });
    removeDevEnv(d, process.pid + 1);
    expect(readDevEnv(d)?.pid).toBe(process.pid);
    removeDevEnv(d, process.pid);
    expect(readDevEnv(d)).toBeUndefined();
    mkdirSync(join(d, '.gcflow'), { recursive: true });
    writeFileSync(join(d, '.gcflow', 'dev.env'), 'REDIS_URL=redis://x:1\n');
    expect(withDevEnv({}, d).applied).toEqual([]);
  });
});
