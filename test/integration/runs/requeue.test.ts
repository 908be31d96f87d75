// A run whose starter died between its two writes (the run record, then its job):
// RunService.start is interrupted right after the record is written, as a CLI killed
// at that moment would be. The daemon's requeue check finds the live run without a
// job and queues it again, so it runs; a run younger than the check's margin (its
// starter may still be between the two writes) is left alone.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseWorkflow } from '../../../src/dsl/index.js';
import type { RunQueue } from '../../../src/queue/runs.js';
import { RunService } from '../../../src/runs/service.js';
import { systemClock } from '../../../src/shared/clock.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { eventually } from '../../helpers/processes.js';

const { definition } = parseWorkflow(
  'name: quick\nsteps:\n  - id: a\n    uses: sleep\n    with: { duration: 10ms }\n',
  'quick.yaml',
);

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon({
    guards: true,
    env: { GENESISCLOUD_TOKEN: 'requeue-test', GENESISCLOUD_API_URL: 'http://127.0.0.1:9' },
    tune: (c) => {
      c.janitor.enabled = false;
      c.janitor.requeue_check_ms = 200;
    },
  });
});
afterAll(async () => daemon?.close());

/** A starter that dies right after writing the run: its job is never added. */
function killedStarter(ageMs: number): RunService {
  const dies = {
    add: async () => Promise.reject(new Error('killed before queueing')),
  } as unknown as RunQueue;
  const clock = { now: () => Date.now() - ageMs, sleep: systemClock.sleep };
  return new RunService(daemon.services.store, dies, clock);
}

it('queues again a live run that has no job, and it runs to the end', async () => {
  const start = killedStarter(60_000).start({ def: definition!, inputs: {}, trigger: 'manual' });
  await expect(start).rejects.toThrow(/killed before queueing/);
  const [run] = await daemon.services.store.list({ workflow: 'quick' });
  expect(run?.status).toBe('queued');
  const done = await eventually(
    async () => {
      const state = await daemon.services.store.load(run!.id);
      return state?.status === 'succeeded' ? state : undefined;
    },
    30_000,
    'the jobless run to be queued again and succeed',
  );
  expect(done.steps['a']?.status).toBe('succeeded');
});

it('leaves a run younger than the margin alone (its starter may be about to queue it)', async () => {
  const start = killedStarter(0).start({ def: definition!, inputs: {}, trigger: 'manual' });
  await expect(start).rejects.toThrow(/killed before queueing/);
  const young = (await daemon.services.store.list({ workflow: 'quick', status: 'queued' }))[0]!;
  await new Promise((r) => setTimeout(r, 1_500)); // several checks (every 200 ms)
  expect(await daemon.services.queue.withoutJobs([young.id])).toEqual([young.id]);
  expect((await daemon.services.store.load(young.id))?.status).toBe('queued');
  // `gcflow status` says why it has not started.
  expect((await daemon.services.runs.get(young.id)).waiting_for).toMatch(
    /^its job, which is missing .*: the daemon queues it again at its next requeue check$/,
  );
});
