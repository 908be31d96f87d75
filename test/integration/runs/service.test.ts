// Starting runs on a real Redis: every start without an id gets a run of its own,
// even when two fresh ids collide; a start with a given id is deduplicated.
import { Redis } from 'ioredis';
import { afterAll, expect, inject, it } from 'vitest';
import { parseWorkflow } from '../../../src/dsl/index.js';
import { RunQueue } from '../../../src/queue/runs.js';
import { RunService } from '../../../src/runs/service.js';
import { RunStore } from '../../../src/runs/store.js';
import type { Clock } from '../../../src/shared/clock.js';
import { systemClock } from '../../../src/shared/clock.js';
import { testPrefix } from '../../helpers/prefix.js';

const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
const queues: RunQueue[] = [];
afterAll(async () => {
  for (const q of queues) await q.close();
  redis.disconnect();
});

const { definition } = parseWorkflow(
  'name: ids\nsteps:\n  - id: a\n    uses: sleep\n    with: { duration: 1s }\n',
  'ids.yaml',
);
const def = definition!;
/** Every start in the same millisecond, so ids differ only by their random part. */
const frozen: Clock = { now: () => 1_795_000_000_000, sleep: systemClock.sleep };

const service = (newId?: (workflow: string, now: number) => string) => {
  const prefix = testPrefix('service');
  const queue = new RunQueue(redis, prefix);
  queues.push(queue);
  return { svc: new RunService(new RunStore(redis, prefix), queue, frozen, { newId }), queue };
};

it('gives each of 2,000 starts in one millisecond a run of its own', async () => {
  const { svc, queue } = service();
  const started = await Promise.all(
    Array.from({ length: 2_000 }, () => svc.start({ def, inputs: {}, trigger: 'api' })),
  );
  expect(started.every((s) => s.created)).toBe(true);
  expect(new Set(started.map((s) => s.runId)).size).toBe(2_000);
  expect((await queue.counts())['waiting']).toBe(2_000);
});

it('takes a fresh id when the first one is taken, and deduplicates a given id', async () => {
  const ids = ['ids-same', 'ids-same', 'ids-other'];
  const { svc } = service(() => ids.shift()!);
  const first = await svc.start({ def, inputs: {}, trigger: 'manual' });
  const second = await svc.start({ def, inputs: {}, trigger: 'manual' });
  expect([first, second]).toEqual([
    { runId: 'ids-same', created: true },
    { runId: 'ids-other', created: true },
  ]);
  const again = await svc.start({ def, inputs: {}, trigger: 'schedule', id: 'ids-same' });
  expect(again).toEqual({ runId: 'ids-same', created: false });
});
