// job.wait's decisions over plain stand-ins for the report store and the status reader:
// which of a report and a stop wins, silence, and what a failure says.
import { expect, it } from 'vitest';
import { createExecutor, NO_HOLDS } from '../../../src/actions/index.js';
import type { StoredReport } from '../../../src/runs/reports.js';
import { preparedTask, taskIO } from '../../helpers/tasks.js';

const ID = '9e8ce501-d692-402c-8fca-5a8f5d8ddd57';

function exec(o: {
  reports: Array<StoredReport | undefined>;
  status: string;
  now?: number;
  cursor?: unknown;
  params?: object;
}) {
  let reads = 0;
  const execute = createExecutor({
    client: {} as never,
    statuses: {
      get: async () =>
        o.status === 'gone' ? { gone: true, at: 0 } : { at: 0, instance: { id: ID, status: o.status } },
      invalidate: async () => undefined,
    } as never,
    ownership: {} as never,
    holds: NO_HOLDS,
    clock: { now: () => o.now ?? 1_000, sleep: async () => undefined },
    fetch: globalThis.fetch,
    reports: { read: async () => o.reports[Math.min(reads++, o.reports.length - 1)] },
  });
  const task = preparedTask({
    ref: { stepId: 'job' },
    kind: 'job.wait',
    params: { instance: ID, ...o.params },
    cursor: o.cursor ?? { instance_id: ID, since: 0 },
  });
  return execute(task, taskIO());
}

const succeeded: StoredReport = { status: 'succeeded', exit_code: 0, output: 'done\n', at: 500 };
const failed: StoredReport = { status: 'failed', exit_code: 3, output: 'a\nb\nValueError: boom\n', at: 500 };

it('a final report sent just before the box powered off wins over the stop', async () => {
  // First look: no report yet; then the box is seen stopped; the look after it finds the report.
  const outcome = await exec({ reports: [undefined, succeeded], status: 'stopped' });
  expect(outcome).toEqual({ type: 'done', outputs: { status: 'succeeded', exit_code: 0, output: 'done\n' } });
});

it('a box that stopped without a final report fails the step, saying so', async () => {
  const outcome = await exec({ reports: [{ ...succeeded, status: 'running' }], status: 'gone' });
  expect(outcome).toMatchObject({ type: 'error', code: 'E_JOB_NO_RESULT', retryable: false });
  expect((outcome as { message: string }).message).toContain(
    "the job's box stopped without reporting a result",
  );
});

it('a failed report fails the step with its exit code and last lines, and keeps them as outputs', async () => {
  const outcome = await exec({ reports: [failed], status: 'active' });
  expect(outcome).toMatchObject({
    type: 'error',
    code: 'E_JOB_FAILED',
    outputs: { status: 'failed', exit_code: 3, output: failed.output },
  });
  expect((outcome as { message: string }).message).toMatch(
    /exit code 3; last lines of output:\na\nb\nValueError: boom$/,
  );
});

it('fails when no report came for heartbeat_timeout, and waits until then otherwise', async () => {
  const heartbeat = { ...succeeded, status: 'running' as const, at: 4_000 };
  const silent = await exec({
    reports: [heartbeat],
    status: 'active',
    now: 9_000,
    params: { heartbeat_timeout: '5s' },
  });
  expect(silent).toMatchObject({ type: 'error', code: 'E_JOB_SILENT' });
  const waiting = await exec({
    reports: [heartbeat],
    status: 'active',
    now: 8_000,
    params: { heartbeat_timeout: '5s' },
  });
  expect(waiting).toMatchObject({ type: 'wait', wakeAt: 9_000 });
});
