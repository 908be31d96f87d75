// `gcflow run --wait` through a pipe (not a terminal): between the step events it
// prints plain status lines with the current step, its elapsed time and its deadline.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { runCli, workspace } from '../../helpers/processes.js';
import { type Stack, startStack } from '../../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ concurrency: 2 });
});
afterAll(async () => stack?.close());

it('shows the waiting step, its elapsed time and its deadline while it waits', async () => {
  const ws = workspace({});
  const file = join(ws.dir, 'nap.yaml');
  writeFileSync(
    file,
    'name: nap\nsteps:\n  - { id: rest, uses: sleep, with: { duration: 5s }, timeout: 10m }\n',
  );
  const { code, stdout, stderr } = await runCli(['run', file, '--wait'], {
    REDIS_URL: inject('redisUrl'),
    GCFLOW_REDIS_PREFIX: stack.config.redis.prefix,
    GCFLOW_CONFIG: '/dev/null',
  });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const status = stdout.split('\n').filter((l) => l.startsWith('… '));
  expect(status.length).toBeGreaterThanOrEqual(1);
  expect(status[0]).toMatch(
    /^… rest: waiting for sleep until \S+ · \d+s so far · next check in \d+s · (wait deadline|step timeout) \d\d:\d\d:\d\dZ \(in (\d+m)?(\d+s)?\)$/,
  );
  expect(stdout).toMatch(/step\.succeeded rest/);
  expect(stdout).not.toContain('\r');
}, 60_000);
