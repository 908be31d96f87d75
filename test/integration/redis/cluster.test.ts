// gcflow on a local 3-master Redis Cluster (test/helpers/redis-cluster.ts): the three
// example workflows through the engine and the workers, and the scheduler's
// exactly-once test with three replicas. Every key sits under one hash-tagged prefix
// (`{...}`), so BullMQ's and gcflow's multi-key scripts stay on one slot.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleSuite } from '../engine/examples-suite.js';
import { exactlyOnceSuite } from '../scheduler/exactly-once-suite.js';
import { testPrefix } from '../../helpers/prefix.js';
import { type RedisClusterHandle, startRedisCluster } from '../../helpers/redis-cluster.js';
import { type Stack, startStack } from '../../helpers/stack.js';

let cluster: RedisClusterHandle;
let stack: Stack;
const prefix = `{${testPrefix('cluster')}}`;

beforeAll(async () => {
  cluster = await startRedisCluster();
  stack = await startStack({ concurrency: 20, redis: { cluster: { nodes: cluster.nodes }, prefix } });
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await cluster?.stop();
});

describe('on a 3-master Redis Cluster', () => {
  it('really is a cluster: three masters share the 16384 slots, and gcflow keys sit on one', async () => {
    const probe = new Redis(cluster.nodes[0]!);
    try {
      const slots = (await probe.call('CLUSTER', 'SLOTS')) as unknown[];
      expect(slots).toHaveLength(3);
    } finally {
      probe.disconnect();
    }
    const runId = await stack.start(
      stack.workflow('name: nap\nsteps:\n  - id: nap\n    uses: sleep\n    with: { duration: 300ms }\n'),
    );
    expect((await stack.waitFor(runId)).status).toBe('succeeded');
    // Every key of the prefix sits on one node (one slot), found there and nowhere else.
    const holding: number[] = [];
    for (const node of cluster.nodes) {
      const client = new Redis(node);
      try {
        const keys = await client.keys(`${prefix}*`);
        if (keys.length > 0) holding.push(node.port);
        for (const key of keys)
          expect(await client.call('CLUSTER', 'KEYSLOT', key)).toBe(
            await client.call('CLUSTER', 'KEYSLOT', prefix),
          );
      } finally {
        client.disconnect();
      }
    }
    expect(holding).toHaveLength(1);
  });

  exampleSuite(() => stack);
  exactlyOnceSuite('three scheduler replicas on the Cluster', () => ({
    redis: { cluster: { nodes: cluster.nodes } },
  }));
});
