// A secret used in an instance name reaches the API (it is the box's name) but never
// Redis: the run state, create intents and ownership records hold it redacted, and
// the janitor still recognises the box by the hash of its real name.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findLeaks } from '../../../src/runs/janitor.js';
import { type Stack, startStack } from '../../helpers/stack.js';

const TAG = 'tag-5ecr3t-91c2';
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ secrets: { tag: TAG } });
});
afterAll(async () => stack?.close());

const WORKFLOW = `
name: tagged
auto_cleanup: false
steps:
  - id: box
    uses: instance.create
    with: { name: "box-\${{ secrets.tag }}-\${{ run.id }}", type: vcpu-2_memory-4g, region: NORD-NO-KRS-1, image: ubuntu-22.04, ssh_keys: [ops-laptop] }
`;

async function everything(redis: Redis, prefix: string): Promise<string> {
  const parts: string[] = [];
  for (const key of await redis.keys(`${prefix}:*`)) {
    const type = await redis.type(key);
    if (type === 'string') parts.push(`${key} ${(await redis.get(key)) ?? ''}`);
    if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
    if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
  }
  return parts.join('\n');
}

it('keeps a secret in an instance name out of Redis, and the janitor still finds the box', async () => {
  const runId = await stack.start(stack.workflow(WORKFLOW));
  expect((await stack.waitFor(runId)).status).toBe('succeeded');
  const box = stack.sim.simulator.state().instances.find((i) => i.name === `box-${TAG}-${runId}`);
  expect(box).toBeDefined();

  const stored = await everything(stack.services.redis, stack.config.redis.prefix);
  expect(stored).toContain(`box-[REDACTED]-${runId}`);
  expect(stored).not.toContain(TAG);

  const leaks = await findLeaks({
    client: stack.workers.client,
    ownership: stack.services.ownership,
    store: stack.services.store,
  });
  expect(leaks.map((l) => l.instance_id)).toEqual([box!.id]);
});
